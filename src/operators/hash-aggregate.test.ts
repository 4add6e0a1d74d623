import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, STRING, arrayOf, type Row } from '../../catalog/types.ts';
import type { AggregateCall, LogicalPlan } from '../planner/logical-plan.ts';
import { asc, col, desc, gt, lit, runPlan, scanNode, schemaOf } from '../compiler/plan.test-helpers.ts';

// t(g, v, s)
const t = scanNode(1, [INT, INT, STRING]);
const rows: Row[] = [
  [1, 10, 'a'],
  [2, 5, 'b'],
  [1, null, 'c'],
  [null, 7, 'd'],
  [1, 10, 'e'],
  [null, 1, null],
];

function agg(fn: AggregateCall['fn'], args: AggregateCall['args'], extra: Partial<AggregateCall> = {}): AggregateCall {
  return { fn, args, distinct: false, orderBy: [], type: fn.startsWith('count') ? BIGINT : INT, ...extra };
}

function aggregate(groupKeys: readonly number[], aggregates: AggregateCall[]): LogicalPlan {
  return {
    kind: 'aggregate',
    input: t,
    groupKeys: groupKeys.map((k) => col(k)),
    aggregates,
    schema: schemaOf([...groupKeys.map(() => INT), ...aggregates.map((a) => a.type)]),
  };
}

describe('hash aggregate', () => {
  it('groups with NULL keys together, skipping NULL inputs', async () => {
    const out = await runPlan(aggregate([0], [agg('count_star', []), agg('count', [col(1)]), agg('sum', [col(1)]), agg('min', [col(1)])]), { 1: rows });
    expect(out).toEqual([
      [1, 3n, 2n, 20, 10],
      [2, 1n, 1n, 5, 5],
      [null, 2n, 2n, 8, 1],
    ]);
  });

  it('yields one row for a keyless aggregate over empty input, and none with keys', async () => {
    expect(await runPlan(aggregate([], [agg('count_star', []), agg('sum', [col(1)])]), { 1: [] })).toEqual([[0n, null]]);
    expect(await runPlan(aggregate([0], [agg('count_star', [])]), { 1: [] })).toEqual([]);
  });

  it('supports DISTINCT aggregates', async () => {
    const out = await runPlan(aggregate([0], [agg('count', [col(1)], { distinct: true }), agg('sum', [col(1)], { distinct: true })]), { 1: rows });
    expect(out).toEqual([
      [1, 1n, 10],
      [2, 1n, 5],
      [null, 2n, 8],
    ]);
  });

  it('supports FILTER (WHERE)', async () => {
    const out = await runPlan(aggregate([], [agg('count_star', [], { filter: gt(col(1), lit(5)) }), agg('sum', [col(1)], { filter: lit(null, BOOLEAN) })]), { 1: rows });
    expect(out).toEqual([[3n, null]]);
  });

  it('feeds ordered string_agg / array_agg in ORDER BY order (stable)', async () => {
    const out = await runPlan(
      aggregate(
        [0],
        [
          agg('string_agg', [col(2, STRING), lit(',', STRING)], { type: STRING, orderBy: [desc(col(1))] }),
          agg('array_agg', [col(1)], { type: arrayOf(INT), orderBy: [asc(col(1))] }),
        ],
      ),
      { 1: rows },
    );
    expect(out).toEqual([
      [1, 'c,a,e', [10, 10, null]],
      [2, 'b', [5]],
      [null, 'd', [1, 7]],
    ]);
  });

  it('groups on several keys with duplicates', async () => {
    const out = await runPlan(aggregate([0, 1], [agg('count_star', [])]), { 1: rows });
    expect(out).toEqual([
      [1, 10, 2n],
      [2, 5, 1n],
      [1, null, 1n],
      [null, 7, 1n],
      [null, 1, 1n],
    ]);
  });
});

describe('hash aggregate matches a reference on random inputs', () => {
  it('count / sum / min / max / count distinct by group', async () => {
    let s = 12345;
    const r = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    for (let trial = 0; trial < 40; trial++) {
      const input: Row[] = Array.from({ length: Math.floor(r() * 30) }, () => [
        r() < 0.2 ? null : Math.floor(r() * 4),
        r() < 0.2 ? null : Math.floor(r() * 6),
        'x',
      ]);
      const groups = new Map<number | null, (number | null)[]>();
      for (const row of input) {
        const g = row[0] as number | null;
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g)!.push(row[1] as number | null);
      }
      const expected = [...groups.entries()].map(([g, vs]) => {
        const nn = vs.filter((v): v is number => v !== null);
        return [
          g,
          BigInt(vs.length),
          BigInt(nn.length),
          nn.length === 0 ? null : nn.reduce((a, b) => a + b, 0),
          nn.length === 0 ? null : Math.min(...nn),
          nn.length === 0 ? null : Math.max(...nn),
          BigInt(new Set(nn).size),
        ];
      });
      const out = await runPlan(
        aggregate(
          [0],
          [
            agg('count_star', []),
            agg('count', [col(1)]),
            agg('sum', [col(1)]),
            agg('min', [col(1)]),
            agg('max', [col(1)]),
            agg('count', [col(1)], { distinct: true }),
          ],
        ),
        { 1: input },
      );
      expect(out).toEqual(expected);
    }
  });
});
