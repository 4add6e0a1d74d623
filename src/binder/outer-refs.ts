/**
 * Renumbering a subquery's references to its enclosing row.
 *
 * A subquery bound against the FROM row of a grouped query ends up evaluated
 * over the aggregate's output instead; its `outer` references that reach that
 * row (depth 1 from the subquery, depth n+1 from subqueries nested n deep in
 * it) are renumbered by `map`, which throws for columns the aggregate does not
 * keep. Every expression of every plan node is visited, including nested
 * subquery plans.
 */
import type { BoundExpr } from './bound-expr.ts';
import type { AggregateCall, LogicalPlan, SortKey, WindowCall } from '../planner/logical-plan.ts';
import { unreachable } from '../errors.ts';
import { transform } from './expr-utils.ts';

export type OuterMap = (index: number, e: Extract<BoundExpr, { kind: 'outer' }>) => BoundExpr;

/** Rewrites outer references of `e` that reach `depth` levels up; `map` gives the replacement. */
export function remapOuterInExpr(e: BoundExpr, depth: number, map: OuterMap): BoundExpr {
  return transform(e, (x) => {
    if (x.kind === 'outer' && x.depth === depth) return map(x.index, x);
    if (x.kind === 'subquery') {
      return {
        ...x,
        plan: remapOuterInPlan(x.plan, depth + 1, map),
        ...(x.operand === undefined ? {} : { operand: remapOuterInExpr(x.operand, depth, map) }),
      };
    }
    return undefined;
  });
}

export function remapOuterInPlan(plan: LogicalPlan, depth: number, map: OuterMap): LogicalPlan {
  const ex = (e: BoundExpr): BoundExpr => remapOuterInExpr(e, depth, map);
  const key = (k: SortKey): SortKey => ({ ...k, expr: ex(k.expr) });
  const sub = (p: LogicalPlan): LogicalPlan => remapOuterInPlan(p, depth, map);
  switch (plan.kind) {
    case 'scan':
      return plan.filter === undefined ? plan : { ...plan, filter: ex(plan.filter) };
    case 'values':
      return { ...plan, rows: plan.rows.map((r) => r.map(ex)) };
    case 'project':
      return { ...plan, input: sub(plan.input), exprs: plan.exprs.map(ex) };
    case 'filter':
      return { ...plan, input: sub(plan.input), predicate: ex(plan.predicate) };
    case 'aggregate':
      return {
        ...plan,
        input: sub(plan.input),
        groupKeys: plan.groupKeys.map(ex),
        aggregates: plan.aggregates.map(
          (a): AggregateCall => ({
            ...a,
            args: a.args.map(ex),
            orderBy: a.orderBy.map(key),
            ...(a.filter === undefined ? {} : { filter: ex(a.filter) }),
          }),
        ),
      };
    case 'join':
      return {
        ...plan,
        left: sub(plan.left),
        right: sub(plan.right),
        equiKeys: plan.equiKeys.map((k) => ({ left: ex(k.left), right: ex(k.right) })),
        ...(plan.condition === undefined ? {} : { condition: ex(plan.condition) }),
      };
    case 'sort':
      return { ...plan, input: sub(plan.input), keys: plan.keys.map(key) };
    case 'limit':
      return {
        ...plan,
        input: sub(plan.input),
        ...(plan.limit === undefined ? {} : { limit: ex(plan.limit) }),
        ...(plan.offset === undefined ? {} : { offset: ex(plan.offset) }),
      };
    case 'distinct':
      return { ...plan, input: sub(plan.input) };
    case 'union':
      return { ...plan, inputs: plan.inputs.map(sub) };
    case 'set-op':
      return { ...plan, left: sub(plan.left), right: sub(plan.right) };
    case 'table-function':
      return { ...plan, ...(plan.input === undefined ? {} : { input: sub(plan.input) }), args: plan.args.map(ex) };
    case 'window-tvf':
      return { ...plan, input: sub(plan.input), timeCol: ex(plan.timeCol), partitionBy: plan.partitionBy.map(ex) };
    case 'window':
      return {
        ...plan,
        input: sub(plan.input),
        calls: plan.calls.map(
          (c): WindowCall => ({ ...c, args: c.args.map(ex), partitionBy: c.partitionBy.map(ex), orderBy: c.orderBy.map(key) }),
        ),
      };
    default:
      return unreachable(plan);
  }
}
