import { describe, expect, it } from 'vitest';
import { BOOLEAN, INT, STRING, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import type { CatalogEntry } from '../../catalog/relation.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { formatChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { JoinNode, LogicalPlan, ScanNode } from '../planner/logical-plan.ts';
import { col, FAKE_DEPS, lit, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { changelogMode } from '../planner/changelog-mode.ts';
import { changelogChunk } from './changelog.ts';
import { MAX_WATERMARK } from './dataflow.ts';
import { liftFilters, TemporalJoin, temporalJoinOf, temporalJoinStateTables, temporalTimes, type TemporalJoinSpec } from './temporal-join.ts';
import { randomChangelog, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { prng } from './streaming.test-helpers.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { RecordingStateProvider, restoredProvider } from './state-restore.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';
import type { StreamInputs } from './stream-sources.ts';

const TS = timestamp(3);
const MIN = 60_000_000;
/** µs of 12:mm on the test's day (minutes from noon). */
const at = (m: number) => 720 * MIN + m * MIN;
const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');
const chunkOf = (rows: Row[], kind: RowKind = RowKind.INSERT) => changelogChunk(rows, rows.map(() => kind));

// Orders(id STRING, currency INT, t) JOIN Rates(currency INT, rate INT, t) ON o.currency = r.currency
const spec = (joinType: TemporalJoinSpec['joinType'] = 'INNER', condition?: TemporalJoinSpec['condition']): TemporalJoinSpec => ({
  joinType,
  leftKey: [(r) => r[1]!],
  rightKey: [(r) => r[0]!],
  keyTypes: [INT],
  leftTime: (r) => r[2]!,
  rightTime: (r) => r[2]!,
  extraLeft: [],
  extraRight: [],
  extraTypes: [],
  condition,
  leftTypes: [STRING, INT, TS],
  rightWidth: 3,
  outputWidth: 6,
});
/** Output rows as "id rate" (or "id NULL"). */
const pairs = (chunks: Chunk[]) =>
  chunks.flatMap((c) => {
    expect(c.kinds).toBeNull();
    return c.rows.map((r) => `${r[0]} ${r[4] ?? 'NULL'}`);
  });

describe('TemporalJoin', () => {
  it('joins each order with the rate valid at its time, once the watermark passes it (the doc example)', () => {
    const j = new TemporalJoin(spec());
    j.push(1, chunkOf([[1, 114, at(-2)]]));
    expect(j.push(0, chunkOf([['o_001', 1, at(0)]]))).toEqual([]);
    // The rate changes at 12:05: an -U / +U pair; the old version stays valid before 12:05.
    expect(j.push(1, changelogChunk([[1, 114, at(-2)], [1, 110, at(5)]], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER]))).toEqual([]);
    j.push(0, chunkOf([['o_002', 1, at(6)]]));
    expect(pairs(j.watermark(at(0)))).toEqual(['o_001 114']);
    expect(pairs(j.watermark(at(5)))).toEqual([]);
    expect(pairs(j.watermark(at(6)))).toEqual(['o_002 110']);
    // A later rate does not revise what was emitted.
    j.push(1, chunkOf([[1, 999, at(7)]]));
    expect(pairs(j.watermark(MAX_WATERMARK))).toEqual([]);
    expect(j.lateRows).toBe(0);
  });

  it('orders arriving out of order within the watermark find their version; late ones are dropped and counted', () => {
    const j = new TemporalJoin(spec('LEFT'));
    j.push(1, chunkOf([[1, 100, at(0)], [1, 101, at(10)], [1, 102, at(20)]]));
    j.push(0, chunkOf([['a', 1, at(25)], ['b', 1, at(5)], ['c', 1, at(15)], ['d', 1, at(-5)], ['e', 2, at(1)]]));
    // Time order at firing: d (before the first version: padded), e (no key 2), b, c.
    expect(pairs(j.watermark(at(16)))).toEqual(['d NULL', 'e NULL', 'b 100', 'c 101']);
    // 12:16 is behind the watermark now: late.
    j.push(0, chunkOf([['late', 1, at(16)], ['ok', 1, at(17)]]));
    expect(j.lateRows).toBe(1);
    expect(pairs(j.watermark(MAX_WATERMARK))).toEqual(['ok 101', 'a 102']);
  });

  it('a deletion ends the key at the deleted row\'s time; a retracted pending order emits nothing', () => {
    const j = new TemporalJoin(spec('LEFT'));
    j.push(1, chunkOf([[1, 100, at(0)], [1, 105, at(10)]]));
    j.push(1, chunkOf([[1, 105, at(10)]], RowKind.DELETE));
    j.push(0, chunkOf([['a', 1, at(5)], ['b', 1, at(12)], ['c', 1, at(12)]]));
    j.push(0, chunkOf([['c', 1, at(12)]], RowKind.DELETE));
    expect(pairs(j.watermark(at(20)))).toEqual(['a 100', 'b NULL']);
    // A retraction whose row was already emitted is late: dropped, counted.
    j.push(0, chunkOf([['a', 1, at(5)]], RowKind.DELETE));
    expect(j.lateRows).toBe(1);
    expect(() => j.push(0, chunkOf([['never', 1, at(30)]], RowKind.DELETE))).toThrow(/not pending/);
  });

  it('applies the residual condition to the chosen version (LEFT pads when it fails)', () => {
    const j = new TemporalJoin(spec('LEFT', (r) => (r[4] as number) > 100));
    j.push(1, chunkOf([[1, 90, at(0)], [1, 120, at(10)]]));
    j.push(0, chunkOf([['a', 1, at(5)], ['b', 1, at(15)]]));
    // a's version (90) fails: padded, not joined with an older or newer version.
    expect(pairs(j.watermark(MAX_WATERMARK))).toEqual(['a NULL', 'b 120']);
  });

  it('keeps only the versions still needed as the watermark passes them', () => {
    const j = new TemporalJoin(spec());
    for (let m = 0; m < 50; m++) j.push(1, chunkOf([[m % 2, m, at(m)]]));
    expect(j.stateSize).toBe(50);
    j.watermark(at(40));
    // Per key: the versions after 12:40 plus the newest at or before it.
    expect(j.stateSize).toBe(9 + 2);
    // A late version older than the kept one is dropped at once; a newer one replaces it.
    j.push(1, chunkOf([[0, -1, at(1)]]));
    expect(j.stateSize).toBe(11);
    j.push(0, chunkOf([['x', 0, at(41)], ['y', 1, at(41)]]));
    expect(pairs(j.watermark(at(41)))).toEqual(['x 40', 'y 41']);
    j.watermark(MAX_WATERMARK);
    expect(j.stateSize).toBe(2);
  });

  it('equals the version lookup done by hand over random changelogs, within and behind the watermark', () => {
    for (const seed of [1, 2, 3]) {
      const rnd = prng(seed);
      const j = new TemporalJoin(spec('LEFT'));
      const history = new Map<number, { time: number; rate: number | null }[]>();
      const want: string[] = [];
      const got: string[] = [];
      let clock = 0;
      let wm = -Infinity;
      const pending: Row[] = [];
      const valid = (key: number, t: number): number | null => {
        let best: { time: number; rate: number | null } | undefined;
        for (const v of history.get(key) ?? []) if (v.time <= t && (best === undefined || v.time >= best.time)) best = v;
        return best?.rate ?? null;
      };
      for (let step = 0; step < 300; step++) {
        clock += rnd(3);
        const r = rnd(10);
        if (r < 3) {
          // A version (or a deletion) in the future of the watermark.
          const key = rnd(3);
          const time = at(clock + 1 + rnd(5));
          const rate = rnd(5) === 0 ? null : step;
          const list = history.get(key) ?? [];
          history.set(key, [...list.filter((v) => v.time !== time), { time, rate }]);
          const row: Row = [key, rate ?? 0, time];
          j.push(1, chunkOf([row], rate === null ? RowKind.DELETE : RowKind.INSERT));
        } else if (r < 8) {
          const row: Row = [`o${step}`, rnd(4), at(clock - rnd(6))];
          if ((row[2] as number) > wm) pending.push(row);
          j.push(0, chunkOf([row]));
        } else {
          const next = at(clock - rnd(4));
          if (next > wm) {
            wm = next;
            pending.sort((a, b) => (a[2] as number) - (b[2] as number));
            while (pending.length > 0 && (pending[0]![2] as number) <= wm) {
              const o = pending.shift()!;
              want.push(`${o[0]} ${valid(o[1] as number, o[2] as number) ?? 'NULL'}`);
            }
          }
          got.push(...pairs(j.watermark(next)));
        }
      }
      expect(got.length).toBeGreaterThan(50);
      expect(got.sort()).toEqual(want.sort());
      expect(j.lateRows).toBeGreaterThan(0);
    }
  });
});

describe('TemporalJoin across a restore', () => {
  it('continues exactly after its tables went through their codecs', () => {
    const rnd = prng(7);
    let clock = 0;
    const rates = randomChangelog(rnd, () => [rnd(3), rnd(100), at(clock + rnd(4))], 40, 3);
    const steps: Step[] = [];
    for (let i = 0; i < 40; i++) {
      clock += 2;
      steps.push({ input: 1, chunk: rates[i]! });
      steps.push({ input: 0, chunk: chunkOf([[`o${i}`, rnd(3), at(clock - rnd(3))], [`p${i}`, rnd(3), at(clock + 1)]]) });
      if (i % 3 === 2) steps.push({ watermark: at(clock - 2) });
    }
    const r = runAcrossRestore((state) => new TemporalJoin(spec('LEFT'), temporalJoinStateTables(state)), steps, 61);
    expect(r.unclaimed).toEqual([]);
    expect(r.entries).toBeGreaterThan(3);
    expect(r.replayed).toEqual([]);
    expect(r.restored.length).toBeGreaterThan(10);
    expect(r.restored).toEqual(r.uninterrupted);
  });
});

describe('TemporalJoin as parallel instances (key groups)', () => {
  const KEYS = 16;
  /**
   * Versions of 16 keys (+I of a new key, -U/+U of one key, -D), some
   * behind the watermark; orders over those keys and NULL, some late, some
   * retracted while pending; a watermark every few steps.
   */
  const steps = (seed: number): Step[] => {
    const rnd = prng(seed);
    let clock = 0;
    const current = new Map<number, Row>();
    const out: Step[] = [];
    for (let i = 0; i < 60; i++) {
      clock += 1 + rnd(2);
      const rows: Row[] = [];
      const kinds: RowKind[] = [];
      for (let n = 1 + rnd(4); n > 0; n--) {
        const key = rnd(KEYS);
        const row: Row = [key, rnd(100), at(clock + rnd(4) - 1)];
        const old = current.get(key);
        if (old === undefined) {
          rows.push(row);
          kinds.push(RowKind.INSERT);
          current.set(key, row);
        } else if (rnd(4) === 0) {
          rows.push(old);
          kinds.push(RowKind.DELETE);
          current.delete(key);
        } else {
          rows.push(old, row);
          kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
          current.set(key, row);
        }
      }
      out.push({ input: 1, chunk: changelogChunk(rows, kinds) });
      const orders: Row[] = [];
      for (let n = 1 + rnd(4); n > 0; n--) orders.push([`o${i}.${n}`, rnd(9) === 0 ? null : rnd(KEYS), at(clock + rnd(3) - 1)]);
      out.push({ input: 0, chunk: chunkOf(orders) });
      // Withdraw an order of this step while it is still pending (ahead of any watermark so far).
      if (rnd(4) === 0) out.push({ input: 0, chunk: chunkOf([orders[0]!], RowKind.DELETE) });
      if (rnd(3) === 0) out.push({ watermark: at(clock - 1) });
    }
    return out;
  };
  for (const joinType of ['INNER', 'LEFT'] as const) {
    for (const seed of [1, 2, 3]) {
      for (const [before, after] of [[1, 3], [4, 2]] as const) {
        it(`${joinType}, seed ${seed}: ${before} -> ${after} instances`, () => {
          const build = (state: StateProvider) => new TemporalJoin(spec(joinType), temporalJoinStateTables(state));
          const all = steps(seed * 3 + joinType.length);
          const run = runRescaled(build, all, Math.floor(all.length / 2), before, after);
          expectRescaledEqual(run);
          expect(run.single.flat().length).toBeGreaterThan(40);
        });
      }
    }
  }

  it('rows that join share a key group on both sides; the guard reports misrouted rows', () => {
    const j = new TemporalJoin(spec());
    for (let k = 0; k < KEYS; k++) expect(j.keyGroupOf(0, ['o', k, at(0)])).toBe(j.keyGroupOf(1, [k, 1, at(0)]));
    class Misrouted extends TemporalJoin {
      override keyGroupOf(): number {
        return 0;
      }
    }
    const run = runRescaled((state) => new Misrouted(spec('LEFT'), temporalJoinStateTables(state)), steps(9), 60, 4, 2);
    expect(run.violations.length).toBeGreaterThan(0);
  });

  it('rows of equal time fire in arrival order across key groups, also after a restore', () => {
    const state = new RecordingStateProvider();
    const j = new TemporalJoin(spec('LEFT'), temporalJoinStateTables(state));
    const names = Array.from({ length: 12 }, (_, k) => `r${k}`);
    // Keys whose groups go down and up, all at the same time.
    j.push(0, chunkOf(names.slice(0, 6).map((n, k) => [n, k, at(5)])));
    const restored = new TemporalJoin(spec('LEFT'), temporalJoinStateTables(restoredProvider(state)));
    restored.push(0, chunkOf(names.slice(6).map((n, k) => [n, k + 6, at(5)])));
    expect(pairs(restored.watermark(at(5)))).toEqual(names.map((n) => `${n} NULL`));
  });
});

// ---------------------------------------------------------------------------
// From a plan node.

const ORDERS = 1;
const RATES = 2;
/** `a <= b` as the binder writes the rowtime conjunct (the fake library has only `<`: the test times never tie). */
const le = (a: BoundExpr, b: BoundExpr): BoundExpr => ({ kind: 'call', fn: 'lt', name: '<=', args: [a, b], type: BOOLEAN, volatile: false });
const gt = (a: BoundExpr, b: BoundExpr): BoundExpr => ({ kind: 'call', fn: 'gt', name: '>', args: [a, b], type: BOOLEAN, volatile: false });
const timed = (relationId: number, types: SqlType[], time: number, filter?: BoundExpr): ScanNode => ({
  ...scanNode(relationId, types, filter === undefined ? {} : { filter }),
  watermark: col(time, TS),
});
const relation = (id: number, names: string[], primaryKey: string[]): CatalogEntry =>
  ({
    kind: 'table',
    id,
    name: `t${id}`,
    schema: 'public',
    columns: names.map((name) => ({ name, type: INT, nullable: true, kind: 'physical' })),
    primaryKey,
    partitionedBy: [],
    options: {},
  }) as unknown as CatalogEntry;
const inputs = (pk: string[]): StreamInputs =>
  ({
    relation: (id: number) => (id === ORDERS ? relation(ORDERS, ['id', 'currency', 't'], []) : id === RATES ? relation(RATES, ['currency', 'rate', 't'], pk) : undefined),
  }) as unknown as StreamInputs;
const join = (right: LogicalPlan): JoinNode => ({
  kind: 'join',
  joinType: 'LEFT',
  left: timed(ORDERS, [STRING, INT, TS], 2),
  right,
  equiKeys: [{ left: col(1), right: col(0) }],
  condition: le(col(5, TS), col(2, TS)),
  temporal: { kind: 'event-time' },
  schema: schemaOf([STRING, INT, TS, INT, INT, TS]),
});

describe('temporalJoinOf', () => {
  it('finds the time columns from the rowtime conjunct and keys versions by the primary key', () => {
    const node = join(timed(RATES, [INT, INT, TS], 2));
    expect(temporalTimes(node)).toEqual({ left: 2, right: 2 });
    const { operator, right } = temporalJoinOf(node, testEnv(new MemorySource({}, 8)), inputs(['currency']));
    expect(right).toBe(node.right);
    operator.push(1, chunkOf([[1, 114, at(0)]]));
    operator.push(0, chunkOf([['o', 1, at(1)], ['p', 2, at(1)]]));
    expect(text(operator.watermark(at(1)))).toBe(`+I o 1 ${at(1)} 1 114 ${at(0)}\n+I p 2 ${at(1)} NULL NULL NULL`);
  });

  it('refuses a condition without the primary key', () => {
    expect(() => temporalJoinOf(join(timed(RATES, [INT, INT, TS], 2)), testEnv(new MemorySource({}, 8)), inputs(['rate']))).toThrow(/primary key column "rate"/);
  });

  it('evaluates filters pushed into the versioned side on the joined row instead', () => {
    const filtered = timed(RATES, [INT, INT, TS], 2, gt(col(1), lit(100)));
    const env = testEnv(new MemorySource({}, 8));
    const { operator, right } = temporalJoinOf(join(filtered), env, inputs(['currency']));
    expect(right.kind === 'scan' && right.filter === undefined).toBe(true);
    operator.push(1, chunkOf([[1, 114, at(0)], [1, 90, at(5)]]));
    operator.push(0, chunkOf([['o', 1, at(6)], ['p', 1, at(4)]]));
    // The version valid at 12:06 is 90: it fails the filter, so LEFT pads (the 114 version is not used).
    expect(text(operator.watermark(at(6)))).toBe(`+I p 1 ${at(4)} 1 114 ${at(0)}\n+I o 1 ${at(6)} NULL NULL NULL`);
  });

  it('lifts a filter below a projection as one more column of the versioned side, dropped from the output', () => {
    // The projection outputs currency and the time only: the filter reads the rate, which it drops.
    const filtered = timed(RATES, [INT, INT, TS], 2, gt(col(1), lit(100)));
    const projected: LogicalPlan = { kind: 'project', input: filtered, exprs: [col(0), col(2, TS)], schema: schemaOf([INT, TS]) };
    const lifted = liftFilters(projected);
    expect(lifted.filters).toEqual([{ kind: 'column', type: BOOLEAN, index: 2 }]);
    expect(lifted.plan.schema.length).toBe(3);
    expect(lifted.plan.kind === 'project' && lifted.plan.input.kind === 'scan' && lifted.plan.input.filter === undefined).toBe(true);
    const node: JoinNode = { ...join(projected), condition: le(col(4, TS), col(2, TS)), schema: schemaOf([STRING, INT, TS, INT, TS]) };
    const { operator } = temporalJoinOf(node, testEnv(new MemorySource({}, 8)), inputs(['currency']));
    // Right rows as the lifted side produces them: currency, time, passes.
    operator.push(1, chunkOf([[1, at(0), true], [1, at(5), false]]));
    operator.push(0, chunkOf([['o', 1, at(6)], ['p', 1, at(4)]]));
    expect(text(operator.watermark(at(6)))).toBe(`+I p 1 ${at(4)} 1 ${at(0)}\n+I o 1 ${at(6)} NULL NULL`);
  });

  it('over bounded inputs the plan reads as a regular join keeping versions already valid', async () => {
    const orders: Row[] = [['o', 1, at(5)], ['p', 1, at(-5)]];
    const rates: Row[] = [[1, 114, at(0)]];
    const env = testEnv(new MemorySource({ [ORDERS]: orders, [RATES]: rates }, 8));
    const node = { ...join(timed(RATES, [INT, INT, TS], 2)), joinType: 'INNER' as const };
    const rows: Row[] = [];
    for await (const b of runQuery(node, env, FAKE_DEPS).run()) rows.push(...b);
    expect(rows).toEqual([['o', 1, at(5), 1, 114, at(0)]]);
  });

  it('is append-only over a retracting left input (a stored table read as a changelog); a lookup has its left input\'s mode', () => {
    const node = join(timed(RATES, [INT, INT, TS], 2));
    expect(changelogMode(node, 'changelog')).toBe('insert-only');
    const { temporal: _temporal, ...regular } = node;
    expect(changelogMode(regular, 'changelog')).toBe('retract');
    const lookup: JoinNode = { ...node, temporal: { kind: 'processing-time' } };
    expect(changelogMode(lookup, 'changelog')).toBe('retract');
    const endless: JoinNode = { ...lookup, left: { ...timed(ORDERS, [STRING, INT, TS], 2), source: 'connector', unbounded: true } };
    expect(changelogMode(endless, 'changelog')).toBe('insert-only');
  });
});
