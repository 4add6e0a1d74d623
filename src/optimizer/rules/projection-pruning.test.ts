import { describe, expect, it } from 'vitest';
import { BIGINT, INT } from '../../../catalog/types.ts';
import type { BoundExpr } from '../../binder/bound-expr.ts';
import type { LogicalPlan, ScanNode } from '../../planner/logical-plan.ts';
import { OPTS, T, U, add, col, eq, filter, gt, join, lit, outer, project } from '../optimizer.test-helpers.ts';
import { projectionPruning } from './projection-pruning.ts';

const prune = (p: LogicalPlan): LogicalPlan => projectionPruning.apply(p, OPTS);
const narrow = (s: ScanNode, cols: number[], f?: BoundExpr): ScanNode => ({
  ...s,
  columns: cols.map((i) => s.columns[i]!),
  schema: cols.map((i) => s.schema[i]!),
  ...(f !== undefined ? { filter: f } : {}),
});

describe('projection-pruning', () => {
  it('narrows a scan to the columns a project reads', () => {
    const p = project(T(), [add(col(2), lit(1))], ['x']);
    expect(prune(p)).toEqual(project(narrow(T(), [2]), [add(col(0), lit(1))], ['x']));
  });

  it('keeps the columns a scan filter and a Filter read, renumbered', () => {
    const t: ScanNode = { ...T(), filter: gt(col(1), lit(0)) };
    const p = project(filter(t, gt(col(2), lit(0))), [col(2)], ['c']);
    expect(prune(p)).toEqual(project(filter(narrow(T(), [1, 2], gt(col(0), lit(0))), gt(col(1), lit(0))), [col(1)], ['c']));
  });

  it('keeps one scan column when none is read (the row count still matters)', () => {
    const p: LogicalPlan = {
      kind: 'aggregate',
      input: T(),
      groupKeys: [],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [{ name: 'n', type: BIGINT, nullable: false }],
    };
    expect(prune(p)).toEqual({ ...p, input: narrow(T(), [0]) });
  });

  it('drops unread aggregates and project expressions, keeps group keys', () => {
    const agg: LogicalPlan = {
      kind: 'aggregate',
      input: T(),
      groupKeys: [col(1)],
      aggregates: [
        { fn: 'sum', args: [col(0)], distinct: false, orderBy: [], type: INT },
        { fn: 'max', args: [col(2)], distinct: false, orderBy: [], type: INT },
      ],
      schema: [
        { name: 'b', type: INT, nullable: true },
        { name: 's', type: INT, nullable: true },
        { name: 'm', type: INT, nullable: true },
      ],
    };
    const p = project(agg, [col(2)], ['m']);
    expect(prune(p)).toEqual(
      project(
        {
          ...agg,
          input: narrow(T(), [1, 2]),
          groupKeys: [col(0)],
          aggregates: [{ fn: 'max', args: [col(1)], distinct: false, orderBy: [], type: INT }],
          schema: [agg.schema[0]!, agg.schema[2]!],
        } as LogicalPlan,
        [col(1)],
        ['m'],
      ),
    );
  });

  it('renumbers join keys, condition and the output of both sides', () => {
    const j = join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }], condition: gt(col(4), col(2)) });
    const p = project(j, [col(4)], ['d']);
    const out = prune(p);
    const nj = join('LEFT', narrow(T(), [0, 2]), U(), { equiKeys: [{ left: col(0), right: col(0) }], condition: gt(col(3), col(1)) });
    expect(out).toEqual(project(nj, [col(3)], ['d']));
  });

  it('renumbers the outer references of a correlated subquery', () => {
    // SELECT (SELECT d FROM u WHERE u.a = t.c) FROM t
    const inner = filter(U(), eq(col(0), outer(2)));
    const sq: BoundExpr = { kind: 'subquery', type: INT, mode: 'scalar', plan: project(inner, [col(1)], ['d']), correlated: true };
    const p = project(T(), [sq], ['x']);
    const out = prune(p);
    const sq2: BoundExpr = { ...sq, plan: project(filter(U(), eq(col(0), outer(0))), [col(1)], ['d']) } as BoundExpr;
    expect(out).toEqual(project(narrow(T(), [2]), [sq2], ['x']));
  });

  it('leaves the root schema alone and is a no-op when everything is read', () => {
    const p = project(T(), [col(0), col(1), col(2)], ['a', 'b', 'c']);
    expect(prune(p)).toBe(p);
  });

  it('aligns union inputs', () => {
    const un: LogicalPlan = { kind: 'union', inputs: [T(), project(T(), [col(2), col(1), col(0)], ['c', 'b', 'a'])], schema: T().schema };
    const p = project(un, [col(1)], ['b']);
    expect(prune(p)).toEqual(
      project({ kind: 'union', inputs: [narrow(T(), [1]), project(narrow(T(), [1]), [col(0)], ['b'])], schema: [T().schema[1]!] }, [col(0)], ['b']),
    );
  });
});
