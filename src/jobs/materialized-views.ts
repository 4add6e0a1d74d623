/**
 * CREATE / DROP MATERIALIZED VIEW and the restart of views when the server
 * starts.
 *
 * A view's definition (query text, columns) lives in the catalog. A view
 * whose inputs can all be rewound (stored tables, connectors) is durable: its
 * operator state and contents live in LevelDB state tables, checkpointed
 * (src/jobs/durable-dataflow.ts), and at start it resumes from its last
 * checkpoint, replaying what its inputs changed since, so it ends up exactly
 * as if the server had not stopped. A view that reads another materialized
 * view is planned with that view's query in its place (bind-env.ts
 * `expandMaterializedViews`), so it too reads only rewindable inputs and is
 * durable; the price is that it computes its input's query itself. A view
 * whose inputs cannot be rewound keeps its state in memory and is rebuilt at
 * start from its inputs' current rows. Views are started in creation order. CREATE returns once the view holds the result
 * over the current rows of stored inputs; over an endless connector it fills
 * as events arrive.
 */
import type { CreateView } from '../../grammar/ast.ts';
import { parseSql } from '../../grammar/parse.ts';
import type { ColumnDefinition, MaterializedViewDefinition, RelationDefinition } from '../../catalog/relation.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { childrenOf } from '../planner/logical-plan.ts';
import type { Database } from '../database.ts';
import { QueryPipeline } from '../session/query-pipeline.ts';
import { SqlError, SqlState } from '../errors.ts';
import { durableContents, MaterializedView, resultEntryCodec, rowCountCodec } from './materialized-view.ts';
import type { StateProvider } from '../streaming/state-provider.ts';
import { DurableDataflow } from './durable-dataflow.ts';
import { RecordingStateProvider } from '../state/durable-state.ts';

/** The reader / dataflow name of view `id` (SHOW JOBS, SHOW CHECKPOINTS, changelog readers). */
export function viewDataflowName(id: number): string {
  return `mv-${id}`;
}

/** Whether every relation `plan` scans can be read again from a position (stored tables, connector tables). */
function rewindable(db: Database, plan: LogicalPlan): boolean {
  for (const id of relationsRead(plan)) {
    const rel = db.catalog.byId(id);
    if (rel === undefined || rel.kind !== 'table') return false;
  }
  return true;
}

/** Relations a plan reads (ids of scanned tables and views). */
export function relationsRead(plan: LogicalPlan, out = new Set<number>()): Set<number> {
  if (plan.kind === 'scan') out.add(plan.relationId);
  for (const c of childrenOf(plan)) relationsRead(c, out);
  return out;
}

/** Starts maintaining a planned view; resolves when its contents cover the inputs' current rows. */
async function maintain(db: Database, pipeline: QueryPipeline, plan: LogicalPlan, create: () => Promise<MaterializedViewDefinition>, mode: 'resume' | 'fresh'): Promise<MaterializedView> {
  if (rewindable(db, plan)) return maintainDurably(db, pipeline, plan, create, mode);
  const view = new MaterializedView(plan.schema.map((c) => c.type));
  const flow = pipeline.startDataflow(plan, view, { storedReading: 'changelog', emptyInputRow: true });
  let def: MaterializedViewDefinition;
  try {
    def = await create();
  } catch (err) {
    flow.stop();
    throw err;
  }
  view.attach(def, flow);
  db.views.set(def.id, view);
  await Promise.race([flow.ready, flow.done]);
  if (flow.status === 'failed') {
    view.drop();
    db.views.delete(def.id);
    throw flow.error;
  }
  return view;
}

const READING = { storedReading: 'changelog', emptyInputRow: true } as const;

/** The view's contents are only read by key while maintained, and in key order by `LevelStateTable.snapshot`. */
const POINT_ONLY = { pointOnly: true } as const;

/** Restarts of a failed view wait 1 s, doubling up to a minute (as jobs). */
const MAX_BACKOFF_MS = 60_000;

/**
 * `maintain` for a view over rewindable inputs: state in LevelDB,
 * checkpoints, resume at start. When its dataflow fails later (a checkpoint
 * that cannot be written, an expression error), SHOW JOBS shows it FAILED
 * with the reason and it is restarted from its last checkpoint after a
 * back-off; reads meanwhile answer the last good contents after a failed
 * checkpoint, else report the failure (see materialized-view.ts).
 */
async function maintainDurably(db: Database, pipeline: QueryPipeline, plan: LogicalPlan, create: () => Promise<MaterializedViewDefinition>, mode: 'resume' | 'fresh'): Promise<MaterializedView> {
  const types = plan.schema.map((c) => c.type);
  const resultCodec = resultEntryCodec(types);
  // Compile once before anything is created: a plan without an incremental form fails here (0A000).
  pipeline.declareState(plan, new RecordingStateProvider(), READING);
  let view: MaterializedView | undefined;
  const def = await create();
  const start = async (how: 'resume' | 'fresh'): Promise<DurableDataflow> =>
    DurableDataflow.start(
      {
        owner: def.id,
        name: viewDataflowName(def.id),
        store: db.store,
        budget: db.stateBudget,
        history: db.checkpoints,
        intervalMs: db.checkpointIntervalMs,
        registry: db.durables,
        declareState: (provider: StateProvider) => {
          provider.table('result', resultCodec, POINT_ONLY);
          provider.table('result-rows', rowCountCodec, POINT_ONLY);
          pipeline.declareState(plan, provider, READING);
        },
        launch: (state, from) => {
          const contents = durableContents(types, state.levelTable('result', resultCodec, POINT_ONLY), state.levelTable('result-rows', rowCountCodec, POINT_ONLY));
          if (view === undefined) view = new MaterializedView(types, contents);
          else view.rebuildInto(contents);
          return pipeline.startDataflow(plan, view, {
            ...READING,
            state,
            ...(from !== undefined ? { from } : {}),
            durableReader: viewDataflowName(def.id),
            afterChunk: () => db.stateBudget.trim(),
          });
        },
      },
      how,
    );
  const settled = (d: DurableDataflow): Promise<unknown> => Promise.race([d.flow.ready, d.flow.done.catch(() => undefined)]);
  /** Starts and waits until the view covers its inputs (or failed); a checkpoint its inputs cannot resume from is given up for a rebuild. */
  const launch = async (how: 'resume' | 'fresh', first: boolean): Promise<DurableDataflow> => {
    let durable = await start(how);
    await settled(durable);
    if (durable.flow.status === 'failed' && durable.restored) {
      // The checkpoint could not be resumed (an input's changelog no longer reaches back to it): start over.
      const why = durable.flow.error instanceof Error ? durable.flow.error.message : String(durable.flow.error);
      process.stderr.write(`millrace: materialized view "${def.name}" could not resume from its checkpoint (${why}); rebuilding it from its inputs\n`);
      durable.stop();
      if (first) view = undefined;
      durable = await start('fresh');
      await settled(durable);
    }
    return durable;
  };
  let current = await launch(mode, true);
  const running = view!;
  let dropped = false;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;
  let held: number[] = [];
  running.attach(def, current.flow, () => {
    dropped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    current.stop();
    for (const table of held) db.tables.unregisterChangelogReader(table, viewDataflowName(def.id));
  });
  db.views.set(def.id, running);
  if (current.flow.status === 'failed') {
    running.drop();
    db.views.delete(def.id);
    throw current.flow.error;
  }
  const schedule = (): void => {
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** restarts);
    restarts++;
    timer = setTimeout(() => void restart(), delay);
    timer.unref();
  };
  /** The running dataflow failed: keep the contents, release its state, restart later. */
  const failed = async (d: DurableDataflow): Promise<void> => {
    if (dropped || d !== current) return;
    running.keepServing(d.checkpointFailure !== undefined);
    try {
      await running.freeze();
    } finally {
      d.stop();
    }
    const why = d.flow.error instanceof Error ? d.flow.error.message : String(d.flow.error);
    process.stderr.write(`millrace: materialized view "${def.name}" failed (${why}); restarting it from its last checkpoint\n`);
    if (!dropped) schedule();
  };
  const fail = (d: DurableDataflow): void => {
    failed(d).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      process.stderr.write(`millrace: materialized view "${def.name}" failed and its contents could not be kept (${why})\n`);
      if (!dropped) schedule();
    });
  };
  const watch = (d: DurableDataflow): void => {
    d.flow.done.then(
      () => undefined,
      () => fail(d),
    );
  };
  const restart = async (): Promise<void> => {
    timer = undefined;
    if (dropped) return;
    let d: DurableDataflow;
    try {
      d = await launch('resume', false);
    } catch (err) {
      running.abandonRebuild();
      const why = err instanceof Error ? err.message : String(err);
      process.stderr.write(`millrace: materialized view "${def.name}" could not be restarted (${why})\n`);
      if (!dropped) schedule();
      return;
    }
    if (dropped) {
      d.stop();
      running.abandonRebuild();
      return;
    }
    current = d;
    if (d.flow.status === 'failed') {
      running.abandonRebuild(d.flow);
      fail(d);
      return;
    }
    running.swap(d.flow);
    watch(d);
  };
  watch(current);
  const holding = await holdChangelogs(db, plan, viewDataflowName(def.id));
  if (dropped) for (const table of holding) db.tables.unregisterChangelogReader(table, viewDataflowName(def.id));
  else held = holding;
  // A first checkpoint right away: from now on a restart resumes instead of rebuilding.
  if (!current.restored) await current.checkpoint('checkpoint').catch(() => undefined);
  return running;
}

/**
 * Keeps `reader`'s registration as a durable reader of the stored tables
 * `plan` reads after its own subscriptions end (a failed dataflow waiting for
 * its restart), so their changes stay logged for the restart to replay.
 * Returns the tables held (the view's drop ends the registrations).
 */
async function holdChangelogs(db: Database, plan: LogicalPlan, reader: string): Promise<number[]> {
  const held: number[] = [];
  for (const id of relationsRead(plan)) {
    const rel = db.catalog.byId(id);
    if (rel === undefined || rel.kind !== 'table' || rel.options['connector'] !== undefined) continue;
    try {
      const from = await db.tables.currentPosition(id);
      const sub = await db.tables.subscribe(rel, { changes: () => undefined }, { from, durableReader: reader, keepRegistration: true });
      sub.unsubscribe();
      held.push(id);
    } catch {
      // A write not logged slipped in (the dataflow already failed): its restart will rebuild instead.
    }
  }
  return held;
}

export async function createMaterializedView(db: Database, pipeline: QueryPipeline, ast: CreateView, name: string, script: string): Promise<void> {
  const existing = db.catalog.lookup(ast.name.parts.map((p) => p.value));
  if (existing !== undefined && existing.kind !== 'system') {
    if (ast.ifNotExists) return;
    throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`, { position: ast.name.pos });
  }
  const { plan } = pipeline.plan(ast.query, [], true);
  if (ast.columns.length > plan.schema.length) {
    throw new SqlError(SqlState.SYNTAX_ERROR, 'CREATE MATERIALIZED VIEW specifies more column names than columns', { position: ast.pos });
  }
  const columns: ColumnDefinition[] = plan.schema.map((c, i) => ({
    name: ast.columns[i]?.value ?? c.name,
    type: c.type,
    nullable: c.nullable,
    kind: 'physical',
  }));
  const query = script.slice(ast.queryPos, ast.end).trim();
  const settings = pipeline.jobSettings();
  let created: RelationDefinition | undefined;
  try {
    await maintain(db, pipeline, plan, async () => {
      created = await db.catalog.create({
        kind: 'materialized-view',
        name,
        schema: 'public',
        columns,
        query,
        primaryKey: [],
        ...(Object.keys(settings).length > 0 ? { settings } : {}),
        ...(ast.comment !== undefined ? { comment: ast.comment } : {}),
      });
      return created as MaterializedViewDefinition;
    }, 'fresh');
  } catch (err) {
    if (created !== undefined) {
      await db.catalog.drop(created.id);
      await DurableDataflow.forget(db.store, created.id);
    }
    throw err;
  }
}

/** Stops a view and frees its contents and state (DROP MATERIALIZED VIEW; the catalog entry is the caller's). */
export async function stopMaterializedView(db: Database, id: number): Promise<void> {
  if (db.catalog.byId(id)?.kind !== 'materialized-view') return;
  db.views.get(id)?.drop();
  db.views.delete(id);
  db.checkpoints.forget(viewDataflowName(id));
  await DurableDataflow.forget(db.store, id);
}

/**
 * Restarts every materialized view of the catalog, in creation order, each
 * planned with the settings it was created with. A view that fails to start
 * is reported and left stopped.
 */
export async function startMaterializedViews(db: Database, newPipeline: (settings: Readonly<Record<string, string>>) => QueryPipeline): Promise<void> {
  for (const def of db.catalog.list()) {
    if (def.kind !== 'materialized-view') continue;
    try {
      const pipeline = newPipeline(def.settings ?? {});
      const stmt = parseSql(def.query)[0];
      if (stmt === undefined || stmt.kind !== 'query-statement') throw new SqlError(SqlState.INVALID_OBJECT_DEFINITION, 'not a query');
      const { plan } = pipeline.plan(stmt.query, [], true);
      await maintain(db, pipeline, plan, () => Promise.resolve(def), 'resume');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      process.stderr.write(`millrace: materialized view "${def.name}" could not be started: ${why}\n`);
    }
  }
}
