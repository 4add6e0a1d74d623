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
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { MaterializedViewDefinition } from '../../catalog/relation.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import { MaterializedTable, type MaterializedEntry } from '../streaming/materialize.ts';
import type { StateTable } from '../streaming/state-table.ts';
import type { Port } from '../streaming/dataflow.ts';
import type { Dataflow } from '../streaming/stream-runtime.ts';
import type { TableChangeListener, TableSubscription } from '../storage/table-store.ts';
import { SqlError, SqlState } from '../errors.ts';

export class MaterializedView implements Port {
  readonly #table: MaterializedTable;
  readonly #listeners = new Set<TableChangeListener>();
  #definition: MaterializedViewDefinition | undefined;
  #dataflow: Dataflow | undefined;
  #onDrop: (() => void) | undefined;
  #dropped = false;
  /** When maintenance started (creation, or the server's start). */
  readonly startTime = new Date();

  /** `table`: where the contents live (a durable view's state table; default in memory). */
  constructor(types: readonly SqlType[], table?: StateTable<MaterializedEntry>) {
    this.#table = new MaterializedTable(types, undefined, table);
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
    if (flow !== undefined && flow.status === 'failed') {
      const err = flow.error;
      const why = err instanceof Error ? err.message : String(err);
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `materialized view "${this.#definition?.name ?? '?'}" stopped being maintained: ${why}`, {
        hint: 'Drop and re-create the view after fixing the cause.',
      });
    }
    return this.#table.rows();
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
