/**
 * The OVER aggregation as parallel instances (ARCHITECTURE decision 8): rows
 * are routed by the key group of their PARTITION BY key, each instance
 * processes its own partitions' waiting rows in time order when the
 * watermark passes them, and the output equals one instance's step by step
 * across a change of parallelism.
 */
import { describe, expect, it } from 'vitest';
import { BIGINT, INT, STRING, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { AggregateFunctionName } from '../planner/logical-plan.ts';
import { changelogChunk } from './changelog.ts';
import { incrementalAccumulatorFactory } from './group-accumulation.ts';
import type { IncrementalAggregateCall } from './incremental-aggregate.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';
import { keyGroupOf } from './key-groups.ts';
import { OverAggregate, type OverAggregateSpec } from './over-aggregate.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import type { Step } from './state-restore.test-helpers.ts';
import { memoryStateProvider, type StateProvider } from './state-provider.ts';
import { prng } from './streaming.test-helpers.ts';
import { encodeKey } from '../values/key-codec.ts';

const TS = timestamp(3);
const MIN = 60_000_000;
/** Input rows: (id INT, product STRING, amount INT, t TIMESTAMP). */
const TYPES: SqlType[] = [INT, STRING, INT, TS];

const call = (fn: AggregateFunctionName, column?: number): IncrementalAggregateCall => {
  const argTypes = column === undefined ? [] : [TYPES[column]!];
  return {
    factory: incrementalAccumulatorFactory(fn, argTypes, fn === 'count' || fn === 'count_star' || fn === 'sum' ? BIGINT : INT),
    args: column === undefined ? [] : [(r) => r[column] ?? null],
    argColumn: column,
    argTypes,
    filter: undefined,
    distinct: false,
    skipNulls: fn !== 'count_star',
    resultType: INT,
  };
};

const CALLS = [call('sum', 2), call('count_star'), call('max', 2)];

const build =
  (units: 'ROWS' | 'RANGE', preceding: number, eager = false) =>
  (state: StateProvider): OverAggregate => {
    const spec: OverAggregateSpec = {
      partition: [(r) => r[1] ?? null],
      partitionTypes: [STRING],
      timeColumn: 3,
      timeType: TS,
      units,
      preceding,
      calls: CALLS,
      types: TYPES,
      eager,
    };
    return new OverAggregate(spec, state);
  };

/**
 * Chunks of inserts around a clock advancing 5 minutes a chunk (some rows
 * already late, some with NULL times), deletes and update pairs of rows
 * inserted before (waiting, processed or late), a watermark every third chunk.
 */
function randomSteps(seed: number, products = 30, chunks = 60): Step[] {
  const rnd = prng(seed);
  const live: Row[] = [];
  const steps: Step[] = [];
  let id = 0;
  const fresh = (clock: number): Row => [id++, rnd(12) === 0 ? null : `p${rnd(products)}`, rnd(6) === 0 ? null : rnd(50), rnd(25) === 0 ? null : clock + (rnd(7) - 3) * 5 * MIN];
  for (let n = 0; n < chunks; n++) {
    const clock = n * 5 * MIN;
    const rows: Row[] = [];
    const kinds: number[] = [];
    for (let i = 1 + rnd(8); i > 0; i--) {
      const action = live.length === 0 ? 0 : rnd(5);
      if (action <= 2) {
        const row = fresh(clock);
        live.push(row);
        rows.push(row.slice());
        kinds.push(RowKind.INSERT);
        continue;
      }
      const old = live.splice(rnd(live.length), 1)[0]!;
      if (action === 3) {
        rows.push(old.slice());
        kinds.push(RowKind.DELETE);
        continue;
      }
      const row = fresh(clock);
      live.push(row);
      rows.push(old.slice(), row.slice());
      kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
    }
    steps.push({ input: 0, chunk: changelogChunk(rows, kinds) });
    if (n % 3 === 2) steps.push({ watermark: clock - 5 * MIN });
  }
  return steps;
}

describe('OverAggregate as parallel instances', () => {
  for (const seed of [1, 2, 3]) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
    ] as const) {
      it(`RANGE 15 minutes, seed ${seed}: ${before} -> ${after}`, () => {
        const steps = randomSteps(seed);
        const run = runRescaled(build('RANGE', 15 * MIN), steps, Math.floor(steps.length / 2), before, after);
        expectRescaledEqual(run);
        expect(run.single.flat().length).toBeGreaterThan(100);
      });
      it(`ROWS 2 PRECEDING and UNBOUNDED PRECEDING, seed ${seed}: ${before} -> ${after}`, () => {
        const steps = randomSteps(seed + 10);
        expectRescaledEqual(runRescaled(build('ROWS', 2), steps, 41, before, after));
        expectRescaledEqual(runRescaled(build('RANGE', Infinity), steps, 41, before, after));
      });
    }
  }

  it('processing time (rows processed per chunk): 3 -> 5', () => {
    const steps = randomSteps(7).filter((s) => !('watermark' in s));
    const run = runRescaled(build('ROWS', 3, true), steps, 30, 3, 5);
    expectRescaledEqual(run);
    expect(run.single.flat().length).toBeGreaterThan(100);
  });

  it('routes rows by the key-codec encoding of the PARTITION BY values', () => {
    const op = build('ROWS', 1)(memoryStateProvider);
    expect(op.keyGroupOf(0, [1, 'p3', 5, 7 * MIN])).toBe(keyGroupOf(encodeKey(['p3'], [STRING])));
  });

  it('one instance processes due rows in time order over all its key groups', () => {
    const op = build('ROWS', 0)(memoryStateProvider);
    const rows: Row[] = [];
    for (let i = 0; i < 20; i++) rows.push([i, `p${i}`, i, (20 - i) * MIN]);
    op.push(0, changelogChunk(rows, rows.map(() => RowKind.INSERT)));
    const ids = op.watermark(30 * MIN).flatMap((c) => c.rows.map((r) => r[0]));
    expect(ids).toEqual(rows.map((r) => r[0]).reverse());
  });

  it('refuses a row routed to an instance that does not own its key group', () => {
    const misrouted = (state: StateProvider): KeyedOperator => {
      const op = build('ROWS', 2)(state);
      return { keyGroupOf: () => 0, push: (input: number, chunk: Chunk) => op.push(input, chunk), watermark: (wm) => op.watermark(wm) };
    };
    expect(() => runRescaled(misrouted, randomSteps(9), 20, 3, 2)).toThrow(/received a row of key group/);
  });
});
