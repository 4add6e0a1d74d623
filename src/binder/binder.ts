/**
 * The binder's entry points: AST query -> logical plan with bound
 * expressions, and a standalone expression over a known row (computed
 * columns, UPDATE SET / WHERE, DELETE WHERE).
 *
 * Parameter types: declared ones are used as given; the others are inferred
 * from the first typed context they meet (comparison with a column, function
 * argument, CAST) and default to text. `paramTypes` in the result has one
 * entry per $n up to the highest one referenced or declared.
 */
import type { Expr, Query } from '../../grammar/ast.ts';
import type { SqlType } from '../../catalog/types.ts';
import type { LogicalPlan, Schema } from '../planner/logical-plan.ts';
import type { BoundExpr } from './bound-expr.ts';
import { BindEnv, type BinderContext } from './bind-env.ts';
import { bindQueryPlan, bindScalarIn } from './bind-query.ts';
import { QueryLevel } from './scope.ts';

export type { BinderContext } from './bind-env.ts';

export function bindQuery(q: Query, ctx: BinderContext): { plan: LogicalPlan; paramTypes: SqlType[] } {
  const env = new BindEnv(ctx);
  const plan = bindQueryPlan(q, env, undefined, undefined, new QueryLevel());
  return { plan, paramTypes: env.finalParamTypes() };
}

/** Binds `e` over a row of `schema`; `relationName` lets it say `t.col` (UPDATE t / DELETE FROM t). */
export function bindScalar(e: Expr, schema: Schema, ctx: BinderContext, relationName?: string): BoundExpr {
  return bindScalarIn(e, schema, new BindEnv(ctx), relationName);
}
