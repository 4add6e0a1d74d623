/**
 * SUBSCRIBE: the change stream of a relation or a query.
 *
 * `SUBSCRIBE [TO] name | (query) [WITH (SNAPSHOT = true|false)]` runs the
 * query continuously: stored tables and materialized views are read as their
 * current rows, then every committed change. Each result row is the change's
 * kind (`op`: +I insert, -U / +U the old and new row of an update, -D delete)
 * followed by the query's columns. With SNAPSHOT = false the rows that
 * describe the current contents are left out and only later changes come.
 * It ends on cancel (57014), disconnect, CLOSE of its cursor, or when its
 * input is dropped. Read it with `COPY (SUBSCRIBE ...) TO STDOUT` (psql shows
 * rows as they come), with `DECLARE c CURSOR FOR SUBSCRIBE ...` and
 * `FETCH n c [WITH (timeout = '1s')]`, or as a plain statement through a
 * driver that reads rows incrementally.
 */
import type { Subscribe } from '../../grammar/ast.ts';
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { STRING } from '../../catalog/types.ts';
import type { Schema } from '../planner/logical-plan.ts';
import { notSupported } from '../errors.ts';
import { subscribeSettings } from '../../grammar/subscribe-options.ts';
import type { QueryPipeline } from './query-pipeline.ts';
import { selectFrom } from './select-from.ts';

/** The result columns of a subscription: `op`, then the query's. */
export function subscribeSchema(pipeline: QueryPipeline, ast: Subscribe, paramTypes: readonly (SqlType | undefined)[]): Schema {
  const { plan } = pipeline.plan(subscribedQuery(ast), paramTypes);
  return [{ name: 'op', type: STRING, nullable: false }, ...plan.schema];
}

function subscribedQuery(ast: Subscribe) {
  return ast.target.kind === 'query' ? ast.target.query : selectFrom(ast.target.name);
}

/** Starts the subscription; its rows are `op` followed by the query's columns. */
export function runSubscribe(
  pipeline: QueryPipeline,
  ast: Subscribe,
  paramTypes: readonly (SqlType | undefined)[],
  params: readonly Value[],
  signal: AbortSignal,
): { schema: Schema; batches: AsyncIterable<Row[]> } {
  const options = subscribeSettings(ast);
  if (options.progress) throw notSupported('SUBSCRIBE WITH (PROGRESS)', ast.pos);
  const { plan } = pipeline.plan(subscribedQuery(ast), paramTypes);
  const schema: Schema = [{ name: 'op', type: STRING, nullable: false }, ...plan.schema];
  return { schema, batches: pipeline.subscribe(plan, params, signal, options.snapshot) };
}
