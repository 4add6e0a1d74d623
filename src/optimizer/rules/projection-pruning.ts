/**
 * projection-pruning: every node produces only the columns someone above reads.
 *
 * Top-down, each node gets the set of its output columns that are needed and
 * returns a rewritten node whose output keeps (at least) those, in their
 * original order, plus the old -> new index map its parent uses to renumber
 * its own expressions (`remapColumns`, which also renumbers correlated
 * subqueries' outer refs).
 * - Scan narrows `columns` (keeping one column when none is read, so the row
 *   count stays observable to every source) and its filter's columns.
 * - Project and Values drop unread expressions; Aggregate drops unread
 *   aggregate calls (group keys always stay: they define the groups); Window
 *   drops unread calls and disappears when none is left; Join, Sort, Filter
 *   lateral TableFunction and window TVFs pass the union of what is read above and what
 *   they read themselves.
 * - Distinct and INTERSECT / EXCEPT read all their columns; Union gives each
 *   input the same needed set and aligns them with a Project when needed.
 * The root keeps its full schema.
 */
import type { BoundExpr } from '../../binder/bound-expr.ts';
import { unreachable } from '../../errors.ts';
import type { AggregateCall, LogicalPlan, Schema } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import {
  collectColumns,
  mapAggregateCall,
  mapNodeExprs,
  mapWindowCall,
  remapColumns,
  selectColumns,
  withCondition,
  withScanFilter,
} from '../rewrite.ts';

export const projectionPruning: OptimizerRule = {
  name: 'projection-pruning',
  apply: (plan) => {
    const all = range(plan.schema.length);
    const r = prune(plan, new Set(all));
    return isIdentity(r.map, plan.schema.length) && r.plan.schema.length === plan.schema.length
      ? r.plan
      : selectColumns(r.plan, all.map((i) => r.map[i]!));
  },
};

interface Pruned {
  readonly plan: LogicalPlan;
  /** Old output index -> new output index; -1 for a dropped column. */
  readonly map: readonly number[];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function isIdentity(map: readonly number[], n: number): boolean {
  for (let i = 0; i < n; i++) if (map[i] !== i) return false;
  return true;
}

/** Keeps the positions in `keep` (sorted): the old -> new map over `width` slots. */
function compact(keep: readonly number[], width: number): number[] {
  const map = new Array<number>(width).fill(-1);
  keep.forEach((old, i) => (map[old] = i));
  return map;
}

function sorted(s: ReadonlySet<number>): number[] {
  return [...s].sort((a, b) => a - b);
}

/** The columns of `schema` a monotone old -> new map keeps. */
function pick(schema: Schema, map: readonly number[]): Schema {
  return schema.filter((_, i) => (map[i] ?? -1) >= 0);
}

function unchanged(plan: LogicalPlan): Pruned {
  return { plan, map: range(plan.schema.length) };
}

function prune(plan: LogicalPlan, needed: ReadonlySet<number>): Pruned {
  switch (plan.kind) {
    case 'scan': {
      const read = new Set(needed);
      if (plan.filter !== undefined) collectColumns(plan.filter, read);
      if (read.size === 0 && plan.columns.length > 0) read.add(0);
      const keep = sorted(read);
      if (keep.length === plan.columns.length) return unchanged(plan);
      const map = compact(keep, plan.columns.length);
      const narrowed = {
        ...plan,
        columns: keep.map((i) => plan.columns[i]!),
        schema: keep.map((i) => plan.schema[i]!),
      };
      return { plan: withScanFilter(narrowed, plan.filter === undefined ? undefined : remapColumns(plan.filter, map)), map };
    }
    case 'values': {
      const keep = sorted(needed);
      if (keep.length === plan.schema.length) return unchanged(plan);
      return {
        plan: { ...plan, rows: plan.rows.map((r) => keep.map((i) => r[i]!)), schema: keep.map((i) => plan.schema[i]!) },
        map: compact(keep, plan.schema.length),
      };
    }
    case 'project': {
      const keep = sorted(needed);
      const exprs = keep.map((i) => plan.exprs[i]!);
      const read = new Set<number>();
      for (const e of exprs) collectColumns(e, read);
      const input = prune(plan.input, read);
      if (input.plan === plan.input && keep.length === plan.exprs.length) return unchanged(plan);
      return {
        plan: { ...plan, input: input.plan, exprs: exprs.map((e) => remapColumns(e, input.map)), schema: keep.map((i) => plan.schema[i]!) },
        map: compact(keep, plan.schema.length),
      };
    }
    case 'filter': {
      const read = new Set(needed);
      collectColumns(plan.predicate, read);
      const input = prune(plan.input, read);
      if (input.plan === plan.input) return unchanged(plan);
      return {
        plan: { ...plan, input: input.plan, predicate: remapColumns(plan.predicate, input.map), schema: pick(plan.schema, input.map) },
        map: input.map,
      };
    }
    case 'sort':
    case 'limit': {
      const read = new Set(needed);
      for (const e of nodeOwnExprs(plan)) collectColumns(e, read);
      const input = prune(plan.input, read);
      if (input.plan === plan.input) return unchanged(plan);
      const rebuilt = mapNodeExprs({ ...plan, input: input.plan, schema: pick(plan.schema, input.map) }, (e) => remapColumns(e, input.map));
      return { plan: rebuilt, map: input.map };
    }
    case 'distinct': {
      const input = prune(plan.input, new Set(range(plan.schema.length)));
      if (input.plan === plan.input) return unchanged(plan);
      return { plan: { ...plan, input: input.plan, schema: pick(plan.schema, input.map) }, map: input.map };
    }
    case 'set-op': {
      const all = new Set(range(plan.schema.length));
      const left = prune(plan.left, all);
      const right = prune(plan.right, all);
      if (left.plan === plan.left && right.plan === plan.right) return unchanged(plan);
      return unchanged({ ...plan, left: left.plan, right: right.plan });
    }
    case 'union': {
      const keep = sorted(needed);
      const inputs = plan.inputs.map((i) => {
        const r = prune(i, needed);
        const cols = keep.map((k) => r.map[k]!);
        return cols.length === r.plan.schema.length && cols.every((c, j) => c === j) ? r.plan : selectColumns(r.plan, cols);
      });
      if (keep.length === plan.schema.length && inputs.every((x, i) => x === plan.inputs[i])) return unchanged(plan);
      return { plan: { ...plan, inputs, schema: keep.map((i) => plan.schema[i]!) }, map: compact(keep, plan.schema.length) };
    }
    case 'aggregate': {
      const nk = plan.groupKeys.length;
      const keepAggs = plan.aggregates.map((_, i) => i).filter((i) => needed.has(nk + i));
      const aggs = keepAggs.map((i) => plan.aggregates[i]!);
      const read = new Set<number>();
      for (const k of plan.groupKeys) collectColumns(k, read);
      for (const a of aggs) for (const e of aggExprs(a)) collectColumns(e, read);
      const input = prune(plan.input, read);
      if (input.plan === plan.input && aggs.length === plan.aggregates.length) return unchanged(plan);
      const remap = (e: BoundExpr): BoundExpr => remapColumns(e, input.map);
      const keep = [...range(nk), ...keepAggs.map((i) => nk + i)];
      return {
        plan: {
          ...plan,
          input: input.plan,
          groupKeys: plan.groupKeys.map(remap),
          aggregates: aggs.map((a) => mapAggregateCall(a, remap)),
          schema: keep.map((i) => plan.schema[i]!),
        },
        map: compact(keep, plan.schema.length),
      };
    }
    case 'join':
      return pruneJoin(plan, needed);
    case 'window': {
      const w = plan.input.schema.length;
      const keepCalls = plan.calls.map((_, i) => i).filter((i) => needed.has(w + i));
      const calls = keepCalls.map((i) => plan.calls[i]!);
      const read = new Set([...needed].filter((i) => i < w));
      for (const c of calls) for (const e of [...c.args, ...c.partitionBy, ...c.orderBy.map((k) => k.expr)]) collectColumns(e, read);
      const input = prune(plan.input, read);
      if (calls.length === 0) return input;
      if (input.plan === plan.input && calls.length === plan.calls.length) return unchanged(plan);
      const nw = input.plan.schema.length;
      const map = new Array<number>(plan.schema.length).fill(-1);
      for (let i = 0; i < w; i++) map[i] = input.map[i]!;
      keepCalls.forEach((c, j) => (map[w + c] = nw + j));
      return {
        plan: {
          ...plan,
          input: input.plan,
          calls: calls.map((c) => mapWindowCall(c, (e) => remapColumns(e, input.map))),
          schema: pick(plan.schema, map),
        },
        map,
      };
    }
    case 'table-function': {
      if (plan.input === undefined) return unchanged(plan);
      const w = plan.input.schema.length;
      const read = new Set([...needed].filter((i) => i < w));
      for (const a of plan.args) collectColumns(a, read);
      const input = prune(plan.input, read);
      if (input.plan === plan.input) return unchanged(plan);
      const nw = input.plan.schema.length;
      const map = new Array<number>(plan.schema.length).fill(-1);
      for (let i = 0; i < w; i++) map[i] = input.map[i]!;
      for (let i = w; i < plan.schema.length; i++) map[i] = nw + (i - w);
      return {
        plan: {
          ...plan,
          input: input.plan,
          args: plan.args.map((e) => remapColumns(e, input.map)),
          schema: pick(plan.schema, map),
        },
        map,
      };
    }
    case 'window-tvf': {
      // The three window columns always stay: they are computed together.
      const w = plan.input.schema.length;
      const read = new Set([...needed].filter((i) => i < w));
      for (const e of [plan.timeCol, ...plan.partitionBy]) collectColumns(e, read);
      const input = prune(plan.input, read);
      if (input.plan === plan.input) return unchanged(plan);
      const nw = input.plan.schema.length;
      const map = new Array<number>(plan.schema.length).fill(-1);
      for (let i = 0; i < w; i++) map[i] = input.map[i]!;
      for (let i = w; i < plan.schema.length; i++) map[i] = nw + (i - w);
      const remap = (e: BoundExpr): BoundExpr => remapColumns(e, input.map);
      return {
        plan: {
          ...plan,
          input: input.plan,
          timeCol: remap(plan.timeCol),
          partitionBy: plan.partitionBy.map(remap),
          schema: pick(plan.schema, map),
        },
        map,
      };
    }
    default:
      return unreachable(plan);
  }
}

function nodeOwnExprs(plan: Extract<LogicalPlan, { kind: 'sort' | 'limit' }>): BoundExpr[] {
  if (plan.kind === 'sort') return plan.keys.map((k) => k.expr);
  return [...(plan.limit === undefined ? [] : [plan.limit]), ...(plan.offset === undefined ? [] : [plan.offset])];
}

function aggExprs(a: AggregateCall): BoundExpr[] {
  return [...a.args, ...(a.filter === undefined ? [] : [a.filter]), ...a.orderBy.map((k) => k.expr)];
}

function pruneJoin(j: Extract<LogicalPlan, { kind: 'join' }>, needed: ReadonlySet<number>): Pruned {
  const lw = j.left.schema.length;
  const rw = j.right.schema.length;
  const leftRead = new Set<number>();
  const rightRead = new Set<number>();
  for (const i of needed) {
    if (i < lw) leftRead.add(i);
    else rightRead.add(i - lw);
  }
  for (const k of j.equiKeys) {
    collectColumns(k.left, leftRead);
    collectColumns(k.right, rightRead);
  }
  if (j.condition !== undefined) {
    const c = new Set<number>();
    collectColumns(j.condition, c);
    for (const i of c) {
      if (i < lw) leftRead.add(i);
      else rightRead.add(i - lw);
    }
  }
  const left = prune(j.left, leftRead);
  const right = prune(j.right, rightRead);
  if (left.plan === j.left && right.plan === j.right) return unchanged(j);
  const nlw = left.plan.schema.length;
  const combined = new Array<number>(lw + rw).fill(-1);
  for (let i = 0; i < lw; i++) combined[i] = left.map[i]!;
  for (let i = 0; i < rw; i++) combined[lw + i] = right.map[i]! < 0 ? -1 : nlw + right.map[i]!;
  const semi = j.joinType === 'SEMI' || j.joinType === 'ANTI';
  const rebuilt = withCondition(
    {
      ...j,
      left: left.plan,
      right: right.plan,
      equiKeys: j.equiKeys.map((k) => ({ left: remapColumns(k.left, left.map), right: remapColumns(k.right, right.map) })),
      schema: pick(j.schema, semi ? left.map : combined),
    },
    j.condition === undefined ? undefined : remapColumns(j.condition, combined),
  );
  return { plan: rebuilt, map: semi ? left.map : combined };
}
