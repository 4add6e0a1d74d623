/**
 * Recognises Flink's Top-N pattern in a plan: a Filter over a Window node
 * whose only call is `ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)` (or
 * RANK() / DENSE_RANK(): rows with equal sort keys share a rank) and
 * whose predicate bounds that row number from above by a constant
 * (`rn <= N`, `rn < N`, `rn = N`, in either operand order; a lower bound
 * `rn >= M`, `rn > M` or `rn = M` may come with it):
 *
 *   SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY p ORDER BY k) AS rn FROM t) WHERE rn <= N
 *
 * Deduplication is the case N = 1. The bounds are constants (literals or
 * parameters), evaluated when the query is compiled. Conjuncts that are not
 * bounds stay as `residual`, evaluated on the ranked rows.
 */
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { FilterNode, LogicalPlan, WindowCall, WindowNode, WindowTvfNode } from './logical-plan.ts';
import { isProcessingTime, windowAggregationOf } from './window-aggregation.ts';
import { traceWindowColumn as traceJoinedWindowColumn } from './window-join.ts';

export interface RankBound {
  readonly op: '<=' | '<' | '=' | '>=' | '>';
  /** The constant the row number is compared with. */
  readonly value: BoundExpr;
}

export interface RowNumberTopN {
  readonly window: WindowNode;
  readonly call: WindowCall;
  /** Column of the row number in the window's (and the filter's) output. */
  readonly rankColumn: number;
  /** At least one bound is an upper bound (<=, < or =). */
  readonly bounds: readonly RankBound[];
  /** The other conjuncts, over the window's output. */
  readonly residual: readonly BoundExpr[];
}

const FLIP: Readonly<Record<string, RankBound['op']>> = { '<=': '>=', '<': '>', '=': '=', '>=': '<=', '>': '<' };

export function rowNumberTopNOf(filter: FilterNode): RowNumberTopN | undefined {
  const window = filter.input;
  if (window.kind !== 'window' || window.calls.length !== 1) return undefined;
  const call = window.calls[0]!;
  if ((call.fn !== 'row_number' && call.fn !== 'rank' && call.fn !== 'dense_rank') || call.orderBy.length === 0) return undefined;
  const rankColumn = window.input.schema.length;
  const bounds: RankBound[] = [];
  const residual: BoundExpr[] = [];
  for (const c of conjunctsOf(filter.predicate)) {
    const b = boundOf(c, rankColumn);
    if (b === undefined) residual.push(c);
    else bounds.push(b);
  }
  if (!bounds.some((b) => b.op === '<=' || b.op === '<' || b.op === '=')) return undefined;
  return { window, call, rankColumn, bounds, residual };
}

/**
 * Window Top-N: the PARTITION BY holds the window_start and window_end of one
 * event-time window TVF (directly, as keys of a window aggregation, or as
 * columns of a window join's kept side, traced through filters and projections). `endColumn` is window_end in the window
 * node's input.
 */
export function windowTopNOf(topN: RowNumberTopN): { tvf: WindowTvfNode; endColumn: number } | undefined {
  const input = topN.window.input;
  let tvf: WindowTvfNode | undefined;
  let start = false;
  let endColumn = -1;
  for (const p of topN.call.partitionBy) {
    if (p.kind !== 'column') continue;
    const w = traceWindowColumn(input, p.index);
    if (w === undefined || (tvf !== undefined && w.tvf !== tvf)) continue;
    tvf = w.tvf;
    if (w.column === 'start') start = true;
    if (w.column === 'end') endColumn = p.index;
  }
  if (tvf === undefined || !start || endColumn < 0 || tvf.fn === 'SESSION') return undefined;
  const time = tvf.timeCol;
  if (time.kind !== 'column' || isProcessingTime(tvf.input, time.index)) return undefined;
  return { tvf, endColumn };
}

function traceWindowColumn(plan: LogicalPlan, index: number): { tvf: WindowTvfNode; column: 'start' | 'end' } | undefined {
  switch (plan.kind) {
    case 'window-tvf': {
      const base = plan.input.schema.length;
      if (index === base) return { tvf: plan, column: 'start' };
      if (index === base + 1) return { tvf: plan, column: 'end' };
      return undefined;
    }
    case 'filter':
      return traceWindowColumn(plan.input, index);
    case 'project': {
      const e = plan.exprs[index];
      return e?.kind === 'column' ? traceWindowColumn(plan.input, e.index) : undefined;
    }
    case 'aggregate': {
      const key = plan.groupKeys[index];
      if (key?.kind !== 'column' || windowAggregationOf(plan) === undefined) return undefined;
      return traceWindowColumn(plan.input, key.index);
    }
    case 'join': {
      const w = traceJoinedWindowColumn(plan, index);
      return w === undefined || w.column === 'time' ? undefined : { tvf: w.tvf, column: w.column };
    }
    default:
      return undefined;
  }
}

/** Whether `e` reads column `index` of its input. */
export function readsColumn(e: BoundExpr, index: number): boolean {
  switch (e.kind) {
    case 'column':
      return e.index === index;
    case 'literal':
    case 'outer':
    case 'param':
      return false;
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args.some((a) => readsColumn(a, index));
    case 'cast':
    case 'not':
    case 'is-null':
      return readsColumn(e.operand, index);
    case 'case':
      return e.whens.some((w) => readsColumn(w.when, index) || readsColumn(w.then, index)) || readsColumn(e.else, index);
    case 'in-list':
      return readsColumn(e.operand, index) || e.list.some((x) => readsColumn(x, index));
    case 'subquery':
      // A subquery reading this row through `outer` counts too.
      return (e.operand !== undefined && readsColumn(e.operand, index)) || e.correlated;
  }
}

function conjunctsOf(e: BoundExpr): BoundExpr[] {
  if (e.kind === 'and') return e.args.flatMap(conjunctsOf);
  return [e];
}

function boundOf(c: BoundExpr, rankColumn: number): RankBound | undefined {
  if (c.kind !== 'call' || c.args.length !== 2 || !(c.name in FLIP)) return undefined;
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  if (isRank(a, rankColumn) && isConstant(b)) return { op: c.name as RankBound['op'], value: b };
  if (isRank(b, rankColumn) && isConstant(a)) return { op: FLIP[c.name]!, value: a };
  return undefined;
}

function isRank(e: BoundExpr, rankColumn: number): boolean {
  if (e.kind === 'cast') return isRank(e.operand, rankColumn) && isIntegral(e.type.kind);
  return e.kind === 'column' && e.index === rankColumn;
}

function isIntegral(kind: string): boolean {
  return kind === 'BIGINT' || kind === 'INT' || kind === 'SMALLINT' || kind === 'TINYINT' || kind === 'NUMERIC' || kind === 'DECIMAL';
}

function isConstant(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'param':
      return true;
    case 'cast':
      return isConstant(e.operand);
    default:
      return false;
  }
}
