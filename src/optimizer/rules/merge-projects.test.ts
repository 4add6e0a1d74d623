import { describe, expect, it } from 'vitest';
import { INT } from '../../../catalog/types.ts';
import type { BoundExpr } from '../../binder/bound-expr.ts';
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { OPTS, T, U, add, col, counter, eq, filter, lit, outer, project } from '../optimizer.test-helpers.ts';
import { mergeProjects } from './merge-projects.ts';

const merge = (p: LogicalPlan): LogicalPlan => mergeProjects.apply(p, OPTS);

describe('merge-projects', () => {
  it('collapses a project over a project by substitution', () => {
    const inner = project(T(), [add(col(0), lit(1)), col(2)], ['x', 'c']);
    const p = project(inner, [add(col(0), col(1)), col(1)], ['y', 'c']);
    expect(merge(p)).toEqual(project(T(), [add(add(col(0), lit(1)), col(2)), col(2)], ['y', 'c']));
  });

  it('does not duplicate an expensive or volatile expression read twice', () => {
    const inner = project(T(), [counter()], ['r']);
    const p = project(inner, [add(col(0), col(0))], ['rr']);
    expect(merge(p)).toBe(p);
    const once = project(inner, [add(col(0), lit(1))], ['r1']);
    expect(merge(once)).toEqual(project(T(), [add(counter(), lit(1))], ['r1']));
  });

  it('keeps projects whose expressions hold correlated subqueries over another project', () => {
    const sq: BoundExpr = { kind: 'subquery', type: INT, mode: 'scalar', plan: project(filter(U(), eq(col(0), outer(0))), [col(1)], ['d']), correlated: true };
    const p = project(project(T(), [col(2)], ['c']), [sq], ['x']);
    expect(merge(p)).toBe(p);
  });

  it('removes identity projects, but not renaming ones', () => {
    const id = project(T(), [col(0), col(1), col(2)], ['a', 'b', 'c']);
    expect(merge(id)).toEqual(T());
    const renaming = project(T(), [col(0), col(1), col(2)], ['a', 'b', 'z']);
    expect(merge(renaming)).toBe(renaming);
    const reorder = project(T(), [col(1), col(0), col(2)], ['b', 'a', 'c']);
    expect(merge(reorder)).toBe(reorder);
  });

  it('merges chains of three', () => {
    const p = project(project(project(T(), [col(1)], ['b']), [add(col(0), lit(1))], ['x']), [add(col(0), lit(2))], ['y']);
    expect(merge(p)).toEqual(project(T(), [add(add(col(1), lit(1)), lit(2))], ['y']));
  });
});
