/**
 * merge-projects: collapses Project over Project and removes identity projects.
 *
 * Project(outer, Project(inner, x)) becomes Project(outer[inner/columns], x)
 * when every inner expression the outer ones read more than once is cheap (a
 * column, literal or parameter), so no work is duplicated; an inner expression
 * read once moves as it is (even a volatile call or a subquery: it still runs
 * once per row, against the same row of x). Outer expressions containing
 * correlated subqueries block the merge (their outer refs read the inner
 * project's row). A Project that returns its input's columns unchanged (same
 * order, names, types, origin) is removed.
 */
import type { BoundExpr } from '../../binder/bound-expr.ts';
import type { LogicalPlan, ProjectNode } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import { hasCorrelatedSubquery, rewritePlan, sameColumn, someExpr, substituteColumns } from '../rewrite.ts';

export const mergeProjects: OptimizerRule = {
  name: 'merge-projects',
  apply: (plan) => rewritePlan(plan, step),
};

function step(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'project') return p;
  const merged = p.input.kind === 'project' ? merge(p, p.input) : p;
  return isIdentity(merged) ? merged.input : merged;
}

function merge(outer: ProjectNode, inner: ProjectNode): ProjectNode {
  if (outer.exprs.some(hasCorrelatedSubquery)) return outer;
  const uses = new Array<number>(inner.exprs.length).fill(0);
  for (const e of outer.exprs) {
    someExpr(e, (x) => {
      if (x.kind === 'column') uses[x.index] = (uses[x.index] ?? 0) + 1;
      return false;
    });
  }
  if (inner.exprs.some((e, i) => (uses[i] ?? 0) > 1 && !cheap(e))) return outer;
  return { ...outer, input: inner.input, exprs: outer.exprs.map((e) => substituteColumns(e, inner.exprs)) };
}

function cheap(e: BoundExpr): boolean {
  return e.kind === 'column' || e.kind === 'literal' || e.kind === 'param';
}

function isIdentity(p: ProjectNode): boolean {
  const input = p.input.schema;
  return (
    p.exprs.length === input.length &&
    p.exprs.every((e, i) => e.kind === 'column' && e.index === i) &&
    p.schema.every((c, i) => sameColumn(c, input[i]!))
  );
}
