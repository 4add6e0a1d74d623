/**
 * empty-propagation: a subtree that can only produce no rows becomes an empty
 * Values with the same schema, so its inputs never run. "Empty" starts at a
 * Values without rows (simplify-filters makes one of Filter(FALSE)) and
 * spreads upwards:
 * - Project, Filter, Sort, Limit, Distinct, Window, WindowTvf, lateral TableFunction over
 *   an empty input are empty;
 * - Aggregate with group keys over an empty input is empty (a global one is
 *   not: it yields its single row);
 * - Join: INNER and SEMI with an empty side, LEFT and ANTI with an empty left,
 *   RIGHT with an empty right, FULL with both empty;
 * - INTERSECT with an empty side, EXCEPT with an empty left;
 * - Union drops empty inputs and is empty when none is left.
 */
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { unreachable } from '../../errors.ts';
import type { OptimizerRule } from '../optimizer.ts';
import { rewritePlan } from '../rewrite.ts';

export const emptyPropagation: OptimizerRule = {
  name: 'empty-propagation',
  apply: (plan) => rewritePlan(plan, step),
};

function isEmpty(p: LogicalPlan): boolean {
  return p.kind === 'values' && p.rows.length === 0;
}

function empty(p: LogicalPlan): LogicalPlan {
  return isEmpty(p) ? p : { kind: 'values', rows: [], schema: p.schema };
}

function step(p: LogicalPlan): LogicalPlan {
  switch (p.kind) {
    case 'scan':
    case 'values':
      return p;
    case 'project':
    case 'filter':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'window':
    case 'window-tvf':
      return isEmpty(p.input) ? empty(p) : p;
    case 'table-function':
      return p.input !== undefined && isEmpty(p.input) ? empty(p) : p;
    case 'aggregate':
      return p.groupKeys.length > 0 && isEmpty(p.input) ? empty(p) : p;
    case 'join': {
      const l = isEmpty(p.left);
      const r = isEmpty(p.right);
      switch (p.joinType) {
        case 'INNER':
        case 'SEMI':
          return l || r ? empty(p) : p;
        case 'LEFT':
        case 'ANTI':
          return l ? empty(p) : p;
        case 'RIGHT':
          return r ? empty(p) : p;
        case 'FULL':
          return l && r ? empty(p) : p;
        default:
          return unreachable(p.joinType);
      }
    }
    case 'set-op':
      return isEmpty(p.left) || (p.op === 'INTERSECT' && isEmpty(p.right)) ? empty(p) : p;
    case 'union': {
      const inputs = p.inputs.filter((i) => !isEmpty(i));
      if (inputs.length === 0) return empty(p);
      return inputs.length === p.inputs.length ? p : { ...p, inputs };
    }
    default:
      return unreachable(p);
  }
}
