/**
 * limit-pushdown: moves LIMIT towards the rows it cuts.
 * - Limit(Project(x)) becomes Project(Limit(x)): a projection maps rows one to
 *   one and keeps their order, so the same rows come out; fewer rows are
 *   projected, and a Sort under the Project meets the Limit directly (the
 *   compiler runs Limit over Sort as a top-N).
 * - Limit n (no OFFSET) over UNION ALL also limits every input to n rows:
 *   no more than n rows of any input can reach the result.
 * LIMIT / OFFSET values are constants or parameters, so they read no columns.
 */
import type { LimitNode, LogicalPlan } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import { rewritePlan } from '../rewrite.ts';

export const limitPushdown: OptimizerRule = {
  name: 'limit-pushdown',
  apply: (plan) => rewritePlan(plan, step),
};

function step(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'limit') return p;
  const input = p.input;
  if (input.kind === 'project') {
    const below: LimitNode = { ...p, input: input.input, schema: input.input.schema };
    return { ...input, input: step(below) };
  }
  if (input.kind === 'union' && p.limit !== undefined && p.offset === undefined) {
    const limit = p.limit;
    const inputs = input.inputs.map((i): LogicalPlan =>
      i.kind === 'limit' && i.offset === undefined && i.limit === limit ? i : step({ kind: 'limit', input: i, limit, schema: i.schema }),
    );
    return { ...p, input: { ...input, inputs } };
  }
  return p;
}
