import { describe, expect, it } from 'vitest';
import { BIGINT, INT, type Row } from '../../catalog/types.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { add, col, gt, lit, runPlan, scanNode, schemaOf } from '../compiler/plan.test-helpers.ts';

describe('values, project, filter, table functions', () => {
  it('evaluates VALUES rows', async () => {
    const plan: LogicalPlan = { kind: 'values', rows: [[lit(1), add(lit(1), lit(2))], [lit(null), lit(4)]], schema: schemaOf([INT, INT]) };
    expect(await runPlan(plan)).toEqual([
      [1, 3],
      [null, 4],
    ]);
  });

  it('filters out NULL and FALSE, projects expressions', async () => {
    const t = scanNode(1, [INT]);
    const plan: LogicalPlan = {
      kind: 'project',
      input: { kind: 'filter', input: t, predicate: gt(col(0), lit(1)), schema: t.schema },
      exprs: [col(0), add(col(0), col(0))],
      schema: schemaOf([INT, INT]),
    };
    expect(await runPlan(plan, { 1: [[1], [null], [2], [3]] })).toEqual([
      [2, 4],
      [3, 6],
    ]);
    expect(await runPlan(plan, { 1: [] })).toEqual([]);
  });

  it('runs a table function once, with ordinality', async () => {
    const plan: LogicalPlan = {
      kind: 'table-function',
      fn: 'generate_series',
      args: [lit(1), lit(3)],
      ordinality: true,
      schema: schemaOf([INT, BIGINT]),
    };
    expect(await runPlan(plan)).toEqual([
      [1, 1n],
      [2, 2n],
      [3, 3n],
    ]);
  });

  it('runs a lateral table function per input row', async () => {
    const t = scanNode(1, [INT]);
    const plan: LogicalPlan = {
      kind: 'table-function',
      input: t,
      fn: 'generate_series',
      args: [lit(1), col(0)],
      ordinality: false,
      schema: schemaOf([INT, INT]),
    };
    const rows: Row[] = await runPlan(plan, { 1: [[2], [null], [0], [1]] });
    expect(rows).toEqual([
      [2, 1],
      [2, 2],
      [1, 1],
    ]);
  });

  it('cuts large table-function output into chunks', async () => {
    const plan: LogicalPlan = { kind: 'table-function', fn: 'generate_series', args: [lit(1), lit(2500)], ordinality: false, schema: schemaOf([INT]) };
    const rows = await runPlan(plan);
    expect(rows.length).toBe(2500);
    expect(rows[2499]).toEqual([2500]);
  });
});
