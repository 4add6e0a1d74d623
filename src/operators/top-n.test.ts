import { describe, expect, it } from 'vitest';
import { INT, type Row } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { col, lit, runPlan, scanNode } from '../compiler/plan.test-helpers.ts';

const t = scanNode(1, [INT, INT]);

function topN(limit: BoundExpr | undefined, offset: BoundExpr | undefined, desc: boolean): LogicalPlan {
  const sort: LogicalPlan = { kind: 'sort', input: t, keys: [{ expr: col(0), desc, nullsFirst: desc }], schema: t.schema };
  return {
    kind: 'limit',
    input: sort,
    ...(limit !== undefined ? { limit } : {}),
    ...(offset !== undefined ? { offset } : {}),
    schema: t.schema,
  };
}

describe('ORDER BY ... LIMIT (top-n)', () => {
  it('equals a full sort followed by limit/offset on random inputs, ties in input order', async () => {
    let s = 7;
    const r = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    for (let trial = 0; trial < 20; trial++) {
      const rows: Row[] = Array.from({ length: Math.floor(r() * 5000) }, (_, i) => [r() < 0.1 ? null : Math.floor(r() * 50), i]);
      const n = Math.floor(r() * 40);
      const m = Math.floor(r() * 10);
      for (const desc of [false, true]) {
        const full = await runPlan({ kind: 'sort', input: t, keys: [{ expr: col(0), desc, nullsFirst: desc }], schema: t.schema }, { 1: rows });
        const got = await runPlan(topN(lit(n), lit(m), desc), { 1: rows });
        expect(got).toEqual(full.slice(m, m + n));
      }
    }
  });

  it('handles NULL limit, LIMIT 0 and negative values', async () => {
    const rows: Row[] = [[3, 0], [1, 1], [2, 2]];
    expect((await runPlan(topN(lit(null), lit(1), false), { 1: rows })).map((x) => x[0])).toEqual([2, 3]);
    expect(await runPlan(topN(lit(0), undefined, false), { 1: rows })).toEqual([]);
    await expect(runPlan(topN(lit(-2), undefined, false), { 1: rows })).rejects.toMatchObject({ code: '2201W' });
  });
});
