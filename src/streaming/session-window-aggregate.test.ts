import { describe, expect, it } from 'vitest';
import { BIGINT, INT, STRING, timestamp, timestampLtz, type Row, type SqlType } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import type { AggregateCall, AggregateNode, FilterNode, ProjectNode, WindowTvfNode } from '../planner/logical-plan.ts';
import { col, fakeTableFunctions, gt, lit, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { changelogChunk } from './changelog.ts';
import { sessionWindowAggregateOf, type SessionState } from './session-window-aggregate.ts';
import { RecordingStateProvider, randomChangelog, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { MemoryStateTable } from './state-table.ts';
import { prng, canon } from './streaming.test-helpers.ts';
import { expectRescaledEqual, misrouted, runRescaled } from './key-groups.test-helpers.ts';

const TS: SqlType = timestamp(3);
const MIN = 60_000_000;
const SEC = 1_000_000;
const at = (minutes: number) => minutes * MIN;
const hhmm = (us: number) => {
  const m = Math.floor(us / MIN);
  const rest = us - m * MIN;
  return `${String(8 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}${rest === 0 ? '' : `+${rest}`}`;
};

const TABLE = 1;
// Bid(bidtime TIMESTAMP(3), price INT, item STRING); times are minutes after 08:00
const scan = scanNode(TABLE, [TS, INT, STRING]);
const session = (gap: number, partitionBy: BoundExpr[] = []): WindowTvfNode => ({
  kind: 'window-tvf',
  input: scan,
  fn: 'SESSION',
  timeCol: col(0, TS),
  partitionBy,
  size: gap,
  slide: gap,
  offset: 0,
  schema: schemaOf([TS, INT, STRING, TS, TS, TS]),
});
const sum = (arg: BoundExpr, more: Partial<AggregateCall> = {}): AggregateCall => ({ fn: 'sum', args: [arg], distinct: false, orderBy: [], type: INT, ...more });
function aggregate(input: AggregateNode['input'], groupKeys: BoundExpr[], calls: AggregateCall[]): AggregateNode {
  return { kind: 'aggregate', input, groupKeys, aggregates: calls, schema: schemaOf([...groupKeys.map((k) => k.type), ...calls.map((c) => c.type)]) };
}

const env = testEnv(new MemorySource({}));
const bid = (m: number, price: number, item: string): Row => [at(m), price, item];
const show = (chunks: Chunk[]) =>
  chunks
    .flatMap((c) => c.rows.map((r) => ['+I', ...r.map((v, j) => (j < 2 ? hhmm(v as number) : String(v)))].join(' ')))
    .join('\n');

/** Feeds rows one at a time, each followed by the watermark `bidtime - 1 s` (kept monotonic), then the final one. */
function run(node: AggregateNode, tvf: WindowTvfNode, rows: Row[]): string[] {
  const op = sessionWindowAggregateOf(node, tvf, env);
  const log: string[] = [];
  let wm = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    expect(op.push(0, { rows: [r], kinds: null })).toEqual([]);
    wm = Math.max(wm, (r[0] as number) - SEC);
    const s = show(op.watermark(wm));
    if (s !== '') log.push(`${hhmm(r[0] as number)}: ${s.replaceAll('\n', ', ')}`);
  }
  log.push(`end: ${show(op.watermark(Number.MAX_SAFE_INTEGER)).replaceAll('\n', ', ')}`);
  expect(op.lateRows).toBe(0);
  return log;
}

// §2.6: out-of-order input
const SESSION_BIDS = [bid(7, 4, 'A'), bid(6, 2, 'A'), bid(9, 5, 'B'), bid(8, 3, 'A'), bid(17, 1, 'B')];
// §2.8: window-agg example (supplier in the item column)
const AGG_BIDS = [bid(5, 4, 's1'), bid(7, 2, 's1'), bid(9, 5, 's2'), bid(11, 3, 's2'), bid(13, 1, 's1'), bid(17, 6, 's2')];

describe('SessionWindowAggregate', () => {
  it('documented example: SESSION PARTITION BY item, gap 5 min, SUM(price)', () => {
    const tvf = session(5 * MIN, [col(2, STRING)]);
    // GROUP BY item, window_start, window_end; SELECT window_start, window_end, item, ...
    const node = aggregate(tvf, [col(3, TS), col(4, TS), col(2, STRING)], [sum(col(1))]);
    expect(run(node, tvf, SESSION_BIDS)).toEqual(['08:17: +I 08:06 08:13 A 9, +I 08:09 08:14 B 5', 'end: +I 08:17 08:22 B 1']);
  });

  it('documented example: SESSION without partition, gap 5 min', () => {
    const tvf = session(5 * MIN);
    const node = aggregate(tvf, [col(3, TS), col(4, TS)], [sum(col(1))]);
    expect(run(node, tvf, SESSION_BIDS)).toEqual(['08:17: +I 08:06 08:14 14', 'end: +I 08:17 08:22 1']);
  });

  it('window-agg example: sessions that only touch merge (gap 2 min)', () => {
    const byPartition = session(2 * MIN, [col(2, STRING)]);
    expect(run(aggregate(byPartition, [col(3, TS), col(4, TS), col(2, STRING)], [sum(col(1))]), byPartition, AGG_BIDS)).toEqual([
      '08:11: +I 08:05 08:09 s1 6',
      '08:17: +I 08:09 08:13 s2 8, +I 08:13 08:15 s1 1',
      'end: +I 08:17 08:19 s2 6',
    ]);
    const whole = session(2 * MIN);
    expect(run(aggregate(whole, [col(3, TS), col(4, TS)], [sum(col(1))]), whole, AGG_BIDS)).toEqual(['08:17: +I 08:05 08:15 15', 'end: +I 08:17 08:19 6']);
  });

  it('a late-arriving (but not late) row bridges two sessions into one', () => {
    const tvf = session(5 * MIN);
    const op = sessionWindowAggregateOf(aggregate(tvf, [col(3, TS), col(4, TS)], [sum(col(1))]), tvf, env);
    op.push(0, { rows: [bid(0, 1, 'x'), bid(8, 2, 'x')], kinds: null });
    expect(op.watermark(at(2))).toEqual([]);
    op.push(0, { rows: [bid(4, 4, 'x')], kinds: null }); // [4, 9) overlaps [0, 5) and [8, 13)
    expect(op.watermark(at(12))).toEqual([]);
    expect(show(op.watermark(at(13) - 1000))).toBe('+I 08:00 08:13 7');
    expect(op.lateRows).toBe(0);
  });

  it('drops and counts late rows; a row older than the watermark still joins an open session', () => {
    const tvf = session(5 * MIN);
    const op = sessionWindowAggregateOf(aggregate(tvf, [col(3, TS), col(4, TS)], [sum(col(1))]), tvf, env);
    op.push(0, { rows: [bid(18, 1, 'x')], kinds: null });
    expect(op.watermark(at(20))).toEqual([]);
    op.push(0, { rows: [bid(10, 100, 'x'), bid(14, 2, 'x')], kinds: null }); // 08:10 alone fired at 08:14:59.999: late; 08:14 touches 08:18
    op.push(0, changelogChunk([bid(3, 1, 'x')], [RowKind.DELETE])); // retraction for a fired session: late
    expect(op.lateRows).toBe(2);
    expect(show(op.watermark(Number.MAX_SAFE_INTEGER))).toBe('+I 08:14 08:23 3');
  });

  it('retraction removes the row and splits the session it bridged', () => {
    const tvf = session(5 * MIN);
    const op = sessionWindowAggregateOf(aggregate(tvf, [col(3, TS), col(4, TS)], [sum(col(1)), { fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }]), tvf, env);
    op.push(0, { rows: [bid(0, 1, 'x'), bid(4, 2, 'x'), bid(8, 3, 'x'), bid(9, 4, 'x')], kinds: null });
    op.push(0, changelogChunk([bid(4, 2, 'x'), bid(9, 4, 'x'), bid(9, 5, 'x')], [RowKind.DELETE, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER]));
    expect(() => op.push(0, changelogChunk([bid(30, 1, 'x')], [RowKind.DELETE]))).toThrow(/does not hold/);
    expect(show(op.watermark(Number.MAX_SAFE_INTEGER))).toBe('+I 08:00 08:05 1 1\n+I 08:08 08:14 8 2');
  });

  it('evaluates projections and filters between the TVF and the aggregate, DISTINCT and FILTER calls', () => {
    const tvf = session(5 * MIN, [col(2, STRING)]);
    // WHERE price > 1, then SELECT item, window_start, window_end, price
    const filter: FilterNode = { kind: 'filter', input: tvf, predicate: gt(col(1), lit(1)), schema: tvf.schema };
    const project: ProjectNode = { kind: 'project', input: filter, exprs: [col(2, STRING), col(3, TS), col(4, TS), col(1)], schema: schemaOf([STRING, TS, TS, INT]) };
    const node = aggregate(project, [col(1, TS), col(2, TS), col(0, STRING)], [
      { fn: 'count', args: [col(3)], distinct: true, orderBy: [], type: BIGINT },
      sum(col(3), { filter: gt(col(3), lit(2)) }),
    ]);
    const op = sessionWindowAggregateOf(node, tvf, env);
    op.push(0, { rows: [bid(0, 2, 'a'), bid(1, 2, 'a'), bid(2, 3, 'a'), bid(3, 1, 'a'), bid(1, 7, 'b')], kinds: null });
    expect(show(op.watermark(Number.MAX_SAFE_INTEGER))).toBe('+I 08:01 08:06 b 1 7\n+I 08:00 08:08 a 2 3');
  });

  it('TIMESTAMP_LTZ: sessions in the zone wall clock, window_time an instant, fires by the instant', () => {
    const ltz = timestampLtz(3);
    const ltzScan = scanNode(TABLE, [ltz, INT, STRING]);
    const tvf: WindowTvfNode = { ...session(5 * MIN), input: ltzScan, timeCol: col(0, ltz), schema: schemaOf([ltz, INT, STRING, TS, TS, ltz]) };
    const node = aggregate(tvf, [col(3, TS), col(4, TS), col(5, ltz)], [sum(col(1))]);
    const zoned = testEnv(new MemorySource({}));
    const op = sessionWindowAggregateOf(node, tvf, { ...zoned, ctx: { ...zoned.ctx, timeZone: 'Asia/Shanghai' } });
    const H8 = 8 * 60 * MIN;
    op.push(0, { rows: [[at(0), 1, 'x'], [at(3), 2, 'x']], kinds: null });
    expect(op.watermark(at(8) - 1001)).toEqual([]);
    const out = op.watermark(at(8) - 1000);
    expect(out[0]?.rows).toEqual([[at(0) + H8, at(8) + H8, at(8) - 1000, 3]]);
  });

  it('keeps its state in the state tables and empties them when sessions fire', () => {
    const state = new RecordingStateProvider();
    const tvf = session(5 * MIN, [col(2, STRING)]);
    const op = sessionWindowAggregateOf(aggregate(tvf, [col(3, TS), col(4, TS), col(2, STRING)], [sum(col(1))]), tvf, env, state);
    const sessions = state.get<SessionState>('sessions');
    const timers = state.get<Uint8Array>('timers');
    op.push(0, { rows: SESSION_BIDS, kinds: null });
    expect([sessions.size, timers.size]).toEqual([3, 3]);
    op.watermark(at(14));
    expect([sessions.size, timers.size]).toEqual([1, 1]);
    op.watermark(Number.MAX_SAFE_INTEGER);
    expect([sessions.size, timers.size]).toEqual([0, 0]);
  });
});

const DEPS = { accumulators: createAccumulatorFactory, tableFunctions: fakeTableFunctions };

describe('SessionWindowAggregate equals the batch SESSION aggregation', () => {
  for (const [seed, partitioned] of [[1, true], [2, false], [3, true], [4, false]] as const) {
    it(`seed ${seed}, ${partitioned ? 'PARTITION BY item' : 'no partition'}, with deletions`, async () => {
      const rnd = prng(seed);
      const tvf = session(2 * MIN, partitioned ? [col(2, STRING)] : []);
      const calls: AggregateCall[] = [
        { fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT },
        sum(col(1)),
        { fn: 'max', args: [col(1)], distinct: false, orderBy: [], type: INT },
        { fn: 'count', args: [col(1)], distinct: true, orderBy: [], type: BIGINT },
      ];
      const node = aggregate(tvf, [col(3, TS), col(4, TS), col(2, STRING)], calls);
      const op = sessionWindowAggregateOf(node, tvf, env);
      const rows: Row[] = [];
      const emitted: Row[] = [];
      let maxTs = 0;
      let wm = Number.NEGATIVE_INFINITY;
      for (let step = 0; step < 150; step++) {
        const batch: Row[] = [];
        const kinds: number[] = [];
        for (let n = 1 + rnd(4); n > 0; n--) {
          const open = rows.filter((r) => r[0] !== null && (r[0] as number) > wm + 1000);
          if (open.length > 0 && rnd(5) === 0) {
            const victim = open[rnd(open.length)]!;
            rows.splice(rows.indexOf(victim), 1);
            batch.push(victim);
            kinds.push(RowKind.DELETE);
            continue;
          }
          // Whole milliseconds, more than 1 ms after the watermark: no row is late or touches a fired session.
          const lo = Number.isFinite(wm) ? wm / 1000 + 2 : 0;
          const ts = rnd(12) === 0 ? null : (lo + rnd(Math.max(1, (maxTs + 3 * MIN) / 1000 - lo))) * 1000;
          const r: Row = [ts, rnd(8) === 0 ? null : rnd(10), `k${rnd(3)}`];
          if (ts !== null) maxTs = Math.max(maxTs, ts);
          rows.push(r);
          batch.push(r);
          kinds.push(RowKind.INSERT);
        }
        op.push(0, changelogChunk(batch, kinds));
        if (rnd(3) === 0 && maxTs - 2 * MIN > wm) {
          wm = maxTs - 2 * MIN;
          for (const c of op.watermark(wm)) emitted.push(...c.rows);
        }
      }
      for (const c of op.watermark(Number.MAX_SAFE_INTEGER)) emitted.push(...c.rows);
      expect(op.lateRows).toBe(0);
      const want: Row[] = [];
      for await (const b of runQuery(node, testEnv(new MemorySource({ [TABLE]: rows }, 64)), DEPS).run()) want.push(...b);
      expect(want.length).toBeGreaterThan(10);
      expect(canon(emitted)).toEqual(canon(want));
    });
  }
});

describe('SessionWindowAggregate across a restore', () => {
  for (const seed of [21, 22]) {
    it(`continues exactly after its tables went through their codecs (seed ${seed})`, () => {
      const tvf = session(3 * MIN, [col(2, STRING)]);
      const node = aggregate(tvf, [col(3, TS), col(4, TS), col(2, STRING)], [
        sum(col(1)),
        { fn: 'count', args: [col(1)], distinct: true, orderBy: [], type: BIGINT },
        { fn: 'max', args: [col(1)], distinct: false, orderBy: [], type: INT },
      ]);
      const rnd = prng(seed);
      let now = at(0);
      const fresh = (): Row => {
        now += rnd(50) * SEC;
        return [now - rnd(5 * MIN), rnd(8) === 0 ? null : rnd(10), 'xyz'[rnd(3)]!];
      };
      const all: Step[] = [];
      let latest = Number.NEGATIVE_INFINITY;
      for (const chunk of randomChangelog(rnd, fresh, 90, 5)) {
        for (const r of chunk.rows) latest = Math.max(latest, (r[0] as number) + 5 * MIN);
        all.push({ input: 0, chunk }, { watermark: latest - 3 * MIN });
      }
      const r = runAcrossRestore((state) => sessionWindowAggregateOf(node, tvf, env, state), all, 91);
      expect(r.unclaimed).toEqual([]);
      expect(r.entries).toBeGreaterThan(2);
      expect(r.replayed).toEqual([]);
      expect(r.restored.length).toBeGreaterThan(10);
      expect(r.restored).toEqual(r.uninterrupted);
    });
  }
});

describe('SessionWindowAggregate across a change of parallelism (key groups)', () => {
  const calls: AggregateCall[] = [
    sum(col(1)),
    { fn: 'count', args: [col(1)], distinct: true, orderBy: [], type: BIGINT },
    { fn: 'max', args: [col(1)], distinct: false, orderBy: [], type: INT },
  ];
  /** A random changelog over 30 items (times drift up, some rows late), chunks and watermarks. */
  function bids(seed: number): Step[] {
    const rnd = prng(seed);
    let now = at(0);
    const fresh = (): Row => {
      now += rnd(30) * SEC;
      return [now - rnd(5 * MIN), rnd(8) === 0 ? null : rnd(10), `item${rnd(30)}`];
    };
    const all: Step[] = [];
    let latest = Number.NEGATIVE_INFINITY;
    for (const chunk of randomChangelog(rnd, fresh, 120, 6)) {
      for (const r of chunk.rows) latest = Math.max(latest, (r[0] as number) + 5 * MIN);
      all.push({ input: 0, chunk });
      if (rnd(2) === 0) all.push({ watermark: latest - 4 * MIN });
    }
    return all;
  }
  for (const seed of [31, 32, 33]) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
    ] as const) {
      it(`PARTITION BY item, ${before} -> ${after} instances, seed ${seed}: the same sessions as one instance`, () => {
        const tvf = session(3 * MIN, [col(2, STRING)]);
        const node = aggregate(tvf, [col(3, TS), col(4, TS), col(2, STRING)], calls);
        const all = bids(seed);
        const r = runRescaled((state) => sessionWindowAggregateOf(node, tvf, env, state), all, all.length >> 1, before, after);
        expectRescaledEqual(r);
        expect(r.single.flat().length).toBeGreaterThan(30);
      });
    }
  }

  it('without PARTITION BY every session lives in one key group', () => {
    const tvf = session(3 * MIN);
    const node = aggregate(tvf, [col(3, TS), col(4, TS)], calls);
    const all = bids(34);
    expectRescaledEqual(runRescaled((state) => sessionWindowAggregateOf(node, tvf, env, state), all, all.length >> 1, 3, 2));
  });

  it('the guard sees an instance touching key groups it does not own when rows are routed wrongly', () => {
    const tvf = session(3 * MIN, [col(2, STRING)]);
    const node = aggregate(tvf, [col(3, TS), col(4, TS), col(2, STRING)], calls);
    const all = bids(35);
    expect(runRescaled((state) => misrouted(sessionWindowAggregateOf(node, tvf, env, state)), all, all.length, 3, 3).violations.length).toBeGreaterThan(0);
  });
});
