/**
 * merge-filters: Filter(p2, Filter(p1, x)) becomes Filter(p1 AND p2, x).
 * The conjunction keeps the inner predicate first, so a row the inner filter
 * rejects with FALSE still short-circuits before the outer predicate runs.
 */
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import { conjoin, conjuncts, rewritePlan } from '../rewrite.ts';

export const mergeFilters: OptimizerRule = {
  name: 'merge-filters',
  apply: (plan) => rewritePlan(plan, merge),
};

function merge(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'filter' || p.input.kind !== 'filter') return p;
  const inner = p.input;
  return { ...p, input: inner.input, predicate: conjoin([...conjuncts(inner.predicate), ...conjuncts(p.predicate)]) };
}
