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
 *   A window join (INNER / LEFT / RIGHT / FULL / SEMI / ANTI on equal
 *   window_start and window_end, src/planner/window-join.ts) emits each
 *   window once, final, when the watermark passes it: insert-only, like
 *   window aggregation (ANTI too: a left row is emitted only once its
 *   window's right rows are all known).
 *   Temporal joins (FOR SYSTEM_TIME AS OF): event time is insert-only (each
 *   left row emitted once, when the watermark passes it); processing time
 *   (a lookup, never revised) has its left input's mode.
 * - Top-N (a filter on ROW_NUMBER() OVER (...)) retracts the row that drops
 *   out, except over insert-only input per window (window Top-N, emitted once
 *   when the window closes) and when keeping the first row by processing time
 *   (no later row ranks before it): those stay insert-only.
 *
 * 'upsert' (+I, +U, -D; no -U: a change replaces the row of its unique key) is
 * not a property of the node alone but of where its output goes, inferred top
 * down (Flink's changelogMode=[I,UA,D]): when the plan's consumer replaces rows
 * by a key (a job's TableSink upserting by the target's PRIMARY KEY) and that
 * key, followed down through Projects (and a top-level Sort) that pass its
 * columns on unchanged, is exactly the unique key of an updating group
 * aggregation (its GROUP BY columns) or Top-N, that node emits no -U and the
 * nodes above it carry 'upsert (key: ...)'. A Filter stops the inference
 * (as in Flink, FLINK-9528: under `HAVING count(*) < 10` a row that stops
 * qualifying is taken back by the -D the filter makes of its update pair; a
 * lone +U that fails the predicate would be dropped and the consumer would
 * keep the old row); so does any other node, and every other consumer
 * (SUBSCRIBE, materialized views, joins, aggregates above) keeps 'retract'.
 * A ROW_NUMBER Top-N without other conjuncts is a producer too, keyed by its
 * PARTITION BY columns plus the row number (the PARTITION BY columns alone
 * when it keeps only rank 1: deduplication). A node's state is the same in
 * both modes, so a job's checkpoints restore into either.
 */
import { unreachable } from '../errors.ts';
import type { LogicalPlan } from './logical-plan.ts';
import { childrenOf } from './logical-plan.ts';
import { isProcessingTime, windowAggregationOf } from './window-aggregation.ts';
import { rowNumberTopNOf, windowTopNOf, type RowNumberTopN } from './row-number-top-n.ts';
import { overAggregationOf } from './over-aggregation.ts';
import { windowJoinOf } from './window-join.ts';

export type ChangelogMode = 'insert-only' | 'retract' | 'upsert';

/** What a node emits on its own, whatever consumes it (see `upsertChainOf` for 'upsert'). */
export type NaturalChangelogMode = Exclude<ChangelogMode, 'upsert'>;

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

export function changelogMode(plan: LogicalPlan, reading: StoredReading = 'snapshot'): NaturalChangelogMode {
  if (!isUnbounded(plan, reading)) return 'insert-only';
  const inputs = (): NaturalChangelogMode => (childrenOf(plan).some((c) => changelogMode(c, reading) === 'retract') ? 'retract' : 'insert-only');
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

/**
 * Output columns (ascending, no duplicates) whose values identify one row of
 * the node's current result, or undefined when none is known. [] means at
 * most one row (a global aggregate). Rules: an aggregation's GROUP BY columns
 * (window aggregation: they include window_start and window_end); DISTINCT: all
 * columns; a ROW_NUMBER Top-N: the PARTITION BY columns plus the row number
 * (the partition columns alone when it keeps one row per partition); Filter,
 * Sort and Limit keep their input's key; Project keeps it when every key column
 * is passed on as a plain column reference; everything else: none (a stored
 * table's PRIMARY KEY is NOT ENFORCED and not relied on).
 */
export function uniqueKeyOf(plan: LogicalPlan): readonly number[] | undefined {
  switch (plan.kind) {
    case 'aggregate':
      return plan.groupKeys.map((_, i) => i);
    case 'distinct':
      return plan.schema.map((_, i) => i);
    case 'filter': {
      const topN = rowNumberTopNOf(plan);
      if (topN === undefined) return uniqueKeyOf(plan.input);
      return topNKey(topN);
    }
    case 'sort':
    case 'limit':
      return uniqueKeyOf(plan.input);
    case 'project': {
      const inner = uniqueKeyOf(plan.input);
      if (inner === undefined) return undefined;
      const out: number[] = [];
      for (const k of inner) {
        const at = plan.exprs.findIndex((e) => e.kind === 'column' && e.index === k);
        if (at < 0) return undefined;
        out.push(at);
      }
      return normalizeKey(out);
    }
    case 'scan':
    case 'values':
    case 'join':
    case 'union':
    case 'set-op':
    case 'table-function':
    case 'window':
    case 'window-tvf':
      return undefined;
    default:
      return unreachable(plan);
  }
}

/** ROW_NUMBER Top-N: partition columns, plus the row number unless at most rank 1 is kept. */
function topNKey(topN: RowNumberTopN): readonly number[] | undefined {
  if (topN.call.fn !== 'row_number') return undefined;
  const key: number[] = [];
  for (const p of topN.call.partitionBy) {
    if (p.kind !== 'column') return undefined;
    key.push(p.index);
  }
  if (!keepsAtMostFirst(topN)) key.push(topN.rankColumn);
  return normalizeKey(key);
}

/** Whether a literal upper bound keeps only rank 1. */
function keepsAtMostFirst(topN: RowNumberTopN): boolean {
  let last = Infinity;
  for (const b of topN.bounds) {
    if (b.value.kind !== 'literal') continue;
    const v = Number(b.value.value);
    if (b.op === '<=' || b.op === '=') last = Math.min(last, v);
    else if (b.op === '<') last = Math.min(last, v - 1);
  }
  return last <= 1;
}

function normalizeKey(key: readonly number[]): number[] {
  return [...new Set(key)].sort((a, b) => a - b);
}

function sameKey(a: readonly number[], b: readonly number[]): boolean {
  const x = normalizeKey(a);
  const y = normalizeKey(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * The consumer's upsert key as positions of an INSERT's source columns: the
 * target table's PRIMARY KEY columns (`primaryKey`, indexes of its physical
 * columns) through `targets` (source column i is written to physical column
 * targets[i]). Undefined when the table has no key or a key column is not
 * written (then it is NULL and does not tell rows apart).
 */
export function sinkUpsertKey(primaryKey: readonly number[], targets: readonly number[]): readonly number[] | undefined {
  if (primaryKey.length === 0) return undefined;
  const key: number[] = [];
  for (const pk of primaryKey) {
    const at = targets.indexOf(pk);
    if (at < 0) return undefined;
    key.push(at);
  }
  return normalizeKey(key);
}

/**
 * The nodes that emit 'upsert' when the output of `plan` goes to a consumer
 * that replaces rows by `upsertKey` (positions of `plan`'s output), root
 * first, the producer (the group aggregation that skips -U) last, each with
 * its unique key in its own output positions; empty when nothing runs in
 * upsert mode (the rules are in the file comment).
 */
export function upsertChainOf(plan: LogicalPlan, upsertKey: readonly number[], reading: StoredReading = 'snapshot'): readonly UpsertNode[] {
  const chain: UpsertNode[] = [];
  let node = plan;
  let key: readonly number[] = normalizeKey(upsertKey);
  if (key.length === 0) return [];
  for (;;) {
    if (!isUnbounded(node, reading) || changelogMode(node, reading) !== 'retract') return [];
    chain.push({ node, key });
    switch (node.kind) {
      case 'project': {
        const inner: number[] = [];
        for (const k of key) {
          const e = node.exprs[k];
          if (e?.kind !== 'column') return [];
          inner.push(e.index);
        }
        key = normalizeKey(inner);
        node = node.input;
        continue;
      }
      case 'sort':
        // Only a top-level ORDER BY runs over endless input (it passes rows on as they come).
        if (!chain.slice(0, -1).every((c) => c.node.kind === 'project')) return [];
        node = node.input;
        continue;
      case 'aggregate': {
        const unique = uniqueKeyOf(node);
        if (node.groupKeys.length === 0 || windowAggregationOf(node) !== undefined || unique === undefined || !sameKey(unique, key)) return [];
        return chain;
      }
      case 'filter': {
        // A ROW_NUMBER Top-N without further conjuncts (they would filter its update pairs).
        const topN = rowNumberTopNOf(node);
        const unique = topN === undefined || topN.residual.length > 0 ? undefined : uniqueKeyOf(node);
        return unique !== undefined && sameKey(unique, key) ? chain : [];
      }
      default:
        return [];
    }
  }
}

export interface UpsertNode {
  readonly node: LogicalPlan;
  /** The consumer's key in this node's output positions (ascending). */
  readonly key: readonly number[];
}
