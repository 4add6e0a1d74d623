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
 *
 * Change positions and the persisted changelog (issue #4):
 * - Every committed write (one batch, one published chunk) takes the table's
 *   next position: 1, 2, 3, ... per table. The head (CHANGELOG + table id ->
 *   uint64 BE position, uint64 BE floor) is written in the same atomic batch,
 *   so positions only grow, across restarts too. A write that changes no row
 *   (a DELETE matching nothing) still takes a position; it is logged as an
 *   empty change and not published.
 * - While the table has at least one durable reader (registered in memory by
 *   `subscribe(..., { durableReader })`), each write also stores its chunk
 *   under CHANGELOG + table id + uint64 BE position, in the same batch. Tables
 *   nobody reads durably pay one small head put per write and no log.
 * - The floor: the log holds every change with position > floor (up to the
 *   head), except what was truncated below a released position. A write made
 *   while no durable reader is registered is not logged and moves the floor to
 *   its own position; the entries below become garbage, cleared lazily.
 * - `subscribe(..., { from })` replays the logged changes after `from` (while
 *   the table's writes wait), then goes live: nothing lost, nothing repeated.
 *   If the log cannot supply every change after `from`, it rejects with 55000
 *   and delivers nothing; the caller rebuilds from a snapshot.
 * - `releaseChangelog` lets a reader give up the entries it has durably
 *   checkpointed; entries at or below the minimum over the registered durable
 *   readers (and below the floor) are deleted in the background, never in the
 *   write path. Registrations live in memory only: after the store opens the
 *   log is kept whole above the floor until `changelogReadersRestored` says
 *   every reader is back, so every reader that re-subscribes before the first
 *   write of the table finds its entries.
 * - A durable reader's registration ends with its last subscription unless it
 *   subscribed with `keepRegistration` (then `unregisterChangelogReader` ends
 *   it). The common end of a reader is DROP MATERIALIZED VIEW, after which
 *   nothing it held is kept for it.
 * - DROP TABLE clears the rows, the head and the log.
 *
 * Transactions (write sets, src/storage/write-set.ts):
 * - `stageInsert` / `stageChanges` record a transaction block's writes in its
 *   WriteSet instead of storing them; `scanIn` / `scanWithKeysIn` read the
 *   table as the block sees it (committed rows with its own writes applied).
 * - `commitWriteSet` stores the net effect of the block as ONE atomic,
 *   fsynced batch over every table it wrote: each table takes one position
 *   and publishes one chunk (+I / -U +U / -D against the rows committed at
 *   that moment), so readers see the block whole or not at all. Discarding a
 *   WriteSet is a rollback: nothing was stored. Row ids a rolled-back block
 *   allocated are not reused.
 * - Write conflicts: first committer wins. A block whose staged row was
 *   changed by another commit after the block first wrote it fails at
 *   COMMIT with 40001 and stores nothing.
 *
 * Log entry value: u8 0 (all +I) or 1 (kinds follow), varint row count, the
 * row count kind bytes when flagged (dataflow/chunk.ts RowKind), then per row a
 * varint byte length and the row-codec bytes of the physical columns.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { encodeRow } from '../values/row-codec.ts';
import { ByteReader } from '../values/byte-reader.ts';
import { ByteWriter } from '../values/byte-writer.ts';
import { bytesKey } from '../values/map-key.ts';
import { encodeKey } from '../values/key-codec.ts';
import { rowDecoder } from './row-decoder.ts';
import { InternalError, SqlError, SqlState, assert } from '../errors.ts';
import { KeyPrefix, objectIdOf, objectKey, objectPrefix, prefixRange, type KeyRange } from './key-space.ts';
import type { Store, WriteOp } from './store.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { compareKeys, type StagedRow, type WriteSet } from './write-set.ts';

/** Receives a table's committed changes (physical rows with kinds), synchronously, in commit order. */
export interface TableChangeListener {
  /**
   * One committed change. `position` is its place in the table's change
   * sequence; TableStore always passes it (a materialized view's changelog,
   * which shares this interface, has no positions and omits it).
   */
  changes(chunk: Chunk, position?: number): void;
  /** The table was dropped: no more changes will come. */
  dropped?(): void;
}

export interface TableSubscription {
  /** The rows the table held when the subscription began (all physical columns), in key order. */
  readonly snapshot: AsyncGenerator<Row[]>;
  /**
   * The position the snapshot reflects: every change delivered afterwards has
   * a greater one. Set by stored tables (see StoredTableSubscription).
   */
  readonly position?: number;
  /** Stops delivery to the listener. */
  unsubscribe(): void;
}

/** A stored table's subscription: it always knows its position. */
export interface StoredTableSubscription extends TableSubscription {
  readonly position: number;
}

export interface SubscribeOptions {
  /**
   * Resume after this position instead of taking a snapshot: the snapshot is
   * empty and the listener first receives every change with a greater
   * position, then the live changes. Rejects with 55000 when the log cannot
   * supply them all (truncated, or written while nobody read durably).
   */
  readonly from?: number;
  /**
   * Registers this reader id (e.g. 'mv-12') as durable: the table's changes
   * are logged while it is registered, and the entries after the position it
   * subscribed at are kept until it calls `releaseChangelog`.
   */
  readonly durableReader?: string;
  /**
   * Keep the durable registration (and the log entries it holds) after
   * `unsubscribe`, until `unregisterChangelogReader`. Default: the registration
   * ends with the reader's last subscription.
   */
  readonly keepRegistration?: boolean;
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

/** The keys a checkpointed sink write touches and the rows they held before it (undefined: none). */
export interface CheckpointPreImages {
  readonly keys: readonly Uint8Array[];
  readonly rows: readonly (Row | undefined)[];
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

/** One table's share of a commit: its storage operations and its change (null: nobody wants it). */
interface CommitPart {
  readonly table: TableDefinition;
  readonly layout: Layout;
  readonly ops: readonly WriteOp[];
  readonly rows: Row[] | null;
  readonly kinds: number[] | null;
}

/** A write conflict found at COMMIT (PostgreSQL's serialization_failure). */
const SERIALIZATION_FAILURE = '40001';

const ROW_ID_KEY_LENGTH = 5 + 1 + 8;
const LOG_KEY_LENGTH = 5 + 8;
const TWO_32 = 4294967296;

/** A table's change sequence as persisted in its head, plus the greatest logged position. */
class ChangeHead {
  /** Position of the latest committed write (0: none yet). */
  position: number;
  /** The log holds every change after this position (bar truncation). */
  floor: number;
  /** Greatest logged position (0: none). */
  logEnd: number;

  constructor(position: number, floor: number, logEnd: number) {
    this.position = position;
    this.floor = floor;
    this.logEnd = logEnd;
  }
}

/** One durable reader's claim on a table's log. */
class ReaderShare {
  /** The reader no longer needs entries at or below this position. */
  released: number;
  /** Live subscriptions under this reader id. */
  subscriptions: number;
  keep: boolean;

  constructor(released: number, keep: boolean) {
    this.released = released;
    this.subscriptions = 1;
    this.keep = keep;
  }
}

export class TableStore {
  readonly #store: Store;
  readonly #layouts = new WeakMap<TableDefinition, Layout>();
  /** Next row id per table id (tables without a primary key), once loaded. */
  readonly #nextRowId = new Map<number, number>();
  readonly #loadingRowId = new Map<number, Promise<void>>();
  /** The tail of each table's write queue: writes to one table run one at a time. */
  readonly #writeQueue = new Map<number, Promise<unknown>>();
  readonly #listeners = new Map<number, Set<TableChangeListener>>();
  /** Change head per table id, once loaded. */
  readonly #heads = new Map<number, ChangeHead>();
  readonly #loadingHead = new Map<number, Promise<ChangeHead>>();
  /** Registered durable readers per table id. */
  readonly #readers = new Map<number, Map<string, ReaderShare>>();
  /** Per table id: log entries at or below this position were deleted in this process. */
  readonly #truncatedTo = new Map<number, number>();
  /** The running background truncation per table id. */
  readonly #truncating = new Map<number, Promise<void>>();
  /** Until the readers of before the restart are back, releases do not truncate (see `changelogReadersRestored`). */
  #readersRestored = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Subscribes to a table's changelog. The snapshot is taken while no write to
   * the table is in flight, and the listener is registered at that moment:
   * changes committed afterwards reach the listener (possibly while the
   * snapshot is still being read; the caller orders the two). With
   * `options.from` there is no snapshot: the logged changes after `from` are
   * delivered to the listener before this resolves, then the live ones.
   */
  async subscribe(
    table: TableDefinition,
    listener: TableChangeListener,
    options: SubscribeOptions = {},
  ): Promise<StoredTableSubscription> {
    const { from, durableReader: reader } = options;
    const keep = options.keepRegistration === true;
    assert(from === undefined || (Number.isSafeInteger(from) && from >= 0), `changelog position ${String(from)} is not a position`);
    return this.#serialised(table.id, async () => {
      const head = await this.#head(table.id);
      let snapshot: AsyncGenerator<Row[]>;
      if (from === undefined) {
        const scan = this.scan(table);
        // The first read opens the LevelDB iterator, which pins the snapshot.
        const first = await scan.next();
        snapshot = (async function* (): AsyncGenerator<Row[]> {
          if (first.done === true) return;
          yield first.value;
          yield* scan;
        })();
        if (reader !== undefined) this.#register(table.id, reader, head.position, keep);
      } else {
        // Registered before the log is read, so no truncation started from now on removes what it replays.
        if (reader !== undefined) this.#register(table.id, reader, from, keep);
        try {
          await this.#replay(table, head, from, listener);
        } catch (err) {
          if (reader !== undefined) this.#endShare(table.id, reader);
          throw err;
        }
        snapshot = (async function* (): AsyncGenerator<Row[]> {})();
      }
      let set = this.#listeners.get(table.id);
      if (set === undefined) this.#listeners.set(table.id, (set = new Set()));
      set.add(listener);
      let active = true;
      return {
        snapshot,
        position: head.position,
        unsubscribe: () => {
          if (!active) return;
          active = false;
          const current = this.#listeners.get(table.id);
          current?.delete(listener);
          if (current?.size === 0) this.#listeners.delete(table.id);
          if (reader !== undefined) this.#endShare(table.id, reader);
        },
      };
    });
  }

  /**
   * The durable reader `reader` has checkpointed every change of the table up
   * to `position`: it will never resume from an earlier one. Entries no
   * registered reader needs are deleted in the background. Unknown readers
   * are ignored (their registration already ended).
   */
  releaseChangelog(tableId: number, reader: string, position: number): void {
    const share = this.#readers.get(tableId)?.get(reader);
    if (share === undefined || !(position > share.released)) return;
    share.released = position;
    this.#scheduleTruncation(tableId);
  }

  /** Ends a durable reader's registration, kept or not; its share of the log may go. */
  unregisterChangelogReader(tableId: number, reader: string): void {
    const readers = this.#readers.get(tableId);
    if (readers === undefined || !readers.delete(reader)) return;
    if (readers.size === 0) this.#readers.delete(tableId);
    this.#scheduleTruncation(tableId);
  }

  /**
   * Every durable reader from before the store opened has subscribed again
   * (materialized views and jobs are restored): from now on releases truncate
   * the log. Until then only entries at or below a table's floor are deleted,
   * because registrations live in memory and a reader not yet back may still
   * need entries that the readers already back have released.
   */
  changelogReadersRestored(): void {
    if (this.#readersRestored) return;
    this.#readersRestored = true;
    for (const tableId of this.#readers.keys()) this.#scheduleTruncation(tableId);
  }

  /** Whether the table's writes are being logged (some durable reader is registered). */
  isLogged(tableId: number): boolean {
    return (this.#readers.get(tableId)?.size ?? 0) > 0;
  }

  /** The position of the table's latest committed write (0 when it has none). */
  async currentPosition(tableId: number): Promise<number> {
    return (await this.#head(tableId)).position;
  }

  /** Resolves when no background log truncation is running (tests, orderly shutdown). */
  async changelogSettled(): Promise<void> {
    while (this.#truncating.size > 0) await Promise.all([...this.#truncating.values()]);
  }

  #register(tableId: number, reader: string, released: number, keep: boolean): void {
    let readers = this.#readers.get(tableId);
    if (readers === undefined) this.#readers.set(tableId, (readers = new Map()));
    const share = readers.get(reader);
    if (share === undefined) {
      readers.set(reader, new ReaderShare(released, keep));
      return;
    }
    share.subscriptions++;
    if (released < share.released) share.released = released;
    if (keep) share.keep = true;
  }

  /** One subscription of `reader` ended. */
  #endShare(tableId: number, reader: string): void {
    const readers = this.#readers.get(tableId);
    const share = readers?.get(reader);
    if (readers === undefined || share === undefined) return;
    share.subscriptions--;
    if (share.subscriptions > 0 || share.keep) return;
    readers.delete(reader);
    if (readers.size === 0) this.#readers.delete(tableId);
    this.#scheduleTruncation(tableId);
  }

  /**
   * Delivers the logged changes after `from` up to the head, in order. Checks
   * before delivering anything that the log starts right after `from`; above
   * that the log is contiguous (writes are logged or move the floor).
   */
  async #replay(table: TableDefinition, head: ChangeHead, from: number, listener: TableChangeListener): Promise<void> {
    if (from > head.position) {
      throw changelogMissing(table, from, `the table's latest change has position ${head.position}`);
    }
    if (from < head.floor) {
      throw changelogMissing(table, from, `changes up to position ${head.floor} were written while no durable reader was registered, so they were not logged`);
    }
    if (from === head.position) return;
    const layout = this.#layout(table);
    const range: KeyRange = { gte: logKey(table.id, from + 1), lt: logKey(table.id, head.position + 1) };
    let expected = from + 1;
    for await (const batch of this.#store.entries(range)) {
      for (let i = 0; i < batch.length; i++) {
        const entry = batch[i]!;
        const position = positionOf(entry.key);
        if (position !== expected) {
          if (expected === from + 1) throw changelogMissing(table, from, `the log was truncated; it starts at position ${position}`);
          assert(false, `changelog of table ${table.id} skips from position ${expected - 1} to ${position}`);
        }
        const chunk = decodeChange(entry.value, layout.decodeAll);
        if (chunk.rows.length > 0) listener.changes(chunk, position);
        expected++;
      }
    }
    if (expected === from + 1) throw changelogMissing(table, from, 'the log was truncated');
    assert(expected === head.position + 1, `changelog of table ${table.id} ends at ${expected - 1}, its head at ${head.position}`);
  }

  /** The table's change head, loaded on first use. */
  #head(tableId: number): Promise<ChangeHead> {
    const head = this.#heads.get(tableId);
    if (head !== undefined) return Promise.resolve(head);
    let loading = this.#loadingHead.get(tableId);
    if (loading === undefined) {
      loading = this.#loadHead(tableId).finally(() => this.#loadingHead.delete(tableId));
      this.#loadingHead.set(tableId, loading);
    }
    return loading;
  }

  async #loadHead(tableId: number): Promise<ChangeHead> {
    const bytes = await this.#store.get(objectPrefix(KeyPrefix.CHANGELOG, tableId));
    const last = await this.#store.lastKey(logRange(tableId));
    let head: ChangeHead;
    if (bytes === undefined) {
      head = new ChangeHead(0, 0, 0);
    } else {
      assert(bytes.length === 16, `change head of table ${tableId} has ${bytes.length} bytes`);
      head = new ChangeHead(readUint64(bytes, 0), readUint64(bytes, 8), 0);
    }
    if (last !== undefined) head.logEnd = positionOf(last);
    const raced = this.#heads.get(tableId);
    if (raced !== undefined) return raced;
    this.#heads.set(tableId, head);
    // Entries at or below the floor may be left from before a crash: clear them.
    if (head.floor > 0 && head.logEnd > 0) this.#scheduleTruncation(tableId);
    return head;
  }

  /**
   * Writes `ops` plus the head (and the log entry when the table is logged) as
   * one durable batch, then publishes the change. `rows`/`kinds` are the
   * change, or null when nobody wants it (no listener, no durable reader).
   */
  async #commit(table: TableDefinition, layout: Layout, ops: WriteOp[], rows: Row[] | null, kinds: number[] | null, extra?: readonly WriteOp[]): Promise<void> {
    await this.#commitMany([{ table, layout, ops, rows, kinds }], extra);
  }

  /**
   * Commits the writes of several tables as one durable batch: each table
   * takes its next position (its head, and its log entry when logged, go in
   * the same batch); after the batch is durable every table publishes its
   * chunk. The caller holds the write queue of every table in `parts`.
   */
  async #commitMany(parts: readonly CommitPart[], extra?: readonly WriteOp[]): Promise<void> {
    const heads = await Promise.all(parts.map((p) => this.#head(p.table.id)));
    const all: WriteOp[] = [];
    const done: { head: ChangeHead; position: number; floor: number; logged: boolean; chunk: Chunk | null }[] = [];
    parts.forEach((part, i) => {
      const { table, layout, rows, kinds } = part;
      const head = heads[i]!;
      const position = head.position + 1;
      let chunk: Chunk | null = null;
      if (rows !== null) {
        let allInserts = true;
        if (kinds !== null) for (const k of kinds) if (k !== RowKind.INSERT) allInserts = false;
        chunk = { rows, kinds: allInserts || kinds === null ? null : Uint8Array.from(kinds) };
      }
      const logged = chunk !== null && this.isLogged(table.id);
      const floor = logged ? head.floor : position;
      for (const op of part.ops) all.push(op);
      if (logged) all.push({ type: 'put', key: logKey(table.id, position), value: encodeChange(chunk!, layout.types) });
      all.push({ type: 'put', key: objectPrefix(KeyPrefix.CHANGELOG, table.id), value: headValue(position, floor) });
      done.push({ head, position, floor, logged, chunk });
    });
    if (extra !== undefined) for (const op of extra) all.push(op);
    await this.#store.write(all);
    parts.forEach((part, i) => {
      const tableId = part.table.id;
      const { head, position, floor, logged } = done[i]!;
      head.position = position;
      if (logged) head.logEnd = position;
      if (floor !== head.floor) {
        head.floor = floor;
        if (head.logEnd > (this.#truncatedTo.get(tableId) ?? 0)) this.#scheduleTruncation(tableId);
      }
    });
    for (let i = 0; i < parts.length; i++) {
      const chunk = done[i]!.chunk;
      if (chunk !== null && chunk.rows.length > 0) this.#publish(parts[i]!.table.id, chunk, done[i]!.position);
    }
  }

  /** Whether a write must compute its change: someone listens or reads durably. */
  #wantsChanges(tableId: number): boolean {
    return this.hasSubscribers(tableId) || this.isLogged(tableId);
  }

  /** The highest position whose entries (and all below) no one needs, capped at the log's end. */
  #truncationTarget(tableId: number): number | undefined {
    const head = this.#heads.get(tableId);
    if (head === undefined) return undefined;
    let target = head.floor;
    const readers = this.#readers.get(tableId);
    if (this.#readersRestored && readers !== undefined && readers.size > 0) {
      let min = Infinity;
      for (const share of readers.values()) if (share.released < min) min = share.released;
      if (min > target) target = min;
    }
    return Math.min(target, head.logEnd);
  }

  #scheduleTruncation(tableId: number): void {
    if (this.#truncating.has(tableId)) return;
    this.#truncating.set(tableId, this.#truncate(tableId));
  }

  /**
   * Deletes log entries up to the truncation target, in the background; loops
   * while the target moves on. Deleting from the lowest key up keeps the log
   * a contiguous run whatever point a crash stops it at. A failure (the store
   * closing) leaves the entries for a later run.
   */
  async #truncate(tableId: number): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      for (;;) {
        const target = this.#truncationTarget(tableId);
        const done = this.#truncatedTo.get(tableId) ?? 0;
        if (target === undefined || target <= done) return;
        await this.#store.clear({ gte: logKey(tableId, done + 1), lt: logKey(tableId, target + 1) });
        if (!this.#heads.has(tableId)) return;
        this.#truncatedTo.set(tableId, target);
      }
    } catch {
      // Left for the next release or floor move to retry.
    } finally {
      this.#truncating.delete(tableId);
    }
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

  #publish(tableId: number, chunk: Chunk, position: number): void {
    const set = this.#listeners.get(tableId);
    if (set === undefined) return;
    for (const l of [...set]) l.changes(chunk, position);
  }

  /** The stored rows under `keys` (undefined where none), decoded. */
  async #currentRows(layout: Layout, keys: readonly Uint8Array[]): Promise<(Row | undefined)[]> {
    // The reads run concurrently (LevelDB serves them from its thread pool): one round trip, not one per key.
    const got = await Promise.all(keys.map((k) => this.#store.get(k)));
    const out: (Row | undefined)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const bytes = got[i];
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
      if (!this.#wantsChanges(table.id)) {
        await this.#commit(table, layout, ops, null, null);
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
          const id = bytesKey(keys[i]!);
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
      await this.#commit(table, layout, ops, outRows, kinds);
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

  async #applyChanges(table: TableDefinition, layout: Layout, changes: TableChanges, extra?: readonly WriteOp[]): Promise<void> {
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
    if (!this.#wantsChanges(table.id)) {
      await this.#commit(table, layout, ops, null, null, extra);
      return;
    }
    // The changelog: what each deleted or overwritten key held, replayed over the batch in order.
    const touched: Uint8Array[] = [];
    for (const op of ops) touched.push(op.key);
    const stored = await this.#currentRows(layout, touched);
    const state = new Map<string, Row | undefined>();
    touched.forEach((k, i) => {
      const id = bytesKey(k);
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
      const id = bytesKey(op.key);
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
    await this.#commit(table, layout, ops, rows, kinds, extra);
  }

  /**
   * A job's exactly-once sink: deletes the rows under `deleteKeys` (storage
   * keys, the undo of an earlier checkpoint's output) and under the primary
   * keys of `deletes`, upserts `upserts` (rows of a keyed table replace the
   * row of their key; an unkeyed table gets them appended), and writes
   * `extra` (the job's checkpoint) in the same atomic batch; then publishes
   * the change. When `extra` is a function it is called, inside the
   * serialised write, with every key the batch writes and the row each held
   * before it (the sink's undo), and returns the operations to add.
   */
  async writeWithCheckpoint(
    table: TableDefinition,
    changes: { readonly upserts: readonly Row[]; readonly deletes: readonly Row[]; readonly deleteKeys?: readonly Uint8Array[] },
    extra: readonly WriteOp[] | ((before: CheckpointPreImages) => readonly WriteOp[]),
  ): Promise<void> {
    const layout = this.#layout(table);
    for (const row of changes.upserts) checkRow(table, layout, row);
    const keyed = layout.keyIndexes.length > 0;
    assert(keyed || changes.deletes.length === 0, `deletes by key on ${table.name}, which has no primary key`);
    for (const key of changes.deleteKeys ?? []) assertOwnKey(table.id, key);
    const deletes = [...(changes.deleteKeys ?? []), ...changes.deletes.map((r) => primaryKeyOf(table.id, layout, r))];
    if (typeof extra !== 'function') {
      const upserts = changes.upserts.map((row) => ({ row }));
      return this.#serialised(table.id, () => this.#applyChanges(table, layout, { deletes, upserts }, extra));
    }
    const build = extra as (before: CheckpointPreImages) => readonly WriteOp[];
    return this.#serialised(table.id, async () => {
      const { upserts, before } = await this.#checkpointPreImages(table, layout, deletes, changes.upserts);
      await this.#applyChanges(table, layout, { deletes, upserts }, build(before));
    });
  }

  /**
   * For `writeWithCheckpoint`: the upserts with their storage keys (row ids
   * allocated here for an unkeyed table) and what every written key holds now.
   */
  async #checkpointPreImages(
    table: TableDefinition,
    layout: Layout,
    deletes: readonly Uint8Array[],
    rows: readonly Row[],
  ): Promise<{ upserts: { key?: Uint8Array; row: Row }[]; before: CheckpointPreImages }> {
    const keys: Uint8Array[] = [...deletes];
    const upserts: { key?: Uint8Array; row: Row }[] = new Array(rows.length);
    if (layout.keyIndexes.length > 0) {
      for (let i = 0; i < rows.length; i++) {
        upserts[i] = { row: rows[i]! };
        keys.push(primaryKeyOf(table.id, layout, rows[i]!));
      }
      return { upserts, before: { keys, rows: await this.#currentRows(layout, keys) } };
    }
    const stored = await this.#currentRows(layout, keys);
    let next = rows.length > 0 ? await this.#allocateRowIds(table.id, rows.length) : 0;
    for (let i = 0; i < rows.length; i++) {
      const key = rowIdKey(table.id, next++);
      upserts[i] = { key, row: rows[i]! };
      keys.push(key);
      stored.push(undefined);
    }
    return { upserts, before: { keys, rows: stored } };
  }

  /** Deletes the rows stored under the primary keys of `rows` (a keyed table; an upsert sink's -D). */
  async deleteByKey(table: TableDefinition, rows: readonly Row[]): Promise<void> {
    const layout = this.#layout(table);
    assert(layout.keyIndexes.length > 0, `deleteByKey on ${table.name}, which has no primary key`);
    const keys = rows.map((r) => primaryKeyOf(table.id, layout, r));
    return this.#serialised(table.id, () => this.#applyChanges(table, layout, { deletes: keys, upserts: [] }));
  }

  /**
   * Stages INSERT rows in a transaction's write set (nothing is stored until
   * `commitWriteSet`): on a keyed table a row replaces the committed or
   * staged row of its key; an unkeyed table gets fresh row ids. Returns the
   * number of rows.
   */
  async stageInsert(ws: WriteSet, table: TableDefinition, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    const layout = this.#layout(table);
    for (const row of rows) checkRow(table, layout, row);
    const keys: Uint8Array[] = new Array<Uint8Array>(rows.length);
    if (layout.keyIndexes.length > 0) {
      for (let i = 0; i < rows.length; i++) keys[i] = primaryKeyOf(table.id, layout, rows[i]!);
    } else {
      const first = await this.#allocateRowIds(table.id, rows.length);
      for (let i = 0; i < rows.length; i++) keys[i] = rowIdKey(table.id, first + i);
    }
    const writes: { key: Uint8Array; row: Row | null }[] = rows.map((row, i) => ({ key: keys[i]!, row }));
    await this.#stage(ws, table, writes, layout.keyIndexes.length > 0);
    return rows.length;
  }

  /** Stages UPDATE / DELETE changes (as `applyChanges` applies them) in a transaction's write set. */
  async stageChanges(ws: WriteSet, table: TableDefinition, changes: TableChanges): Promise<void> {
    const layout = this.#layout(table);
    for (const u of changes.upserts) checkRow(table, layout, u.row);
    const writes: { key: Uint8Array; row: Row | null }[] = [];
    for (const key of changes.deletes) {
      assertOwnKey(table.id, key);
      writes.push({ key, row: null });
    }
    const keyed = layout.keyIndexes.length > 0;
    const fresh = keyed ? 0 : changes.upserts.reduce((n, u) => (u.key === undefined ? n + 1 : n), 0);
    let next = fresh > 0 ? await this.#allocateRowIds(table.id, fresh) : 0;
    for (const u of changes.upserts) {
      if (u.key !== undefined) assertOwnKey(table.id, u.key);
      if (keyed) {
        const key = primaryKeyOf(table.id, layout, u.row);
        if (u.key !== undefined && !bytesEqual(u.key, key)) writes.push({ key: u.key, row: null });
        writes.push({ key, row: u.row });
      } else {
        writes.push({ key: u.key ?? rowIdKey(table.id, next++), row: u.row });
      }
    }
    await this.#stage(ws, table, writes, true);
  }

  /** Records `writes` in order; reads the stored value of keys the block touches for the first time (`lookup`). */
  async #stage(ws: WriteSet, table: TableDefinition, writes: readonly { key: Uint8Array; row: Row | null }[], lookup: boolean): Promise<void> {
    const ids = writes.map((w) => bytesKey(w.key));
    const unseen: number[] = [];
    if (lookup) ids.forEach((id, i) => {
      if (ws.get(table.id, id) === undefined) unseen.push(i);
    });
    const stored = unseen.length > 0 ? await this.#store.getMany(unseen.map((i) => writes[i]!.key)) : [];
    const before = new Map<number, Uint8Array | null>();
    unseen.forEach((w, j) => before.set(w, stored[j] ?? null));
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      ws.stage(table, ids[i]!, w.key, w.row, before.get(i) ?? null);
    }
  }

  /** Like `scan`, as the transaction of `ws` sees the table: the committed rows with its staged writes applied. */
  async *scanIn(ws: WriteSet, table: TableDefinition, columns?: readonly number[]): AsyncGenerator<Row[]> {
    const staged = ws.table(table.id);
    if (staged === undefined || staged.rows.size === 0) {
      yield* this.scan(table, columns);
      return;
    }
    const layout = this.#layout(table);
    const decode = columns === undefined ? layout.decodeAll : rowDecoder(layout.types, columns);
    const narrow = columns === undefined
      ? (row: Row): Row => row
      : (row: Row): Row => {
          const out: Row = new Array(columns.length);
          for (let i = 0; i < columns.length; i++) out[i] = row[columns[i]!] ?? null;
          return out;
        };
    for await (const batch of this.#merged(layout, ws.sortedRows(staged), decode, narrow)) yield batch.rows;
  }

  /** Like `scanWithKeys`, as the transaction of `ws` sees the table. */
  async *scanWithKeysIn(ws: WriteSet, table: TableDefinition): AsyncGenerator<KeyedBatch> {
    const staged = ws.table(table.id);
    if (staged === undefined || staged.rows.size === 0) {
      yield* this.scanWithKeys(table);
      return;
    }
    const layout = this.#layout(table);
    yield* this.#merged(layout, ws.sortedRows(staged), layout.decodeAll, (row) => row);
  }

  /** The committed entries of a table merged, in key order, with staged rows (sorted by key) that replace or delete them. */
  async *#merged(layout: Layout, staged: readonly StagedRow[], decode: (bytes: Uint8Array) => Row, fromStaged: (row: Row) => Row): AsyncGenerator<KeyedBatch> {
    let s = 0;
    for await (const batch of this.#store.entries(layout.range)) {
      const keys: Uint8Array[] = [];
      const rows: Row[] = [];
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        let c = -1;
        while (s < staged.length && (c = compareKeys(staged[s]!.key, e.key)) < 0) {
          const st = staged[s++]!;
          if (st.row !== null) {
            keys.push(st.key);
            rows.push(fromStaged(st.row));
          }
        }
        if (s < staged.length && c === 0) {
          const st = staged[s++]!;
          if (st.row !== null) {
            keys.push(st.key);
            rows.push(fromStaged(st.row));
          }
          continue;
        }
        keys.push(e.key);
        rows.push(decode(e.value));
      }
      if (rows.length > 0) yield { keys, rows };
    }
    const keys: Uint8Array[] = [];
    const rows: Row[] = [];
    for (; s < staged.length; s++) {
      const st = staged[s]!;
      if (st.row === null) continue;
      keys.push(st.key);
      rows.push(fromStaged(st.row));
      if (rows.length === 1024) {
        yield { keys: keys.splice(0), rows: rows.splice(0) };
      }
    }
    if (rows.length > 0) yield { keys, rows };
  }

  /**
   * Commits a transaction's write set: the staged rows of every table for
   * which `live` holds (tables dropped meanwhile are skipped) go into one
   * atomic, fsynced batch, each table taking one position and publishing one
   * chunk (its net change) after the batch is durable. Runs while the write
   * queues of all those tables are held (taken in table id order).
   *
   * First committer wins: when a staged key no longer holds the value it held
   * when the block first wrote it (another session committed to the row in
   * between), nothing is written and this rejects with 40001.
   */
  async commitWriteSet(ws: WriteSet, live: (table: TableDefinition) => boolean): Promise<void> {
    const tables = [...ws.tables()].filter((t) => t.rows.size > 0 && live(t.table)).sort((a, b) => a.table.id - b.table.id);
    if (tables.length === 0) return;
    let run = async (): Promise<void> => {
      const parts: CommitPart[] = [];
      for (const staged of tables) {
        const part = await this.#commitPart(staged.table, ws.sortedRows(staged));
        if (part !== null) parts.push(part);
      }
      if (parts.length > 0) await this.#commitMany(parts);
    };
    for (let i = tables.length - 1; i >= 0; i--) {
      const inner = run;
      const id = tables[i]!.table.id;
      run = () => this.#serialised(id, inner);
    }
    await run();
  }

  /** A table's operations and net change for a commit, after checking for write conflicts; null when nothing changes. */
  async #commitPart(table: TableDefinition, staged: readonly StagedRow[]): Promise<CommitPart | null> {
    const layout = this.#layout(table);
    const stored = await this.#store.getMany(staged.map((s) => s.key));
    const wants = this.#wantsChanges(table.id);
    const ops: WriteOp[] = [];
    const rows: Row[] = [];
    const kinds: number[] = [];
    for (let i = 0; i < staged.length; i++) {
      const s = staged[i]!;
      const now = stored[i] ?? null;
      if (!sameValue(now, s.before)) {
        throw new SqlError(SERIALIZATION_FAILURE, 'could not serialize access due to concurrent update', {
          detail: `Another transaction committed a change to a row of table "${table.name}" that this transaction also wrote.`,
          hint: 'The transaction was rolled back; run it again.',
        });
      }
      if (s.row === null) {
        if (now === null) continue;
        ops.push({ type: 'del', key: s.key });
        if (wants) {
          rows.push(layout.decodeAll(now));
          kinds.push(RowKind.DELETE);
        }
        continue;
      }
      ops.push({ type: 'put', key: s.key, value: encodeRow(s.row, layout.types) });
      if (!wants) continue;
      if (now === null) {
        rows.push(s.row);
        kinds.push(RowKind.INSERT);
      } else {
        rows.push(layout.decodeAll(now), s.row);
        kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      }
    }
    if (ops.length === 0) return null;
    return { table, layout, ops, rows: wants ? rows : null, kinds: wants ? kinds : null };
  }

  /** Deletes every row of a table and its change head and log (DROP TABLE). */
  async drop(tableId: number): Promise<void> {
    await this.#serialised(tableId, async () => {
      await this.#store.clear(prefixRange(objectPrefix(KeyPrefix.TABLE_ROW, tableId)));
      await this.#store.clear(prefixRange(objectPrefix(KeyPrefix.CHANGELOG, tableId)));
      this.#heads.delete(tableId);
    });
    this.#nextRowId.delete(tableId);
    this.#readers.delete(tableId);
    this.#truncatedTo.delete(tableId);
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

/** CHANGELOG + table id + position as uint64 big-endian: one log entry's key. */
function logKey(tableId: number, position: number): Uint8Array {
  const out = new Uint8Array(LOG_KEY_LENGTH);
  out[0] = KeyPrefix.CHANGELOG;
  const view = new DataView(out.buffer);
  view.setUint32(1, tableId >>> 0);
  writeUint64(view, 5, position);
  return out;
}

function positionOf(key: Uint8Array): number {
  assert(key.length === LOG_KEY_LENGTH && key[0] === KeyPrefix.CHANGELOG, 'not a changelog entry key');
  return readUint64(key, 5);
}

/** Every log entry of a table (not its head, whose key is the bare object prefix). */
function logRange(tableId: number): KeyRange {
  return { gte: logKey(tableId, 0), lt: prefixRange(objectPrefix(KeyPrefix.CHANGELOG, tableId)).lt };
}

function headValue(position: number, floor: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  writeUint64(view, 0, position);
  writeUint64(view, 8, floor);
  return out;
}

function writeUint64(view: DataView, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  view.setUint32(at, hi);
  view.setUint32(at + 4, v - hi * TWO_32);
}

function readUint64(bytes: Uint8Array, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(at) * TWO_32 + view.getUint32(at + 4);
}

const changeWriter = new ByteWriter(4096);

/** A log entry value (layout in the header). */
function encodeChange(chunk: Chunk, types: readonly SqlType[]): Uint8Array {
  const w = changeWriter;
  w.reset();
  const rows = chunk.rows;
  if (chunk.kinds === null) w.u8(0);
  else w.u8(1);
  w.varint(rows.length);
  if (chunk.kinds !== null) w.bytes(chunk.kinds);
  for (let i = 0; i < rows.length; i++) {
    const bytes = encodeRow(rows[i]!, types);
    w.varint(bytes.length);
    w.bytes(bytes);
  }
  return w.finish();
}

function decodeChange(bytes: Uint8Array, decode: (row: Uint8Array) => Row): Chunk {
  const r = new ByteReader(bytes);
  const flagged = r.u8();
  if (flagged > 1) throw new InternalError(`changelog entry with flag ${flagged}`);
  const n = r.varint();
  const kinds = flagged === 1 ? r.bytes(n) : null;
  const rows: Row[] = new Array<Row>(n);
  for (let i = 0; i < n; i++) {
    const len = r.varint();
    r.need(len);
    rows[i] = decode(bytes.subarray(r.pos, r.pos + len));
    r.pos += len;
  }
  if (!r.done) throw new InternalError('trailing bytes after changelog entry');
  return { rows, kinds };
}

function changelogMissing(table: TableDefinition, from: number, detail: string): SqlError {
  return new SqlError(
    SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
    `the changelog of table "${table.name}" cannot supply the changes after position ${from}`,
    { detail, hint: 'Rebuild the reader from a snapshot of the table.' },
  );
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

function sameValue(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return bytesEqual(a, b);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
