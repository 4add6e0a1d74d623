/**
 * A materialized view's running state: the dataflow that maintains it and
 * the result it maintains (ARCHITECTURE decision 7).
 *
 * - The dataflow reads its inputs' changelogs (stored tables, other
 *   materialized views, connectors) and its output changelog is applied to a
 *   MaterializedTable (a multiset of rows), in one synchronous step per chunk.
 *   Changes to stored tables reach the view before the writing statement
 *   completes, so a session that wrote a row sees it in the view next.
 * - `rows()` is a consistent snapshot: the contents after some whole chunk.
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
 *   rows that went, +I for rows that came), so they stay in step.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { MaterializedViewDefinition } from '../../catalog/relation.ts';
import { CHUNK_SIZE, RowKind, type Chunk } from '../dataflow/chunk.ts';
import { bytesKey } from '../values/map-key.ts';
import { encodeRow } from '../values/row-codec.ts';
import { MaterializedTable, type MaterializedEntry } from '../streaming/materialize.ts';
import type { StateTable } from '../streaming/state-table.ts';
import type { Port } from '../streaming/dataflow.ts';
import type { Dataflow } from '../streaming/stream-runtime.ts';
import type { TableChangeListener, TableSubscription } from '../storage/table-store.ts';
import { SqlError, SqlState } from '../errors.ts';

export class MaterializedView implements Port {
  readonly #types: readonly SqlType[];
  /** What reads and subscribers see. */
  #table: MaterializedTable;
  /** Being filled by a restarted dataflow until `swap`. */
  #next: MaterializedTable | undefined;
  /** Reads answer the contents although the dataflow failed (a restart after a failed checkpoint is pending). */
  #serving: boolean;
  readonly #listeners = new Set<TableChangeListener>();
  #definition: MaterializedViewDefinition | undefined;
  #dataflow: Dataflow | undefined;
  #onDrop: (() => void) | undefined;
  #dropped = false;
  /** When maintenance started (creation, or the server's start). */
  readonly startTime = new Date();

  /** `table`: where the contents live (a durable view's state table; default in memory). */
  constructor(types: readonly SqlType[], table?: StateTable<MaterializedEntry>) {
    this.#types = types;
    this.#table = new MaterializedTable(types, undefined, table);
    this.#next = undefined;
    this.#serving = false;
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
    for (const l of [...this.#listeners]) l.changes(c);
  }

  watermark(): void {}

  idle(): void {}

  barrier(): void {}

  end(): void {}

  /** The current contents; fails when the dataflow maintaining them has failed. */
  rows(): Row[] {
    const flow = this.#dataflow;
    if (flow !== undefined && flow.status === 'failed' && !this.#serving) {
      const err = flow.error;
      const why = err instanceof Error ? err.message : String(err);
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `materialized view "${this.#definition?.name ?? '?'}" stopped being maintained: ${why}`, {
        hint: 'Drop and re-create the view after fixing the cause.',
      });
    }
    return this.#table.rows();
  }

  /** The dataflow failed: keeps the contents in memory (its state is about to be released). */
  freeze(): void {
    const copy = new MaterializedTable(this.#types);
    copy.apply({ rows: this.#table.rows(), kinds: null });
    this.#table = copy;
    this.#next = undefined;
  }

  /** Whether reads answer the frozen contents (true) or report the failure, until the next `swap`. */
  keepServing(on: boolean): void {
    this.#serving = on;
  }

  /** A restarted dataflow starts filling `table` (restored from the last checkpoint). */
  rebuildInto(table: StateTable<MaterializedEntry>): void {
    this.#next = new MaterializedTable(this.#types, undefined, table);
  }

  /** The restart did not get going: what it filled is dropped; `dataflow` (failed) is the one reported. */
  abandonRebuild(dataflow?: Dataflow): void {
    this.#next = undefined;
    if (dataflow !== undefined) this.#dataflow = dataflow;
  }

  /** The restarted `dataflow` has caught up: its table becomes the contents; subscribers get the difference. */
  swap(dataflow: Dataflow): void {
    const next = this.#next;
    if (next === undefined) return;
    const diff = this.#listeners.size > 0 ? multisetDiff(this.#table.rows(), next.rows(), this.#types) : undefined;
    this.#table = next;
    this.#next = undefined;
    this.#dataflow = dataflow;
    this.#serving = false;
    if (diff === undefined) return;
    for (let i = 0; i < diff.rows.length; i += CHUNK_SIZE) {
      const part: Chunk = { rows: diff.rows.slice(i, i + CHUNK_SIZE), kinds: diff.kinds!.slice(i, i + CHUNK_SIZE) };
      for (const l of [...this.#listeners]) l.changes(part);
    }
  }

  get rowCount(): number {
    return this.#table.rowCount;
  }

  subscribe(listener: TableChangeListener): TableSubscription {
    const snapshot = this.rows();
    this.#listeners.add(listener);
    async function* rows(): AsyncGenerator<Row[]> {
      for (let i = 0; i < snapshot.length; i += 1024) yield snapshot.slice(i, i + 1024);
    }
    return { snapshot: rows(), unsubscribe: () => this.#listeners.delete(listener) };
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
