/**
 * Which plans can run over unbounded input today. A plan whose operators
 * stream row by row (scan, project, filter, limit, union all, values) runs
 * over an unbounded source and keeps producing rows until cancelled or its
 * LIMIT is reached. Operators that need the end of their input (aggregation,
 * sorting, joins, set operations, window functions, SESSION windows, DISTINCT) would wait
 * forever on it; they are refused at plan time with an error that says so,
 * never left hanging.
 */
import { notSupported } from '../errors.ts';
import { childrenOf, type LogicalPlan } from './logical-plan.ts';

/** True when some scan under `plan` never ends by itself (a LIMIT ends it). */
export function readsUnboundedInput(plan: LogicalPlan): boolean {
  if (plan.kind === 'scan') return plan.unbounded;
  if (plan.kind === 'limit' && plan.limit !== undefined) return false;
  return childrenOf(plan).some(readsUnboundedInput);
}

const NEEDS_END_OF_INPUT: Partial<Record<LogicalPlan['kind'], string>> = {
  aggregate: 'aggregation (GROUP BY or aggregate functions)',
  sort: 'ORDER BY',
  distinct: 'DISTINCT',
  join: 'joins',
  'set-op': 'INTERSECT / EXCEPT',
  window: 'window functions (OVER)',
};

/**
 * TUMBLE / HOP / CUMULATE assign each row on its own and stream; SESSION merges
 * a partition's rows over the whole input (firing by watermark comes later).
 */
function needsEndOfInput(plan: LogicalPlan): string | undefined {
  if (plan.kind === 'window-tvf') return plan.fn === 'SESSION' ? 'SESSION windows' : undefined;
  return NEEDS_END_OF_INPUT[plan.kind];
}

/** Throws 0A000 when an operator that needs the end of its input reads unbounded input. */
export function checkUnboundedInput(plan: LogicalPlan): void {
  const what = needsEndOfInput(plan);
  if (what !== undefined && childrenOf(plan).some(readsUnboundedInput)) {
    throw notSupported(
      `${what} over an unbounded source`,
      undefined,
      "Continuous queries over unbounded sources support projections, filters, LIMIT and UNION ALL so far. Make the source bounded (for datagen: 'number-of-rows') to run the query to completion.",
    );
  }
  for (const child of childrenOf(plan)) checkUnboundedInput(child);
}
