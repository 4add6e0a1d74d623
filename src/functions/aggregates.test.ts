import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, FLOAT, INT, NUMERIC, STRING, arrayOf, decimal, type SqlType, type Value } from '../../catalog/types.ts';
import { Numeric, parseNumeric } from '../values/numeric.ts';
import { SqlError } from '../errors.ts';
import type { AggregateFunctionName } from '../planner/logical-plan.ts';
import { createAccumulatorFactory, type Accumulator } from './aggregates.ts';
import { functions } from './functions.ts';
import { decodeStateValue, encodeStateValue } from '../state/state-codec.ts';

function acc(name: string, argTypes: readonly SqlType[]): { a: Accumulator; fn: AggregateFunctionName; type: SqlType } {
  const r = functions.resolveAggregate(name, argTypes, false);
  if (r === undefined) throw new Error(`no aggregate ${name}`);
  return { a: createAccumulatorFactory(r.fn, r.argTypes, r.returnType)(), fn: r.fn, type: r.returnType };
}

function feed(a: Accumulator, values: readonly Value[]): Accumulator {
  for (const v of values) a.add(v);
  return a;
}

describe('aggregate resolution', () => {
  it('uses Flink result types', () => {
    expect(functions.resolveAggregate('count', [INT], false)).toEqual({ fn: 'count', argTypes: [INT], returnType: BIGINT });
    expect(functions.resolveAggregate('count', [], false)?.fn).toBe('count_star');
    expect(functions.resolveAggregate('sum', [INT], false)?.returnType).toEqual(INT);
    expect(functions.resolveAggregate('sum', [decimal(5, 2)], false)?.returnType).toEqual(decimal(38, 2));
    expect(functions.resolveAggregate('avg', [INT], false)?.returnType).toEqual(INT);
    expect(functions.resolveAggregate('avg', [decimal(5, 2)], false)?.returnType).toEqual(decimal(38, 6));
    expect(functions.resolveAggregate('avg', [DOUBLE], false)?.returnType).toEqual(DOUBLE);
    expect(functions.resolveAggregate('every', [BOOLEAN], false)?.fn).toBe('bool_and');
    expect(functions.resolveAggregate('listagg', [STRING], false)?.fn).toBe('string_agg');
    expect(functions.resolveAggregate('stddev', [INT], false)).toEqual({ fn: 'stddev_samp', argTypes: [INT], returnType: DOUBLE });
    expect(functions.resolveAggregate('array_agg', [INT], false)?.returnType).toEqual(arrayOf(INT));
    expect(functions.resolveAggregate('upper', [STRING], false)).toBeUndefined();
  });
  it('rejects unfit arguments with 42883', () => {
    let err: SqlError | undefined;
    try {
      functions.resolveAggregate('sum', [STRING], false);
    } catch (e) {
      err = e as SqlError;
    }
    expect(err?.code).toBe('42883');
    expect(err?.message).toBe('function sum(text) does not exist');
  });
});

describe('accumulators', () => {
  it('count and count(*) start at 0 and retract', () => {
    const { a } = acc('count', [INT]);
    expect(a.result()).toBe(0n);
    feed(a, [1, 2, 3]);
    a.remove!(2);
    expect(a.result()).toBe(2n);
    const star = acc('count', []).a;
    feed(star, [true, true]);
    expect(star.result()).toBe(2n);
  });
  it('sum / avg over integers keep the type; empty gives NULL', () => {
    const s = acc('sum', [INT]).a;
    expect(s.result()).toBeNull();
    feed(s, [1, 2, 4]);
    expect(s.result()).toBe(7);
    s.remove!(4);
    expect(s.result()).toBe(3);
    s.remove!(1);
    s.remove!(2);
    expect(s.result()).toBeNull();
    const avg = acc('avg', [INT]).a;
    feed(avg, [1, 2]);
    expect(avg.result()).toBe(1);
    const neg = feed(acc('avg', [INT]).a, [-1, -2]);
    expect(neg.result()).toBe(-1);
  });
  it('sum reports overflow of the result type', () => {
    const s = feed(acc('sum', [INT]).a, [2147483647, 1]);
    expect(() => s.result()).toThrow('integer out of range');
    const b = feed(acc('sum', [BIGINT]).a, [2n ** 62n, 2n ** 62n]);
    expect(() => b.result()).toThrow('bigint out of range');
  });
  it('decimal sum / avg are exact', () => {
    const s = feed(acc('sum', [decimal(5, 2)]).a, [150n, 275n]);
    expect(s.result()).toBe(425n);
    const avg = acc('avg', [decimal(5, 2)]);
    feed(avg.a, [100n, 200n, 200n]);
    // (1.00 + 2.00 + 2.00) / 3 = 1.666667 at scale 6
    expect(avg.a.result()).toBe(1666667n);
    avg.a.remove!(100n);
    expect(avg.a.result()).toBe(2000000n);
  });
  it('float sums', () => {
    expect(feed(acc('sum', [DOUBLE]).a, [0.5, 0.25]).result()).toBe(0.75);
    expect(feed(acc('avg', [FLOAT]).a, [1, 2]).result()).toBe(1.5);
  });
  it('min / max retract as a multiset', () => {
    const max = acc('max', [INT]).a;
    feed(max, [3, 7, 7, 5]);
    expect(max.result()).toBe(7);
    max.remove!(7);
    expect(max.result()).toBe(7);
    max.remove!(7);
    expect(max.result()).toBe(5);
    max.remove!(5);
    max.remove!(3);
    expect(max.result()).toBeNull();
    const min = feed(acc('min', [STRING]).a, ['b', 'a', 'c']);
    expect(min.result()).toBe('a');
    min.remove!('a');
    expect(min.result()).toBe('b');
    const arr = feed(acc('max', [arrayOf(INT)]).a, [[1, 2], [1, 3]]);
    expect(arr.result()).toEqual([1, 3]);
    arr.remove!([1, 3]);
    expect(arr.result()).toEqual([1, 2]);
  });
  it('bool_and / bool_or', () => {
    const and = feed(acc('bool_and', [BOOLEAN]).a, [true, false]);
    expect(and.result()).toBe(false);
    and.remove!(false);
    expect(and.result()).toBe(true);
    const or = feed(acc('bool_or', [BOOLEAN]).a, [false]);
    expect(or.result()).toBe(false);
    or.add(true);
    expect(or.result()).toBe(true);
    expect(acc('bool_or', [BOOLEAN]).a.result()).toBeNull();
  });
  it('string_agg uses each row delimiter; listagg defaults to a comma', () => {
    const s = feed(acc('string_agg', [STRING, STRING]).a, [['a', ','], ['b', ';'], ['c', '-']]);
    expect(s.result()).toBe('a;b-c');
    s.remove!(['a', ',']);
    expect(s.result()).toBe('b-c');
    const l = feed(acc('listagg', [STRING]).a, ['x', 'y']);
    expect(l.result()).toBe('x,y');
    expect(acc('listagg', [STRING]).a.result()).toBeNull();
  });
  it('array_agg keeps NULLs and arrival order', () => {
    const a = feed(acc('array_agg', [INT]).a, [3, null, 1]);
    expect(a.result()).toEqual([3, null, 1]);
    a.remove!(null);
    expect(a.result()).toEqual([3, 1]);
    expect(acc('array_agg', [INT]).a.result()).toBeNull();
  });
  it('first_value / last_value ignore NULLs (Flink) and retract', () => {
    const f = feed(acc('first_value', [INT]).a, [null, 1, 2]);
    expect(f.result()).toBe(1);
    f.remove!(1);
    expect(f.result()).toBe(2);
    const l = feed(acc('last_value', [INT]).a, [1, 2, null]);
    expect(l.result()).toBe(2);
  });
  it('variance family', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(feed(acc('stddev_pop', [INT]).a, values).result()).toBe(2);
    expect(feed(acc('var_pop', [INT]).a, values).result()).toBe(4);
    expect(feed(acc('var_samp', [INT]).a, values).result()).toBeCloseTo(32 / 7, 12);
    expect(feed(acc('stddev_samp', [INT]).a, [1]).result()).toBeNull();
    const v = feed(acc('variance', [decimal(5, 1)]).a, [10n, 30n]);
    expect(v.result()).toBe(2);
    v.remove!(30n);
    expect(v.result()).toBeNull();
  });
});

describe('window function resolution', () => {
  it('ranking functions', () => {
    expect(functions.resolveWindowFunction('row_number', [])).toEqual({ fn: 'row_number', argTypes: [], returnType: BIGINT });
    expect(functions.resolveWindowFunction('percent_rank', [])?.returnType).toEqual(DOUBLE);
    expect(functions.resolveWindowFunction('ntile', [INT])).toEqual({ fn: 'ntile', argTypes: [INT], returnType: INT });
    expect(() => functions.resolveWindowFunction('rank', [INT])).toThrow('function rank(integer) does not exist');
  });
  it('lag / lead take the value type, with the default coerced', () => {
    expect(functions.resolveWindowFunction('lag', [INT])).toEqual({ fn: 'lag', argTypes: [INT], returnType: INT });
    expect(functions.resolveWindowFunction('lead', [INT, INT, decimal(5, 2)])?.returnType).toEqual(decimal(12, 2));
  });
  it('aggregates work as window functions; others are undefined', () => {
    expect(functions.resolveWindowFunction('sum', [BIGINT])).toEqual({ fn: 'sum', argTypes: [BIGINT], returnType: BIGINT });
    expect(functions.resolveWindowFunction('first_value', [STRING])?.fn).toBe('first_value');
    expect(functions.resolveWindowFunction('upper', [STRING])).toBeUndefined();
  });
});

describe('accumulator state (save / load)', () => {
  /** A seeded random number in [0, n). */
  const rng = (seed: number) => {
    let a = seed >>> 0;
    return (n: number) => {
      a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
      return a % n;
    };
  };
  const values: Record<string, (r: (n: number) => number) => Value> = {
    INT: (r) => r(50) - 10,
    BIGINT: (r) => (BigInt(r(1 << 30)) << 20n) - BigInt(r(1000)),
    DEC: (r) => BigInt(r(1_000_000)) - 300_000n,
    DOUBLE: (r) => (r(2) === 0 ? r(1000) / 7 : -r(1000) * 1e-7),
    FLOAT: (r) => Math.fround(r(1000) / 3),
    STRING: (r) => ['b', 'a', 'ü', '', 'zz'][r(5)]!,
    BOOLEAN: (r) => r(3) !== 0,
    ARRAY: (r) => [r(3), r(5) === 0 ? null : r(3)],
  };
  const types: Record<string, SqlType> = { INT, BIGINT, DEC: decimal(12, 3), DOUBLE, FLOAT, STRING, BOOLEAN, ARRAY: arrayOf(INT) };
  const cases: [string, string[]][] = [
    ['count', ['INT']],
    ['count', []],
    ['sum', ['INT']],
    ['sum', ['BIGINT']],
    ['sum', ['DEC']],
    ['sum', ['DOUBLE']],
    ['sum', ['FLOAT']],
    ['avg', ['BIGINT']],
    ['avg', ['DEC']],
    ['avg', ['DOUBLE']],
    ['min', ['INT']],
    ['max', ['STRING']],
    ['min', ['DEC']],
    ['max', ['DOUBLE']],
    ['max', ['ARRAY']],
    ['min', ['ARRAY']],
    ['bool_and', ['BOOLEAN']],
    ['bool_or', ['BOOLEAN']],
    ['string_agg', ['STRING', 'STRING']],
    ['listagg', ['STRING']],
    ['array_agg', ['INT']],
    ['array_agg', ['ARRAY']],
    ['first_value', ['STRING']],
    ['last_value', ['DEC']],
    ['var_samp', ['DOUBLE']],
    ['stddev_pop', ['BIGINT']],
    ['var_pop', ['DEC']],
  ];
  for (const [name, argNames] of cases) {
    it(`${name}(${argNames.join(', ')}) restores exactly through the state codec and goes on as the original`, () => {
      const r = rng(name.length * 31 + argNames.length);
      const argTypes = argNames.map((n) => types[n]!);
      const resolved = functions.resolveAggregate(name, argTypes, false)!;
      const factory = createAccumulatorFactory(resolved.fn, resolved.argTypes, resolved.returnType);
      const value = (): Value => {
        if (argNames.length === 0) return true;
        const v = values[argNames[0]!]!(r);
        return argNames.length === 2 ? [v, ['-', ',', null][r(3)]!] : v;
      };
      const original = factory();
      const held: Value[] = [];
      const step = (accs: Accumulator[]) => {
        if (held.length > 0 && r(3) === 0) {
          const v = held.splice(r(held.length), 1)[0]!;
          for (const a of accs) a.remove!(v);
        } else {
          const v = value();
          held.push(v);
          for (const a of accs) a.add(v);
        }
      };
      for (let i = 0; i < 40; i++) step([original]);
      original.result(); // a cached result (MIN/MAX) must not change what is saved
      for (let i = 0; i < 3; i++) step([original]);
      const restored = factory();
      restored.load(decodeStateValue(encodeStateValue(original.save())));
      expect(restored.result()).toEqual(original.result());
      expect(restored.save()).toEqual(original.save());
      for (let i = 0; i < 60; i++) {
        step([original, restored]);
        expect(restored.result()).toEqual(original.result());
      }
      // Saving takes a snapshot: later changes do not reach it.
      const saved = encodeStateValue(original.save());
      const snapshot = original.save();
      step([original]);
      step([original]);
      expect(encodeStateValue(snapshot)).toEqual(saved);
    });
  }

  it('refuses a state of another shape', () => {
    const a = createAccumulatorFactory('sum', [BIGINT], BIGINT)();
    expect(() => a.load([1, 2])).toThrow(/malformed/);
    expect(() => createAccumulatorFactory('min', [INT], INT)().load(5n)).toThrow(/malformed/);
  });
});

describe('aggregates of unconstrained NUMERIC', () => {
  const num = (text: string): Numeric => parseNumeric(text)!;
  it('SUM keeps the largest scale of the values still summed; AVG divides as Postgres', () => {
    const sum = acc('sum', [NUMERIC]);
    expect(sum.type).toEqual(NUMERIC);
    feed(sum.a, [num('1.5'), num('2.125'), num('-0.5')]);
    expect(String(sum.a.result())).toBe('3.125');
    sum.a.remove!(num('2.125'));
    expect(String(sum.a.result())).toBe('1.0');
    const restored = acc('sum', [NUMERIC]).a;
    restored.load(decodeStateValue(encodeStateValue(sum.a.save())));
    restored.add(num('0.25'));
    expect(String(restored.result())).toBe('1.25');
    sum.a.remove!(num('1.5'));
    sum.a.remove!(num('-0.5'));
    expect(sum.a.result()).toBeNull();

    const avg = acc('avg', [NUMERIC]);
    expect(avg.type).toEqual(NUMERIC);
    feed(avg.a, [num('1.5'), num('1.50'), num('2.125'), num('-0.5'), num('10')]);
    expect(String(avg.a.result())).toBe('2.9250000000000000');
    const third = feed(acc('avg', [NUMERIC]).a, [num('1'), num('0'), num('0')]);
    expect(String(third.result())).toBe('0.33333333333333333333');
  });
  it('MIN / MAX compare by value', () => {
    const max = feed(acc('max', [NUMERIC]).a, [num('1.50'), num('10'), num('9.999')]);
    expect(String(max.result())).toBe('10');
    max.remove!(num('10.00'));
    expect(String(max.result())).toBe('9.999');
  });
});
