/**
 * The per-partition Top-N (ROW_NUMBER / RANK / DENSE_RANK, deduplication) as
 * parallel instances (ARCHITECTURE decision 8): rows are routed by the key
 * group of their PARTITION BY key; the output equals one instance's step by
 * step across a change of parallelism, each instance touching only keys of
 * its own key groups.
 */
import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { changelogChunk } from './changelog.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { RankTopN, rankPartitionCodec, type RankTopNSpec } from './rank-top-n.ts';
import { randomChangelog, type Step } from './state-restore.test-helpers.ts';
import { memoryStateProvider, type StateProvider } from './state-provider.ts';
import { prng } from './streaming.test-helpers.ts';
import { encodeKey } from '../values/key-codec.ts';

// rows [p STRING, k INT, name STRING]; PARTITION BY p ORDER BY k DESC
function build(opts: Partial<RankTopNSpec> = {}, partitioned = true): (state: StateProvider) => RankTopN {
  return (state) =>
    new RankTopN(
      {
        partition: partitioned ? [(r) => r[0] ?? null] : [],
        partitionTypes: partitioned ? [STRING] : [],
        keys: [(r) => r[1] ?? null],
        order: [{ type: INT, desc: true, nullsFirst: true }],
        types: [STRING, INT, STRING],
        first: opts.first ?? 1,
        last: opts.last ?? 3,
        withRank: opts.withRank ?? true,
        appendOnly: opts.appendOnly ?? false,
        ...(opts.fn === undefined ? {} : { fn: opts.fn }),
        ...(opts.updateBefore === undefined ? {} : { updateBefore: opts.updateBefore }),
      },
      state.table('partitions', rankPartitionCodec, { pointOnly: true }),
      state.keyGroups,
    );
}

const fresh = (rnd: (n: number) => number, partitions: number) => (): Row => [
  rnd(10) === 0 ? null : `p${rnd(partitions)}`,
  rnd(6) === 0 ? null : rnd(12),
  ['x', 'y', 'z'][rnd(3)]!,
];

/** A retract changelog, a watermark now and then (the operator passes them on). */
function retracting(seed: number, partitions = 30, chunks = 60): Step[] {
  const rnd = prng(seed);
  const steps: Step[] = [];
  randomChangelog(rnd, fresh(rnd, partitions), chunks, 10).forEach((chunk, n) => {
    steps.push({ input: 0, chunk });
    if (n % 8 === 7) steps.push({ watermark: n });
  });
  return steps;
}

/** Insert-only chunks. */
function inserts(seed: number, partitions = 30, chunks = 50): Step[] {
  const rnd = prng(seed);
  const row = fresh(rnd, partitions);
  const steps: Step[] = [];
  for (let n = 0; n < chunks; n++) {
    const rows: Row[] = [];
    for (let i = 1 + rnd(10); i > 0; i--) rows.push(row());
    steps.push({ input: 0, chunk: changelogChunk(rows, rows.map(() => RowKind.INSERT)) });
  }
  return steps;
}

const SPLITS = [
  [1, 3],
  [4, 2],
] as const;

describe('RankTopN as parallel instances', () => {
  for (const seed of [1, 2, 3]) {
    for (const [before, after] of SPLITS) {
      it(`ROW_NUMBER <= 3 with the rank over retractions, seed ${seed}: ${before} -> ${after}`, () => {
        const steps = retracting(seed);
        const run = runRescaled(build(), steps, Math.floor(steps.length / 2), before, after);
        expectRescaledEqual(run);
        expect(run.single.flat().length).toBeGreaterThan(100);
      });
      it(`RANK and DENSE_RANK ranks 2..3 over retractions, seed ${seed}: ${before} -> ${after}`, () => {
        const steps = retracting(seed + 10);
        expectRescaledEqual(runRescaled(build({ fn: 'rank', first: 2 }), steps, 30, before, after));
        expectRescaledEqual(runRescaled(build({ fn: 'dense_rank', first: 2, withRank: false }), steps, 30, before, after));
      });
      it(`insert-only Top-2 without the rank, upsert mode, seed ${seed}: ${before} -> ${after}`, () => {
        const steps = inserts(seed + 20);
        expectRescaledEqual(runRescaled(build({ last: 2, withRank: false, appendOnly: true, updateBefore: false }), steps, 25, before, after));
        expectRescaledEqual(runRescaled(build({ fn: 'rank', last: 2, appendOnly: true }), steps, 25, before, after));
      });
    }
  }

  it('deduplication (keep first per key, ROW_NUMBER = 1): 3 -> 5 instances', () => {
    const steps = inserts(7, 80);
    expectRescaledEqual(runRescaled(build({ last: 1, withRank: false, appendOnly: true }), steps, 20, 3, 5));
  });

  it('without PARTITION BY: one partition in the key group of the empty key, 4 -> 2 instances', () => {
    const steps = retracting(8);
    expectRescaledEqual(runRescaled(build({}, false), steps, 30, 4, 2));
    expect(build({}, false)(memoryStateProvider).keyGroupOf(0, ['a', 1, 'x'])).toBe(keyGroupOf(new Uint8Array(0)));
  });

  it('routes rows by the key-codec encoding of the PARTITION BY values', () => {
    const op = build()(memoryStateProvider);
    expect(op.keyGroupOf(0, ['p7', 3, 'x'])).toBe(keyGroupOf(encodeKey(['p7'], [STRING])));
    expect(op.keyGroupOf(0, [null, 3, 'x'])).toBe(keyGroupOf(encodeKey([null], [STRING])));
  });

  it('refuses a row routed to an instance that does not own its key group', () => {
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = build()(state);
      return { keyGroupOf: () => 0, push: (input: number, chunk: Chunk) => op.push(input, chunk) };
    };
    expect(() => runRescaled(misrouted, retracting(9), 20, 3, 2)).toThrow(/received a row of key group/);
  });
});
