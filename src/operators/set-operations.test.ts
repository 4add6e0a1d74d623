import { describe, expect, it } from 'vitest';
import { INT, type Row, type Value } from '../../catalog/types.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { runPlan, scanNode } from '../compiler/plan.test-helpers.ts';

const a = scanNode(1, [INT]);
const b = scanNode(2, [INT]);
const A: Row[] = [[1], [1], [1], [2], [null], [null], [3]];
const B: Row[] = [[1], [1], [null], [4]];
const vals = (rows: Row[]): Value[] => rows.map((r) => r[0] ?? null);

const setOp = (op: 'INTERSECT' | 'EXCEPT', all: boolean): LogicalPlan => ({ kind: 'set-op', op, all, left: a, right: b, schema: a.schema });

describe('set operations', () => {
  it('INTERSECT / INTERSECT ALL', async () => {
    expect(vals(await runPlan(setOp('INTERSECT', false), { 1: A, 2: B }))).toEqual([1, null]);
    expect(vals(await runPlan(setOp('INTERSECT', true), { 1: A, 2: B }))).toEqual([1, 1, null]);
  });

  it('EXCEPT / EXCEPT ALL', async () => {
    expect(vals(await runPlan(setOp('EXCEPT', false), { 1: A, 2: B }))).toEqual([2, 3]);
    expect(vals(await runPlan(setOp('EXCEPT', true), { 1: A, 2: B }))).toEqual([1, 2, null, 3]);
  });

  it('handles empty inputs', async () => {
    expect(await runPlan(setOp('INTERSECT', true), { 1: A, 2: [] })).toEqual([]);
    expect(vals(await runPlan(setOp('EXCEPT', false), { 1: A, 2: [] }))).toEqual([1, 2, null, 3]);
    expect(await runPlan(setOp('EXCEPT', true), { 1: [], 2: B })).toEqual([]);
  });

  it('DISTINCT removes duplicates with NULLs equal', async () => {
    expect(vals(await runPlan({ kind: 'distinct', input: a, schema: a.schema }, { 1: A }))).toEqual([1, 2, null, 3]);
    expect(await runPlan({ kind: 'distinct', input: a, schema: a.schema }, { 1: [] })).toEqual([]);
  });

  it('UNION ALL concatenates', async () => {
    const plan: LogicalPlan = { kind: 'union', inputs: [a, b, a], schema: a.schema };
    expect(vals(await runPlan(plan, { 1: [[1], [null]], 2: [] }))).toEqual([1, null, 1, null]);
  });
});
