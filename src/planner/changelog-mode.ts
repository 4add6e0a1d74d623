/**
 * Changelog mode of a plan node's output, derived from the tree (not stored):
 * - 'insert-only': only +I rows;
 * - 'retract': +I, -D and -U/+U pairs (earlier results are corrected).
 *
 * Rules (Flink's, for the nodes millrace has):
 * - bounded input (no unbounded scan below) is computed to completion, so
 *   every bounded node is insert-only;
 * - a stored table or materialized view read as a changelog retracts (UPDATE,
 *   DELETE, upserts on a key);
 * - over unbounded input, Scan, Values, Project, Filter, Union, TableFunction
 *   Window (OVER) and window TVFs pass their inputs' mode on (Union: retract if any input
 *   retracts); Limit without ORDER BY stops the stream and stays insert-only
 *   over insert-only input;
 * - window aggregation (GROUP BY window_start, window_end, ...) emits each
 *   window once, final, when the watermark passes it: insert-only (changes to
 *   an open window are absorbed, changes to a fired one are late and dropped);
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

/**
 * How a query reads stored tables and materialized views: their current rows
 * ('snapshot': SELECT, INSERT ... SELECT) or their current rows and then every
 * change ('changelog': SUBSCRIBE, materialized views), which makes them
 * endless, retracting inputs.
 */
export type StoredReading = 'snapshot' | 'changelog';

/** Whether the node's output never ends by itself (an unbounded scan below). */
export function isUnbounded(plan: LogicalPlan, reading: StoredReading = 'snapshot'): boolean {
  if (plan.kind === 'scan') return plan.unbounded || (reading === 'changelog' && plan.source === 'stored');
  return childrenOf(plan).some((c) => isUnbounded(c, reading));
}

export function changelogMode(plan: LogicalPlan, reading: StoredReading = 'snapshot'): ChangelogMode {
  if (!isUnbounded(plan, reading)) return 'insert-only';
  const inputs = (): ChangelogMode => (childrenOf(plan).some((c) => changelogMode(c, reading) === 'retract') ? 'retract' : 'insert-only');
  switch (plan.kind) {
    case 'scan':
      return reading === 'changelog' && plan.source === 'stored' ? 'retract' : 'insert-only';
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
      return windowAggregationOf(plan) !== undefined ? 'insert-only' : 'retract';
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
