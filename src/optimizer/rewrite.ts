/**
 * Generic helpers for the optimizer rules: walking and rebuilding plans and
 * expressions, column-reference analysis and column remapping.
 *
 * Contract:
 * - Everything here is pure: inputs are never mutated, unchanged subtrees are
 *   returned as the same objects (rules rely on `===` to detect "no change").
 * - "Columns of an expression" are the input slots it reads: its `column`
 *   refs, plus the `outer` refs inside correlated subqueries that reach back
 *   to the expression's own row (depth equal to the subquery nesting level).
 *   Remapping rewrites both, so an expression with a correlated subquery can
 *   move onto a narrowed input.
 * - A join's `equiKeys` are the exception to "expressions see the node's
 *   input": the left key reads the left input, the right key the right input.
 */
import { typesEqual, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr, BoundSubquery } from '../binder/bound-expr.ts';
import { InternalError, unreachable } from '../errors.ts';
import { childrenOf, nodeExprs, type AggregateCall, type LogicalPlan, type PlanColumn, type Schema, type SortKey, type WindowCall } from '../planner/logical-plan.ts';

export const BOOL: SqlType = { kind: 'BOOLEAN' };

// ------------------------------------------------------------ expressions

/** Rebuilds `e` with `f` applied to each direct child expression (not into subquery plans). */
export function mapChildren(e: BoundExpr, f: (c: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'outer':
    case 'param':
      return e;
    case 'call': {
      const args = mapList(e.args, f);
      return args === e.args ? e : { ...e, args };
    }
    case 'and':
    case 'or':
    case 'coalesce': {
      const args = mapList(e.args, f);
      return args === e.args ? e : { ...e, args };
    }
    case 'cast':
    case 'not':
    case 'is-null': {
      const operand = f(e.operand);
      return operand === e.operand ? e : { ...e, operand };
    }
    case 'case': {
      let changed = false;
      const whens = e.whens.map((w) => {
        const when = f(w.when);
        const then = f(w.then);
        if (when === w.when && then === w.then) return w;
        changed = true;
        return { when, then };
      });
      const els = f(e.else);
      if (!changed && els === e.else) return e;
      return { ...e, whens, else: els };
    }
    case 'in-list': {
      const operand = f(e.operand);
      const list = mapList(e.list, f);
      return operand === e.operand && list === e.list ? e : { ...e, operand, list };
    }
    case 'subquery': {
      if (e.operand === undefined) return e;
      const operand = f(e.operand);
      return operand === e.operand ? e : { ...e, operand };
    }
    default:
      return unreachable(e);
  }
}

/** Bottom-up rewrite of an expression tree (not descending into subquery plans). */
export function rewriteExpr(e: BoundExpr, f: (e: BoundExpr) => BoundExpr): BoundExpr {
  return f(mapChildren(e, (c) => rewriteExpr(c, f)));
}

export function mapList<T>(xs: readonly T[], f: (x: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = f(x);
    if (y !== x && out === undefined) out = xs.slice(0, i);
    if (out !== undefined) out.push(y);
  }
  return out ?? xs;
}

/** Whether `pred` holds for `e` or any expression below it (not into subquery plans). */
export function someExpr(e: BoundExpr, pred: (e: BoundExpr) => boolean): boolean {
  if (pred(e)) return true;
  let found = false;
  mapChildren(e, (c) => {
    if (!found && someExpr(c, pred)) found = true;
    return c;
  });
  return found;
}

/** Deterministic and free of subqueries: may be moved, duplicated or dropped freely. */
export function isPure(e: BoundExpr): boolean {
  return !someExpr(e, (x) => (x.kind === 'call' && x.volatile) || x.kind === 'subquery');
}

export function isTrue(e: BoundExpr): boolean {
  return e.kind === 'literal' && e.value === true;
}

/** FALSE or NULL: a predicate that keeps no row. */
export function isFalsy(e: BoundExpr): boolean {
  return e.kind === 'literal' && (e.value === false || e.value === null);
}

export function literal(type: SqlType, value: Value): BoundExpr {
  return { kind: 'literal', type, value };
}

/** The conjuncts of a predicate (nested ANDs flattened). */
export function conjuncts(e: BoundExpr): BoundExpr[] {
  if (e.kind === 'and') return e.args.flatMap(conjuncts);
  if (isTrue(e)) return [];
  return [e];
}

/** AND of the predicates; TRUE for none, the predicate itself for one. */
export function conjoin(preds: readonly BoundExpr[]): BoundExpr {
  if (preds.length === 0) return { kind: 'literal', type: BOOL, value: true };
  if (preds.length === 1) return preds[0]!;
  return { kind: 'and', type: BOOL, args: preds.flatMap(conjuncts) };
}

/** Adds the input columns `e` reads (see the file header) to `out`. */
export function collectColumns(e: BoundExpr, out: Set<number>): void {
  collectAt(e, 0, out);
}

export function columnsOf(e: BoundExpr): Set<number> {
  const s = new Set<number>();
  collectColumns(e, s);
  return s;
}

function collectAt(e: BoundExpr, level: number, out: Set<number>): void {
  if (e.kind === 'column') {
    if (level === 0) out.add(e.index);
    return;
  }
  if (e.kind === 'outer') {
    if (level > 0 && e.depth === level) out.add(e.index);
    return;
  }
  if (e.kind === 'subquery') {
    if (e.operand !== undefined) collectAt(e.operand, level, out);
    // Not trusting `correlated` alone: a nested subquery may reach this row through an uncorrelated middle one.
    collectPlan(e.plan, level + 1, out);
    return;
  }
  mapChildren(e, (c) => {
    collectAt(c, level, out);
    return c;
  });
}

function collectPlan(plan: LogicalPlan, level: number, out: Set<number>): void {
  for (const x of nodeExprs(plan)) collectAt(x, level, out);
  for (const c of childrenOf(plan)) collectPlan(c, level, out);
}

/**
 * Renumbers the input columns `e` reads: `map[old]` is the new index (see the
 * file header for correlated subqueries). A read of an unmapped column is an
 * internal error.
 */
export function remapColumns(e: BoundExpr, map: readonly number[]): BoundExpr {
  return remapAt(e, 0, map);
}

function target(map: readonly number[], index: number): number {
  const n = map[index];
  if (n === undefined || n < 0) throw new InternalError(`optimizer: column #${index} was pruned but is still read`);
  return n;
}

function remapAt(e: BoundExpr, level: number, map: readonly number[]): BoundExpr {
  switch (e.kind) {
    case 'column': {
      if (level !== 0) return e;
      const n = target(map, e.index);
      return n === e.index ? e : { ...e, index: n };
    }
    case 'outer': {
      if (level === 0 || e.depth !== level) return e;
      const n = target(map, e.index);
      return n === e.index ? e : { ...e, index: n };
    }
    case 'subquery': {
      const operand = e.operand === undefined ? undefined : remapAt(e.operand, level, map);
      const plan = mapPlanDeep(e.plan, (x) => remapAt(x, level + 1, map));
      if (operand === e.operand && plan === e.plan) return e;
      const out: BoundSubquery = { ...e, plan };
      return operand === undefined ? out : { ...out, operand };
    }
    default:
      return mapChildren(e, (c) => remapAt(c, level, map));
  }
}

/** Replaces each `column` ref i by `exprs[i]` (the caller checks the expression has no correlated subquery). */
export function substituteColumns(e: BoundExpr, exprs: readonly BoundExpr[]): BoundExpr {
  return rewriteExpr(e, (x) => {
    if (x.kind !== 'column') return x;
    const r = exprs[x.index];
    if (r === undefined) throw new InternalError(`optimizer: substitution of missing column #${x.index}`);
    return r;
  });
}

/** Whether `e` contains a correlated subquery (whose outer refs may read this row). */
export function hasCorrelatedSubquery(e: BoundExpr): boolean {
  return someExpr(e, (x) => {
    if (x.kind !== 'subquery') return false;
    if (x.correlated) return true;
    const reads = new Set<number>();
    collectPlan(x.plan, 1, reads);
    return reads.size > 0;
  });
}

// ------------------------------------------------------------ plans


/** The node with its children replaced (same order as `childrenOf`); the node itself when nothing changed. */
export function withChildren(plan: LogicalPlan, children: readonly LogicalPlan[]): LogicalPlan {
  const old = childrenOf(plan);
  if (old.length !== children.length) throw new InternalError(`optimizer: ${plan.kind} expects ${old.length} children`);
  if (old.every((c, i) => c === children[i])) return plan;
  switch (plan.kind) {
    case 'scan':
    case 'values':
      return plan;
    case 'project':
    case 'filter':
    case 'aggregate':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'window':
    case 'window-tvf':
      return { ...plan, input: children[0]! };
    case 'join':
    case 'set-op':
      return { ...plan, left: children[0]!, right: children[1]! };
    case 'union':
      return { ...plan, inputs: children };
    case 'table-function':
      return { ...plan, input: children[0]! };
    default:
      return unreachable(plan);
  }
}

/** Bottom-up rewrite of a plan tree: children first, then `f` on the rebuilt node. */
export function rewritePlan(plan: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const children = childrenOf(plan);
  const next = children.map((c) => rewritePlan(c, f));
  return f(withChildren(plan, next));
}


function mapKeys(keys: readonly SortKey[], f: (e: BoundExpr) => BoundExpr): readonly SortKey[] {
  return mapList(keys, (k) => {
    const expr = f(k.expr);
    return expr === k.expr ? k : { ...k, expr };
  });
}

export function mapAggregateCall(a: AggregateCall, f: (e: BoundExpr) => BoundExpr): AggregateCall {
  const args = mapList(a.args, f);
  const filter = a.filter === undefined ? undefined : f(a.filter);
  const orderBy = mapKeys(a.orderBy, f);
  if (args === a.args && filter === a.filter && orderBy === a.orderBy) return a;
  const { filter: _drop, ...rest } = a;
  return filter === undefined ? { ...rest, args, orderBy } : { ...rest, args, orderBy, filter };
}

export function mapWindowCall(c: WindowCall, f: (e: BoundExpr) => BoundExpr): WindowCall {
  const args = mapList(c.args, f);
  const partitionBy = mapList(c.partitionBy, f);
  const orderBy = mapKeys(c.orderBy, f);
  if (args === c.args && partitionBy === c.partitionBy && orderBy === c.orderBy) return c;
  return { ...c, args, partitionBy, orderBy };
}

/** The node with `f` applied to each expression it owns (shallow: children untouched). */
export function mapNodeExprs(plan: LogicalPlan, f: (e: BoundExpr) => BoundExpr): LogicalPlan {
  switch (plan.kind) {
    case 'scan': {
      if (plan.filter === undefined) return plan;
      const filter = f(plan.filter);
      return filter === plan.filter ? plan : { ...plan, filter };
    }
    case 'values': {
      const rows = mapList(plan.rows, (r) => mapList(r, f));
      return rows === plan.rows ? plan : { ...plan, rows };
    }
    case 'project': {
      const exprs = mapList(plan.exprs, f);
      return exprs === plan.exprs ? plan : { ...plan, exprs };
    }
    case 'filter': {
      const predicate = f(plan.predicate);
      return predicate === plan.predicate ? plan : { ...plan, predicate };
    }
    case 'aggregate': {
      const groupKeys = mapList(plan.groupKeys, f);
      const aggregates = mapList(plan.aggregates, (a) => mapAggregateCall(a, f));
      return groupKeys === plan.groupKeys && aggregates === plan.aggregates ? plan : { ...plan, groupKeys, aggregates };
    }
    case 'join': {
      const equiKeys = mapList(plan.equiKeys, (k) => {
        const left = f(k.left);
        const right = f(k.right);
        return left === k.left && right === k.right ? k : { left, right };
      });
      const condition = plan.condition === undefined ? undefined : f(plan.condition);
      if (equiKeys === plan.equiKeys && condition === plan.condition) return plan;
      return withCondition({ ...plan, equiKeys }, condition);
    }
    case 'sort': {
      const keys = mapKeys(plan.keys, f);
      return keys === plan.keys ? plan : { ...plan, keys };
    }
    case 'limit': {
      const limit = plan.limit === undefined ? undefined : f(plan.limit);
      const offset = plan.offset === undefined ? undefined : f(plan.offset);
      if (limit === plan.limit && offset === plan.offset) return plan;
      return { ...plan, ...(limit === undefined ? {} : { limit }), ...(offset === undefined ? {} : { offset }) };
    }
    case 'distinct':
    case 'union':
    case 'set-op':
      return plan;
    case 'table-function': {
      const args = mapList(plan.args, f);
      return args === plan.args ? plan : { ...plan, args };
    }
    case 'window': {
      const calls = mapList(plan.calls, (c) => mapWindowCall(c, f));
      return calls === plan.calls ? plan : { ...plan, calls };
    }
    case 'window-tvf': {
      const timeCol = f(plan.timeCol);
      const partitionBy = mapList(plan.partitionBy, f);
      return timeCol === plan.timeCol && partitionBy === plan.partitionBy ? plan : { ...plan, timeCol, partitionBy };
    }
    default:
      return unreachable(plan);
  }
}

/** `f` applied to every expression of every node of the tree. */
export function mapPlanDeep(plan: LogicalPlan, f: (e: BoundExpr) => BoundExpr): LogicalPlan {
  return rewritePlan(plan, (p) => mapNodeExprs(p, f));
}

/** A join with its residual condition set (or removed when undefined or TRUE). */
export function withCondition<J extends Extract<LogicalPlan, { kind: 'join' }>>(j: J, condition: BoundExpr | undefined): J {
  const { condition: _old, ...rest } = j;
  if (condition === undefined || isTrue(condition)) return rest as J;
  return { ...rest, condition } as J;
}

/** A scan with its pushed-down filter set (or removed). */
export function withScanFilter<S extends Extract<LogicalPlan, { kind: 'scan' }>>(s: S, filter: BoundExpr | undefined): S {
  const { filter: _old, ...rest } = s;
  if (filter === undefined || isTrue(filter)) return rest as S;
  return { ...rest, filter } as S;
}

/** A Project reading `columns` of `input` in order (keeps the input's column descriptions). */
export function selectColumns(input: LogicalPlan, columns: readonly number[]): LogicalPlan {
  return {
    kind: 'project',
    input,
    exprs: columns.map((i): BoundExpr => ({ kind: 'column', type: input.schema[i]!.type, index: i })),
    schema: columns.map((i) => input.schema[i]!),
  };
}

/** Same type, strictly: typesEqual also treats CHAR/VARCHAR and the timestamp kinds alike. */
export function sameType(a: SqlType, b: SqlType): boolean {
  return a.kind === b.kind && typesEqual(a, b);
}

export function sameColumn(a: PlanColumn, b: PlanColumn): boolean {
  return (
    a.name === b.name &&
    sameType(a.type, b.type) &&
    a.nullable === b.nullable &&
    a.tableOid === b.tableOid &&
    a.attnum === b.attnum
  );
}

/** Same names and types, in order (what a rule must preserve at the root). */
export function sameSchema(a: Schema, b: Schema): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name && sameType(c.type, b[i]!.type));
}
