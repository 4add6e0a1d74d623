/**
 * The unwindowed aggregate as parallel instances (ARCHITECTURE decision 8):
 * the same output as one instance, step by step, across a change of
 * parallelism, each instance touching only keys of its own key groups.
 */
import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, type Row, type SqlType } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import type { AggregateFunctionName, AggregateNode } from '../planner/logical-plan.ts';
import { col, lit, testEnv, MemorySource } from '../compiler/plan.test-helpers.ts';
import { incrementalAggregateOf } from './incremental-aggregate.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { randomChangelog, type Step } from './state-restore.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';
import { prng } from './streaming.test-helpers.ts';
import { encodeKey } from '../values/key-codec.ts';

const DEC: SqlType = { kind: 'DECIMAL', precision: 12, scale: 2 };
// input: [k INT, x INT, b BIGINT, d DECIMAL(12,2), f DOUBLE, s STRING, flag BOOLEAN, step INT]
const a = (fn: AggregateFunctionName, args: unknown[], type: SqlType, distinct = false) => ({ fn, args, distinct, orderBy: [], type });
const aggregates = [
  a('count_star', [], BIGINT),
  a('count', [col(1)], BIGINT, true),
  a('sum', [col(1)], INT),
  a('sum', [col(2, BIGINT)], BIGINT, true),
  a('avg', [col(3, DEC)], { kind: 'DECIMAL', precision: 38, scale: 6 }),
  a('min', [col(1)], INT),
  a('max', [col(5, STRING)], STRING),
  a('sum', [col(4, DOUBLE)], DOUBLE),
  a('string_agg', [col(5, STRING), lit(',', STRING)], STRING),
  a('bool_and', [col(6, BOOLEAN)], BOOLEAN),
  a('max', [col(4, DOUBLE)], DOUBLE, true),
];
const grouped = { kind: 'aggregate', groupKeys: [col(0), col(5, STRING)], aggregates } as unknown as AggregateNode;
const global = { kind: 'aggregate', groupKeys: [], aggregates } as unknown as AggregateNode;
const env = testEnv(new MemorySource({}));

/** Random steps: retract changelog chunks (each row's last column the step number), watermarks in between. */
function randomSteps(seed: number, keys: number, chunks = 80): Step[] {
  const rnd = prng(seed);
  const maybe = <T,>(v: T): T | null => (rnd(6) === 0 ? null : v);
  const fresh = (): Row => [
    maybe(rnd(keys)),
    maybe(rnd(10)),
    maybe(BigInt(rnd(50))),
    maybe(BigInt(rnd(100_000)) - 50_000n),
    maybe(rnd(10_000) / 7),
    maybe(['a', 'b', 'ü'][rnd(3)]!),
    maybe(rnd(4) !== 0),
    0,
  ];
  const steps: Step[] = [];
  randomChangelog(rnd, fresh, chunks, 10).forEach((chunk, n) => {
    const stamped: Chunk = { rows: chunk.rows.map((r) => [...r.slice(0, 7), n]), kinds: chunk.kinds };
    steps.push({ input: 0, chunk: stamped });
    if (n % 7 === 6) steps.push({ watermark: n * 1000 });
  });
  return steps;
}

/**
 * The aggregate under a state TTL whose clock is the step number of the rows
 * pushed (10 ms a step), so that every instance sees the time the single
 * instance saw at the same step.
 */
function withStepClock(node: AggregateNode, ttlMs: number): (state: StateProvider) => KeyedOperator {
  return (state) => {
    let now = 0;
    const op = incrementalAggregateOf(node, env, state, { ttl: { ttlMs, clock: () => now } });
    return {
      keyGroupOf: (input, row) => op.keyGroupOf(input, row),
      push(input, chunk) {
        const first = chunk.rows[0];
        if (first !== undefined) now = (first[7] as number) * 10;
        return op.push(input, chunk);
      },
    };
  };
}

describe('IncrementalAggregate as parallel instances', () => {
  for (const seed of [1, 2, 3]) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
      [3, 1],
    ] as const) {
      it(`GROUP BY (two keys, DISTINCT calls), seed ${seed}: ${before} -> ${after} instances`, () => {
        const steps = randomSteps(seed, 40);
        const run = runRescaled((state) => incrementalAggregateOf(grouped, env, state), steps, Math.floor(steps.length / 2), before, after);
        expectRescaledEqual(run);
        expect(run.single.flat().length).toBeGreaterThan(100);
      });
    }
  }

  it('a global aggregate is one key group: one instance gets every row, the others stay empty', () => {
    const steps = randomSteps(4, 5, 40);
    const run = runRescaled((state) => incrementalAggregateOf(global, env, state), steps, 20, 4, 2);
    expectRescaledEqual(run);
    const op = incrementalAggregateOf(global, env);
    expect(op.keyGroupOf(0, [1, 2])).toBe(keyGroupOf(new Uint8Array(0)));
  });

  it("routes rows by the key-codec encoding of the group key (the same bytes as the key's state)", () => {
    const op = incrementalAggregateOf(grouped, env);
    const row: Row = [7, 1, 2n, 3n, 4, 'k', true, 0];
    expect(op.keyGroupOf(0, row)).toBe(keyGroupOf(encodeKey([7, 'k'], [INT, STRING])));
  });

  for (const seed of [5, 6]) {
    it(`under a state TTL that expires groups, seed ${seed}: 3 instances expire only their own groups`, () => {
      const steps = randomSteps(seed, 12);
      // Restored at the very end: TTL bookkeeping does not survive a restart, so expiry is compared before it.
      const run = runRescaled(withStepClock(grouped, 45), steps, steps.length, 3, 2);
      expectRescaledEqual(run);
      // Groups did expire (the output differs from a run without TTL).
      const plain = runRescaled((state) => incrementalAggregateOf(grouped, env, state), steps, steps.length, 1, 1);
      expect(run.single).not.toEqual(plain.single);
    });
  }

  for (const seed of [7, 8]) {
    it(`under a state TTL never reached, seed ${seed}: restored groups that empty drop their DISTINCT entries in their own key group`, () => {
      const steps = randomSteps(seed, 12);
      expectRescaledEqual(runRescaled(withStepClock(grouped, 1e9), steps, 30, 2, 3));
      expectRescaledEqual(runRescaled(withStepClock(grouped, 1e9), steps, 30, 1, 4));
    });
  }

  it('refuses a row routed to an instance that does not own its key group', () => {
    const steps = randomSteps(9, 40, 10);
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = incrementalAggregateOf(grouped, env, state);
      return { keyGroupOf: () => 0, push: (input, chunk) => op.push(input, chunk) };
    };
    expect(() => runRescaled(misrouted, steps, 5, 3, 2)).toThrow(/received a row of key group/);
  });

  it('GROUP BY string keys of growing length (longer than the reused lookup bytes): 2 -> 3 instances', () => {
    const node = { kind: 'aggregate', groupKeys: [col(5, STRING)], aggregates: [a('count_star', [], BIGINT), a('count', [col(1)], BIGINT, true)] } as unknown as AggregateNode;
    const steps = randomSteps(11, 10).map((s): Step => {
      if ('watermark' in s) return s;
      const rows = s.chunk.rows.map((r) => {
        const k = r[0] === null ? 0 : (r[0] as number);
        return [...r.slice(0, 5), 'x'.repeat(20 * k) + String(k), ...r.slice(6)];
      });
      return { input: 0, chunk: { rows, kinds: s.chunk.kinds } };
    });
    const run = runRescaled((state) => incrementalAggregateOf(node, env, state), steps, 40, 2, 3);
    expectRescaledEqual(run);
    expect(run.single.flat().length).toBeGreaterThan(50);
  });

  it('GROUP BY a BOOLEAN and a DOUBLE key: 4 -> 2 instances', () => {
    const node = { kind: 'aggregate', groupKeys: [col(6, BOOLEAN), col(4, DOUBLE)], aggregates: [a('count_star', [], BIGINT)] } as unknown as AggregateNode;
    const steps = randomSteps(10, 30);
    expectRescaledEqual(runRescaled((state) => incrementalAggregateOf(node, env, state), steps, 40, 4, 2));
  });
});
