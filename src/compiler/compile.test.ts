import { describe, expect, it, vi } from 'vitest';
import { INT } from '../../catalog/types.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { compileExpr, compileQuery, evaluateConstant } from './compile.ts';
import { MemorySource, add, col, lit, scanNode, schemaOf, testEnv } from './plan.test-helpers.ts';

vi.mock('../functions/aggregates.ts', async () => ({
  createAccumulatorFactory: (await import('./plan.test-helpers.ts')).fakeAccumulators,
}));
vi.mock('../functions/table-functions.ts', async () => ({
  instantiateTableFunction: (await import('./plan.test-helpers.ts')).fakeTableFunctions,
}));

describe('compile.ts entry points', () => {
  it('compiles and runs a query through the library hooks', async () => {
    const t = scanNode(1, [INT]);
    const plan: LogicalPlan = {
      kind: 'aggregate',
      input: t,
      groupKeys: [],
      aggregates: [{ fn: 'sum', args: [col(0)], distinct: false, orderBy: [], type: INT }],
      schema: schemaOf([INT]),
    };
    const out = [];
    for await (const rows of compileQuery(plan, testEnv(new MemorySource({ 1: [[1], [2], [null]] }))).run()) out.push(...rows);
    expect(out).toEqual([[3]]);
  });

  it('compiles expressions and folds constants', () => {
    const env = testEnv(new MemorySource({}));
    expect(compileExpr(add(col(0), lit(1)), env)([41])).toBe(42);
    expect(evaluateConstant(add(lit(2), lit(3)), env)).toBe(5);
  });

  it('refuses subqueries outside a query run', () => {
    const env = testEnv(new MemorySource({}));
    const sub = { kind: 'subquery', type: INT, mode: 'scalar', plan: scanNode(1, [INT]), correlated: false } as const;
    expect(() => compileExpr(sub, env)).toThrow(/not supported/);
  });
});
