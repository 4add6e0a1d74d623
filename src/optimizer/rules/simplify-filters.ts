/**
 * simplify-filters: removes predicates decided at plan time.
 * - Filter(TRUE) is its input; Filter(FALSE or NULL) is an empty Values with
 *   the filter's schema (no row passes, and the input need not run);
 * - a join condition or scan filter that is the literal TRUE is dropped.
 * Runs after constant-folding, which reduces decidable predicates to literals.
 */
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import { isFalsy, isTrue, rewritePlan, withCondition, withScanFilter } from '../rewrite.ts';

export const simplifyFilters: OptimizerRule = {
  name: 'simplify-filters',
  apply: (plan) => rewritePlan(plan, simplify),
};

function simplify(p: LogicalPlan): LogicalPlan {
  switch (p.kind) {
    case 'filter':
      if (isTrue(p.predicate)) return p.input;
      if (isFalsy(p.predicate)) return { kind: 'values', rows: [], schema: p.schema };
      return p;
    case 'join':
      return p.condition !== undefined && isTrue(p.condition) ? withCondition(p, undefined) : p;
    case 'scan':
      return p.filter !== undefined && isTrue(p.filter) ? withScanFilter(p, undefined) : p;
    default:
      return p;
  }
}
