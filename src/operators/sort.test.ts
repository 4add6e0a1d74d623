import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import type { LogicalPlan, SortKey } from '../planner/logical-plan.ts';
import { col, runPlan, scanNode } from '../compiler/plan.test-helpers.ts';

const t = scanNode(1, [INT, STRING]);
const sort = (keys: SortKey[]): LogicalPlan => ({ kind: 'sort', input: t, keys, schema: t.schema });
const rows: Row[] = [
  [2, 'a'],
  [null, 'b'],
  [1, 'c'],
  [2, 'd'],
  [1, 'e'],
  [null, 'f'],
];

describe('sort', () => {
  it('sorts ascending with NULLS LAST, keeping ties in input order', async () => {
    const out = await runPlan(sort([{ expr: col(0), desc: false, nullsFirst: false }]), { 1: rows });
    expect(out.map((r) => r[1])).toEqual(['c', 'e', 'a', 'd', 'b', 'f']);
  });

  it('sorts descending with NULLS FIRST', async () => {
    const out = await runPlan(sort([{ expr: col(0), desc: true, nullsFirst: true }]), { 1: rows });
    expect(out.map((r) => r[1])).toEqual(['b', 'f', 'a', 'd', 'c', 'e']);
  });

  it('honours explicit NULL placement and secondary keys', async () => {
    const out = await runPlan(
      sort([
        { expr: col(0), desc: false, nullsFirst: true },
        { expr: col(1, STRING), desc: true, nullsFirst: false },
      ]),
      { 1: rows },
    );
    expect(out.map((r) => r[1])).toEqual(['f', 'b', 'e', 'c', 'd', 'a']);
  });

  it('is stable on large inputs spanning several chunks', async () => {
    const big: Row[] = Array.from({ length: 3000 }, (_, i) => [i % 3, String(i).padStart(5, '0')]);
    const out = await runPlan(sort([{ expr: col(0), desc: false, nullsFirst: false }]), { 1: big });
    expect(out).toHaveLength(3000);
    for (let i = 1; i < out.length; i++) {
      const [a, b] = [out[i - 1]!, out[i]!];
      expect((a[0] as number) < (b[0] as number) || (a[0] === b[0] && (a[1] as string) < (b[1] as string))).toBe(true);
    }
  });

  it('sorts empty input', async () => {
    expect(await runPlan(sort([{ expr: col(0), desc: false, nullsFirst: false }]), { 1: [] })).toEqual([]);
  });
});
