/**
 * The incremental Top-N (no partition key) as parallel instances
 * (ARCHITECTURE decision 8): all its state is in the key group of the empty
 * key, so one instance gets every row; the output equals one instance's step
 * by step across a change of parallelism.
 */
import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { IncrementalTopN, topNStateTables } from './incremental-top-n.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { randomChangelog, type Step } from './state-restore.test-helpers.ts';
import { memoryStateProvider, type StateProvider } from './state-provider.ts';
import { prng } from './streaming.test-helpers.ts';

// rows [k INT, v STRING]; ORDER BY k DESC LIMIT 5 OFFSET 2
const build = (limit: number | null, offset: number) => (state: StateProvider) =>
  new IncrementalTopN({ keys: [(r) => r[0] ?? null], order: [{ type: INT, desc: true, nullsFirst: false }], types: [INT, STRING], limit, offset }, topNStateTables(state));

function randomSteps(seed: number, chunks = 60): Step[] {
  const rnd = prng(seed);
  const fresh = (): Row => [rnd(8) === 0 ? null : rnd(40), ['a', 'b', 'c'][rnd(3)]!];
  const steps: Step[] = [];
  randomChangelog(rnd, fresh, chunks, 8).forEach((chunk, n) => {
    steps.push({ input: 0, chunk });
    if (n % 9 === 8) steps.push({ watermark: n });
  });
  return steps;
}

describe('IncrementalTopN as parallel instances', () => {
  for (const seed of [1, 2, 3]) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
    ] as const) {
      it(`LIMIT 5 OFFSET 2 over retractions, seed ${seed}: ${before} -> ${after} instances`, () => {
        const steps = randomSteps(seed);
        const run = runRescaled(build(5, 2), steps, Math.floor(steps.length / 2), before, after);
        expectRescaledEqual(run);
        expect(run.single.flat().length).toBeGreaterThan(40);
      });
    }
  }

  it('no LIMIT (OFFSET only): 2 -> 5 instances', () => {
    expectRescaledEqual(runRescaled(build(null, 3), randomSteps(4), 30, 2, 5));
  });

  it('every row is in the key group of the empty key', () => {
    const op = build(5, 0)(memoryStateProvider);
    expect(op.keyGroupOf(0, [1, 'a'])).toBe(keyGroupOf(new Uint8Array(0)));
    expect(op.keyGroupOf(0, [null, 'z'])).toBe(keyGroupOf(new Uint8Array(0)));
  });

  it('refuses rows routed to an instance that does not own that key group', () => {
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = build(5, 2)(state);
      // A group 64 away from the right one: always another instance's (no instance owns more than 43 of 3).
      return { keyGroupOf: () => (keyGroupOf(new Uint8Array(0)) + 64) % 128, push: (input, chunk) => op.push(input, chunk) };
    };
    expect(() => runRescaled(misrouted, randomSteps(5), 20, 3, 2)).toThrow(/not owning key group/);
  });
});
