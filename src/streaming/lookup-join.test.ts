import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { formatChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { col, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { changelogChunk } from './changelog.ts';
import { MAX_WATERMARK, MergeStage, type Port } from './dataflow.ts';
import { LookupJoin, lookupBeforeProbe, lookupJoinOf, lookupJoinStateTables, probeSideTime, type LookupJoinSpec } from './lookup-join.ts';
import { randomChangelog, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { prng } from './streaming.test-helpers.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';
import type { SourceContext, StreamSource } from './stream-sources.ts';

const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');
const chunkOf = (rows: Row[], kind: RowKind = RowKind.INSERT) => changelogChunk(rows, rows.map(() => kind));

// Orders(amount INT, currency STRING) JOIN LatestRates(currency STRING, rate INT) ON r.currency = o.currency
const spec = (joinType: LookupJoinSpec['joinType'] = 'INNER', leftRetracts = false): LookupJoinSpec => ({
  joinType,
  leftKeys: [(r) => r[1]!],
  rightKeys: [(r) => r[0]!],
  keyTypes: [STRING],
  condition: undefined,
  leftRetracts,
  leftTypes: [INT, STRING],
  rightTypes: [STRING, INT],
});
const kindOf = (c: Chunk, i: number) => (c.kinds === null || c.kinds[i] === RowKind.INSERT || c.kinds[i] === RowKind.UPDATE_AFTER ? 1 : -1);
const update = (before: Row, after: Row) => changelogChunk([before, after], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER]);

describe('LookupJoin', () => {
  it('joins each order with the rate current when it arrives (the doc example)', () => {
    const j = new LookupJoin(spec());
    expect(j.push(1, chunkOf([['US Dollar', 102], ['Euro', 114], ['Yen', 1]]))).toEqual([]);
    expect(text(j.push(0, chunkOf([[2, 'Euro']])))).toBe('+I 2 Euro Euro 114');
    expect(text(j.push(0, chunkOf([[1, 'US Dollar']])))).toBe('+I 1 US Dollar US Dollar 102');
    // The rate changes: later orders see it, earlier results stay.
    expect(j.push(1, update(['Euro', 114], ['Euro', 116]))).toEqual([]);
    expect(text(j.push(0, chunkOf([[2, 'Euro'], [5, 'Pound'], [3, null]])))).toBe('+I 2 Euro Euro 116');
    expect('watermark' in j).toBe(false);
  });

  it('LEFT pads orders without a current rate; a deleted rate stops matching', () => {
    const j = new LookupJoin(spec('LEFT'));
    j.push(1, chunkOf([['Euro', 114]]));
    j.push(1, chunkOf([['Euro', 114]], RowKind.DELETE));
    expect(text(j.push(0, chunkOf([[2, 'Euro']])))).toBe('+I 2 Euro NULL NULL');
    expect(() => j.push(1, chunkOf([['Euro', 1]], RowKind.DELETE))).toThrow(/never added/);
  });

  it('joins every current row of a key that is not unique; the residual condition filters them', () => {
    const j = new LookupJoin({ ...spec('LEFT'), condition: (r) => (r[3] as number) > 10 });
    j.push(1, chunkOf([['Euro', 5], ['Euro', 20], ['Euro', 30]]));
    expect(text(j.push(0, chunkOf([[1, 'Euro']])))).toBe('+I 1 Euro Euro 20\n+I 1 Euro Euro 30');
    j.push(1, chunkOf([['Euro', 20], ['Euro', 30]], RowKind.DELETE));
    expect(text(j.push(0, chunkOf([[1, 'Euro']])))).toBe('+I 1 Euro NULL NULL');
  });

  it('a retracted order takes back exactly what it produced, whatever the table holds now', () => {
    const j = new LookupJoin(spec('LEFT', true));
    j.push(1, chunkOf([['Euro', 114]]));
    j.push(0, chunkOf([[2, 'Euro'], [2, 'Euro'], [7, 'Yen']]));
    j.push(1, update(['Euro', 114], ['Euro', 116]));
    j.push(0, chunkOf([[2, 'Euro']]));
    // The latest occurrence (joined with 116) goes first.
    expect(text(j.push(0, update([2, 'Euro'], [2, 'Yen'])))).toBe('-D 2 Euro Euro 116\n+I 2 Yen NULL NULL');
    expect(text(j.push(0, chunkOf([[2, 'Euro'], [7, 'Yen']], RowKind.DELETE)))).toBe('-D 2 Euro Euro 114\n-D 7 Yen NULL NULL');
    expect(j.stateSize).toBe(1 + 2);
    expect(() => j.push(0, chunkOf([[9, 'Euro']], RowKind.DELETE))).toThrow(/never added/);
  });

  it('refuses a retraction from an input said to be insert-only', () => {
    const j = new LookupJoin(spec());
    expect(() => j.push(0, chunkOf([[1, 'Euro']], RowKind.DELETE))).toThrow(/insert-only/);
  });
});

describe('LookupJoin against a model', () => {
  it('every left row gets the rows current at its arrival, and retractions cancel them exactly', () => {
    for (const seed of [1, 2, 3]) {
      const rnd = prng(seed * 13);
      const currencies = ['Euro', 'Yen', 'Pound', null];
      const j = new LookupJoin(spec('LEFT', true));
      const table: Row[] = [];
      const live: Row[] = [];
      /** The multiset of output rows the changelog adds up to, against the one the model expects. */
      const net = new Map<string, number>();
      const want = new Map<string, number>();
      const bump = (m: Map<string, number>, row: Row, by: number) => {
        const k = JSON.stringify(row);
        const n = (m.get(k) ?? 0) + by;
        if (n === 0) m.delete(k);
        else m.set(k, n);
      };
      const results = new Map<Row, Row[]>();
      for (let step = 0; step < 400; step++) {
        if (rnd(3) === 0) {
          if (table.length > 0 && rnd(2) === 0) {
            const old = table.splice(rnd(table.length), 1)[0]!;
            const row: Row = [old[0]!, rnd(100)];
            table.push(row);
            j.push(1, update(old, row));
          } else {
            const row: Row = [currencies[rnd(4)]!, rnd(100)];
            table.push(row);
            j.push(1, chunkOf([row]));
          }
          continue;
        }
        if (live.length > 0 && rnd(4) === 0) {
          // Equal left rows are indistinguishable: the operator takes back the latest occurrence's rows.
          const picked = JSON.stringify(live[rnd(live.length)]);
          let at = live.length - 1;
          while (JSON.stringify(live[at]) !== picked) at--;
          const gone = live.splice(at, 1)[0]!;
          for (const r of results.get(gone)!) bump(want, r, -1);
          for (const c of j.push(0, chunkOf([gone.slice()], RowKind.DELETE))) for (let i = 0; i < c.rows.length; i++) bump(net, c.rows[i]!, kindOf(c, i));
          continue;
        }
        const row: Row = [rnd(5), currencies[rnd(4)]!];
        live.push(row);
        const matched = row[1] === null ? [] : table.filter((r) => r[0] === row[1]).map((r) => row.concat(r));
        const produced = matched.length > 0 ? matched : [row.concat([null, null])];
        results.set(row, produced);
        for (const r of produced) bump(want, r, 1);
        for (const c of j.push(0, chunkOf([row.slice()]))) for (let i = 0; i < c.rows.length; i++) bump(net, c.rows[i]!, kindOf(c, i));
      }
      expect(want.size).toBeGreaterThan(10);
      expect(net).toEqual(want);
    }
  });
});

describe('LookupJoin across a restore', () => {
  it('continues exactly after its tables went through their codecs', () => {
    const rnd = prng(11);
    const currencies = ['Euro', 'Yen', 'Pound'];
    const rates = randomChangelog(rnd, () => [currencies[rnd(3)]!, rnd(200)], 30, 3);
    const orders = randomChangelog(rnd, () => [rnd(9), currencies[rnd(3)]!], 30, 3);
    const steps: Step[] = [];
    for (let i = 0; i < 30; i++) steps.push({ input: 1, chunk: rates[i]! }, { input: 0, chunk: orders[i]! });
    const r = runAcrossRestore((state) => new LookupJoin(spec('LEFT', true), lookupJoinStateTables(state)), steps, 31);
    expect(r.unclaimed).toEqual([]);
    expect(r.entries).toBeGreaterThan(3);
    expect(r.restored.length).toBeGreaterThan(10);
    expect(r.restored.some((l) => l.startsWith('-D'))).toBe(true);
    expect(r.restored).toEqual(r.uninterrupted);
  });
});

describe('lookupJoinOf and its wiring', () => {
  const node = (equi: boolean): JoinNode => ({
    kind: 'join',
    joinType: 'INNER',
    left: scanNode(1, [INT, STRING], { unbounded: true }),
    right: scanNode(2, [STRING, INT]),
    equiKeys: equi ? [{ left: col(1, STRING), right: col(0, STRING) }] : [],
    temporal: { kind: 'processing-time' },
    schema: schemaOf([INT, STRING, STRING, INT]),
  });

  it('looks up by the equality keys and refuses a join without one', () => {
    const env = testEnv(new MemorySource({}, 8));
    const j = lookupJoinOf(node(true), env, false);
    j.push(1, chunkOf([['Euro', 114]]));
    expect(text(j.push(0, chunkOf([[2, 'Euro']])))).toBe('+I 2 Euro Euro 114');
    expect(() => lookupJoinOf(node(false), env, false)).toThrow(/equality/);
    expect(() => lookupJoinOf({ ...node(true), joinType: 'FULL' }, env, false)).toThrow(/FULL/);
  });

  it('the join watermark is the probe side\'s: the lookup side\'s watermarks and idleness are ignored', () => {
    const seen: (number | string)[] = [];
    const out: Port = { chunk: () => {}, watermark: (wm) => seen.push(wm), end: () => seen.push('end'), idle: (idle) => seen.push(`idle ${idle}`), barrier: () => {} };
    const merge = new MergeStage(new LookupJoin(spec()), 2, out);
    const right = probeSideTime(merge.port(1));
    right.watermark(5);
    merge.port(0).watermark(100);
    right.idle(false);
    merge.port(0).watermark(200);
    expect(seen).toEqual([100, 200]);
    // A silent probe side holds the watermark (the lookup side does not release it).
    merge.port(0).idle(true);
    right.watermark(500);
    expect(seen).toEqual([100, 200, 'idle true']);
    merge.port(0).idle(false);
    merge.port(0).end();
    right.end();
    expect(seen).toEqual([100, 200, 'idle true', 'idle false', MAX_WATERMARK, 'end']);
  });

  it('starts the probe sources once the lookup sources have delivered their current rows', async () => {
    const log: string[] = [];
    let releaseLookup!: () => void;
    const lookupLoaded = new Promise<void>((resolve) => (releaseLookup = resolve));
    const source = (name: string, body: (cx: SourceContext) => Promise<void>): StreamSource => ({
      position: () => undefined,
      run: async (_port, cx) => {
        log.push(`${name} starts`);
        await body(cx);
      },
    });
    const port: Port = { chunk: () => {}, watermark: () => {}, end: () => {}, idle: () => {}, barrier: () => {} };
    const sources = [
      { source: source('probe', async () => {}), port },
      {
        source: source('lookup', async (cx) => {
          await lookupLoaded;
          log.push('lookup caught up');
          cx.caughtUp();
        }),
        port,
      },
    ];
    lookupBeforeProbe(sources, { from: 0, to: 1 }, { from: 1, to: 2 });
    const cx: SourceContext = { signal: new AbortController().signal, ready: () => undefined, idleTimeoutMs: 0, fail: () => {}, caughtUp: () => log.push('runtime told') };
    const runs = [sources[0]!.source.run(port, cx), sources[1]!.source.run(port, cx)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toEqual(['lookup starts']);
    releaseLookup();
    await Promise.all(runs);
    expect(log).toEqual(['lookup starts', 'lookup caught up', 'runtime told', 'probe starts']);
  });
});

describe('LookupJoin as parallel instances (key groups)', () => {
  const currencies = ['Euro', 'Yen', 'Pound', 'Franc', 'Krone', 'Dollar', 'Real', 'Rand', 'Won', 'Peso', 'Rupee', 'Lira', null];
  const steps = (seed: number): Step[] => {
    const rnd = prng(seed);
    const rates = randomChangelog(rnd, () => [currencies[rnd(currencies.length)]!, rnd(200)], 40, 4);
    const orders = randomChangelog(rnd, () => [rnd(9), currencies[rnd(currencies.length)]!], 40, 4);
    const out: Step[] = [];
    for (let i = 0; i < 40; i++) out.push({ input: 1, chunk: rates[i]! }, { input: 0, chunk: orders[i]! });
    return out;
  };
  for (const [joinType, leftRetracts] of [['INNER', false], ['LEFT', true], ['INNER', true]] as const) {
    for (const seed of [1, 2, 3]) {
      for (const [before, after] of [[1, 3], [4, 2]] as const) {
        it(`${joinType}${leftRetracts ? ' over a retracting left input' : ''}, seed ${seed}: ${before} -> ${after} instances`, () => {
          const build = (state: StateProvider) => new LookupJoin(spec(joinType, leftRetracts), lookupJoinStateTables(state));
          // Without retractions on the left, feed inserts only there.
          const all = steps(seed * 7 + before).filter((s) => leftRetracts || !('input' in s) || s.input === 1 || s.chunk.kinds === null || s.chunk.kinds.every((k) => k === RowKind.INSERT));
          expectRescaledEqual(runRescaled(build, all, 41, before, after));
        });
      }
    }
  }

  it('rows that join share a key group on both sides; the guard reports misrouted rows', () => {
    const j = new LookupJoin(spec());
    for (const c of currencies) expect(j.keyGroupOf(0, [1, c])).toBe(j.keyGroupOf(1, [c, 5]));
    class Misrouted extends LookupJoin {
      override keyGroupOf(): number {
        return 127;
      }
    }
    const run = runRescaled((state) => new Misrouted(spec('LEFT', true), lookupJoinStateTables(state)), steps(9), 41, 4, 2);
    expect(run.violations.length).toBeGreaterThan(0);
  });
});
