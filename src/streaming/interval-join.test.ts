import { describe, expect, it } from 'vitest';
import { BOOLEAN, INT, INTERVAL_DAY_TIME, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { formatChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { JoinNode, ScanNode } from '../planner/logical-plan.ts';
import { col, FAKE_DEPS, lit, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { changelogChunk } from './changelog.ts';
import { MAX_WATERMARK } from './dataflow.ts';
import { IntervalJoin, intervalJoinBounds, intervalJoinOf, intervalJoinStateTables, isRowtime, type IntervalJoinSpec } from './interval-join.ts';
import { GroupTimes } from './group-times.ts';
import { RecordingStateProvider, restoredProvider, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { MemoryStateTable } from './state-table.ts';
import { prng } from './streaming.test-helpers.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';

const TS = timestamp(3);
const SEC = 1_000_000;
const HOUR = 3600 * SEC;
const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');
const inserts = (rows: Row[]) => changelogChunk(rows, rows.map(() => RowKind.INSERT));
/** Rows as "id@hours" for readable expectations: [id, t] -> `${id}@${t / HOUR}`. */
const pairs = (chunks: Chunk[]) =>
  chunks.flatMap((c) => c.rows.map((r) => r.map((v, i) => (v === null ? 'NULL' : i % 2 === 1 ? `${(v as number) / HOUR}h` : String(v))).join(' ')));

const cmp = (name: string, fn: string, a: BoundExpr, b: BoundExpr): BoundExpr => ({ kind: 'call', fn, name, args: [a, b], type: BOOLEAN, volatile: false });
const plus = (a: BoundExpr, micros: number): BoundExpr => ({ kind: 'call', fn: 'add', name: '+', args: [a, lit(micros, INTERVAL_DAY_TIME)], type: TS, volatile: false });
const minus = (a: BoundExpr, micros: number): BoundExpr => ({ kind: 'call', fn: 'sub', name: '-', args: [a, lit(micros, INTERVAL_DAY_TIME)], type: TS, volatile: false });
const and = (...args: BoundExpr[]): BoundExpr => ({ kind: 'and', type: BOOLEAN, args });
/** An endless scan with `WATERMARK FOR <column timeColumn> AS <it> - 1 s`. */
const timedScan = (relationId: number, types: SqlType[], timeColumn: number): ScanNode => ({
  ...scanNode(relationId, types, { unbounded: true }),
  watermark: minus(col(timeColumn, TS), SEC),
});

// Orders(id INT, order_time TIMESTAMP(3)) JOIN Shipments(order_id INT, ship_time TIMESTAMP(3))
// ON o.id = s.order_id AND o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time
const ordersShipments = (joinType: IntervalJoinSpec['joinType'] = 'INNER'): IntervalJoinSpec => ({
  joinType,
  leftKeys: [(r) => r[0]!],
  rightKeys: [(r) => r[0]!],
  keyTypes: [INT],
  leftTime: (r) => r[1]!,
  rightTime: (r) => r[1]!,
  lower: -4 * HOUR,
  upper: 0,
  condition: undefined,
  leftWidth: 2,
  rightWidth: 2,
});

describe('IntervalJoin', () => {
  it('joins orders with shipments within 4 hours, out of order within the bound', () => {
    const j = new IntervalJoin(ordersShipments());
    expect(pairs(j.push(0, inserts([[1, 10 * HOUR], [2, 11 * HOUR], [3, 12 * HOUR]])))).toEqual([]);
    // Shipment of 1 within 4 h; of 2 after 5 h (no match); of 3 before the order (no match).
    expect(pairs(j.push(1, inserts([[1, 13 * HOUR], [2, 16 * HOUR], [3, 11 * HOUR]])))).toEqual(['1 10h 1 13h']);
    // An order arriving after its shipment (out of order, not late) still joins.
    expect(pairs(j.push(0, inserts([[2, 12 * HOUR], [3, 8 * HOUR], [3, 7 * HOUR]])))).toEqual(['2 12h 2 16h', '3 8h 3 11h', '3 7h 3 11h']);
    // Bounds are inclusive.
    j.push(0, inserts([[4, 12 * HOUR]]));
    expect(pairs(j.push(1, inserts([[1, 14 * HOUR], [1, 14 * HOUR + 1], [4, 12 * HOUR - 1], [4, 12 * HOUR]])))).toEqual(['1 10h 1 14h', '4 12h 4 12h']);
    expect(j.lateRows).toBe(0);
    expect(j.watermarkDelay).toBe(4 * HOUR);
  });

  it('drops state by watermark and counts late rows', () => {
    const j = new IntervalJoin(ordersShipments());
    j.push(0, inserts([[1, 10 * HOUR], [1, 11 * HOUR], [2, 13 * HOUR]]));
    j.push(1, inserts([[1, 10 * HOUR], [2, 13 * HOUR], [2, 20 * HOUR]]));
    expect(j.stateSize).toBe(6);
    // Orders expire at order_time + 4 h; shipments at ship_time.
    expect(text(j.watermark(12 * HOUR))).toBe('');
    expect(j.stateSize).toBe(5); // only shipment 1@10h expired (orders expire at order_time + 4 h)
    expect(j.watermark(11 * HOUR)).toEqual([]); // watermarks never go back
    expect(text(j.watermark(15 * HOUR))).toBe('');
    expect(j.stateSize).toBe(2); // order 2@13h and shipment 2@20h
    // Late: an order at or before the watermark; a shipment too.
    expect(pairs(j.push(0, inserts([[2, 15 * HOUR], [2, 17 * HOUR]])))).toEqual(['2 17h 2 20h']);
    expect(pairs(j.push(1, inserts([[2, 14 * HOUR], [2, 16 * HOUR]])))).toEqual(['2 13h 2 16h']);
    expect(j.lateRows).toBe(2);
    j.watermark(MAX_WATERMARK);
    expect(j.stateSize).toBe(0);
  });

  it('does not keep rows that can no longer match, and rows with NULL keys or times', () => {
    // left.time in [right.time + 1 h, right.time + 2 h]: a left row only meets right rows from its past.
    const j = new IntervalJoin({ ...ordersShipments('LEFT'), lower: HOUR, upper: 2 * HOUR });
    j.push(1, inserts([[1, 10 * HOUR]]));
    j.watermark(11 * HOUR);
    expect(pairs(j.push(0, inserts([[1, 11.5 * HOUR], [1, 11.75 * HOUR]])))).toEqual(['1 11.5h 1 10h', '1 11.75h 1 10h']);
    expect(j.stateSize).toBe(1); // the right row (expires at 12 h); the left rows expired at arrival
    expect(pairs(j.push(0, inserts([[2, 11.5 * HOUR], [null, 13 * HOUR], [1, null]])))).toEqual(['2 11.5h NULL NULL', 'NULL 13h NULL NULL', '1 NULL NULL NULL']);
    expect(j.stateSize).toBe(1);
  });

  it('outer joins pad a row when its interval expires without a match', () => {
    const j = new IntervalJoin(ordersShipments('FULL'));
    j.push(0, inserts([[1, 10 * HOUR], [2, 10 * HOUR]]));
    expect(pairs(j.push(1, inserts([[1, 12 * HOUR], [3, 12 * HOUR]])))).toEqual(['1 10h 1 12h']);
    expect(pairs(j.watermark(12 * HOUR))).toEqual(['NULL NULL 3 12h']);
    expect(pairs(j.watermark(14 * HOUR - 1))).toEqual([]);
    expect(pairs(j.watermark(14 * HOUR))).toEqual(['2 10h NULL NULL']);
    expect(j.stateSize).toBe(0);
    expect(() => j.push(0, changelogChunk([[1, 20 * HOUR]], [RowKind.DELETE]))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });
});

describe('intervalJoinBounds', () => {
  // left (id INT, t TS), right (id INT, t TS): right columns 2, 3 in the condition
  const node = (condition: BoundExpr | undefined, equiKeys: JoinNode['equiKeys'] = [{ left: col(0), right: col(0) }]): JoinNode => ({
    kind: 'join',
    joinType: 'INNER',
    left: timedScan(1, [INT, TS], 1),
    right: timedScan(2, [INT, TS], 1),
    equiKeys,
    ...(condition === undefined ? {} : { condition }),
    schema: schemaOf([INT, TS, INT, TS]),
  });
  const lt = col(1, TS);
  const rt = col(3, TS);

  it('reads BETWEEN, strict bounds, flipped sides and equal times', () => {
    expect(intervalJoinBounds(node(and(cmp('>=', 'ge', lt, minus(rt, 4 * HOUR)), cmp('<=', 'le', lt, rt))))).toEqual({ leftTime: 1, rightTime: 1, lower: -4 * HOUR, upper: 0 });
    expect(intervalJoinBounds(node(and(cmp('<', 'lt', rt, lt), cmp('>', 'gt', plus(rt, 10 * SEC), lt))))).toEqual({ leftTime: 1, rightTime: 1, lower: 1, upper: 10 * SEC - 1 });
    expect(intervalJoinBounds(node(and(cmp('>=', 'ge', plus(lt, SEC), rt), cmp('<=', 'le', minus(lt, 5 * SEC), plus(rt, 5 * SEC)))))).toEqual({ leftTime: 1, rightTime: 1, lower: -SEC, upper: 10 * SEC });
    expect(intervalJoinBounds(node(undefined, [{ left: col(0), right: col(0) }, { left: lt, right: col(1, TS) }]))).toEqual({ leftTime: 1, rightTime: 1, lower: 0, upper: 0 });
  });

  it('is undefined without both bounds, across non-time columns or over changing inputs', () => {
    expect(intervalJoinBounds(node(cmp('>=', 'ge', lt, minus(rt, HOUR))))).toBeUndefined();
    expect(intervalJoinBounds(node(and(cmp('>=', 'ge', lt, minus(col(1, TS), HOUR)), cmp('<=', 'le', lt, col(1, TS)))))).toBeUndefined();
    expect(intervalJoinBounds(node(and(cmp('>=', 'ge', col(0), col(2)), cmp('<=', 'le', col(0), col(2)))))).toBeUndefined();
    const env = testEnv(new MemorySource({}));
    const ok = node(and(cmp('>', 'gt', lt, plus(rt, -HOUR)), cmp('<', 'lt', lt, rt)));
    expect(intervalJoinOf(ok, env)).toBeInstanceOf(IntervalJoin);
    expect(intervalJoinOf(ok, env, 'changelog')).toBeUndefined(); // stored tables read as changelogs retract
    expect(intervalJoinOf({ ...ok, joinType: 'SEMI' }, env)).toBeUndefined();
    expect(intervalJoinOf({ ...ok, left: { ...timedScan(1, [INT, TS], 1), unbounded: false }, right: { ...timedScan(2, [INT, TS], 1), unbounded: false } }, env)).toBeUndefined();
    // Time columns that are not the watermarked ones: a regular join.
    expect(intervalJoinOf({ ...ok, right: scanNode(2, [INT, TS], { unbounded: true }) }, env)).toBeUndefined();
    expect(intervalJoinOf({ ...ok, left: timedScan(1, [INT, TS, TS], 2) }, env)).toBeUndefined();
  });

  it('traces event-time attributes through projections and filters', () => {
    const scan = timedScan(1, [INT, TS, TS], 2);
    expect(isRowtime(scan, 2)).toBe(true);
    expect(isRowtime(scan, 1)).toBe(false);
    const pruned: ScanNode = { ...scan, columns: [2, 0], schema: schemaOf([TS, INT]) };
    expect(isRowtime(pruned, 0)).toBe(true);
    const project: JoinNode['left'] = { kind: 'project', input: pruned, exprs: [col(1), col(0, TS), plus(col(0, TS), SEC)], schema: schemaOf([INT, TS, TS]) };
    expect([0, 1, 2].map((i) => isRowtime(project, i))).toEqual([false, true, false]);
    expect(isRowtime({ kind: 'filter', input: project, predicate: lit(true, BOOLEAN), schema: project.schema }, 1)).toBe(true);
  });
});

const sortRows = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('interval join equals the batch join of the same plan node', () => {
  // l(k INT, t TS, v INT), r(k INT, t TS, w INT)
  // ON l.k = r.k AND l.t > r.t - 3 s AND l.t < r.t + 2 s [AND l.v > r.w]
  const L = 1;
  const R = 2;
  const types: SqlType[] = [INT, TS, INT];
  for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
    for (const [seed, residual] of [[1, false], [2, true], [3, false]] as const) {
      it(`${joinType} seed ${seed}${residual ? ' with a residual condition' : ''}`, async () => {
        const rnd = prng(seed * 31 + joinType.length);
        const tables: [Row[], Row[]] = [[], []];
        const env = testEnv(new MemorySource({ [L]: tables[0], [R]: tables[1] }, 64));
        const bounds = and(cmp('>', 'gt', col(1, TS), plus(col(4, TS), -3 * SEC)), cmp('<', 'lt', col(1, TS), plus(col(4, TS), 2 * SEC)));
        const node: JoinNode = {
          kind: 'join',
          joinType,
          left: timedScan(L, types, 1),
          right: timedScan(R, types, 1),
          equiKeys: [{ left: col(0), right: col(0) }],
          condition: residual ? and(bounds, cmp('>', 'gt', col(2), col(5))) : bounds,
          schema: schemaOf([...types, ...types]),
        };
        expect(intervalJoinBounds(node)).toEqual({ leftTime: 1, rightTime: 1, lower: -3 * SEC + 1, upper: 2 * SEC - 1 });
        const j = intervalJoinOf(node, env)!;
        const out: Row[] = [];
        const collect = (chunks: Chunk[]) => {
          for (const c of chunks) {
            expect(c.kinds).toBeNull();
            out.push(...c.rows);
          }
        };
        let clock = 100 * SEC;
        let wm = -Infinity;
        let late = 0;
        let maxState = 0;
        for (let step = 0; step < 400; step++) {
          // Times on a 250 ms grid, +-1 µs, so pairs meet the (strict) bounds exactly.
          clock += rnd(3) * (SEC / 4);
          if (rnd(5) === 0) {
            // The watermark trails the clock by up to 4 s.
            const next = clock - rnd(17) * (SEC / 4);
            collect(j.watermark(next));
            wm = Math.max(wm, next);
          }
          const side = rnd(2) as 0 | 1;
          const rows: Row[] = [];
          for (let n = 1 + rnd(3); n > 0; n--) {
            // Out of order by up to 5 s: some rows fall behind the watermark.
            const t = rnd(20) === 0 ? null : clock - rnd(21) * (SEC / 4) + rnd(3) - 1;
            const row: Row = [rnd(10) === 0 ? null : rnd(4), t, rnd(5)];
            rows.push(row);
            if (t !== null && row[0] !== null && t <= wm) late++;
            else tables[side].push(row);
          }
          collect(j.push(side, inserts(rows)));
          maxState = Math.max(maxState, j.stateSize);
        }
        collect(j.watermark(MAX_WATERMARK));
        expect(j.lateRows).toBe(late);
        expect(late).toBeGreaterThan(0);
        expect(j.stateSize).toBe(0);
        // State stays bounded by the interval: far fewer rows than were pushed.
        expect(maxState).toBeLessThan((tables[0].length + tables[1].length) / 3);
        const want: Row[] = [];
        for await (const b of runQuery(node, env, FAKE_DEPS).run()) want.push(...b);
        expect(want.length).toBeGreaterThan(0);
        expect(sortRows(out)).toEqual(sortRows(want));
      });
    }
  }
});

describe('IntervalJoin timers', () => {
  it('expire rows whose event times lie before 1970 (negative timer slots)', () => {
    const j = new IntervalJoin(ordersShipments('LEFT'));
    j.push(0, inserts([[1, -10 * HOUR], [2, -9 * HOUR]]));
    // Orders expire at order_time + 4 h.
    expect(pairs(j.watermark(-6 * HOUR - 1))).toEqual([]);
    expect(pairs(j.watermark(-6 * HOUR))).toEqual(['1 -10h NULL NULL']);
    expect(pairs(j.watermark(-5 * HOUR))).toEqual(['2 -9h NULL NULL']);
    expect(j.stateSize).toBe(0);
  });
});

describe('IntervalJoin across a restore', () => {
  // Hours apart (timers spread thin: expiry scans the timer table) and seconds apart (dense timer slots: point lookups).
  const scales = [
    { name: 'hours', drift: 20 * 60 * SEC, spread: 3 * HOUR, behind: HOUR, lower: -4 * HOUR, upper: 0 },
    { name: 'seconds', drift: 3 * SEC, spread: 30 * SEC, behind: 10 * SEC, lower: -20 * SEC, upper: 5 * SEC },
  ];
  for (const scale of scales) {
    for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      it(`${joinType}, rows ${scale.name} apart: continues exactly after its row and timer tables went through their codecs`, () => {
        const rnd = prng(41 + joinType.length);
        let now = 0;
        const chunk = (): Chunk => {
          const rows: Row[] = [];
          for (let n = 1 + rnd(4); n > 0; n--) {
            now += rnd(scale.drift);
            rows.push([rnd(10) === 0 ? null : rnd(4), now - rnd(scale.spread)]);
          }
          return inserts(rows);
        };
        const steps: Step[] = [];
        for (let i = 0; i < 60; i++) steps.push({ input: i % 3 === 0 ? 1 : 0, chunk: chunk() }, { watermark: now - scale.behind });
        const spec: IntervalJoinSpec = { ...ordersShipments(joinType), lower: scale.lower, upper: scale.upper };
        const r = runAcrossRestore((state) => new IntervalJoin(spec, intervalJoinStateTables(state)), steps, 61);
        expect(r.unclaimed).toEqual([]);
        expect(r.entries).toBeGreaterThan(2);
        expect(r.replayed).toEqual([]);
        expect(r.restored.length).toBeGreaterThan(5);
        expect(r.restored).toEqual(r.uninterrupted);
      });
    }
  }
});

describe('IntervalJoin as parallel instances (key groups)', () => {
  const scales = [
    { name: 'hours', drift: 20 * 60 * SEC, spread: 3 * HOUR, behind: HOUR, lower: -4 * HOUR, upper: 0 },
    { name: 'seconds', drift: 3 * SEC, spread: 30 * SEC, behind: 10 * SEC, lower: -20 * SEC, upper: 5 * SEC },
  ];
  /** Rows over 12 keys (some NULL), out of order, some late; a watermark after most chunks. */
  const steps = (seed: number, scale: (typeof scales)[number]): Step[] => {
    const rnd = prng(seed);
    let now = 0;
    const out: Step[] = [];
    for (let i = 0; i < 80; i++) {
      const rows: Row[] = [];
      for (let n = 1 + rnd(5); n > 0; n--) {
        now += rnd(scale.drift);
        rows.push([rnd(15) === 0 ? null : rnd(12), now - rnd(scale.spread)]);
      }
      out.push({ input: rnd(2), chunk: inserts(rows) });
      if (rnd(3) > 0) out.push({ watermark: now - scale.behind });
    }
    return out;
  };
  for (const scale of scales) {
    for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      for (const seed of [1, 2, 3]) {
        for (const [before, after] of [[1, 3], [4, 2]] as const) {
          it(`${joinType}, rows ${scale.name} apart, seed ${seed}: ${before} -> ${after} instances`, () => {
            const spec: IntervalJoinSpec = { ...ordersShipments(joinType), lower: scale.lower, upper: scale.upper };
            const build = (state: StateProvider) => new IntervalJoin(spec, intervalJoinStateTables(state));
            const all = steps(seed * 5 + joinType.length, scale);
            const run = runRescaled(build, all, Math.floor(all.length / 2), before, after);
            expectRescaledEqual(run);
            expect(run.single.flat().length).toBeGreaterThan(10);
          });
        }
      }
    }
  }

  it('rows that join share a key group on both sides; the guard reports misrouted rows and timers', () => {
    const j = new IntervalJoin(ordersShipments());
    for (let k = 0; k < 40; k++) expect(j.keyGroupOf(0, [k, 0])).toBe(j.keyGroupOf(1, [k, HOUR]));
    class Misrouted extends IntervalJoin {
      override keyGroupOf(): number {
        return 0;
      }
    }
    const spec = ordersShipments('FULL');
    const run = runRescaled((state) => new Misrouted(spec, intervalJoinStateTables(state)), steps(4, scales[0]!), 60, 4, 2);
    expect(run.violations.length).toBeGreaterThan(0);
  });

  it('an instance restored over existing timers expires only its own key groups, in slot order per group', () => {
    const state = new RecordingStateProvider();
    const j = new IntervalJoin(ordersShipments('LEFT'), intervalJoinStateTables(state));
    j.push(0, inserts([[1, 10 * HOUR], [2, 11 * HOUR], [1, 12 * HOUR]]));
    const copy = restoredProvider(state);
    const group = j.keyGroupOf(0, [1, 0]);
    const own = new IntervalJoin(ordersShipments('LEFT'), intervalJoinStateTables(Object.assign(copy, { keyGroups: { first: group, last: group } })));
    expect(pairs(own.watermark(20 * HOUR))).toEqual(['1 10h NULL NULL', '1 12h NULL NULL']);
    expect(own.stateSize).toBe(0);
  });
});

describe('GroupTimes', () => {
  const key = (g: number, t: number) => Uint8Array.of(g, t);
  const timeOf = (k: Uint8Array) => k[0]!;
  it('reads the owned groups at first use, whichever call comes first, and follows adds and removes', () => {
    const table = new MemoryStateTable<number>();
    for (const [g, t] of [[3, 9], [3, 4], [5, 7], [9, 1]] as const) table.put(key(g, t), 0);
    // First use is a removal: the table already lacks the key.
    table.delete(key(3, 4));
    const times = new GroupTimes(table, { first: 2, last: 6 }, timeOf);
    times.removed(3);
    expect([times.count(3), times.first(3), times.count(5), times.first(5), times.lowest()]).toEqual([1, 9, 1, 7, 7]);
    table.put(key(5, 2), 0);
    times.added(5, 2);
    expect([times.count(5), times.first(5), times.lowest()]).toEqual([2, 2, 2]);
    table.delete(key(3, 9));
    times.removed(3);
    times.raise(3, 10);
    times.raise(5, 5);
    times.settle();
    expect([times.first(3), times.first(5), times.lowest()]).toEqual([Infinity, 5, 5]);
    // First use is an addition: the table already holds the key.
    const fresh = new MemoryStateTable<number>();
    fresh.put(key(4, 6), 0);
    const other = new GroupTimes(fresh, { first: 0, last: 127 }, timeOf);
    other.added(4, 6);
    expect([other.count(4), other.first(4), other.lowest()]).toEqual([1, 6, 6]);
  });
});
