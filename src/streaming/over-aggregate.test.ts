import { describe, expect, it } from 'vitest';
import { BIGINT, INT, STRING, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import { formatChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { AggregateFunctionName, WindowCall, WindowNode } from '../planner/logical-plan.ts';
import { overAggregationOf, overAggregationRefusal } from '../planner/over-aggregation.ts';
import { changelogMode } from '../planner/changelog-mode.ts';
import { col, scanNode } from '../compiler/plan.test-helpers.ts';
import { changelogChunk } from './changelog.ts';
import { incrementalAccumulatorFactory } from './group-accumulation.ts';
import type { IncrementalAggregateCall } from './incremental-aggregate.ts';
import { OverAggregate, type OverAggregateSpec } from './over-aggregate.ts';
import { runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { prng } from './streaming.test-helpers.ts';
import { MAX_WATERMARK } from './dataflow.ts';

const TS = timestamp(3);
const MIN = 60_000_000;
const HOUR = 60 * MIN;
/** Input rows: (id INT, product STRING, amount INT, t TIMESTAMP). */
const TYPES: SqlType[] = [INT, STRING, INT, TS];

const call = (fn: AggregateFunctionName, column?: number): IncrementalAggregateCall => {
  const argTypes = column === undefined ? [] : [TYPES[column]!];
  return {
    factory: incrementalAccumulatorFactory(fn, argTypes, fn === 'count' || fn === 'count_star' || fn === 'sum' ? BIGINT : INT),
    args: column === undefined ? [] : [(r) => r[column] ?? null],
    argColumn: column,
    argTypes,
    filter: undefined,
    distinct: false,
    skipNulls: fn !== 'count_star',
    resultType: INT,
  };
};

const spec = (units: 'ROWS' | 'RANGE', preceding: number, calls = [call('sum', 2)], eager = false): OverAggregateSpec => ({
  partition: [(r) => r[1] ?? null],
  partitionTypes: [STRING],
  timeColumn: 3,
  timeType: TS,
  units,
  preceding,
  calls,
  types: TYPES,
  eager,
});

const inserts = (rows: Row[]): Chunk => changelogChunk(rows, rows.map(() => RowKind.INSERT));
/** Output rows as "id:aggregates" (the time and amount left out). */
const short = (chunks: Chunk[]): string[] => chunks.flatMap((c) => c.rows.map((r) => `${String(r[0])}:${r.slice(4).map(String).join(',')}`));
const at = (h: number, m = 0): number => h * HOUR + m * MIN;

describe('OverAggregate (event time)', () => {
  it('sums the last hour per product, in time order once the watermark passes, peers together', () => {
    const op = new OverAggregate(spec('RANGE', HOUR));
    // Out of order within the watermark: 10:30 arrives before 10:00.
    expect(short(op.push(0, inserts([[2, 'a', 20, at(10, 30)], [1, 'a', 10, at(10)], [3, 'b', 5, at(10, 40)]])))).toEqual([]);
    expect(short(op.watermark(at(10, 39)))).toEqual(['1:10', '2:30']);
    // Two rows at 11:00 are peers: each sees the other; 10:00 is exactly an hour before (inclusive).
    op.push(0, inserts([[4, 'a', 1, at(11)], [5, 'a', 2, at(11)], [6, 'a', 100, at(12)]]));
    expect(short(op.watermark(at(11, 59)))).toEqual(['3:5', '4:33', '5:33']);
    // At 12:00 the rows of 10:00 and 10:30 have left the frame.
    expect(short(op.watermark(MAX_WATERMARK))).toEqual(['6:103']);
  });

  it('drops late rows and counts them', () => {
    const op = new OverAggregate(spec('RANGE', HOUR));
    op.push(0, inserts([[1, 'a', 10, at(10)]]));
    expect(short(op.watermark(at(10)))).toEqual(['1:10']);
    expect(short(op.push(0, inserts([[2, 'a', 1, at(10)], [3, 'a', 1, at(9)], [4, 'a', 7, at(10, 1)], [5, 'a', 1, null]])))).toEqual([]);
    expect(op.lateRows).toBe(2);
    expect(short(op.watermark(at(11)))).toEqual(['4:17']);
  });

  it('ROWS BETWEEN 2 PRECEDING: the row and the two before it, equal times in arrival order', () => {
    const op = new OverAggregate(spec('ROWS', 2, [call('sum', 2), call('count_star'), call('max', 2)]));
    op.push(0, inserts([[1, 'a', 1, at(1)], [2, 'a', 2, at(2)], [3, 'a', 30, at(2)], [4, 'a', 4, at(3)], [5, 'b', 5, at(1)], [6, 'a', 8, at(4)]]));
    expect(short(op.watermark(at(5)))).toEqual(['1:1,1,1', '5:5,1,5', '2:3,2,2', '3:33,3,30', '4:36,3,30', '6:42,3,30']);
    op.push(0, inserts([[7, 'a', 1, at(6)]]));
    expect(short(op.watermark(at(6)))).toEqual(['7:13,3,8']);
  });

  it('UNBOUNDED PRECEDING keeps running aggregates and no frame rows', () => {
    const op = new OverAggregate(spec('RANGE', Infinity, [call('sum', 2), call('min', 2)]));
    op.push(0, inserts([[1, 'a', 5, at(1)], [2, 'a', 3, at(1)], [3, 'a', 9, at(2)]]));
    expect(short(op.watermark(at(3)))).toEqual(['1:8,3', '2:8,3', '3:17,3']);
  });

  it('takes a retracted row back while it waits; a retraction of a processed row is dropped and counted', () => {
    const op = new OverAggregate(spec('RANGE', HOUR));
    op.push(0, inserts([[1, 'a', 10, at(10)], [2, 'a', 20, at(10, 10)]]));
    op.push(0, changelogChunk([[2, 'a', 20, at(10, 10)]], [RowKind.DELETE]));
    expect(short(op.watermark(at(10, 30)))).toEqual(['1:10']);
    expect(op.push(0, changelogChunk([[1, 'a', 10, at(10)]], [RowKind.DELETE]))).toEqual([]);
    expect(op.lateRows).toBe(1);
    expect(() => op.push(0, changelogChunk([[9, 'a', 1, at(11)]], [RowKind.DELETE]))).toThrow(/broken changelog/);
  });

  it('recomputes over the frame when an aggregate cannot take rows back', () => {
    const withoutRemove: IncrementalAggregateCall = {
      ...call('sum', 2),
      factory: () => {
        const a = call('sum', 2).factory();
        return { add: (v) => a.add(v), result: () => a.result(), save: () => a.save(), load: (s) => a.load(s) };
      },
    };
    const op = new OverAggregate(spec('ROWS', 1, [withoutRemove]));
    op.push(0, inserts([[1, 'a', 1, at(1)], [2, 'a', 2, at(2)], [3, 'a', 4, at(3)]]));
    expect(short(op.watermark(at(3)))).toEqual(['1:1', '2:3', '3:6']);
  });

  it('equals a batch recompute of every frame for random input and watermarks', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rnd = prng(seed);
      const units = seed % 2 === 0 ? 'ROWS' : 'RANGE';
      const preceding = units === 'ROWS' ? rnd(4) : rnd(3) * 10 * MIN;
      const op = new OverAggregate(spec(units, preceding, [call('sum', 2), call('min', 2), call('count', 2)]));
      const accepted: Row[] = [];
      const emitted: string[] = [];
      let wm = 0;
      let delivered = Number.NEGATIVE_INFINITY;
      let id = 0;
      for (let step = 0; step < 30; step++) {
        const rows: Row[] = [];
        for (let n = rnd(4); n > 0; n--) {
          const row: Row = [id++, 'ab'[rnd(2)]!, rnd(5) === 0 ? null : rnd(20), wm + rnd(6) * 5 * MIN - 10 * MIN];
          rows.push(row);
          if ((row[3] as number) > delivered) accepted.push(row);
        }
        emitted.push(...short(op.push(0, inserts(rows))));
        wm += rnd(3) * 5 * MIN;
        emitted.push(...short(op.watermark(wm)));
        delivered = Math.max(delivered, wm);
      }
      emitted.push(...short(op.watermark(MAX_WATERMARK)));
      // Batch: per row, the rows of its partition in (time, arrival) order up to it (RANGE: with its peers).
      const order = [...accepted].sort((x, y) => (x[3] as number) - (y[3] as number));
      const expected = order.map((r) => {
        const part = order.filter((x) => x[1] === r[1]);
        const i = part.indexOf(r);
        const t = r[3] as number;
        const frame = units === 'ROWS' ? part.slice(Math.max(0, i - preceding), i + 1) : part.filter((x) => (x[3] as number) <= t && (x[3] as number) >= t - preceding);
        const vals = frame.map((x) => x[2]).filter((v): v is number => v !== null);
        const sum = vals.length === 0 ? 'null' : String(BigInt(vals.reduce((a, b) => a + b, 0)));
        const min = vals.length === 0 ? 'null' : String(Math.min(...vals));
        return `${String(r[0])}:${sum},${min},${vals.length}`;
      });
      expect([...emitted].sort(), `seed ${seed}`).toEqual([...expected].sort());
    }
  });

  it('continues the same after a restore from its state', () => {
    const rows = (base: number): Row[] => [[base, 'a', base, at(base)], [base + 1, 'b', 2, at(base, 30)], [base + 2, 'a', 3, at(base + 1)]];
    const steps: Step[] = [
      { input: 0, chunk: inserts(rows(1)) },
      { watermark: at(1, 40) },
      { input: 0, chunk: inserts(rows(3)) },
      { watermark: at(3) },
      { input: 0, chunk: inserts(rows(5)) },
      { watermark: at(6) },
    ];
    for (const s of [spec('ROWS', 1, [call('sum', 2), call('max', 2)]), spec('RANGE', 90 * MIN), spec('RANGE', Infinity)]) {
      const r = runAcrossRestore((state) => new OverAggregate(s, state), steps, 3);
      expect(r.entries).toBeGreaterThan(0);
      expect(r.unclaimed).toEqual([]);
      expect(r.replayed).toEqual([]);
      expect(r.restored).toEqual(r.uninterrupted);
      expect(r.uninterrupted.length).toBeGreaterThan(3);
    }
  });
});

describe('OverAggregate (processing time)', () => {
  it('processes each chunk as it arrives, rows of one chunk with equal times as peers', () => {
    const op = new OverAggregate(spec('RANGE', HOUR, [call('sum', 2)], true));
    expect(op.push(0, inserts([[1, 'a', 1, at(1)], [2, 'a', 2, at(1)]])).map(formatChunk)).toEqual([`+I 1 a 1 ${at(1)} 3\n+I 2 a 2 ${at(1)} 3`]);
    expect(short(op.push(0, inserts([[3, 'a', 4, at(2)]])))).toEqual(['3:7']);
    expect(short(op.push(0, inserts([[4, 'a', 8, at(3)]])))).toEqual(['4:12']);
    expect(op.lateRows).toBe(0);
  });
});

describe('overAggregationOf', () => {
  const input = scanNode(1, TYPES, { unbounded: true });
  const over = (fn: WindowCall['fn'], frame: WindowCall['frame'], orderDesc = false, partition = 1): WindowCall => ({
    fn,
    args: [col(2, INT)],
    partitionBy: [col(partition, STRING)],
    orderBy: [{ expr: col(3, TS), desc: orderDesc, nullsFirst: false }],
    type: BIGINT,
    ...(frame === undefined ? {} : { frame }),
  });
  const windowOf = (...calls: WindowCall[]): WindowNode => ({
    kind: 'window',
    input,
    calls,
    schema: [...input.schema, ...calls.map((c, i) => ({ name: `c${i}`, type: c.type, nullable: true }))],
  });
  const hour = { units: 'RANGE', start: { kind: 'preceding', offset: HOUR }, end: { kind: 'current' } } as const;

  it('recognises aggregates over one window ending at the current row', () => {
    const o = overAggregationOf(windowOf(over('sum', hour), over('count', hour)));
    expect(o).toMatchObject({ timeColumn: 3, units: 'RANGE', preceding: HOUR });
    expect(overAggregationOf(windowOf(over('max', undefined)))).toMatchObject({ units: 'RANGE', preceding: Infinity });
    expect(overAggregationOf(windowOf(over('max', { units: 'ROWS', start: { kind: 'preceding', offset: 10n }, end: { kind: 'current' } })))).toMatchObject({ units: 'ROWS', preceding: 10 });
  });

  it('refuses different windows, descending time, frames past the current row and ranking functions', () => {
    expect(overAggregationRefusal(windowOf(over('sum', hour), over('count', undefined)))?.message).toMatch(/different windows/);
    expect(overAggregationRefusal(windowOf(over('sum', hour), over('sum', hour, false, 0)))?.message).toMatch(/different windows/);
    expect(overAggregationRefusal(windowOf(over('sum', hour, true)))?.message).toMatch(/descending/);
    expect(overAggregationRefusal(windowOf(over('sum', { units: 'ROWS', start: { kind: 'preceding', offset: 1 }, end: { kind: 'following', offset: 1 } })))?.message).toMatch(/CURRENT ROW/);
    expect(overAggregationRefusal(windowOf(over('lag', undefined)))?.message).toMatch(/lag/);
    expect(overAggregationRefusal(windowOf(over('sum', hour)))).toBeUndefined();
  });

  it('makes the window append-only; other OVER over endless input retracts', () => {
    expect(changelogMode(windowOf(over('sum', hour)))).toBe('insert-only');
    expect(changelogMode(windowOf(over('lag', undefined)))).toBe('retract');
    expect(changelogMode(windowOf(over('sum', hour), over('count', undefined)))).toBe('retract');
  });
});
