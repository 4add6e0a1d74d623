import { describe, expect, it } from 'vitest';
import { BIGINT, DOUBLE, INT, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import type { PersistentAccumulator } from '../compiler/exec-context.ts';
import type { AggregateFunctionName } from '../planner/logical-plan.ts';
import type { AccumulatorColumn } from './accumulator-columns.ts';
import { accumulatorColumnFactory, incrementalAccumulatorFactory } from './group-accumulation.ts';
import type { IncrementalAggregateCall } from './incremental-aggregate.ts';
import { prng } from './streaming.test-helpers.ts';

function call(fn: AggregateFunctionName, argType: SqlType | undefined, resultType: SqlType): IncrementalAggregateCall {
  const argTypes = argType === undefined ? [] : [argType];
  return {
    factory: incrementalAccumulatorFactory(fn, argTypes, resultType),
    args: argType === undefined ? [] : [(row) => row[0] ?? null],
    argColumn: argType === undefined ? undefined : 0,
    argTypes,
    filter: undefined,
    distinct: false,
    skipNulls: argType !== undefined,
    resultType,
  };
}

const CASES: [string, IncrementalAggregateCall, (rnd: (n: number) => number) => Value, string][] = [
  ['count(*)', call('count_star', undefined, BIGINT), () => true, 'CountColumn'],
  ['sum(int)', call('sum', INT, INT), (rnd) => rnd(2000) - 1000, 'NumberSumColumn'],
  ['avg(int)', call('avg', INT, INT), (rnd) => rnd(2000) - 1000, 'NumberSumColumn'],
  ['avg(double)', call('avg', DOUBLE, DOUBLE), (rnd) => (rnd(2000) - 1000) / 7, 'NumberSumColumn'],
  ['sum(bigint)', call('sum', BIGINT, BIGINT), (rnd) => BigInt(rnd(2000) - 1000), 'ObjectColumn'],
  ['max(varchar)', call('max', STRING, STRING), (rnd) => `v${rnd(50)}`, 'ObjectColumn'],
];

describe('accumulator columns', () => {
  for (const [name, c, value, kind] of CASES) {
    it(`${name}: a ${kind} gives the results and saved states of one accumulator per group`, () => {
      const column: AccumulatorColumn = accumulatorColumnFactory(c)();
      expect(column.constructor.name).toBe(kind);
      const objects: PersistentAccumulator[] = [];
      const held: Value[][] = [];
      const rnd = prng(name.length * 31);
      for (let step = 0; step < 3000; step++) {
        const op = rnd(10);
        if (objects.length === 0 || op === 0) {
          column.push();
          objects.push(c.factory());
          held.push([]);
          continue;
        }
        const slot = rnd(objects.length);
        const mine = held[slot]!;
        if (op < 6 || mine.length === 0) {
          const v = value(rnd);
          column.add(slot, v);
          objects[slot]!.add(v);
          mine.push(v);
        } else if (op < 9) {
          const v = mine.splice(rnd(mine.length), 1)[0]!;
          column.remove(slot, v);
          objects[slot]!.remove!(v);
        } else {
          column.reset(slot);
          objects[slot] = c.factory();
          mine.length = 0;
        }
        expect(column.result(slot)).toEqual(objects[slot]!.result());
      }
      // Saved states are interchangeable with the accumulators' both ways.
      const restored = accumulatorColumnFactory(c)();
      for (let s = 0; s < objects.length; s++) {
        expect(column.save(s)).toEqual(objects[s]!.save());
        restored.push();
        restored.load(s, objects[s]!.save());
        const back = c.factory();
        back.load(column.save(s));
        expect([restored.result(s), back.result()]).toEqual([objects[s]!.result(), objects[s]!.result()]);
      }
    });
  }

  it('SUM over INT checks the result range as the accumulator does', () => {
    const c = call('sum', INT, INT);
    const column = accumulatorColumnFactory(c)();
    column.push();
    column.add(0, 2_000_000_000);
    column.add(0, 2_000_000_000);
    const acc = c.factory();
    acc.add(2_000_000_000);
    acc.add(2_000_000_000);
    expect(() => acc.result()).toThrow();
    expect(() => column.result(0)).toThrow();
    column.remove(0, 2_000_000_000);
    expect(column.result(0)).toBe(2_000_000_000);
  });
});
