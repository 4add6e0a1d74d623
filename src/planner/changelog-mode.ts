/**
 * Changelog mode of a plan node's output, derived from the tree (not stored):
 * - 'insert-only': only +I rows;
 * - 'retract': +I, -D and -U/+U pairs (earlier results are corrected).
 *
 * Rules (Flink's, for the nodes millrace has):
 * - bounded input (no unbounded scan below) is computed to completion, so
 *   every bounded node is insert-only;
 * - over unbounded input, Scan, Values, Project, Filter, Union, TableFunction
 *   Window (OVER) and window TVFs pass their inputs' mode on (Union: retract if any input
 *   retracts); Limit without ORDER BY stops the stream and stays insert-only
 *   over insert-only input;
 * - window aggregation (GROUP BY window_start, window_end, ...) emits each
 *   window once when the watermark passes it: insert-only over insert-only input;
 * - other Aggregates, Distinct, INTERSECT / EXCEPT, Sort and ORDER BY ... LIMIT over
 *   unbounded input revise earlier rows: retract;
 * - Join: INNER, SEMI over insert-only inputs stay insert-only; outer joins and
 *   ANTI (a row may lose its NULL-padded or unmatched form later) retract.
 * No node produces upserts yet; the mode exists so that EXPLAIN can show it and
 * the optimizer can check that no rule changes it.
 */
import { unreachable } from '../errors.ts';
import type { LogicalPlan } from './logical-plan.ts';
import { childrenOf } from './logical-plan.ts';
import { windowAggregationOf } from './window-aggregation.ts';

export type ChangelogMode = 'insert-only' | 'retract';

/** Whether the node's output never ends by itself (an unbounded scan below). */
export function isUnbounded(plan: LogicalPlan): boolean {
  if (plan.kind === 'scan') return plan.unbounded;
  return childrenOf(plan).some(isUnbounded);
}

export function changelogMode(plan: LogicalPlan): ChangelogMode {
  if (!isUnbounded(plan)) return 'insert-only';
  const inputs = (): ChangelogMode => (childrenOf(plan).some((c) => changelogMode(c) === 'retract') ? 'retract' : 'insert-only');
  switch (plan.kind) {
    case 'scan':
    case 'values':
      return 'insert-only';
    case 'project':
    case 'filter':
    case 'union':
    case 'table-function':
    case 'window':
    case 'window-tvf':
      return inputs();
    case 'limit':
      return plan.input.kind === 'sort' ? 'retract' : inputs();
    case 'aggregate':
      return windowAggregationOf(plan) !== undefined ? inputs() : 'retract';
    case 'distinct':
    case 'set-op':
    case 'sort':
      return 'retract';
    case 'join':
      return plan.joinType === 'INNER' || plan.joinType === 'SEMI' ? inputs() : 'retract';
    default:
      return unreachable(plan);
  }
}
