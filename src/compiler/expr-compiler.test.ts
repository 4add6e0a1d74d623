import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, STRING, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { compileExpressionStandalone, evaluateConstantWith } from './query-runner.ts';
import { FAKE_DEPS, MemorySource, add, call, col, eq, lit, param, testEnv } from './plan.test-helpers.ts';

const env = testEnv(new MemorySource({}), { params: [7, null] });
const run = (e: BoundExpr, row: Value[] = []): Value => compileExpressionStandalone(e, env, FAKE_DEPS)(row);
const T = lit(true, BOOLEAN);
const F = lit(false, BOOLEAN);
const N = lit(null, BOOLEAN);
const and = (...args: BoundExpr[]): BoundExpr => ({ kind: 'and', type: BOOLEAN, args });
const or = (...args: BoundExpr[]): BoundExpr => ({ kind: 'or', type: BOOLEAN, args });
const not = (operand: BoundExpr): BoundExpr => ({ kind: 'not', type: BOOLEAN, operand });
const inList = (operand: BoundExpr, list: BoundExpr[], negate = false): BoundExpr => ({
  kind: 'in-list',
  type: BOOLEAN,
  operand,
  list,
  not: negate,
});

describe('compiled expressions', () => {
  it('reads columns, literals and parameters', () => {
    expect(run(col(1), [1, 2])).toBe(2);
    expect(run(col(5), [1])).toBe(null);
    expect(run(lit('x', STRING))).toBe('x');
    expect(run(param(0))).toBe(7);
    expect(run(param(1))).toBe(null);
  });

  it('rejects a missing parameter', () => {
    expect(() => run(param(4))).toThrow(/parameter \$5/);
  });

  it('returns NULL from strict calls with a NULL argument without calling them', () => {
    expect(run(add(col(0), col(1)), [2, 3])).toBe(5);
    expect(run(add(col(0), col(1)), [2, null])).toBe(null);
    expect(run(call('div', [lit(1), lit(null)]))).toBe(null);
    expect(() => run(call('div', [lit(1), lit(0)]))).toThrow(/division by zero/);
  });

  it('evaluates every argument of a strict call before the NULL check, as Postgres', () => {
    const boom = call('div', [lit(1), lit(0)]);
    expect(() => run(call('div', [lit(null), boom]))).toThrow(/division by zero/);
    expect(() => run(add(lit(null), boom))).toThrow(/division by zero/);
  });

  it('calls non-strict functions with NULLs', () => {
    expect(run(call('is_distinct_from', [lit(1), lit(null)], BOOLEAN))).toBe(true);
  });

  it('applies three-valued AND / OR / NOT', () => {
    expect(run(and(T, T))).toBe(true);
    expect(run(and(T, N))).toBe(null);
    expect(run(and(N, F))).toBe(false);
    expect(run(or(F, N))).toBe(null);
    expect(run(or(N, T))).toBe(true);
    expect(run(or(F, F))).toBe(false);
    expect(run(not(N))).toBe(null);
    expect(run(not(F))).toBe(true);
  });

  it('short-circuits AND and OR', () => {
    const boom = call('div', [lit(1), lit(0)], BOOLEAN);
    expect(run(and(F, boom))).toBe(false);
    expect(run(or(T, boom))).toBe(true);
  });

  it('evaluates IS NULL, CASE and COALESCE', () => {
    expect(run({ kind: 'is-null', type: BOOLEAN, operand: col(0), not: false }, [null])).toBe(true);
    expect(run({ kind: 'is-null', type: BOOLEAN, operand: col(0), not: true }, [null])).toBe(false);
    const kase: BoundExpr = {
      kind: 'case',
      type: STRING,
      whens: [
        { when: eq(col(0), lit(1)), then: lit('one', STRING) },
        { when: eq(col(0), lit(2)), then: lit('two', STRING) },
      ],
      else: lit('many', STRING),
    };
    expect(run(kase, [2])).toBe('two');
    expect(run(kase, [null])).toBe('many');
    expect(run({ kind: 'coalesce', type: INT, args: [col(0), col(1), lit(9)] }, [null, 4])).toBe(4);
    expect(run({ kind: 'coalesce', type: INT, args: [col(0), col(1)] }, [null, null])).toBe(null);
  });

  it('evaluates IN lists with three-valued logic', () => {
    expect(run(inList(col(0), [lit(1), lit(2)]), [2])).toBe(true);
    expect(run(inList(col(0), [lit(1), lit(2)]), [3])).toBe(false);
    expect(run(inList(col(0), [lit(1), lit(null)]), [3])).toBe(null);
    expect(run(inList(col(0), [lit(1), lit(null)]), [1])).toBe(true);
    expect(run(inList(col(0), [lit(1)]), [null])).toBe(null);
    expect(run(inList(col(0), [lit(1), lit(null)], true), [3])).toBe(null);
    expect(run(inList(col(0), [lit(1), lit(2)], true), [3])).toBe(true);
  });

  it('evaluates long constant IN lists through a hash set', () => {
    const list = [1, 2, 3, 4, 5, 6].map((v) => lit(v));
    expect(run(inList(col(0), list), [6])).toBe(true);
    expect(run(inList(col(0), list), [7])).toBe(false);
    expect(run(inList(col(0), [...list, lit(null)]), [7])).toBe(null);
    expect(run(inList(col(0), [...list, lit(null)], true), [1])).toBe(false);
    const big = [1n, 2n, 3n, 4n, 5n].map((v) => lit(v, BIGINT));
    expect(run(inList(col(0, BIGINT), big), [5n])).toBe(true);
  });

  it('casts, and try-casts yield NULL on error', () => {
    const cast = (operand: BoundExpr, tryCast: boolean): BoundExpr => ({ kind: 'cast', type: INT, operand, try: tryCast });
    expect(run(cast(lit('42', STRING), false))).toBe(42);
    expect(() => run(cast(lit('x', STRING), false))).toThrow();
    expect(run(cast(lit('x', STRING), true))).toBe(null);
    expect(run(cast(lit(null, STRING), false))).toBe(null);
    expect(run({ kind: 'cast', type: BIGINT, operand: lit(3), try: false })).toBe(3n);
  });

  it('evaluates constants', () => {
    expect(evaluateConstantWith(add(lit(1), lit(2)), env, FAKE_DEPS)).toBe(3);
  });
});
