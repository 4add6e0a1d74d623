/**
 * CREATE / DROP MATERIALIZED VIEW and the restart of views when the server
 * starts.
 *
 * A view's definition (query text, columns) lives in the catalog; its
 * contents live in memory and are rebuilt at start by running its query over
 * the inputs' current rows, then following their changes. Views are started
 * in creation order, so a view on a view finds its input running.
 * CREATE returns once the view holds the result over the current rows of
 * stored inputs; over an endless connector it fills as events arrive.
 */
import type { CreateView } from '../../grammar/ast.ts';
import { parseSql } from '../../grammar/parse.ts';
import type { ColumnDefinition, MaterializedViewDefinition, RelationDefinition } from '../../catalog/relation.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { childrenOf } from '../planner/logical-plan.ts';
import type { Database } from '../database.ts';
import type { SqlSession } from '../session/session.ts';
import { QueryPipeline } from '../session/query-pipeline.ts';
import { SqlError, SqlState } from '../errors.ts';
import { MaterializedView } from './materialized-view.ts';

/** Relations a plan reads (ids of scanned tables and views). */
export function relationsRead(plan: LogicalPlan, out = new Set<number>()): Set<number> {
  if (plan.kind === 'scan') out.add(plan.relationId);
  for (const c of childrenOf(plan)) relationsRead(c, out);
  return out;
}

/** Starts maintaining a planned view; resolves when its contents cover the inputs' current rows. */
async function maintain(db: Database, pipeline: QueryPipeline, plan: LogicalPlan, create: (view: MaterializedView) => Promise<MaterializedViewDefinition>): Promise<MaterializedView> {
  const view = new MaterializedView(plan.schema.map((c) => c.type));
  const flow = pipeline.startDataflow(plan, view, { storedReading: 'changelog', emptyInputRow: true });
  let def: MaterializedViewDefinition;
  try {
    def = await create(view);
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

export async function createMaterializedView(db: Database, pipeline: QueryPipeline, ast: CreateView, name: string, script: string): Promise<void> {
  const existing = db.catalog.lookup(ast.name.parts.map((p) => p.value));
  if (existing !== undefined && existing.kind !== 'system') {
    if (ast.ifNotExists) return;
    throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`, { position: ast.name.pos });
  }
  const { plan } = pipeline.plan(ast.query, []);
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
        ...(ast.comment !== undefined ? { comment: ast.comment } : {}),
      });
      return created as MaterializedViewDefinition;
    });
  } catch (err) {
    if (created !== undefined) await db.catalog.drop(created.id);
    throw err;
  }
}

/** Stops a view and frees its contents (DROP MATERIALIZED VIEW; the catalog entry is the caller's). */
export function stopMaterializedView(db: Database, id: number): void {
  db.views.get(id)?.drop();
  db.views.delete(id);
}

/** Restarts every materialized view of the catalog, in creation order. A view that fails to start is reported and left stopped. */
export async function startMaterializedViews(db: Database, session: SqlSession): Promise<void> {
  const pipeline = new QueryPipeline(db, session);
  for (const def of db.catalog.list()) {
    if (def.kind !== 'materialized-view') continue;
    try {
      const stmt = parseSql(def.query)[0];
      if (stmt === undefined || stmt.kind !== 'query-statement') throw new SqlError(SqlState.INVALID_OBJECT_DEFINITION, 'not a query');
      const { plan } = pipeline.plan(stmt.query, []);
      await maintain(db, pipeline, plan, () => Promise.resolve(def));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      process.stderr.write(`millrace: materialized view "${def.name}" could not be started: ${why}\n`);
    }
  }
}
