/**
 * Materialization: applies a changelog to a result table (a materialized
 * view's contents, or a test's view of an operator's output).
 *
 * Two layouts:
 * - keyed (`keyColumns` given, the changelog is an upsert or retract stream on
 *   that unique key): +I adds a row whose key must be absent; +U sets the row
 *   of its key (an upsert, whether or not a -U came first); -U and -D remove
 *   the row of their key, which must be present.
 * - multiset (no key): the table holds rows with multiplicities; +I/+U add one,
 *   -U/-D remove one equal row, which must be present.
 * A change that contradicts the table (retracting an absent row, inserting a
 * duplicate key) is a broken changelog: InternalError, the table unchanged.
 *
 * State: one state table, encoded key (or whole row) -> { row, count }.
 * `rows()` lists the contents in key order (encoded order: the SQL order of
 * the key columns, NULLs first), each row repeated `count` times.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { kindAt, kindText } from './changelog.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { stateArray, stateNumber, stateRow } from './state-provider.ts';

export interface MaterializedEntry {
  row: Row;
  count: number;
}

/** An entry at a checkpoint: [row, count]. */
export const materializedEntryCodec: StateCodec<MaterializedEntry> = {
  encode: (e) => encodeStateValue([e.row, e.count]),
  decode: (bytes) => {
    const [row, count] = stateArray(decodeStateValue(bytes), 'materialized entry', 2);
    return { row: stateRow(row, 'materialized row'), count: stateNumber(count, 'materialized row count') };
  },
};

export class MaterializedTable {
  readonly #types: readonly SqlType[];
  readonly #keyColumns: readonly number[] | null;
  readonly #keyTypes: readonly SqlType[];
  readonly #keyScratch: Row;
  readonly #table: StateTable<MaterializedEntry>;

  constructor(types: readonly SqlType[], keyColumns?: readonly number[], table?: StateTable<MaterializedEntry>) {
    this.#types = types;
    this.#keyColumns = keyColumns ?? null;
    this.#keyTypes = keyColumns === undefined ? types : keyColumns.map((c) => types[c]!);
    this.#keyScratch = new Array(this.#keyTypes.length).fill(null);
    this.#table = table ?? new MemoryStateTable<MaterializedEntry>();
  }

  /** Applies every row of `chunk`, in order. */
  apply(chunk: Chunk): void {
    for (let i = 0; i < chunk.rows.length; i++) this.applyRow(kindAt(chunk, i), chunk.rows[i]!);
  }

  applyRow(kind: RowKind, row: Row): void {
    const key = this.#encode(row);
    const entry = this.#table.get(key);
    if (this.#keyColumns !== null) {
      switch (kind) {
        case RowKind.INSERT:
          if (entry !== undefined) throw this.#broken(kind, row, 'its key is already present');
          this.#table.put(key, { row, count: 1 });
          return;
        case RowKind.UPDATE_AFTER:
          this.#table.put(key, { row, count: 1 });
          return;
        default:
          if (entry === undefined) throw this.#broken(kind, row, 'no row has its key');
          this.#table.delete(key);
          return;
      }
    }
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
      if (entry === undefined) this.#table.put(key, { row, count: 1 });
      else this.#table.put(key, { row: entry.row, count: entry.count + 1 });
      return;
    }
    if (entry === undefined) throw this.#broken(kind, row, 'the row is not there');
    if (entry.count > 1) this.#table.put(key, { row: entry.row, count: entry.count - 1 });
    else this.#table.delete(key);
  }

  /** The contents in key order, each row repeated by its multiplicity. */
  rows(): Row[] {
    const out: Row[] = [];
    for (const [, e] of this.#table.scan()) for (let i = 0; i < e.count; i++) out.push(e.row);
    return out;
  }

  /** Number of rows, multiplicities included. */
  get rowCount(): number {
    let n = 0;
    for (const [, e] of this.#table.scan()) n += e.count;
    return n;
  }

  #encode(row: Row): Uint8Array {
    const cols = this.#keyColumns;
    if (cols === null) return encodeKey(row, this.#types);
    const s = this.#keyScratch;
    for (let i = 0; i < cols.length; i++) s[i] = row[cols[i]!] ?? null;
    return encodeKey(s, this.#keyTypes);
  }

  #broken(kind: RowKind, row: Row, why: string): InternalError {
    return new InternalError(`materialize: ${kindText(kind)} (${row.map((v) => (v === null ? 'NULL' : String(v))).join(', ')}) but ${why}`);
  }
}
