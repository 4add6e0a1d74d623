import { describe, expect, it } from 'vitest';
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { FALSE, NULL_BOOL, OPTS, T, TRUE, U, and, col, filter, gt, join, lit } from '../optimizer.test-helpers.ts';
import { mergeFilters } from './merge-filters.ts';
import { simplifyFilters } from './simplify-filters.ts';

const simplify = (p: LogicalPlan): LogicalPlan => simplifyFilters.apply(p, OPTS);

describe('simplify-filters', () => {
  it('removes Filter(TRUE)', () => {
    expect(simplify(filter(T(), TRUE))).toEqual(T());
  });

  it('turns Filter(FALSE) and Filter(NULL) into an empty Values with the same schema', () => {
    const p = filter(T(), FALSE);
    expect(simplify(p)).toEqual({ kind: 'values', rows: [], schema: p.schema });
    expect(simplify(filter(T(), NULL_BOOL))).toEqual({ kind: 'values', rows: [], schema: p.schema });
  });

  it('drops TRUE join conditions and scan filters, keeps real ones', () => {
    expect(simplify(join('INNER', T(), U(), { condition: TRUE }))).toEqual(join('INNER', T(), U()));
    expect(simplify({ ...T(), filter: TRUE })).toEqual(T());
    const p = filter(T(), gt(col(0), lit(1)));
    expect(simplify(p)).toBe(p);
  });
});

describe('merge-filters', () => {
  it('merges stacked filters, inner predicate first', () => {
    const p = filter(filter(filter(T(), gt(col(0), lit(1))), gt(col(1), lit(2))), gt(col(2), lit(3)));
    expect(mergeFilters.apply(p, OPTS)).toEqual(filter(T(), and(gt(col(0), lit(1)), gt(col(1), lit(2)), gt(col(2), lit(3)))));
  });
});
