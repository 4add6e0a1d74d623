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
 *   and window TVFs pass their inputs' mode on (Union: retract if any input
 *   retracts); Limit without ORDER BY stops the stream and stays insert-only
 *   over insert-only input; Window (OVER) retracts (a later row changes the
 *   ranks and running values of earlier ones), except an OVER aggregation
 *   (planner/over-aggregation.ts), append-only: each row is emitted once, in
 *   time order, with the aggregates over its frame;
 * - window aggregation (GROUP BY window_start, window_end, ...) emits each
 *   window once, final, when the watermark passes it: insert-only (changes to
 *   an open window are absorbed, changes to a fired one are late and dropped);
 * - other Aggregates, Distinct, EXCEPT, Sort and ORDER BY ... LIMIT over
 *   unbounded input revise earlier rows: retract; INTERSECT [ALL] passes its
 *   inputs' mode on (over insert-only inputs a row's count only grows);
 * - Join: INNER, SEMI over insert-only inputs stay insert-only; outer joins and
 *   ANTI (a row may lose its NULL-padded or unmatched form later) retract.
 *   A window join (INNER / LEFT / RIGHT / FULL on equal window_start and
 *   window_end, src/planner/window-join.ts) emits each window once, final,
 *   when the watermark passes it: insert-only, like window aggregation.
 *   Temporal joins (FOR SYSTEM_TIME AS OF): event time is insert-only (each
 *   left row emitted once, when the watermark passes it); processing time
 *   (a lookup, never revised) has its left input's mode.
 * - Top-N (a filter on ROW_NUMBER() OVER (...)) retracts the row that drops
 *   out, except over insert-only input per window (window Top-N, emitted once
 *   when the window closes) and when keeping the first row by processing time
 *   (no later row ranks before it): those stay insert-only.
 * No node produces upserts yet; the mode exists so that EXPLAIN can show it and
 * the optimizer can check that no rule changes it.
 */
import { unreachable } from '../errors.ts';
import type { LogicalPlan } from './logical-plan.ts';
import { childrenOf } from './logical-plan.ts';
import { isProcessingTime, windowAggregationOf } from './window-aggregation.ts';
import { rowNumberTopNOf, windowTopNOf, type RowNumberTopN } from './row-number-top-n.ts';
import { overAggregationOf } from './over-aggregation.ts';
import { windowJoinOf } from './window-join.ts';

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

/** ROW_NUMBER() OVER (... ORDER BY <processing time> ASC) kept to rank 1 by a literal bound. */
function keepsFirstByProcessingTime(topN: RowNumberTopN): boolean {
  const order = topN.call.orderBy;
  const key = order[0]?.expr;
  if (order.length !== 1 || order[0]!.desc || key?.kind !== 'column' || !isProcessingTime(topN.window.input, key.index)) return false;
  let last = Infinity;
  for (const b of topN.bounds) {
    if (b.value.kind !== 'literal') return false;
    const v = Number(b.value.value);
    if (b.op === '<=' || b.op === '=') last = Math.min(last, v);
    else if (b.op === '<') last = Math.min(last, v - 1);
  }
  return last <= 1;
}

export function changelogMode(plan: LogicalPlan, reading: StoredReading = 'snapshot'): ChangelogMode {
  if (!isUnbounded(plan, reading)) return 'insert-only';
  const inputs = (): ChangelogMode => (childrenOf(plan).some((c) => changelogMode(c, reading) === 'retract') ? 'retract' : 'insert-only');
  switch (plan.kind) {
    case 'scan':
      return reading === 'changelog' && plan.source === 'stored' ? 'retract' : 'insert-only';
    case 'values':
      return 'insert-only';
    case 'filter': {
      const topN = rowNumberTopNOf(plan);
      if (topN === undefined) return inputs();
      if (changelogMode(topN.window.input, reading) === 'retract') return 'retract';
      return windowTopNOf(topN) !== undefined || keepsFirstByProcessingTime(topN) ? 'insert-only' : 'retract';
    }
    case 'project':
    case 'union':
    case 'table-function':
    case 'window-tvf':
      return inputs();
    case 'window':
      // An OVER aggregation on a time attribute emits each row once, when the watermark passes it;
      // other OVER over endless input ranks rows again as they arrive (only the Top-N forms above narrow it).
      return overAggregationOf(plan) !== undefined ? 'insert-only' : 'retract';
    case 'limit':
      return plan.input.kind === 'sort' ? 'retract' : inputs();
    case 'aggregate':
      return windowAggregationOf(plan) !== undefined ? 'insert-only' : 'retract';
    case 'set-op':
      // Over insert-only inputs the counts only grow: INTERSECT [ALL] only adds rows, EXCEPT also takes them back.
      return plan.op === 'INTERSECT' ? inputs() : 'retract';
    case 'distinct':
    case 'sort':
      return 'retract';
    case 'join':
      // Temporal joins: event time emits each left row once, final; a lookup follows its left input.
      if (plan.temporal !== undefined) return plan.temporal.kind === 'event-time' ? 'insert-only' : changelogMode(plan.left, reading);
      if (windowJoinOf(plan) !== undefined) return 'insert-only';
      return plan.joinType === 'INNER' || plan.joinType === 'SEMI' ? inputs() : 'retract';
    default:
      return unreachable(plan);
  }
}
