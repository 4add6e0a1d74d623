/**
 * INTERSECT / EXCEPT [ALL] as parallel instances (ARCHITECTURE decision 8):
 * rows of both inputs meet in the key group of the whole row; the output
 * equals one instance's step by step, across a change of parallelism.
 */
import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { encodeKey } from '../values/key-codec.ts';
import { IncrementalSetOp, type SetOpSpec } from './incremental-set-op.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { randomChangelog, type Step } from './state-restore.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';
import { prng } from './streaming.test-helpers.ts';

const spec = (op: SetOpSpec['op'], all: boolean): SetOpSpec => ({ op, all, types: [INT, STRING] });

/** Both inputs' random changelogs interleaved, a watermark now and then. */
function randomSteps(seed: number): Step[] {
  const rnd = prng(seed);
  const fresh = (): Row => [rnd(12), rnd(4) === 0 ? null : 'abc'[rnd(3)]!];
  const left = randomChangelog(rnd, fresh, 40, 6);
  const right = randomChangelog(rnd, fresh, 40, 6);
  const steps: Step[] = [];
  for (let i = 0; i < 40; i++) {
    steps.push({ input: 0, chunk: left[i]! }, { input: 1, chunk: right[i]! });
    if (i % 9 === 8) steps.push({ watermark: i });
  }
  return steps;
}

describe('IncrementalSetOp as parallel instances', () => {
  for (const op of ['INTERSECT', 'EXCEPT'] as const) {
    for (const all of [false, true]) {
      for (const seed of [1, 2, 3]) {
        it(`${op}${all ? ' ALL' : ''}, seed ${seed}: 1 -> 3 and 4 -> 2 instances`, () => {
          const steps = randomSteps(seed * 10 + (all ? 1 : 0));
          const build = (state: StateProvider) => new IncrementalSetOp(spec(op, all), state);
          for (const [before, after] of [
            [1, 3],
            [4, 2],
          ] as const) {
            const run = runRescaled(build, steps, 41, before, after);
            expectRescaledEqual(run);
            expect(run.single.flat().length).toBeGreaterThan(10);
          }
        });
      }
    }
  }

  it('routes a row by the key-codec encoding of the whole row, the same on both inputs', () => {
    const s = new IncrementalSetOp(spec('EXCEPT', true));
    const row: Row = [3, null];
    expect(s.keyGroupOf(0, row)).toBe(keyGroupOf(encodeKey(row, [INT, STRING])));
    expect(s.keyGroupOf(1, row)).toBe(s.keyGroupOf(0, row));
  });

  it('refuses a row routed to an instance that does not own its key group', () => {
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = new IncrementalSetOp(spec('INTERSECT', true), state);
      return { keyGroupOf: () => 0, push: (input, chunk) => op.push(input, chunk) };
    };
    expect(() => runRescaled(misrouted, randomSteps(4), 20, 3, 2)).toThrow(/received a row of key group/);
  });
});
