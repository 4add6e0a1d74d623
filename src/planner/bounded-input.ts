/**
 * Which runtime a plan over unbounded input needs. A plan whose operators
 * stream row by row (scan, project, filter, limit, union all, values,
 * TUMBLE / HOP / CUMULATE assignment) runs on the bounded runtime and keeps
 * producing rows until cancelled or its LIMIT is reached. Operators that need
 * the end of their input (aggregation, sorting, joins, set operations, window
 * functions, SESSION windows, DISTINCT) would wait forever on it there; such
 * plans run on the continuous runtime instead.
 */
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

/**
 * True when an operator that needs the end of its input reads unbounded
 * input: the bounded runtime would wait forever, so the query runs on the
 * continuous runtime (src/streaming), which emits as the watermark and the
 * changes allow.
 */
export function needsContinuousRuntime(plan: LogicalPlan): boolean {
  if (needsEndOfInput(plan) !== undefined && childrenOf(plan).some(readsUnboundedInput)) return true;
  return childrenOf(plan).some(needsContinuousRuntime);
}
