import { describe, expect, it } from 'vitest';
import { BIGINT, INT, type Row } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { MemorySource, lit, param, runPlan, scanNode } from '../compiler/plan.test-helpers.ts';

const t = scanNode(1, [INT]);
const rows: Row[] = Array.from({ length: 10 }, (_, i) => [i]);
const limit = (l?: BoundExpr, o?: BoundExpr): LogicalPlan => ({
  kind: 'limit',
  input: t,
  ...(l !== undefined ? { limit: l } : {}),
  ...(o !== undefined ? { offset: o } : {}),
  schema: t.schema,
});

describe('limit / offset', () => {
  it('applies limit and offset across chunks', async () => {
    expect((await runPlan(limit(lit(3), lit(4)), { 1: rows })).map((r) => r[0])).toEqual([4, 5, 6]);
    expect((await runPlan(limit(undefined, lit(8)), { 1: rows })).map((r) => r[0])).toEqual([8, 9]);
    expect((await runPlan(limit(lit(20n, BIGINT)), { 1: rows })).length).toBe(10);
    expect(await runPlan(limit(lit(3), lit(20)), { 1: rows })).toEqual([]);
  });

  it('treats NULL as no limit and takes parameters', async () => {
    expect((await runPlan(limit(lit(null)), { 1: rows })).length).toBe(10);
    expect((await runPlan(limit(param(0)), { 1: rows }, { params: [2] })).map((r) => r[0])).toEqual([0, 1]);
  });

  it('does not read the input for LIMIT 0', async () => {
    const source = new MemorySource({ 1: rows });
    expect(await runPlan(limit(lit(0)), source)).toEqual([]);
    expect(source.opened).toBe(0);
  });

  it('rejects negative values', async () => {
    await expect(runPlan(limit(lit(-1)), { 1: rows })).rejects.toMatchObject({ code: '2201W', message: 'LIMIT must not be negative' });
    await expect(runPlan(limit(undefined, lit(-1)), { 1: rows })).rejects.toMatchObject({ code: '2201X', message: 'OFFSET must not be negative' });
  });
});
