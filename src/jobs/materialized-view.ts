/**
 * A materialized view's running state: the dataflow that maintains it and
 * the result it maintains (ARCHITECTURE decision 7).
 *
 * - The dataflow reads its inputs' changelogs (stored tables, other
 *   materialized views, connectors) and its output changelog is applied to a
 *   MaterializedTable (a multiset of rows), in one synchronous step per chunk.
 *   Changes to stored tables reach the view before the writing statement
 *   completes, so a session that wrote a row sees it in the view next.
 * - `snapshot()` is a consistent snapshot, read in batches: the contents
 *   after some whole chunk, as of the call, whatever changes while it is
 *   read. A durable view's contents live in a point-only state table
 *   (nothing is read at restore); the snapshot reads them from LevelDB
 *   (one iterator over the table's key range, its snapshot made at the call)
 *   overlaid with the entries not committed yet (LevelStateTable.snapshot).
 *   The row count is kept as it changes, in a one-key state table.
 * - The view is itself a changelog: `subscribe` hands out the current rows
 *   and, after them, every change applied (views on views, SUBSCRIBE).
 * - If maintaining fails (an expression error such as division by zero), the
 *   view keeps the contents it had and reports the error on every read.
 * - A durable view whose dataflow failed is restarted from its last
 *   checkpoint (materialized-views.ts). Meanwhile `freeze` keeps a copy of the
 *   contents in memory; when the failure was a checkpoint that could not be
 *   written (`keepServing`), reads answer that copy, the last good contents.
 *   The restarted dataflow fills a new table (`rebuildInto`) while reads and
 *   subscribers still see the old one; once it has caught up with its inputs,
 *   `swap` makes it current and hands subscribers the difference (-D for
 *   rows that went, +I for rows that came), then the changes that came
 *   while the difference was computed, so they stay in step.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { MaterializedViewDefinition } from '../../catalog/relation.ts';
import { CHUNK_SIZE, RowKind, type Chunk } from '../dataflow/chunk.ts';
import { bytesKey } from '../values/map-key.ts';
import { decodeRow, encodeRow } from '../values/row-codec.ts';
import { MaterializedTable, type MaterializedEntry } from '../streaming/materialize.ts';
import { kindAt } from '../streaming/changelog.ts';
import type { Port } from '../streaming/dataflow.ts';
import type { Dataflow } from '../streaming/stream-runtime.ts';
import type { TableChangeListener, TableSubscription } from '../storage/table-store.ts';
import type { StateCodec } from '../state/state-codec.ts';
import type { LevelStateTable } from '../state/level-state-table.ts';
import { InternalError, SqlError, SqlState } from '../errors.ts';

/** Rows per batch of a snapshot. */
const BATCH_ROWS = 1024;

/**
 * A durable view's stored entry: a uint32 BE multiplicity, then the row
 * (row-codec.ts, typed: no per-value tags). The key is the row's key-codec
 * encoding (MaterializedTable's multiset layout).
 */
export function resultEntryCodec(types: readonly SqlType[]): StateCodec<MaterializedEntry> {
  return {
    encode: (e) => {
      if (!(e.count >= 1 && e.count <= 0xffffffff)) throw new InternalError(`materialized view: row multiplicity ${e.count}`);
      const row = encodeRow(e.row, types);
      const out = new Uint8Array(4 + row.length);
      new DataView(out.buffer).setUint32(0, e.count);
      out.set(row, 4);
      return out;
    },
    decode: (bytes) => {
      if (bytes.length < 4) throw new InternalError('materialized view: stored entry too short');
      const count = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
      return { row: decodeRow(bytes.subarray(4), types), count };
    },
  };
}

/** The number of rows of a durable view, one value under `ROW_COUNT_KEY`. */
export const rowCountCodec: StateCodec<number> = {
  encode: (n) => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, n);
    return out;
  },
  decode: (bytes) => {
    if (bytes.length !== 8) throw new InternalError('materialized view: stored row count malformed');
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
  },
};

const ROW_COUNT_KEY = new Uint8Array([0]);

/** What a view holds: changes applied synchronously, read as consistent snapshots. */
export interface ViewContents {
  apply(chunk: Chunk): void;
  /** The contents as of this call, in batches (the generator is run to its end or returned). */
  snapshot(): AsyncGenerator<Row[]>;
  /** Rows, multiplicities included. */
  readonly rowCount: number;
}

/** Contents in memory (a view on a view, a frozen copy). */
class MemoryContents implements ViewContents {
  readonly #table: MaterializedTable;

  constructor(types: readonly SqlType[]) {
    this.#table = new MaterializedTable(types);
  }

  apply(chunk: Chunk): void {
    this.#table.apply(chunk);
  }

  rows(): Row[] {
    return this.#table.rows();
  }

  snapshot(): AsyncGenerator<Row[]> {
    return batchesOf(this.#table.rows());
  }

  get rowCount(): number {
    return this.#table.rowCount;
  }
}

/**
 * A durable view's contents: `result` (point-only: each change reads its
 * row's entry by key) and `count` (the row count under one key). Both are
 * the dataflow's state tables, checkpointed with the rest of its state.
 */
class DurableContents implements ViewContents {
  readonly #result: LevelStateTable<MaterializedEntry>;
  readonly #table: MaterializedTable;
  readonly #count: LevelStateTable<number>;
  #rows: number;

  constructor(types: readonly SqlType[], result: LevelStateTable<MaterializedEntry>, count: LevelStateTable<number>) {
    this.#result = result;
    this.#table = new MaterializedTable(types, undefined, result);
    this.#count = count;
    this.#rows = count.get(ROW_COUNT_KEY) ?? 0;
  }

  apply(chunk: Chunk): void {
    const before = this.#rows;
    try {
      for (let i = 0; i < chunk.rows.length; i++) {
        const kind = kindAt(chunk, i);
        this.#table.applyRow(kind, chunk.rows[i]!);
        this.#rows += kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? 1 : -1;
      }
    } finally {
      if (this.#rows !== before) this.#count.put(ROW_COUNT_KEY, this.#rows);
    }
  }

  snapshot(): AsyncGenerator<Row[]> {
    return expand(this.#result.snapshot({}, BATCH_ROWS));
  }

  get rowCount(): number {
    return this.#rows;
  }
}

/** A durable view's contents over its restored `result` and `count` tables (both point-only). */
export function durableContents(types: readonly SqlType[], result: LevelStateTable<MaterializedEntry>, count: LevelStateTable<number>): ViewContents {
  if (!result.pointOnly || !count.pointOnly) throw new InternalError('materialized view: its state tables must be point-only');
  return new DurableContents(types, result, count);
}

async function* batchesOf(rows: readonly Row[]): AsyncGenerator<Row[]> {
  for (let i = 0; i < rows.length; i += BATCH_ROWS) yield rows.slice(i, i + BATCH_ROWS);
}

/** Entries' rows, each repeated by its multiplicity. */
async function* expand(entries: AsyncGenerator<MaterializedEntry[]>): AsyncGenerator<Row[]> {
  try {
    for await (const batch of entries) {
      const out: Row[] = [];
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        for (let k = 0; k < e.count; k++) out.push(e.row);
      }
      yield out;
    }
  } finally {
    await entries.return(undefined);
  }
}

/** Subscribers waiting for a swap's difference, and the changes that came meanwhile. */
interface PendingSwap {
  readonly waiting: Set<TableChangeListener>;
  readonly held: Chunk[];
}

export class MaterializedView implements Port {
  readonly #types: readonly SqlType[];
  /** What reads and subscribers see. */
  #table: ViewContents;
  /** Being filled by a restarted dataflow until `swap`. */
  #next: ViewContents | undefined;
  /** Reads answer the contents although the dataflow failed (a restart after a failed checkpoint is pending). */
  #serving: boolean;
  readonly #listeners = new Set<TableChangeListener>();
  /** A swap handing its difference to the subscribers of before it. */
  #swapping: PendingSwap | undefined;
  #definition: MaterializedViewDefinition | undefined;
  #dataflow: Dataflow | undefined;
  #onDrop: (() => void) | undefined;
  #dropped = false;
  /** When maintenance started (creation, or the server's start). */
  readonly startTime = new Date();

  /** `contents`: where the contents live (a durable view's state tables, `durableContents`; default in memory). */
  constructor(types: readonly SqlType[], contents?: ViewContents) {
    this.#types = types;
    this.#table = contents ?? new MemoryContents(types);
    this.#next = undefined;
    this.#serving = false;
    this.#swapping = undefined;
  }

  /** Binds the view to its catalog entry and the dataflow that maintains it; `onDrop` stops what else runs for it. */
  attach(definition: MaterializedViewDefinition, dataflow: Dataflow, onDrop?: () => void): void {
    this.#definition = definition;
    this.#dataflow = dataflow;
    this.#onDrop = onDrop;
  }

  get definition(): MaterializedViewDefinition | undefined {
    return this.#definition;
  }

  get dataflow(): Dataflow | undefined {
    return this.#dataflow;
  }

  chunk(c: Chunk): void {
    if (this.#next !== undefined) {
      this.#next.apply(c);
      return;
    }
    this.#table.apply(c);
    const swapping = this.#swapping;
    if (swapping !== undefined) swapping.held.push(c);
    for (const l of [...this.#listeners]) if (swapping === undefined || !swapping.waiting.has(l)) l.changes(c);
  }

  watermark(): void {}

  idle(): void {}

  barrier(): void {}

  end(): void {}

  /**
   * The current contents, in batches: a consistent snapshot as of this call
   * (after some whole chunk). Fails now when the dataflow maintaining them
   * has failed.
   */
  snapshot(): AsyncGenerator<Row[]> {
    const flow = this.#dataflow;
    if (flow !== undefined && flow.status === 'failed' && !this.#serving) {
      const err = flow.error;
      const why = err instanceof Error ? err.message : String(err);
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `materialized view "${this.#definition?.name ?? '?'}" stopped being maintained: ${why}`, {
        hint: 'Drop and re-create the view after fixing the cause.',
      });
    }
    return this.#table.snapshot();
  }

  /** The whole contents (tests and small views; `snapshot` reads in batches). */
  async rows(): Promise<Row[]> {
    const out: Row[] = [];
    for await (const batch of this.snapshot()) for (const row of batch) out.push(row);
    return out;
  }

  /** The dataflow failed: copies the contents into memory (its state is about to be released). */
  async freeze(): Promise<void> {
    const copy = new MemoryContents(this.#types);
    for await (const rows of this.#table.snapshot()) copy.apply({ rows, kinds: null });
    this.#table = copy;
    this.#next = undefined;
  }

  /** Whether reads answer the frozen contents (true) or report the failure, until the next `swap`. */
  keepServing(on: boolean): void {
    this.#serving = on;
  }

  /** A restarted dataflow starts filling `contents` (restored from the last checkpoint). */
  rebuildInto(contents: ViewContents): void {
    this.#next = contents;
  }

  /** The restart did not get going: what it filled is dropped; `dataflow` (failed) is the one reported. */
  abandonRebuild(dataflow?: Dataflow): void {
    this.#next = undefined;
    if (dataflow !== undefined) this.#dataflow = dataflow;
  }

  /**
   * The restarted `dataflow` has caught up: its contents become current.
   * Subscribers get the difference from the old contents, then the changes
   * applied while it was computed (new subscribers meanwhile get only what
   * follows their snapshot).
   */
  swap(dataflow: Dataflow): void {
    const next = this.#next;
    if (next === undefined) return;
    const old = this.#table;
    this.#table = next;
    this.#next = undefined;
    this.#dataflow = dataflow;
    this.#serving = false;
    if (this.#listeners.size === 0 || this.#swapping !== undefined) return;
    const swapping: PendingSwap = { waiting: new Set(this.#listeners), held: [] };
    this.#swapping = swapping;
    const before = old.snapshot();
    const after = next.snapshot();
    void (async () => {
      let diff: Chunk | undefined;
      try {
        diff = multisetDiff(await collect(before), await collect(after), this.#types);
      } finally {
        this.#swapping = undefined;
      }
      for (const l of swapping.waiting) {
        if (!this.#listeners.has(l)) continue;
        for (let i = 0; i < diff.rows.length; i += CHUNK_SIZE) l.changes({ rows: diff.rows.slice(i, i + CHUNK_SIZE), kinds: diff.kinds!.slice(i, i + CHUNK_SIZE) });
        for (const c of swapping.held) l.changes(c);
      }
    })().catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      process.stderr.write(`millrace: materialized view "${this.#definition?.name ?? '?'}": its subscribers could not be brought up to date after a restart (${why})\n`);
      for (const l of swapping.waiting) l.dropped?.();
    });
  }

  get rowCount(): number {
    return this.#table.rowCount;
  }

  subscribe(listener: TableChangeListener): TableSubscription {
    const snapshot = this.snapshot();
    this.#listeners.add(listener);
    return { snapshot, unsubscribe: () => this.#listeners.delete(listener) };
  }

  /** Stops maintenance and tells subscribers the view is gone. */
  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#dataflow?.stop();
    this.#onDrop?.();
    for (const l of [...this.#listeners]) l.dropped?.();
    this.#listeners.clear();
  }
}

async function collect(batches: AsyncGenerator<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of batches) for (const row of batch) out.push(row);
  return out;
}

/** The changes turning multiset `from` into `to`: -D rows first, then +I rows (a rare slow path: restarts only). */
function multisetDiff(from: readonly Row[], to: readonly Row[], types: readonly SqlType[]): Chunk {
  const count = new Map<string, { row: Row; n: number }>();
  const keyOf = (row: Row): string => bytesKey(encodeRow(row, types));
  for (const row of from) {
    const k = keyOf(row);
    const e = count.get(k);
    if (e === undefined) count.set(k, { row, n: -1 });
    else e.n--;
  }
  for (const row of to) {
    const k = keyOf(row);
    const e = count.get(k);
    if (e === undefined) count.set(k, { row, n: 1 });
    else e.n++;
  }
  const deleted: Row[] = [];
  const inserted: Row[] = [];
  for (const { row, n } of count.values()) {
    for (let i = 0; i < -n; i++) deleted.push(row);
    for (let i = 0; i < n; i++) inserted.push(row);
  }
  const kinds = new Uint8Array(deleted.length + inserted.length);
  kinds.fill(RowKind.DELETE, 0, deleted.length);
  kinds.fill(RowKind.INSERT, deleted.length);
  return { rows: [...deleted, ...inserted], kinds };
}
