import { describe, expect, it } from 'vitest';
import { BIGINT, BYTES, INT, STRING, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import type { AggregateCall, AggregateNode, WindowTvfFunction, WindowTvfNode } from '../planner/logical-plan.ts';
import { col, fakeTableFunctions, gt, lit, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { changelogChunk, OperatorChain } from './changelog.ts';
import { fusedTumbleAggregateOf, WINDOW_BLOCK_SIZE, WindowAggregate, windowAggregateOf, windowAggregateStateTables, type WindowBlock } from './window-aggregate.ts';
import { RecordingStateProvider, randomChangelog, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';
import { windowAssignStreamOf, windowFireTime } from './window-assign-stream.ts';
import { prng, canon } from './streaming.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { encodeKey } from '../values/key-codec.ts';

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
const tvf = (fn: WindowTvfFunction, size: number, slide = size): WindowTvfNode => ({
  kind: 'window-tvf',
  input: scan,
  fn,
  timeCol: col(0, TS),
  partitionBy: [],
  size,
  slide,
  offset: 0,
  schema: schemaOf([TS, INT, STRING, TS, TS, TS]),
});
const agg = (fn: AggregateCall['fn'], args: BoundExpr[], type: SqlType, more: Partial<AggregateCall> = {}): AggregateCall => ({
  fn,
  args,
  distinct: false,
  orderBy: [],
  type,
  ...more,
});
/** SELECT window_start, window_end, <keys>, <calls> FROM TABLE(...) GROUP BY window_start, window_end, <keys> */
function windowAgg(input: WindowTvfNode, extraKeys: BoundExpr[], calls: AggregateCall[]): AggregateNode {
  const groupKeys = [col(3, TS), col(4, TS), ...extraKeys];
  return { kind: 'aggregate', input, groupKeys, aggregates: calls, schema: schemaOf([...groupKeys.map((k) => k.type), ...calls.map((c) => c.type)]) };
}

const env = testEnv(new MemorySource({}));
const fire = windowFireTime(undefined);

function pipeline(node: AggregateNode): { chain: OperatorChain; op: WindowAggregate } {
  const op = windowAggregateOf(node, 1, fire, env);
  return { chain: new OperatorChain([windowAssignStreamOf(node.input as WindowTvfNode, env), op]), op };
}

const show = (chunks: Chunk[]) =>
  chunks
    .flatMap((c) => c.rows.map((r, i) => [c.kinds === null ? '+I' : ['+I', '-U', '+U', '-D'][c.kinds[i]!], ...r.map((v, j) => (j < 2 ? hhmm(v as number) : String(v)))].join(' ')))
    .join('\n');

const bid = (m: number, price: number, item: string): Row => [at(m), price, item];
const BIDS: Row[] = [bid(5, 4, 'C'), bid(7, 2, 'A'), bid(9, 5, 'D'), bid(11, 3, 'B'), bid(13, 1, 'E'), bid(17, 6, 'F')];

describe('WindowAggregate', () => {
  it('TUMBLE: fires each window exactly when the watermark reaches window_time (Bid, watermark = bidtime - 1 s)', () => {
    const { chain } = pipeline(windowAgg(tvf('TUMBLE', 10 * MIN), [], [agg('sum', [col(1)], INT)]));
    const log: string[] = [];
    for (const r of BIDS) {
      expect(chain.push(0, { rows: [r], kinds: null })).toEqual([]);
      const s = show(chain.watermark((r[0] as number) - SEC));
      if (s !== '') log.push(`${hhmm(r[0] as number)}: ${s}`);
    }
    expect(log).toEqual(['08:11: +I 08:00 08:10 11']);
    // One µs before window_time: nothing; at window_time: fires.
    expect(chain.watermark(at(20) - 1000 - 1)).toEqual([]);
    expect(show(chain.watermark(at(20) - 1000))).toBe('+I 08:10 08:20 10');
    expect(chain.watermark(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('HOP: a row counts in every window it falls into; final watermark fires what is left', () => {
    const { chain } = pipeline(windowAgg(tvf('HOP', 10 * MIN, 5 * MIN), [], [agg('sum', [col(1)], INT)]));
    const log: string[] = [];
    for (const r of BIDS) {
      chain.push(0, { rows: [r], kinds: null });
      const s = show(chain.watermark((r[0] as number) - SEC));
      if (s !== '') log.push(s);
    }
    log.push(show(chain.watermark(Number.MAX_SAFE_INTEGER)));
    expect(log).toEqual(['+I 08:00 08:10 11', '+I 08:05 08:15 15', '+I 08:10 08:20 10\n+I 08:15 08:25 6']);
  });

  it('CUMULATE: the documented firing sequence', () => {
    const { chain } = pipeline(windowAgg(tvf('CUMULATE', 10 * MIN, 2 * MIN), [], [agg('sum', [col(1)], INT)]));
    const log: string[] = [];
    for (const r of BIDS) {
      chain.push(0, { rows: [r], kinds: null });
      log.push(show(chain.watermark((r[0] as number) - SEC)).replaceAll('\n', ', '));
    }
    log.push(show(chain.watermark(Number.MAX_SAFE_INTEGER)).replaceAll('\n', ', '));
    expect(log).toEqual([
      '',
      '+I 08:00 08:06 4',
      '+I 08:00 08:08 6',
      '+I 08:00 08:10 11',
      '+I 08:10 08:12 3',
      '+I 08:10 08:14 4, +I 08:10 08:16 4',
      '+I 08:10 08:18 10, +I 08:10 08:20 10',
    ]);
  });

  it('counts out-of-order rows within the watermark delay; drops and counts late rows', () => {
    const { chain, op } = pipeline(windowAgg(tvf('TUMBLE', 10 * MIN), [col(2, STRING)], [agg('count_star', [], BIGINT)]));
    chain.push(0, { rows: [bid(12, 1, 'a'), bid(3, 1, 'a')], kinds: null });
    expect(chain.watermark(at(8))).toEqual([]);
    chain.push(0, { rows: [bid(9, 1, 'a'), bid(1, 1, 'b')], kinds: null }); // out of order, window [08:00, 08:10) still open
    expect(show(chain.watermark(at(10)))).toBe('+I 08:00 08:10 a 2\n+I 08:00 08:10 b 1');
    expect(op.lateRows).toBe(0);
    chain.push(0, { rows: [bid(2, 1, 'a'), bid(15, 1, 'a')], kinds: null }); // 08:02 is late
    chain.push(0, changelogChunk([bid(4, 1, 'b')], [RowKind.DELETE])); // retraction for a fired window: late too
    expect(op.lateRows).toBe(2);
    expect(show(chain.watermark(Number.MAX_SAFE_INTEGER))).toBe('+I 08:10 08:20 a 2');
  });

  it('applies retractions before the window fires; output stays insert-only; emptied groups vanish', () => {
    const { chain } = pipeline(windowAgg(tvf('TUMBLE', 10 * MIN), [col(2, STRING)], [agg('sum', [col(1)], INT), agg('max', [col(1)], INT)]));
    chain.push(0, { rows: [bid(1, 5, 'a'), bid(2, 9, 'a'), bid(3, 7, 'b')], kinds: null });
    chain.push(0, changelogChunk([bid(2, 9, 'a'), bid(2, 4, 'a'), bid(3, 7, 'b')], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]));
    const out = chain.watermark(at(10));
    expect(out.every((c) => c.kinds === null)).toBe(true);
    expect(show(out)).toBe('+I 08:00 08:10 a 9 5');
    expect(() => chain.push(0, changelogChunk([bid(12, 1, 'z')], [RowKind.DELETE]))).toThrow(/holds no rows/);
  });

  it('DISTINCT and FILTER, and DISTINCT counts are purged with their window', () => {
    const node = windowAgg(tvf('TUMBLE', 10 * MIN), [], [
      agg('count', [col(2, STRING)], BIGINT, { distinct: true }),
      agg('count_star', [], BIGINT, { filter: gt(col(1), lit(2)) }),
      agg('sum', [col(1)], INT, { distinct: true }),
    ]);
    const { chain } = pipeline(node);
    chain.push(0, { rows: [bid(1, 3, 'a'), bid(2, 3, 'a'), bid(3, 1, 'b'), bid(4, 5, 'a')], kinds: null });
    chain.push(0, changelogChunk([bid(4, 5, 'a')], [RowKind.DELETE]));
    chain.push(0, { rows: [bid(11, 3, 'a')], kinds: null });
    expect(show(chain.watermark(at(10)))).toBe('+I 08:00 08:10 2 2 4');
    expect(show(chain.watermark(Number.MAX_SAFE_INTEGER))).toBe('+I 08:10 08:20 1 1 3');
  });

  it('keeps all state in the state tables and empties them once windows fire', async () => {
    const state = new RecordingStateProvider();
    const op = windowAggregateOf(
      windowAgg(tvf('TUMBLE', 10 * MIN), [col(2, STRING)], [agg('count', [col(1)], BIGINT, { distinct: true })]),
      1,
      fire,
      env,
      state,
    );
    const distinct = state.get<number>('distinct');
    const windows = state.get<WindowBlock>('windows');
    const assign = windowAssignStreamOf(tvf('TUMBLE', 10 * MIN), env);
    for (const c of assign.push(0, { rows: [bid(1, 1, 'a'), bid(2, 2, 'a'), bid(12, 1, 'b'), bid(13, 1, 'b')], kinds: null })) op.push(0, c);
    const groupCount = () => [...windows.scan()].reduce((n, [, b]) => n + b.groups, 0);
    expect([groupCount(), distinct.size, windows.size]).toEqual([2, 3, 2]);
    expect(show(op.watermark(at(10)))).toBe('+I 08:00 08:10 a 2');
    expect([groupCount(), distinct.size, windows.size]).toEqual([1, 1, 1]);
    op.watermark(Number.MAX_SAFE_INTEGER);
    expect([groupCount(), distinct.size, windows.size]).toEqual([0, 0, 0]);
  });

  it("keeps a key group's groups of a window as one state entry per block; a chunk rewrites only the blocks it touched", () => {
    const state = new RecordingStateProvider();
    const node = windowAgg(tvf('TUMBLE', 10 * MIN), [col(2, STRING)], [agg('count_star', [], BIGINT), agg('sum', [col(1)], INT)]);
    const op = windowAggregateOf(node, 1, fire, env, state);
    const windows = state.get<WindowBlock>('windows');
    const written: string[] = [];
    const put = windows.put.bind(windows);
    windows.put = (key, block) => {
      written.push(`${key[0]}/${block.block}`);
      put(key, block);
    };
    const assign = windowAssignStreamOf(tvf('TUMBLE', 10 * MIN), env);
    // Items of one key group, and one item of another key group.
    const groupOf = (item: string) => keyGroupOf(encodeKey([item], [STRING]));
    const kg = groupOf('g0');
    const items: string[] = [];
    const groups = 3 * WINDOW_BLOCK_SIZE + 8;
    for (let i = 0; items.length < groups; i++) if (groupOf(`g${i}`) === kg) items.push(`g${i}`);
    let other = 'h0';
    for (let i = 1; groupOf(other) === kg; i++) other = `h${i}`;
    const rows: Row[] = items.map((item, i) => bid(1, i, item));
    for (const c of assign.push(0, { rows, kinds: null })) op.push(0, c);
    expect([windows.size, [...windows.scan()].reduce((n, [, b]) => n + b.groups, 0)]).toEqual([4, groups]);
    expect(written).toEqual([0, 1, 2, 3].map((b) => `${kg}/${b}`));
    written.length = 0;
    const third = items[WINDOW_BLOCK_SIZE * 2 + 5]!;
    for (const c of assign.push(0, { rows: [bid(2, 1000, third), bid(3, 1, other), bid(3, 1, items[0]!), bid(4, 1, items[1]!)], kinds: null })) op.push(0, c);
    // One put per touched block at the end of the chunk (in no particular order); blocks 1 and 3 are left alone.
    expect([...written].sort()).toEqual([`${kg}/2`, `${groupOf(other)}/0`, `${kg}/0`].sort());
    for (const [key, b] of windows.scan()) for (const s of b.slots) expect(groupOf(b.window!.levelValues[0]![s] as string)).toBe(key[0]);
    const out = op.watermark(at(10)).flatMap((c) => c.rows);
    expect(out.length).toBe(groups + 1);
    expect(out[0]!.slice(2)).toEqual([items[0], 2n, 1]);
    expect(out[WINDOW_BLOCK_SIZE * 2 + 5]!.slice(2)).toEqual([third, 2n, WINDOW_BLOCK_SIZE * 2 + 5 + 1000]);
    expect(out[groups - 1]!.slice(2)).toEqual([items[groups - 1], 1n, groups - 1]);
    expect(out[groups]!.slice(2)).toEqual([other, 1n, 1]);
    expect(windows.size).toBe(0);
  });

  it('fires groups in order of their first row within a window, and keeps keys of every type apart', () => {
    const node = windowAgg(tvf('TUMBLE', 10 * MIN), [col(2, STRING)], [agg('count_star', [], BIGINT)]);
    const { chain } = pipeline(node);
    chain.push(0, { rows: [bid(1, 1, 'z'), bid(2, 1, 'a'), bid(3, 1, 'z'), bid(4, 1, 'm')], kinds: null });
    chain.push(0, changelogChunk([bid(5, 1, 'a'), bid(6, 1, 'a')], [RowKind.DELETE, RowKind.INSERT]));
    expect(show(chain.watermark(at(10)))).toBe('+I 08:00 08:10 z 2\n+I 08:00 08:10 a 1\n+I 08:00 08:10 m 1');
  });
});

describe('WindowAggregate group lookup', () => {
  it('keys types without a value identity (ARRAY) by their encoding: equal arrays are one group', () => {
    const ARR: SqlType = { kind: 'ARRAY', element: INT };
    const op = new WindowAggregate({
      keys: [(r) => (r[0] as number) - 10, (r) => r[0] ?? null, (r) => r[1] ?? null],
      keyTypes: [TS, TS, ARR],
      calls: [{ factory: createAccumulatorFactory('count_star', [], BIGINT), args: [], argTypes: [], filter: undefined, distinct: false, skipNulls: false, resultType: BIGINT }],
      windowEndKey: 1,
      windowStartKey: 0,
      fireTime: (end) => end,
    });
    op.push(0, { rows: [[20, [1, 2]], [20, [1, 2]], [20, [2]], [20, null], [30, [1, 2]]], kinds: null });
    op.push(0, changelogChunk([[20, [2]]], [RowKind.DELETE]));
    const out = op.watermark(Number.MAX_SAFE_INTEGER).flatMap((c) => c.rows);
    expect(out).toEqual([
      [10, 20, [1, 2], 2n],
      [10, 20, null, 1n],
      [20, 30, [1, 2], 1n],
    ]);
  });

  it('puts every group of an INT partition key in its key group, over more keys than the key group cache holds, window after window', () => {
    const state = new RecordingStateProvider();
    const op = new WindowAggregate(
      {
        keys: [(r) => (r[0] as number) - 10, (r) => r[0] ?? null, (r) => r[1] ?? null],
        keyColumns: [-1, 0, 1],
        keyTypes: [TS, TS, INT],
        calls: [{ factory: createAccumulatorFactory('count_star', [], BIGINT), args: [], argTypes: [], filter: undefined, distinct: false, skipNulls: false, resultType: BIGINT }],
        windowEndKey: 1,
        windowStartKey: 0,
        fireTime: (end) => end,
      },
      windowAggregateStateTables(state),
    );
    const windows = state.get<WindowBlock>('windows');
    const groupOf = (k: number | null) => keyGroupOf(encodeKey([k], [INT]));
    const random = prng(7);
    const keys: (number | null)[] = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), null];
    while (keys.length < 70_000) keys.push(random(2 ** 32) - 2 ** 31);
    for (const k of keys) expect(op.keyGroupOf(0, [20, k])).toBe(groupOf(k));
    const seen = new Set<number | null>();
    for (const end of [20, 30]) {
      for (let i = 0; i < keys.length; i += 1024) op.push(0, { rows: keys.slice(i, i + 1024).map((k) => [end, k]), kinds: null });
      seen.clear();
      for (const [key, b] of windows.scan()) {
        for (const s of b.slots) {
          const k = b.window!.levelValues[0]![s] as number | null;
          seen.add(k);
          expect(groupOf(k)).toBe(key[0]);
        }
      }
      expect(seen.size).toBe(new Set(keys).size);
    }
    const out = op.watermark(Number.MAX_SAFE_INTEGER).flatMap((c) => c.rows);
    expect(out.length).toBe(2 * new Set(keys).size);
    expect(out.slice(0, 6).map((r) => r[2])).toEqual(keys.slice(0, 6));
  });
});

describe('fused TUMBLE window aggregation', () => {
  it('gives the same changelog as window assignment + window aggregation, late rows and retractions included', () => {
    const node = windowAgg(tvf('TUMBLE', 10 * MIN), [col(2, STRING)], [
      agg('count_star', [], BIGINT),
      agg('sum', [col(1)], INT),
      agg('count', [col(1)], BIGINT, { distinct: true, filter: gt(col(1), lit(1)) }),
    ]);
    const fused = fusedTumbleAggregateOf(node, fire, env)!;
    expect(fused).toBeDefined();
    const { chain, op } = pipeline(node);
    const rand = prng(7);
    let maxTs = 0;
    const added: Row[] = [];
    for (let step = 0; step < 60; step++) {
      const rows: Row[] = [];
      const kinds: number[] = [];
      for (let i = 0; i < 20; i++) {
        if (added.length > 0 && rand(5) === 0) {
          rows.push(added.splice(rand(added.length), 1)[0]!);
          kinds.push(RowKind.DELETE);
          continue;
        }
        const r: Row = [at(step) + rand(3 * MIN) - MIN, rand(4), 'abcd'[rand(4)]!];
        if (rand(10) === 0) r[0] = null;
        rows.push(r);
        kinds.push(RowKind.INSERT);
        if (r[0] !== null) {
          added.push(r);
          if ((r[0] as number) > maxTs) maxTs = r[0] as number;
        }
      }
      const chunk = changelogChunk(rows, kinds as RowKind[]);
      let a: Chunk[];
      let b: Chunk[];
      try {
        a = chain.push(0, chunk);
      } catch (err) {
        expect(() => fused.push(0, chunk)).toThrow((err as Error).message);
        break;
      }
      b = fused.push(0, chunk);
      a = [...a, ...chain.watermark(maxTs - SEC)];
      b = [...b, ...fused.watermark(maxTs - SEC)];
      expect(show(b)).toBe(show(a));
    }
    expect(show(fused.watermark(Number.MAX_SAFE_INTEGER))).toBe(show(chain.watermark(Number.MAX_SAFE_INTEGER)));
    expect(fused.lateRows).toBe(op.lateRows);
    expect(op.lateRows).toBeGreaterThan(0);
  });

  it('is not used for HOP, or when a call reads a window column', () => {
    expect(fusedTumbleAggregateOf(windowAgg(tvf('HOP', 10 * MIN, 5 * MIN), [], [agg('count_star', [], BIGINT)]), fire, env)).toBeUndefined();
    expect(fusedTumbleAggregateOf(windowAgg(tvf('TUMBLE', 10 * MIN), [], [agg('max', [col(5, TS)], TS)]), fire, env)).toBeUndefined();
  });
});

const DEPS = { accumulators: createAccumulatorFactory, tableFunctions: fakeTableFunctions };

describe('WindowAggregate over TIMESTAMP_LTZ', () => {
  it('windows aligned in the session zone fire when the watermark instant reaches window_time', async () => {
    const { timestampLtz } = await import('../../catalog/types.ts');
    const ltz = timestampLtz(3);
    const node = windowAgg(
      { ...tvf('TUMBLE', 60 * MIN), input: scanNode(TABLE, [ltz, INT, STRING]), timeCol: col(0, ltz), schema: schemaOf([ltz, INT, STRING, TS, TS, ltz]) },
      [],
      [agg('sum', [col(1)], INT)],
    );
    const zoned = { ...env, ctx: { ...env.ctx, timeZone: 'Asia/Kolkata' } };
    const op = windowAggregateOf(node, 1, windowFireTime('Asia/Kolkata'), zoned);
    const chain = new OperatorChain([windowAssignStreamOf(node.input as WindowTvfNode, zoned), op]);
    // 00:10 and 00:20 UTC are 05:40 and 05:50 in Kolkata: window [05:00, 06:00) local, complete at 00:29:59.999 UTC
    chain.push(0, { rows: [[at(10), 1, 'a'], [at(20), 2, 'a']], kinds: null });
    expect(chain.watermark(at(30) - 1001)).toEqual([]);
    expect(chain.watermark(at(30) - 1000).flatMap((c) => c.rows)).toEqual([[at(300), at(360), 3]]);
  });
});

describe('WindowAggregate equals the batch window aggregation', () => {
  const cases: [WindowTvfFunction, number, number, number, boolean][] = [
    ['TUMBLE', 10 * MIN, 10 * MIN, 1, false],
    ['HOP', 10 * MIN, 3 * MIN, 2, false],
    ['CUMULATE', 12 * MIN, 4 * MIN, 3, false],
    ['TUMBLE', 7 * MIN, 7 * MIN, 4, true],
    ['HOP', 10 * MIN, 5 * MIN, 5, true],
    ['CUMULATE', 9 * MIN, 3 * MIN, 6, true],
  ];
  for (const [fn, size, slide, seed, retract] of cases) {
    it(`${fn} size ${size / MIN} min slide ${slide / MIN} min, seed ${seed}${retract ? ', with deletes and updates' : ', insert-only'}`, async () => {
      const rnd = prng(seed);
      const calls = [
        agg('count_star', [], BIGINT),
        agg('sum', [col(1)], INT),
        agg('min', [col(1)], INT),
        agg('count', [col(1)], BIGINT, { distinct: true }),
        agg('count_star', [], BIGINT, { filter: gt(col(1), lit(4)) }),
      ];
      const node = windowAgg(tvf(fn, size, slide), [col(2, STRING)], calls);
      const rows: Row[] = [];
      const { chain, op } = pipeline(node);
      const emitted: Row[] = [];
      let maxTs = 0;
      let wm = Number.NEGATIVE_INFINITY;
      const delay = 3 * MIN;
      for (let step = 0; step < 150; step++) {
        const batch: Row[] = [];
        const kinds: number[] = [];
        for (let n = 1 + rnd(6); n > 0; n--) {
          // Retract or update a row whose windows are all open (time after the watermark).
          const open = retract ? rows.filter((r) => r[0] !== null && (r[0] as number) > wm) : [];
          if (open.length > 0 && rnd(4) === 0) {
            const victim = open[rnd(open.length)]!;
            const i = rows.indexOf(victim);
            if (rnd(2) === 0) {
              rows.splice(i, 1);
              batch.push(victim);
              kinds.push(RowKind.DELETE);
            } else {
              const updated: Row = [victim[0]!, rnd(10), victim[2]!];
              rows[i] = updated;
              batch.push(victim, updated);
              kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
            }
            continue;
          }
          // Whole milliseconds, never older than the watermark: no row is late.
          const lo = Math.max(0, Number.isFinite(wm) ? wm / 1000 + 1 : 0);
          const ts = rnd(10) === 0 ? null : (lo + rnd(Math.max(1, (maxTs + 2 * MIN) / 1000 - lo))) * 1000;
          const r: Row = [ts, rnd(8) === 0 ? null : rnd(10), `k${rnd(4)}`];
          if (ts !== null) maxTs = Math.max(maxTs, ts);
          rows.push(r);
          batch.push(r);
          kinds.push(RowKind.INSERT);
        }
        for (const c of chain.push(0, changelogChunk(batch, kinds))) emitted.push(...c.rows);
        if (rnd(3) === 0 && maxTs - delay > wm) {
          wm = maxTs - delay;
          for (const c of chain.watermark(wm)) emitted.push(...c.rows);
        }
      }
      for (const c of chain.watermark(Number.MAX_SAFE_INTEGER)) emitted.push(...c.rows);
      expect(op.lateRows).toBe(0);
      const want: Row[] = [];
      for await (const b of runQuery(node, testEnv(new MemorySource({ [TABLE]: rows }, 64)), DEPS).run()) want.push(...b);
      expect(want.length).toBeGreaterThan(10);
      expect(canon(emitted)).toEqual(canon(want));
    });
  }
});

describe('WindowAggregate across a restore', () => {
  /** Chunks of a random changelog over [bidtime, price, item] (times drift up), each followed by a watermark 2 min behind the latest drift. */
  function steps(seed: number, item: (n: number) => Row[number]): Step[] {
    const rnd = prng(seed);
    let now = at(0);
    const fresh = (): Row => {
      now += rnd(40) * SEC;
      return [now - rnd(6 * MIN), rnd(6) === 0 ? null : rnd(20), item(rnd(5))];
    };
    const out: Step[] = [];
    let latest = Number.NEGATIVE_INFINITY;
    for (const chunk of randomChangelog(rnd, fresh, 80, 6)) {
      for (const r of chunk.rows) latest = Math.max(latest, (r[0] as number) + 6 * MIN);
      out.push({ input: 0, chunk }, { watermark: latest - 4 * MIN });
    }
    return out;
  }
  const calls = [
    agg('count_star', [], BIGINT),
    agg('count', [col(1)], BIGINT, { distinct: true }),
    agg('min', [col(1)], INT),
    agg('max', [col(1)], INT),
    agg('sum', [col(1)], INT, { filter: gt(col(1), lit(3)) }),
    agg('array_agg', [col(1)], { kind: 'ARRAY', element: INT }),
  ];

  for (const seed of [11, 12]) {
    it(`HOP with several open windows continues exactly after its tables went through their codecs (seed ${seed})`, () => {
      const node = windowAgg(tvf('HOP', 10 * MIN, 2 * MIN), [col(2, STRING)], calls);
      const build = (state: StateProvider) => new OperatorChain([windowAssignStreamOf(node.input as WindowTvfNode, env), windowAggregateOf(node, 1, fire, env, state)]);
      const all = steps(seed, (n) => 'abcde'[n]!);
      const r = runAcrossRestore(build, all, all.length >> 1);
      expect(r.unclaimed).toEqual([]);
      expect(r.entries).toBeGreaterThan(5);
      expect(r.replayed).toEqual([]);
      expect(r.restored.length).toBeGreaterThan(20);
      expect(r.restored).toEqual(r.uninterrupted);
    });
  }

  it('windows of several state blocks (hundreds of groups) continue exactly after a restore, chained and fused', () => {
    const node = windowAgg(tvf('TUMBLE', 5 * MIN), [col(2, STRING)], calls);
    const rnd = prng(14);
    let now = at(0);
    const fresh = (): Row => {
      now += SEC / 2;
      return [now - rnd(30) * SEC, rnd(6) === 0 ? null : rnd(20), `item${rnd(300)}`];
    };
    const all: Step[] = [];
    let latest = Number.NEGATIVE_INFINITY;
    for (const chunk of randomChangelog(rnd, fresh, 600, 6)) {
      for (const r of chunk.rows) latest = Math.max(latest, r[0] as number);
      all.push({ input: 0, chunk }, { watermark: latest - MIN });
    }
    // Restored in the middle of a window of several blocks.
    const split = all.findIndex((s) => 'watermark' in s && s.watermark > at(7) + 30 * SEC);
    const chained = runAcrossRestore((state) => new OperatorChain([windowAssignStreamOf(node.input as WindowTvfNode, env), windowAggregateOf(node, 1, fire, env, state)]), all, split);
    expect(chained.unclaimed).toEqual([]);
    expect(chained.replayed).toEqual([]);
    expect(chained.restored).toEqual(chained.uninterrupted);
    const fused = runAcrossRestore((state) => fusedTumbleAggregateOf(node, fire, env, state)!, all, split);
    expect(fused.restored).toEqual(fused.uninterrupted);
    expect(fused.restored).toEqual(chained.restored);
    expect(fused.restored.length).toBeGreaterThan(WINDOW_BLOCK_SIZE * 2);
  });

  it('rebuilds the group index of keys not keyed by value (BYTES) and of the fused TUMBLE', () => {
    const bytesScan = scanNode(TABLE, [TS, INT, BYTES]);
    const bytesTvf: WindowTvfNode = { ...tvf('TUMBLE', 5 * MIN), input: bytesScan, schema: schemaOf([TS, INT, BYTES, TS, TS, TS]) };
    const node = windowAgg(bytesTvf, [col(2, BYTES)], calls);
    const all = steps(13, (n) => Uint8Array.of(n, 0xff));
    const chained = runAcrossRestore((state) => new OperatorChain([windowAssignStreamOf(bytesTvf, env), windowAggregateOf(node, 1, fire, env, state)]), all, 70);
    expect(chained.unclaimed).toEqual([]);
    expect(chained.restored).toEqual(chained.uninterrupted);
    const fused = runAcrossRestore((state) => fusedTumbleAggregateOf(node, fire, env, state)!, all, 70);
    expect(fused.unclaimed).toEqual([]);
    expect(fused.restored).toEqual(fused.uninterrupted);
    expect(fused.restored).toEqual(chained.restored);
    expect(fused.restored.length).toBeGreaterThan(10);
  });
});

describe('WindowAggregate across a change of parallelism (key groups)', () => {
  const calls = [
    agg('count_star', [], BIGINT),
    agg('count', [col(1)], BIGINT, { distinct: true }),
    agg('sum', [col(1)], INT, { filter: gt(col(1), lit(3)) }),
    agg('max', [col(1)], INT),
  ];
  /** A random changelog of bids over `items` items (times drift up, some late), each chunk followed by a watermark. */
  function bids(seed: number, items: number): Step[] {
    const rnd = prng(seed);
    let now = at(0);
    const fresh = (): Row => {
      now += rnd(20) * SEC;
      return [now - rnd(6 * MIN), rnd(6) === 0 ? null : rnd(20), `item${rnd(items)}`];
    };
    const out: Step[] = [];
    let latest = Number.NEGATIVE_INFINITY;
    for (const chunk of randomChangelog(rnd, fresh, 120, 8)) {
      for (const r of chunk.rows) latest = Math.max(latest, (r[0] as number) + 5 * MIN);
      out.push({ input: 0, chunk });
      if (rnd(3) === 0) out.push({ watermark: latest - 5 * MIN });
    }
    return out;
  }
  /** The steps with each chunk's rows assigned to their windows (the window aggregate's input). */
  function assigned(node: AggregateNode, steps: readonly Step[]): Step[] {
    const assign = windowAssignStreamOf(node.input as WindowTvfNode, env);
    return steps.flatMap((s): Step[] => ('watermark' in s ? [s] : assign.push(0, s.chunk).map((chunk) => ({ input: 0, chunk }))));
  }

  for (const seed of [21, 22, 23]) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
    ] as const) {
      it(`HOP and fused TUMBLE, ${before} -> ${after} instances, seed ${seed}: the same windows as one instance`, () => {
        const hop = windowAgg(tvf('HOP', 10 * MIN, 5 * MIN), [col(2, STRING)], calls);
        const all = bids(seed, 40);
        const split = all.length >> 1;
        const chained = runRescaled((state) => windowAggregateOf(hop, 1, fire, env, state), assigned(hop, all), split, before, after);
        expectRescaledEqual(chained);
        expect(chained.single.flat().length).toBeGreaterThan(50);
        const tumble = windowAgg(tvf('TUMBLE', 5 * MIN), [col(2, STRING)], calls);
        const fused = runRescaled((state) => fusedTumbleAggregateOf(tumble, fire, env, state)!, all, split, before, after);
        expectRescaledEqual(fused);
        expect(fused.single.flat().length).toBeGreaterThan(50);
      });
    }
  }

  it('a window without keys besides its bounds keeps every group in one key group', () => {
    const node = windowAgg(tvf('TUMBLE', 5 * MIN), [], calls);
    const r = runRescaled((state) => fusedTumbleAggregateOf(node, fire, env, state)!, bids(24, 10), 60, 3, 5);
    expectRescaledEqual(r);
  });

  it('the guard sees an instance touching key groups it does not own when rows are routed wrongly', () => {
    const node = windowAgg(tvf('TUMBLE', 5 * MIN), [col(2, STRING)], calls);
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = fusedTumbleAggregateOf(node, fire, env, state)!;
      // Misrouted instances also break each other's state: what they would throw is not the point here.
      const quiet = (f: () => Chunk[]): Chunk[] => {
        try {
          return f();
        } catch {
          return [];
        }
      };
      return { push: (i, c) => quiet(() => op.push(i, c)), watermark: (wm) => quiet(() => op.watermark(wm)), keyGroupOf: () => 0 };
    };
    const all = bids(25, 40);
    const r = runRescaled(misrouted, all, all.length, 3, 3);
    expect(r.violations.length).toBeGreaterThan(0);
  });
});
