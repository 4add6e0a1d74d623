/**
 * Rows of the tables millrace stores (tables without a connector).
 *
 * Contract:
 * - A row is stored under TABLE_ROW + table id + row key, its value the
 *   row-codec encoding of the table's physical columns in column order.
 * - Row key: the key-codec encoding of the primary key columns when the table
 *   has a primary key (so INSERT upserts on the key, last write wins), else a
 *   row id (key-codec BIGINT), allocated increasing per table, so duplicate
 *   rows are kept and scans return rows in insertion order. The next row id
 *   is derived from the greatest stored key the first time a table is written
 *   after the store opens, so ids only grow across restarts.
 * - Every mutating call is one atomic, fsynced batch: when it resolves, the
 *   change survives a crash.
 * - NOT NULL columns are enforced on every write (23502).
 * - Keys handed out by `scanWithKeys` are opaque full storage keys, valid for
 *   `applyChanges` on the same table.
 * - Changelog (ARCHITECTURE decision 7): writes to one table are serialised;
 *   when a table has subscribers, every committed write is published to them
 *   synchronously, after the batch is durable and before the write resolves,
 *   as one chunk of physical rows: +I for new rows, -U/+U for replaced rows
 *   (an upsert on the primary key, UPDATE), -D for deleted rows. `subscribe`
 *   hands out a snapshot of the current rows and the changes committed after
 *   it, with nothing lost or seen twice.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { encodeRow } from '../values/row-codec.ts';
import { encodeKey } from '../values/key-codec.ts';
import { rowDecoder } from './row-decoder.ts';
import { SqlError, SqlState, assert } from '../errors.ts';
import { KeyPrefix, objectIdOf, objectKey, objectPrefix, prefixRange, type KeyRange } from './key-space.ts';
import type { Store, WriteOp } from './store.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';

/** Receives a table's committed changes (physical rows with kinds), synchronously, in commit order. */
export interface TableChangeListener {
  changes(chunk: Chunk): void;
  /** The table was dropped: no more changes will come. */
  dropped?(): void;
}

export interface TableSubscription {
  /** The rows the table held when the subscription began (all physical columns), in key order. */
  readonly snapshot: AsyncGenerator<Row[]>;
  /** Stops delivery to the listener. */
  unsubscribe(): void;
}

/** What UPDATE / DELETE apply: keys to delete, rows to write (under their old key when given). */
export interface TableChanges {
  readonly deletes: readonly Uint8Array[];
  readonly upserts: readonly { readonly key?: Uint8Array; readonly row: Row }[];
}

export interface KeyedBatch {
  readonly keys: Uint8Array[];
  readonly rows: Row[];
}

/** Per-definition facts computed once: physical types, key columns, NOT NULL columns. */
interface Layout {
  readonly types: readonly SqlType[];
  readonly names: readonly string[];
  readonly keyIndexes: readonly number[];
  readonly keyTypes: readonly SqlType[];
  readonly notNull: readonly number[];
  readonly range: KeyRange;
  readonly decodeAll: (bytes: Uint8Array) => Row;
}

const ROW_ID_KEY_LENGTH = 5 + 1 + 8;
const TWO_32 = 4294967296;

export class TableStore {
  readonly #store: Store;
  readonly #layouts = new WeakMap<TableDefinition, Layout>();
  /** Next row id per table id (tables without a primary key), once loaded. */
  readonly #nextRowId = new Map<number, number>();
  readonly #loadingRowId = new Map<number, Promise<void>>();
  /** The tail of each table's write queue: writes to one table run one at a time. */
  readonly #writeQueue = new Map<number, Promise<unknown>>();
  readonly #listeners = new Map<number, Set<TableChangeListener>>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Subscribes to a table's changelog. The snapshot is taken while no write to
   * the table is in flight, and the listener is registered at that moment:
   * changes committed afterwards reach the listener (possibly while the
   * snapshot is still being read; the caller orders the two).
   */
  async subscribe(table: TableDefinition, listener: TableChangeListener): Promise<TableSubscription> {
    return this.#serialised(table.id, async () => {
      const scan = this.scan(table);
      // The first read opens the LevelDB iterator, which pins the snapshot.
      const first = await scan.next();
      let set = this.#listeners.get(table.id);
      if (set === undefined) this.#listeners.set(table.id, (set = new Set()));
      set.add(listener);
      async function* snapshot(): AsyncGenerator<Row[]> {
        if (first.done === true) return;
        yield first.value;
        yield* scan;
      }
      return {
        snapshot: snapshot(),
        unsubscribe: () => {
          const current = this.#listeners.get(table.id);
          current?.delete(listener);
          if (current?.size === 0) this.#listeners.delete(table.id);
        },
      };
    });
  }

  /** Whether anyone listens to the table's changes. */
  hasSubscribers(tableId: number): boolean {
    return (this.#listeners.get(tableId)?.size ?? 0) > 0;
  }

  /** Runs `fn` after every earlier write to the table has finished. */
  #serialised<T>(tableId: number, fn: () => Promise<T>): Promise<T> {
    const before = this.#writeQueue.get(tableId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#writeQueue.set(tableId, tail);
    void tail.then(() => {
      if (this.#writeQueue.get(tableId) === tail) this.#writeQueue.delete(tableId);
    });
    return run;
  }

  #publish(tableId: number, rows: Row[], kinds: number[]): void {
    const set = this.#listeners.get(tableId);
    if (set === undefined || rows.length === 0) return;
    let allInserts = true;
    for (const k of kinds) if (k !== RowKind.INSERT) allInserts = false;
    const chunk: Chunk = { rows, kinds: allInserts ? null : Uint8Array.from(kinds) };
    for (const l of [...set]) l.changes(chunk);
  }

  /** The stored rows under `keys` (undefined where none), decoded. */
  async #currentRows(layout: Layout, keys: readonly Uint8Array[]): Promise<(Row | undefined)[]> {
    const out: (Row | undefined)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const bytes = await this.#store.get(keys[i]!);
      out[i] = bytes === undefined ? undefined : layout.decodeAll(bytes);
    }
    return out;
  }

  /** Writes `rows` (physical columns, in column order); returns the number of rows written. */
  async insert(table: TableDefinition, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    const layout = this.#layout(table);
    for (const row of rows) checkRow(table, layout, row);
    return this.#serialised(table.id, async () => {
      const ops: WriteOp[] = new Array<WriteOp>(rows.length);
      const keyed = layout.keyIndexes.length > 0;
      if (keyed) {
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          ops[i] = { type: 'put', key: primaryKeyOf(table.id, layout, row), value: encodeRow(row, layout.types) };
        }
      } else {
        const first = await this.#allocateRowIds(table.id, rows.length);
        for (let i = 0; i < rows.length; i++) {
          ops[i] = { type: 'put', key: rowIdKey(table.id, first + i), value: encodeRow(rows[i]!, layout.types) };
        }
      }
      if (!this.hasSubscribers(table.id)) {
        await this.#store.write(ops);
        return rows.length;
      }
      const outRows: Row[] = [];
      const kinds: number[] = [];
      if (!keyed) {
        for (const r of rows) {
          outRows.push(r);
          kinds.push(RowKind.INSERT);
        }
      } else {
        // An insert on a primary key replaces the row stored under it: -U old, +U new.
        const latest = new Map<string, Row>();
        const keys = ops.map((o) => o.key);
        const stored = await this.#currentRows(layout, keys);
        for (let i = 0; i < rows.length; i++) {
          const id = hexOf(keys[i]!);
          const old = latest.has(id) ? latest.get(id) : stored[i];
          if (old === undefined) {
            outRows.push(rows[i]!);
            kinds.push(RowKind.INSERT);
          } else {
            outRows.push(old, rows[i]!);
            kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
          }
          latest.set(id, rows[i]!);
        }
      }
      await this.#store.write(ops);
      this.#publish(table.id, outRows, kinds);
      return rows.length;
    });
  }

  /**
   * Current rows in key order, in batches of up to 1024. With `columns`
   * (indexes of physical columns, any order, repeats allowed) each row holds
   * just those values, and only those are decoded.
   */
  async *scan(table: TableDefinition, columns?: readonly number[]): AsyncGenerator<Row[]> {
    const layout = this.#layout(table);
    const decode = columns === undefined ? layout.decodeAll : rowDecoder(layout.types, columns);
    for await (const values of this.#store.values(layout.range)) {
      const rows: Row[] = new Array<Row>(values.length);
      for (let i = 0; i < values.length; i++) rows[i] = decode(values[i]!);
      yield rows;
    }
  }

  /** Like `scan`, with each row's storage key (for `applyChanges`). */
  async *scanWithKeys(table: TableDefinition): AsyncGenerator<KeyedBatch> {
    const layout = this.#layout(table);
    for await (const batch of this.#store.entries(layout.range)) {
      const keys: Uint8Array[] = new Array<Uint8Array>(batch.length);
      const rows: Row[] = new Array<Row>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        keys[i] = e.key;
        rows[i] = layout.decodeAll(e.value);
      }
      yield { keys, rows };
    }
  }

  /**
   * Applies UPDATE / DELETE changes as one atomic batch: every delete first,
   * then every upsert. An upsert with a key replaces that row; on a table with
   * a primary key the row is stored under the key of its (possibly changed)
   * key columns and the old key is deleted. Accepts either
   * `(table, changes)` or `(table, deletes, upserts)`.
   */
  async applyChanges(
    table: TableDefinition,
    changesOrDeletes: TableChanges | readonly Uint8Array[],
    upsertsArg?: TableChanges['upserts'],
  ): Promise<void> {
    const changes: TableChanges = isChangeSet(changesOrDeletes)
      ? changesOrDeletes
      : { deletes: changesOrDeletes, upserts: upsertsArg ?? [] };
    const layout = this.#layout(table);
    for (const u of changes.upserts) checkRow(table, layout, u.row);
    return this.#serialised(table.id, () => this.#applyChanges(table, layout, changes));
  }

  async #applyChanges(table: TableDefinition, layout: Layout, changes: TableChanges): Promise<void> {
    const ops: WriteOp[] = [];
    for (const key of changes.deletes) {
      assertOwnKey(table.id, key);
      ops.push({ type: 'del', key });
    }
    const puts: WriteOp[] = [];
    if (layout.keyIndexes.length > 0) {
      for (const u of changes.upserts) {
        const key = primaryKeyOf(table.id, layout, u.row);
        if (u.key !== undefined) {
          assertOwnKey(table.id, u.key);
          if (!bytesEqual(u.key, key)) ops.push({ type: 'del', key: u.key });
        }
        puts.push({ type: 'put', key, value: encodeRow(u.row, layout.types) });
      }
    } else {
      const fresh = changes.upserts.reduce((n, u) => (u.key === undefined ? n + 1 : n), 0);
      let next = fresh > 0 ? await this.#allocateRowIds(table.id, fresh) : 0;
      for (const u of changes.upserts) {
        let key = u.key;
        if (key === undefined) key = rowIdKey(table.id, next++);
        else assertOwnKey(table.id, key);
        puts.push({ type: 'put', key, value: encodeRow(u.row, layout.types) });
      }
    }
    for (const p of puts) ops.push(p);
    if (!this.hasSubscribers(table.id)) {
      await this.#store.write(ops);
      return;
    }
    // The changelog: what each deleted or overwritten key held, replayed over the batch in order.
    const touched: Uint8Array[] = [];
    for (const op of ops) touched.push(op.key);
    const stored = await this.#currentRows(layout, touched);
    const state = new Map<string, Row | undefined>();
    touched.forEach((k, i) => {
      const id = hexOf(k);
      if (!state.has(id)) state.set(id, stored[i]);
    });
    const rows: Row[] = [];
    const kinds: number[] = [];
    const putRows = new Map<WriteOp, Row>();
    puts.forEach((p, i) => putRows.set(p, changes.upserts[i]!.row));
    // An upsert that moved its row to a new key first deletes the old key: pair that delete with the put.
    let pendingDelete: Row | undefined;
    const flushDelete = (): void => {
      if (pendingDelete !== undefined) {
        rows.push(pendingDelete);
        kinds.push(RowKind.DELETE);
        pendingDelete = undefined;
      }
    };
    const upsertDeletes = new Set<WriteOp>();
    if (layout.keyIndexes.length > 0) {
      let d = changes.deletes.length;
      for (const u of changes.upserts) {
        if (u.key !== undefined && d < ops.length && ops[d]!.type === 'del' && ops[d]!.key === u.key) upsertDeletes.add(ops[d++]!);
        d++;
      }
    }
    for (const op of ops) {
      const id = hexOf(op.key);
      const old = state.get(id);
      if (op.type === 'del') {
        if (old !== undefined) {
          if (upsertDeletes.has(op)) {
            flushDelete();
            pendingDelete = old;
          } else {
            rows.push(old);
            kinds.push(RowKind.DELETE);
          }
        }
        state.set(id, undefined);
        continue;
      }
      const row = putRows.get(op)!;
      const before = old ?? pendingDelete;
      if (before === undefined) {
        rows.push(row);
        kinds.push(RowKind.INSERT);
      } else {
        if (old !== undefined) flushDelete();
        else pendingDelete = undefined;
        rows.push(before, row);
        kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      }
      state.set(id, row);
    }
    flushDelete();
    await this.#store.write(ops);
    this.#publish(table.id, rows, kinds);
  }

  /** Deletes the rows stored under the primary keys of `rows` (a keyed table; an upsert sink's -D). */
  async deleteByKey(table: TableDefinition, rows: readonly Row[]): Promise<void> {
    const layout = this.#layout(table);
    assert(layout.keyIndexes.length > 0, `deleteByKey on ${table.name}, which has no primary key`);
    const keys = rows.map((r) => primaryKeyOf(table.id, layout, r));
    return this.#serialised(table.id, () => this.#applyChanges(table, layout, { deletes: keys, upserts: [] }));
  }

  /** Deletes every row of a table (DROP TABLE). */
  async drop(tableId: number): Promise<void> {
    await this.#serialised(tableId, () => this.#store.clear(prefixRange(objectPrefix(KeyPrefix.TABLE_ROW, tableId))));
    this.#nextRowId.delete(tableId);
    const set = this.#listeners.get(tableId);
    this.#listeners.delete(tableId);
    for (const l of set ?? []) l.dropped?.();
  }

  /** Number of stored rows (a key scan). */
  async count(tableId: number): Promise<number> {
    return this.#store.count(prefixRange(objectPrefix(KeyPrefix.TABLE_ROW, tableId)));
  }

  #layout(table: TableDefinition): Layout {
    let layout = this.#layouts.get(table);
    if (layout === undefined) {
      const physical = table.columns.filter((c) => c.kind === 'physical');
      const names = physical.map((c) => c.name);
      const keyIndexes = table.primaryKey.map((k) => {
        const i = names.indexOf(k);
        assert(i >= 0, `primary key column ${k} of ${table.name} is not a physical column`);
        return i;
      });
      const notNull: number[] = [];
      physical.forEach((c, i) => {
        if (!c.nullable) notNull.push(i);
      });
      layout = {
        types: physical.map((c) => c.type),
        names,
        keyIndexes,
        keyTypes: keyIndexes.map((i) => physical[i]!.type),
        notNull,
        range: prefixRange(objectPrefix(KeyPrefix.TABLE_ROW, table.id)),
        decodeAll: rowDecoder(
          physical.map((c) => c.type),
          physical.map((_, i) => i),
        ),
      };
      this.#layouts.set(table, layout);
    }
    return layout;
  }

  /** Reserves `n` consecutive row ids for a table; returns the first. */
  async #allocateRowIds(tableId: number, n: number): Promise<number> {
    if (!this.#nextRowId.has(tableId)) {
      let loading = this.#loadingRowId.get(tableId);
      if (loading === undefined) {
        loading = this.#loadNextRowId(tableId).finally(() => this.#loadingRowId.delete(tableId));
        this.#loadingRowId.set(tableId, loading);
      }
      await loading;
    }
    const first = this.#nextRowId.get(tableId)!;
    this.#nextRowId.set(tableId, first + n);
    return first;
  }

  async #loadNextRowId(tableId: number): Promise<void> {
    const last = await this.#store.lastKey(prefixRange(objectPrefix(KeyPrefix.TABLE_ROW, tableId)));
    let next = 1;
    if (last !== undefined) {
      assert(last.length === ROW_ID_KEY_LENGTH, `table ${tableId} has a key that is not a row id`);
      next = rowIdOf(last) + 1;
    }
    if (!this.#nextRowId.has(tableId)) this.#nextRowId.set(tableId, next);
  }
}

function isChangeSet(x: TableChanges | readonly Uint8Array[]): x is TableChanges {
  return !Array.isArray(x);
}

function checkRow(table: TableDefinition, layout: Layout, row: Row): void {
  if (row.length !== layout.types.length) {
    assert(false, `row of ${row.length} values for ${layout.types.length} columns of ${table.name}`);
  }
  for (const i of layout.notNull) {
    if (row[i] === null || row[i] === undefined) {
      throw new SqlError(
        SqlState.NOT_NULL_VIOLATION,
        `null value in column "${layout.names[i]!}" of relation "${table.name}" violates not-null constraint`,
      );
    }
  }
}

function primaryKeyOf(tableId: number, layout: Layout, row: Row): Uint8Array {
  const idx = layout.keyIndexes;
  const values = new Array(idx.length);
  for (let i = 0; i < idx.length; i++) values[i] = row[idx[i]!] ?? null;
  return objectKey(KeyPrefix.TABLE_ROW, tableId, encodeKey(values, layout.keyTypes));
}

/** TABLE_ROW + id + key-codec BIGINT (tag 0x01, 8 bytes big-endian with the sign bit flipped). */
function rowIdKey(tableId: number, rowId: number): Uint8Array {
  const out = new Uint8Array(ROW_ID_KEY_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = KeyPrefix.TABLE_ROW;
  view.setUint32(1, tableId >>> 0);
  out[5] = 1;
  const hi = Math.floor(rowId / TWO_32);
  view.setUint32(6, (hi ^ 0x80000000) >>> 0);
  view.setUint32(10, rowId - hi * TWO_32);
  return out;
}

function rowIdOf(key: Uint8Array): number {
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const hi = (view.getUint32(6) ^ 0x80000000) >>> 0;
  return hi * TWO_32 + view.getUint32(10);
}

function assertOwnKey(tableId: number, key: Uint8Array): void {
  assert(key.length > 5 && key[0] === KeyPrefix.TABLE_ROW && objectIdOf(key) === tableId, `key does not belong to table ${tableId}`);
}

function hexOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
