import { describe, expect, it } from 'vitest';
import { BOOLEAN, INT, arrayOf, type Value } from '../../catalog/types.ts';
import type { BoundExpr, BoundSubquery } from '../binder/bound-expr.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { MemorySource, col, eq, gt, lit, outer, runPlan, scanNode, schemaOf } from './plan.test-helpers.ts';

// t1(a): 1, 2, 3, NULL    t2(x, y): (1, 10), (1, 11), (2, 20), (NULL, 30)
const tables = {
  1: [[1], [2], [3], [null]],
  2: [
    [1, 10],
    [1, 11],
    [2, 20],
    [null, 30],
  ],
};
const t1 = scanNode(1, [INT]);
const t2 = scanNode(2, [INT, INT]);

function sub(mode: BoundSubquery['mode'], plan: LogicalPlan, extra: Partial<BoundSubquery> = {}): BoundExpr {
  return {
    kind: 'subquery',
    type: mode === 'array' ? arrayOf(INT) : mode === 'scalar' ? INT : BOOLEAN,
    mode,
    plan,
    correlated: false,
    ...extra,
  };
}

/** SELECT y FROM t2 WHERE x = outer.a (correlated) */
const ysOfA: LogicalPlan = {
  kind: 'project',
  input: { kind: 'filter', input: t2, predicate: eq(col(0), outer(0)), schema: t2.schema },
  exprs: [col(1)],
  schema: schemaOf([INT]),
};

const selectFromT1 = (e: BoundExpr): LogicalPlan => ({ kind: 'project', input: t1, exprs: [col(0), e], schema: schemaOf([INT, e.type]) });

describe('subqueries', () => {
  it('evaluates an uncorrelated scalar subquery once', async () => {
    const source = new MemorySource(tables);
    const max: LogicalPlan = {
      kind: 'limit',
      input: { kind: 'project', input: t2, exprs: [col(1)], schema: schemaOf([INT]) },
      limit: lit(1),
      schema: schemaOf([INT]),
    };
    const rows = await runPlan(selectFromT1(sub('scalar', max)), source);
    expect(rows).toEqual([
      [1, 10],
      [2, 10],
      [3, 10],
      [null, 10],
    ]);
    expect(source.opened).toBe(2);
  });

  it('fails a scalar subquery returning two rows with 21000', async () => {
    await expect(runPlan(selectFromT1(sub('scalar', ysOfA, { correlated: true })), tables)).rejects.toMatchObject({
      code: '21000',
      message: 'more than one row returned by a subquery used as an expression',
    });
  });

  it('gives NULL for a scalar subquery without rows', async () => {
    const none: LogicalPlan = { kind: 'filter', input: ysOfA, predicate: lit(false, BOOLEAN), schema: ysOfA.schema };
    const rows = await runPlan(selectFromT1(sub('scalar', none, { correlated: true })), tables);
    expect(rows.map((r) => r[1])).toEqual([null, null, null, null]);
  });

  it('runs a correlated subquery once per distinct outer binding', async () => {
    const source = new MemorySource({ ...tables, 1: [[1], [2], [1], [2], [3]] });
    const rows = await runPlan(selectFromT1(sub('exists', ysOfA, { correlated: true })), source);
    expect(rows.map((r) => r[1])).toEqual([true, true, true, true, false]);
    expect(source.opened).toBe(1 + 3);
  });

  it('evaluates ARRAY subqueries', async () => {
    const rows = await runPlan(selectFromT1(sub('array', ysOfA, { correlated: true })), tables);
    expect(rows.map((r) => r[1])).toEqual([[10, 11], [20], [], []]);
  });

  it('evaluates IN (= ANY) and ALL with three-valued logic', async () => {
    const xs: LogicalPlan = { kind: 'project', input: t2, exprs: [col(0)], schema: schemaOf([INT]) };
    const inXs = sub('any', xs, { operand: col(0), op: 'eq' });
    const rows = await runPlan(selectFromT1(inXs), tables);
    // x values are 1, 1, 2, NULL: 3 matches nothing but a NULL was seen.
    expect(rows.map((r) => r[1])).toEqual([true, true, null, null]);
    const gtAll = sub('all', { kind: 'filter', input: xs, predicate: { kind: 'is-null', type: BOOLEAN, operand: col(0), not: true }, schema: xs.schema }, {
      operand: col(0),
      op: 'gt',
    });
    const rows2 = await runPlan(selectFromT1(gtAll), tables);
    expect(rows2.map((r) => r[1])).toEqual([false, false, true, null]);
    const empty: LogicalPlan = { kind: 'filter', input: xs, predicate: lit(false, BOOLEAN), schema: xs.schema };
    const rows3 = await runPlan(selectFromT1(sub('all', empty, { operand: col(0), op: 'gt' })), tables);
    expect(rows3.map((r) => r[1])).toEqual([true, true, true, true]);
    const rows4 = await runPlan(selectFromT1(sub('any', empty, { operand: col(0), op: 'gt' })), tables);
    expect(rows4.map((r) => r[1])).toEqual([false, false, false, false]);
  });

  it('filters with a correlated EXISTS (semi-join shape)', async () => {
    const plan: LogicalPlan = { kind: 'filter', input: t1, predicate: sub('exists', ysOfA, { correlated: true }), schema: t1.schema };
    expect(await runPlan(plan, tables)).toEqual([[1], [2]]);
  });

  it('reads enclosing rows two levels up', async () => {
    // SELECT a, (SELECT count-ish: ARRAY(SELECT y FROM t2 WHERE x = a AND EXISTS (SELECT 1 FROM t1 WHERE t1.a > outer.outer.a))) ...
    const innermost: LogicalPlan = {
      kind: 'filter',
      input: t1,
      predicate: gt(col(0), outer(0, 2)),
      schema: t1.schema,
    };
    const middle: LogicalPlan = {
      kind: 'project',
      input: {
        kind: 'filter',
        input: t2,
        predicate: {
          kind: 'and',
          type: BOOLEAN,
          args: [eq(col(0), outer(0)), sub('exists', innermost, { correlated: true })],
        },
        schema: t2.schema,
      },
      exprs: [col(1)],
      schema: schemaOf([INT]),
    };
    const rows = await runPlan(selectFromT1(sub('array', middle, { correlated: true })), tables);
    // a = 1: some t1.a > 1 exists -> [10, 11]; a = 2: 3 > 2 -> [20]; a = 3: none -> [].
    expect(rows.map((r) => r[1] as Value)).toEqual([[10, 11], [20], [], []]);
  });

  it('short-circuits past a failing scalar subquery in an untaken CASE branch', async () => {
    const kase: BoundExpr = {
      kind: 'case',
      type: INT,
      whens: [{ when: lit(false, BOOLEAN), then: sub('scalar', ysOfA, { correlated: true }) }],
      else: lit(0),
    };
    const rows = await runPlan(selectFromT1(kase), tables);
    expect(rows.map((r) => r[1])).toEqual([0, 0, 0, 0]);
  });
});
