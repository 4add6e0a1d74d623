/**
 * The optimizer: an ordered list of small named rules, each a pure function
 * plan -> plan that preserves the query's result exactly (rows, NULLs, column
 * order and types of the root).
 *
 * `optimize` runs the rules in order, skipping the ones named in
 * `disabledRules` (session setting millrace.optimizer.disabled_rules), and
 * checks after each that the root schema kept its names and types and that an
 * insert-only result did not become retracting (src/planner/changelog-mode.ts;
 * the reverse is allowed: e.g. a Filter(FALSE) over a stream becomes an empty
 * Values): a rule that breaks this is a bug and fails with an internal error
 * naming it.
 * Subquery plans inside expressions are optimized first, with the same rules
 * (their root schema is checked the same way).
 */
import type { BoundCall, BoundExpr } from '../binder/bound-expr.ts';
import { InternalError } from '../errors.ts';
import { childrenOf, nodeExprs, type LogicalPlan } from '../planner/logical-plan.ts';
import { changelogMode, isUnbounded } from '../planner/changelog-mode.ts';
import { mapPlanDeep, rewriteExpr, sameSchema, someExpr } from './rewrite.ts';
import { constantFolding } from './rules/constant-folding.ts';
import { simplifyFilters } from './rules/simplify-filters.ts';
import { mergeFilters } from './rules/merge-filters.ts';
import { emptyPropagation } from './rules/empty-propagation.ts';
import { predicatePushdown } from './rules/predicate-pushdown.ts';
import { projectionPruning } from './rules/projection-pruning.ts';
import { mergeProjects } from './rules/merge-projects.ts';
import { limitPushdown } from './rules/limit-pushdown.ts';
import { subqueryToJoin } from './rules/subquery-to-join.ts';

export interface OptimizeOptions {
  /** Rule names to skip (session setting millrace.optimizer.disabled_rules). */
  disabledRules: readonly string[];
  /** Evaluates a non-volatile call whose arguments are all literals; undefined = leave it. */
  fold: (call: BoundCall) => BoundExpr | undefined;
}

export interface OptimizerRule {
  readonly name: string;
  apply(plan: LogicalPlan, o: OptimizeOptions): LogicalPlan;
}

export const RULES: readonly OptimizerRule[] = [
  constantFolding,
  simplifyFilters,
  emptyPropagation,
  mergeFilters,
  subqueryToJoin,
  predicatePushdown,
  projectionPruning,
  mergeProjects,
  limitPushdown,
];

export function optimize(plan: LogicalPlan, o: OptimizeOptions): LogicalPlan {
  const disabled = new Set(o.disabledRules);
  const withSubqueries = mapPlanDeep(plan, (e) => optimizeSubqueries(e, o));
  let current = withSubqueries;
  const mode = readsChangingSubquery(plan) ? 'retract' : changelogMode(plan);
  for (const rule of RULES) {
    if (disabled.has(rule.name)) continue;
    const next = rule.apply(current, o);
    if (!sameSchema(next.schema, plan.schema)) {
      throw new InternalError(`optimizer rule ${rule.name} changed the result columns`);
    }
    if (mode === 'insert-only' && changelogMode(next) !== 'insert-only') {
      throw new InternalError(`optimizer rule ${rule.name} turned an insert-only result into a retracting one`);
    }
    current = next;
  }
  return current;
}

/**
 * Whether a subquery in an expression reads unbounded input: the changelog
 * mode of the tree does not see it, yet the result changes with that input
 * (subquery-to-join makes this explicit as a retracting SEMI / ANTI join).
 */
function readsChangingSubquery(plan: LogicalPlan): boolean {
  const changing = (e: BoundExpr): boolean => someExpr(e, (x) => x.kind === 'subquery' && (isUnbounded(x.plan) || readsChangingSubquery(x.plan)));
  return nodeExprs(plan).some(changing) || childrenOf(plan).some(readsChangingSubquery);
}

function optimizeSubqueries(e: BoundExpr, o: OptimizeOptions): BoundExpr {
  return rewriteExpr(e, (x) => {
    if (x.kind !== 'subquery') return x;
    const inner = optimize(x.plan, o);
    return inner === x.plan ? x : { ...x, plan: inner };
  });
}
