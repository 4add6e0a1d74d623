import { describe, expect, it } from 'vitest';
import { BIGINT } from '../../../catalog/types.ts';
import type { BoundExpr } from '../../binder/bound-expr.ts';
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { OPTS, T, U, add, and, col, counter, eq, filter, gt, isNull, join, lit, project, scan } from '../optimizer.test-helpers.ts';
import { predicatePushdown } from './predicate-pushdown.ts';

const push = (p: LogicalPlan): LogicalPlan => predicatePushdown.apply(p, OPTS);
const withFilter = <P extends LogicalPlan>(p: P, f: BoundExpr): P => ({ ...p, filter: f });
const sub: BoundExpr = { kind: 'subquery', type: BIGINT, mode: 'scalar', plan: U(), correlated: false };

describe('predicate-pushdown', () => {
  it('moves a filter into a stored scan', () => {
    expect(push(filter(T(), gt(col(0), lit(1))))).toEqual(withFilter(T(), gt(col(0), lit(1))));
  });

  it('keeps a Filter above connector scans', () => {
    const c = scan(3, 'gen', ['x'], 'connector');
    const p = filter(c, gt(col(0), lit(1)));
    expect(push(p)).toEqual(p);
  });

  it('keeps subquery and volatile conjuncts in place, pushes the rest', () => {
    const p = filter(T(), and(gt(col(0), sub), gt(col(1), lit(2)), gt(col(2), counter())));
    expect(push(p)).toEqual(filter(withFilter(T(), gt(col(1), lit(2))), and(gt(col(0), sub), gt(col(2), counter()))));
  });

  it('substitutes through a project of pure expressions only', () => {
    const proj = project(T(), [add(col(0), lit(1)), counter()], ['x', 'r']);
    const p = filter(proj, and(gt(col(0), lit(5)), gt(col(1), lit(5))));
    const out = push(p);
    expect(out).toEqual(filter(project(withFilter(T(), gt(add(col(0), lit(1)), lit(5))), proj.kind === 'project' ? proj.exprs : [], ['x', 'r']), gt(col(1), lit(5))));
  });

  it('turns a cross join with an equality into hash keys and pushes one-sided conjuncts', () => {
    const cross = join('INNER', T(), U());
    const p = filter(cross, and(eq(col(0), col(3)), gt(col(2), lit(100)), gt(col(4), lit(1)), gt(add(col(1), col(4)), lit(3))));
    const out = push(p);
    expect(out).toEqual(
      join('INNER', withFilter(T(), gt(col(2), lit(100))), withFilter(U(), gt(col(1), lit(1))), {
        equiKeys: [{ left: col(0), right: col(0) }],
        condition: gt(add(col(1), col(4)), lit(3)),
      }),
    );
  });

  it('never pushes into the NULL-producing side of a LEFT join', () => {
    const lj = join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }], condition: gt(col(4), lit(3)) });
    const p = filter(lj, and(gt(col(1), lit(5)), isNull(col(4))));
    const out = push(p);
    expect(out).toEqual(
      filter(
        join('LEFT', withFilter(T(), gt(col(1), lit(5))), withFilter(U(), gt(col(1), lit(3))), {
          equiKeys: [{ left: col(0), right: col(0) }],
        }),
        isNull(col(4)),
      ),
    );
  });

  it('keeps ON conjuncts on the preserved side in the condition', () => {
    const lj = join('LEFT', T(), U(), { condition: and(gt(col(0), lit(1)), eq(col(0), col(3))) });
    expect(push(lj)).toEqual(join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }], condition: gt(col(0), lit(1)) }));
  });

  it('pushes into the right side of a RIGHT join from above, nothing through a FULL join', () => {
    const rj = join('RIGHT', T(), U());
    expect(push(filter(rj, and(gt(col(4), lit(1)), gt(col(0), lit(1)))))).toEqual(
      filter(join('RIGHT', T(), withFilter(U(), gt(col(1), lit(1)))), gt(col(0), lit(1))),
    );
    const fj = filter(join('FULL', T(), U()), gt(col(0), lit(1)));
    expect(push(fj)).toEqual(fj);
  });

  it('pushes group-key predicates below an aggregate, never below a global one', () => {
    const agg = (groupKeys: BoundExpr[]): LogicalPlan => ({
      kind: 'aggregate',
      input: T(),
      groupKeys,
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [...groupKeys.map((_, i) => ({ name: `k${i}`, type: col(0).type, nullable: true })), { name: 'n', type: BIGINT, nullable: false }],
    });
    const grouped = agg([col(1)]);
    const out = push(filter(grouped, and(gt(col(0), lit(1)), gt(col(1), lit(1, BIGINT)))));
    expect(out).toEqual(filter({ ...grouped, input: withFilter(T(), gt(col(1), lit(1))) } as LogicalPlan, gt(col(1), lit(1, BIGINT))));
    const global = filter(agg([]), gt(lit(1), lit(2)));
    expect(push(global)).toEqual(global);
  });

  it('does not pass a Limit, goes into every Union input', () => {
    const lim: LogicalPlan = { kind: 'limit', input: T(), limit: lit(2), schema: T().schema };
    const p = filter(lim, gt(col(0), lit(1)));
    expect(push(p)).toEqual(p);
    const un: LogicalPlan = { kind: 'union', inputs: [T(), T()], schema: T().schema };
    expect(push(filter(un, gt(col(0), lit(1))))).toEqual({ ...un, inputs: [withFilter(T(), gt(col(0), lit(1))), withFilter(T(), gt(col(0), lit(1)))] });
  });

  it('SEMI joins take right-side ON conjuncts into the right input', () => {
    const sj = join('SEMI', T(), U(), { condition: and(eq(col(0), col(3)), gt(col(4), lit(2)), gt(col(1), lit(1))) });
    expect(push(sj)).toEqual(
      join('SEMI', withFilter(T(), gt(col(1), lit(1))), withFilter(U(), gt(col(1), lit(2))), { equiKeys: [{ left: col(0), right: col(0) }] }),
    );
    const aj = join('ANTI', T(), U(), { condition: gt(col(1), lit(1)) });
    expect(push(aj)).toEqual(aj);
  });
});
