/**
 * The window Top-N as parallel instances (ARCHITECTURE decision 8): rows are
 * routed by the key group of their PARTITION BY key (window columns
 * included); windows fire on every instance at the same watermark, and the
 * output equals one instance's step by step across a change of parallelism.
 */
import { describe, expect, it } from 'vitest';
import { INT, timestamp, type Row } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { changelogChunk } from './changelog.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import type { Step } from './state-restore.test-helpers.ts';
import { memoryStateProvider, type StateProvider } from './state-provider.ts';
import { prng } from './streaming.test-helpers.ts';
import { encodeKey } from '../values/key-codec.ts';
import { WindowTopN, type WindowTopNSpec } from './window-top-n.ts';

const TS = timestamp(3);
const SIZE = 10_000_000;

// rows [window_end TIMESTAMP, k INT, price INT]; PARTITION BY window_end, k ORDER BY price DESC
function build(opts: Partial<WindowTopNSpec> = {}): (state: StateProvider) => WindowTopN {
  return (state) =>
    new WindowTopN(
      {
        endColumn: 0,
        endType: TS,
        fireTime: (end) => end - 1000,
        partition: [(r) => r[0] ?? null, (r) => r[1] ?? null],
        partitionTypes: [TS, INT],
        keys: [(r) => r[2] ?? null],
        order: [{ type: INT, desc: true, nullsFirst: false }],
        first: opts.first ?? 1,
        last: opts.last ?? 2,
        withRank: opts.withRank ?? true,
        ...(opts.fn === undefined ? {} : { fn: opts.fn }),
      },
      state,
    );
}

/**
 * Insert-only chunks of rows in windows around a clock that advances by a
 * window every few chunks, some already late, a watermark now and then.
 */
function randomSteps(seed: number, keys = 25, chunks = 80): Step[] {
  const rnd = prng(seed);
  const steps: Step[] = [];
  for (let n = 0; n < chunks; n++) {
    const clock = Math.floor(n / 4);
    const rows: Row[] = [];
    for (let i = 1 + rnd(8); i > 0; i--) {
      const w = Math.max(1, clock + rnd(3) - 1);
      rows.push([w * SIZE, rnd(keys), rnd(20)]);
    }
    steps.push({ input: 0, chunk: changelogChunk(rows, rows.map(() => RowKind.INSERT)) });
    if (n % 5 === 4) steps.push({ watermark: clock * SIZE - 1000 });
  }
  return steps;
}

describe('WindowTopN as parallel instances', () => {
  for (const seed of [1, 2, 3]) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
    ] as const) {
      it(`ROW_NUMBER <= 2 per window and key, seed ${seed}: ${before} -> ${after}`, () => {
        const steps = randomSteps(seed);
        const run = runRescaled(build(), steps, Math.floor(steps.length / 2), before, after);
        expectRescaledEqual(run);
        expect(run.single.slice(0, -1).flat().length).toBeGreaterThan(50);
      });
      it(`RANK ranks 2..3, seed ${seed}: ${before} -> ${after}`, () => {
        expectRescaledEqual(runRescaled(build({ fn: 'rank', first: 2, last: 3, withRank: false }), randomSteps(seed + 10), 41, before, after));
      });
    }
  }

  it('late rows are dropped by every instance alike: 2 -> 5', () => {
    const run = runRescaled(build(), randomSteps(7, 60), 50, 2, 5);
    expectRescaledEqual(run);
  });

  it('routes rows by the key-codec encoding of the PARTITION BY values', () => {
    const op = build()(memoryStateProvider);
    expect(op.keyGroupOf(0, [3 * SIZE, 7, 1])).toBe(keyGroupOf(encodeKey([3 * SIZE, 7], [TS, INT])));
  });

  it('one instance fires window by window over all its key groups, each window in partition key order', () => {
    const op = build({ last: 1 })(memoryStateProvider);
    const rows: Row[] = [];
    for (let k = 9; k >= 0; k--) rows.push([2 * SIZE, k, k], [1 * SIZE, k, k]);
    op.push(0, changelogChunk(rows, rows.map(() => RowKind.INSERT)));
    const out = op.watermark(3 * SIZE).flatMap((c) => c.rows.map((r) => `${String(r[0])}|${String(r[1])}`));
    const want: string[] = [];
    for (const w of [1, 2]) for (let k = 0; k <= 9; k++) want.push(`${w * SIZE}|${k}`);
    expect(out).toEqual(want);
  });

  it('refuses a row routed to an instance that does not own its key group', () => {
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = build()(state);
      return { keyGroupOf: () => 0, push: (input: number, chunk: Chunk) => op.push(input, chunk), watermark: (wm) => op.watermark(wm) };
    };
    expect(() => runRescaled(misrouted, randomSteps(9), 20, 3, 2)).toThrow(/received a row of key group/);
  });
});
