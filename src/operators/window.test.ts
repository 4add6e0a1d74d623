import { describe, expect, it } from 'vitest';
import { BIGINT, DOUBLE, INT, STRING, type Row, type Value } from '../../catalog/types.ts';
import type { LogicalPlan, WindowCall } from '../planner/logical-plan.ts';
import { asc, col, lit, runPlan, scanNode, schemaOf } from '../compiler/plan.test-helpers.ts';

// t(p, o, v)
const t = scanNode(1, [STRING, INT, INT]);
const rows: Row[] = [
  ['a', 1, 10],
  ['b', 1, 5],
  ['a', 2, 20],
  ['a', 2, 30],
  ['a', 3, null],
  ['b', 4, 7],
];

function wcall(fn: WindowCall['fn'], args: WindowCall['args'], extra: Partial<WindowCall> = {}): WindowCall {
  return { fn, args, partitionBy: [col(0, STRING)], orderBy: [asc(col(1))], type: BIGINT, ...extra };
}

async function windowed(calls: WindowCall[], input: Row[] = rows): Promise<Value[][]> {
  const plan: LogicalPlan = { kind: 'window', input: t, calls, schema: schemaOf([STRING, INT, INT, ...calls.map((c) => c.type)]) };
  const out = await runPlan(plan, { 1: input });
  // Back to input order for readable expectations.
  return out.sort((x, y) => rows.findIndex((r) => r.every((v, i) => v === x[i])) - rows.findIndex((r) => r.every((v, i) => v === y[i]))).map((r) => r.slice(3));
}

describe('window functions', () => {
  it('ranks within partitions', async () => {
    const out = await windowed([wcall('row_number', []), wcall('rank', []), wcall('dense_rank', [])]);
    expect(out).toEqual([
      [1n, 1n, 1n],
      [1n, 1n, 1n],
      [2n, 2n, 2n],
      [3n, 2n, 2n],
      [4n, 4n, 3n],
      [2n, 2n, 2n],
    ]);
  });

  it('computes percent_rank, cume_dist and ntile', async () => {
    const out = await windowed([
      wcall('percent_rank', [], { type: DOUBLE }),
      wcall('cume_dist', [], { type: DOUBLE }),
      wcall('ntile', [lit(3)], { type: INT }),
    ]);
    expect(out).toEqual([
      [0, 0.25, 1],
      [0, 0.5, 1],
      [1 / 3, 0.75, 1],
      [1 / 3, 0.75, 2],
      [1, 1, 3],
      [1, 1, 2],
    ]);
  });

  it('computes lag and lead with offsets and defaults', async () => {
    const out = await windowed([
      wcall('lag', [col(2)], { type: INT }),
      wcall('lead', [col(2), lit(2), lit(-1)], { type: INT }),
    ]);
    expect(out).toEqual([
      [null, 30],
      [null, -1],
      [10, null],
      [20, -1],
      [30, -1],
      [5, -1],
    ]);
  });

  it('uses the default RANGE frame: peers are included', async () => {
    const out = await windowed([wcall('sum', [col(2)], { type: INT }), wcall('count_star', []), wcall('last_value', [col(2)], { type: INT })]);
    expect(out).toEqual([
      [10, 1n, 10],
      [5, 1n, 5],
      [60, 3n, 30],
      [60, 3n, 30],
      [60, 4n, null],
      [12, 2n, 7],
    ]);
  });

  it('uses the whole partition without ORDER BY', async () => {
    const out = await windowed([wcall('sum', [col(2)], { type: INT, orderBy: [] }), wcall('first_value', [col(2)], { type: INT, orderBy: [] })]);
    expect(out.map((r) => r[0])).toEqual([60, 12, 60, 60, 60, 12]);
  });

  it('supports ROWS frames with offsets (sliding, with and without remove)', async () => {
    const frame = { units: 'ROWS', start: { kind: 'preceding', offset: 1 }, end: { kind: 'following', offset: 1 } } as const;
    const out = await windowed([wcall('sum', [col(2)], { type: INT, frame }), wcall('max', [col(2)], { type: INT, frame })]);
    expect(out).toEqual([
      [30, 20],
      [12, 7],
      [60, 30],
      [50, 30],
      [30, 30],
      [12, 7],
    ]);
  });

  it('supports RANGE frames with offsets', async () => {
    const frame = { units: 'RANGE', start: { kind: 'preceding', offset: 1 }, end: { kind: 'current' } } as const;
    const out = await windowed([wcall('sum', [col(2)], { type: INT, frame })]);
    expect(out.map((r) => r[0])).toEqual([10, 5, 60, 60, 50, 7]);
  });

  it('handles empty input', async () => {
    expect(await windowed([wcall('row_number', [])], [])).toEqual([]);
  });
});

describe('window frames in descending order', () => {
  it('RANGE offsets follow the ORDER BY direction', async () => {
    const frame = { units: 'RANGE', start: { kind: 'preceding', offset: 1 }, end: { kind: 'current' } } as const;
    const out = await windowed([wcall('sum', [col(2)], { type: INT, frame, orderBy: [{ expr: col(1), desc: true, nullsFirst: true }] })]);
    // Partition a in order o = 3, 2, 2, 1: "1 preceding" means o up to one above the current.
    expect(out.map((r) => r[0])).toEqual([60, 5, 50, 50, null, 7]);
  });

  it('ROWS UNBOUNDED PRECEDING .. CURRENT ROW gives running totals', async () => {
    const frame = { units: 'ROWS', start: { kind: 'unbounded' }, end: { kind: 'current' } } as const;
    const out = await windowed([wcall('sum', [col(2)], { type: INT, frame })]);
    expect(out.map((r) => r[0])).toEqual([10, 5, 30, 60, 60, 12]);
  });
});
