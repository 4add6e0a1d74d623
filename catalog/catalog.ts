/**
 * The persisted catalog: user tables and views, plus the pg_catalog and
 * information_schema relations computed from them.
 *
 * Contract:
 * - Every user object has an id >= FIRST_USER_OID, allocated from a persisted
 *   counter, never reused (also not after DROP or a restart). A table with a
 *   primary key also gets two more ids: its pkey index and its constraint, as
 *   Postgres gives them pg_class / pg_constraint oids.
 * - Each change is written (definition and counter in one batch) and fsynced
 *   before the call resolves; `open` loads everything into memory, so look-ups
 *   are synchronous.
 * - Name resolution (identifiers arrive case-folded; matching is exact):
 *   1 part: pg_catalog, then public (Postgres' implicit search path);
 *   2 parts: schema.name, where 'default_database' means public (Flink);
 *   3 parts: catalog.schema.name with catalog 'millrace' or 'default_catalog'.
 * - User objects live in 'public'; a user object cannot take the name of a
 *   pg_catalog relation (it would be shadowed).
 */
import type { CatalogEntry, RelationDefinition, SystemRelation } from './relation.ts';
import { FIRST_USER_OID } from './relation.ts';
import type { Store } from '../src/storage/store.ts';
import { KeyPrefix, concernRange, metaKey, objectIdOf, objectPrefix } from '../src/storage/key-space.ts';
import { SqlError, SqlState, assert } from '../src/errors.ts';
import type { CatalogReader } from './system-relation.ts';
import { buildSystemRelations } from './system-relations.ts';

/** Database (catalog) names a three-part name may start with. */
export const CATALOG_NAMES: readonly string[] = ['millrace', 'default_catalog'];

const NEXT_OID_KEY = metaKey('catalog.next_oid');
const FORMAT_KEY = metaKey('catalog.format');
const FORMAT_VERSION = 1;

/** What is stored per object: the definition plus the oids of its implicit objects. */
interface StoredRecord {
  readonly definition: RelationDefinition;
  readonly primaryKey?: { readonly index: number; readonly constraint: number };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A definition to create: everything but the id, which the catalog allocates. */
export type NewRelation = RelationDefinition extends infer R ? (R extends RelationDefinition ? Omit<R, 'id'> : never) : never;

export class Catalog implements CatalogReader {
  readonly #store: Store;
  readonly #records = new Map<number, StoredRecord>();
  readonly #byName = new Map<string, RelationDefinition>();
  #nextOid: number;
  #sorted: RelationDefinition[] | undefined;
  readonly #system: readonly SystemRelation[];
  readonly #systemById: ReadonlyMap<number, SystemRelation>;
  readonly #systemByName: ReadonlyMap<string, SystemRelation>;

  private constructor(store: Store, records: readonly StoredRecord[], nextOid: number) {
    this.#store = store;
    for (const r of records) {
      this.#records.set(r.definition.id, r);
      this.#byName.set(r.definition.name, r.definition);
    }
    this.#nextOid = nextOid;
    this.#sorted = undefined;
    this.#system = buildSystemRelations(this);
    this.#systemById = new Map(this.#system.map((r) => [r.id, r]));
    this.#systemByName = new Map(this.#system.map((r) => [`${r.schema}.${r.name}`, r]));
    assert(this.#systemById.size === this.#system.length, 'duplicate system relation oid');
    assert(this.#systemByName.size === this.#system.length, 'duplicate system relation name');
  }

  static async open(store: Store): Promise<Catalog> {
    const records: StoredRecord[] = [];
    let maxId = FIRST_USER_OID - 1;
    for await (const batch of store.entries(concernRange(KeyPrefix.CATALOG))) {
      for (const e of batch) {
        const record = JSON.parse(fromUtf8.decode(e.value)) as StoredRecord;
        assert(record.definition.id === objectIdOf(e.key), 'catalog record stored under another id');
        records.push(record);
        maxId = Math.max(maxId, record.definition.id, record.primaryKey?.constraint ?? 0, record.primaryKey?.index ?? 0);
      }
    }
    const counter = await store.get(NEXT_OID_KEY);
    const stored = counter === undefined ? FIRST_USER_OID : readU32(counter);
    if ((await store.get(FORMAT_KEY)) === undefined) {
      await store.write([{ type: 'put', key: FORMAT_KEY, value: u32(FORMAT_VERSION) }]);
    }
    return new Catalog(store, records, Math.max(stored, maxId + 1));
  }

  /** What a (case-folded) name resolves to, or undefined. */
  lookup(parts: readonly string[]): CatalogEntry | undefined {
    switch (parts.length) {
      case 1: {
        const name = parts[0]!;
        return this.#systemByName.get(`pg_catalog.${name}`) ?? this.#byName.get(name);
      }
      case 2:
        return this.#inSchema(parts[0]!, parts[1]!);
      case 3:
        return CATALOG_NAMES.includes(parts[0]!) ? this.#inSchema(parts[1]!, parts[2]!) : undefined;
      default:
        return undefined;
    }
  }

  byId(id: number): CatalogEntry | undefined {
    return this.#records.get(id)?.definition ?? this.#systemById.get(id);
  }

  /** User relations (tables, views, materialized views), ordered by id. */
  list(): RelationDefinition[] {
    this.#sorted ??= [...this.#records.values()].map((r) => r.definition).sort((a, b) => a.id - b.id);
    return this.#sorted.slice();
  }

  userRelations(): readonly RelationDefinition[] {
    this.#sorted ??= [...this.#records.values()].map((r) => r.definition).sort((a, b) => a.id - b.id);
    return this.#sorted;
  }

  systemRelations(): SystemRelation[] {
    return this.#system.slice();
  }

  primaryKeyOids(relationId: number): { readonly index: number; readonly constraint: number } | undefined {
    return this.#records.get(relationId)?.primaryKey;
  }

  /** Creates a user object under a new id; resolves once it is durable. */
  async create(def: NewRelation): Promise<RelationDefinition> {
    assert(def.schema === 'public', `user objects live in schema public, not ${def.schema}`);
    if (this.#byName.has(def.name)) {
      throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${def.name}" already exists`);
    }
    if (this.#systemByName.has(`pg_catalog.${def.name}`)) {
      throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${def.name}" already exists`, {
        detail: `"${def.name}" is a system relation in schema pg_catalog.`,
        hint: 'Choose another name.',
      });
    }
    const id = this.#nextOid;
    const hasKey = def.kind !== 'view' && def.primaryKey.length > 0;
    this.#nextOid += hasKey ? 3 : 1;
    const definition = { ...def, id } as RelationDefinition;
    const record: StoredRecord = hasKey ? { definition, primaryKey: { index: id + 1, constraint: id + 2 } } : { definition };
    this.#put(record);
    try {
      await this.#store.write([
        { type: 'put', key: objectPrefix(KeyPrefix.CATALOG, id), value: encodeRecord(record) },
        { type: 'put', key: NEXT_OID_KEY, value: u32(this.#nextOid) },
      ]);
    } catch (err) {
      // Not durable, so not created; the id stays consumed.
      this.#records.delete(id);
      this.#byName.delete(definition.name);
      this.#sorted = undefined;
      throw err;
    }
    return definition;
  }

  /** Replaces an existing user object's definition (same id, e.g. CREATE OR REPLACE VIEW). */
  async replace(def: RelationDefinition): Promise<void> {
    const old = this.#records.get(def.id);
    if (old === undefined) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${def.name}" does not exist`);
    const other = this.#byName.get(def.name);
    if (other !== undefined && other.id !== def.id) {
      throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${def.name}" already exists`);
    }
    let primaryKey = old.primaryKey;
    const needsKey = def.kind !== 'view' && def.primaryKey.length > 0;
    let nextOid = this.#nextOid;
    if (needsKey && primaryKey === undefined) {
      primaryKey = { index: nextOid, constraint: nextOid + 1 };
      nextOid += 2;
    }
    const record: StoredRecord = needsKey && primaryKey !== undefined ? { definition: def, primaryKey } : { definition: def };
    this.#byName.delete(old.definition.name);
    this.#put(record);
    this.#nextOid = nextOid;
    await this.#store.write([
      { type: 'put', key: objectPrefix(KeyPrefix.CATALOG, def.id), value: encodeRecord(record) },
      { type: 'put', key: NEXT_OID_KEY, value: u32(this.#nextOid) },
    ]);
  }

  /** Removes a user object; its id is never handed out again. */
  async drop(id: number): Promise<void> {
    const old = this.#records.get(id);
    if (old === undefined) return;
    this.#records.delete(id);
    this.#byName.delete(old.definition.name);
    this.#sorted = undefined;
    await this.#store.write([{ type: 'del', key: objectPrefix(KeyPrefix.CATALOG, id) }]);
  }

  #put(record: StoredRecord): void {
    this.#records.set(record.definition.id, record);
    this.#byName.set(record.definition.name, record.definition);
    this.#sorted = undefined;
  }

  #inSchema(schema: string, name: string): CatalogEntry | undefined {
    if (schema === 'public' || schema === 'default_database') return this.#byName.get(name);
    if (schema === 'pg_catalog' || schema === 'information_schema') return this.#systemByName.get(`${schema}.${name}`);
    return undefined;
  }
}

function encodeRecord(record: StoredRecord): Uint8Array {
  return utf8.encode(JSON.stringify(record));
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

function readU32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
}
