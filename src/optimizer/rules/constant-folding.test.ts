import { describe, expect, it } from 'vitest';
import { BOOLEAN, INT, STRING, type SqlType } from '../../../catalog/types.ts';
import type { BoundExpr } from '../../binder/bound-expr.ts';
import { FALSE, NULL_BOOL, OPTS, TRUE, add, and, col, counter, div, eq, filter, gt, isNull, lit, not, or, param, T } from '../optimizer.test-helpers.ts';
import { constantFolding, foldExpression } from './constant-folding.ts';

const f = (e: BoundExpr): BoundExpr => foldExpression(e, OPTS);
const cast = (operand: BoundExpr, type: SqlType, tryCast = false): BoundExpr => ({ kind: 'cast', type, operand, try: tryCast });

describe('constant-folding', () => {
  it('folds calls of literals through the callback', () => {
    expect(f(add(lit(1), add(lit(2), lit(3))))).toEqual(lit(6));
    expect(f(gt(lit(3), lit(2)))).toEqual(TRUE);
    expect(f(add(lit(null), lit(1)))).toEqual(lit(null));
  });

  it('leaves columns, params, volatile calls and failing calls alone', () => {
    const withCol = add(col(0), lit(1));
    expect(f(withCol)).toBe(withCol);
    const withParam = add(param(0), lit(1));
    expect(f(withParam)).toBe(withParam);
    const vol = add(counter(), lit(1));
    expect(f(vol)).toBe(vol);
    const err = div(lit(1), lit(0));
    expect(f(err)).toBe(err);
  });

  it('applies three-valued AND / OR', () => {
    const p = gt(col(0), lit(1));
    expect(f(and(p, FALSE))).toEqual(FALSE);
    expect(f(and(p, TRUE))).toBe(p);
    expect(f(and(TRUE, TRUE))).toEqual(TRUE);
    expect(f(and(NULL_BOOL, TRUE))).toEqual(NULL_BOOL);
    expect(f(and(NULL_BOOL, FALSE))).toEqual(FALSE);
    expect(f(and(p, NULL_BOOL))).toEqual(and(p, NULL_BOOL));
    expect(f(or(p, TRUE))).toEqual(TRUE);
    expect(f(or(p, FALSE))).toBe(p);
    expect(f(or(NULL_BOOL, FALSE))).toEqual(NULL_BOOL);
    expect(f(and(p, and(p, gt(lit(2), lit(1)))))).toEqual(and(p, p));
  });

  it('folds NOT and IS NULL', () => {
    const p = gt(col(0), lit(1));
    expect(f(not(TRUE))).toEqual(FALSE);
    expect(f(not(NULL_BOOL))).toEqual(NULL_BOOL);
    expect(f(not(not(p)))).toBe(p);
    expect(f(isNull(lit(null)))).toEqual(TRUE);
    expect(f(isNull(lit(1), true))).toEqual(TRUE);
    expect(f(isNull(col(0)))).toEqual(isNull(col(0)));
  });

  it('folds CASE and COALESCE', () => {
    const c: BoundExpr = {
      kind: 'case',
      type: INT,
      whens: [
        { when: FALSE, then: lit(1) },
        { when: gt(col(0), lit(0)), then: lit(2) },
        { when: eq(lit(1), lit(1)), then: lit(3) },
        { when: gt(col(0), lit(9)), then: lit(4) },
      ],
      else: lit(5),
    };
    expect(f(c)).toEqual({ kind: 'case', type: INT, whens: [{ when: gt(col(0), lit(0)), then: lit(2) }], else: lit(3) });
    const allFalse: BoundExpr = { kind: 'case', type: INT, whens: [{ when: NULL_BOOL, then: lit(1) }], else: lit(7) };
    expect(f(allFalse)).toEqual(lit(7));
    const co: BoundExpr = { kind: 'coalesce', type: INT, args: [lit(null), col(1), lit(4), col(2)] };
    expect(f(co)).toEqual({ kind: 'coalesce', type: INT, args: [col(1), lit(4)] });
    expect(f({ kind: 'coalesce', type: INT, args: [lit(null), lit(3)] })).toEqual(lit(3));
    expect(f({ kind: 'coalesce', type: INT, args: [lit(null), lit(null)] })).toEqual(lit(null));
  });

  it('folds casts of literals, but not failing or time-zone dependent ones', () => {
    expect(f(cast(lit('42', STRING), INT))).toEqual(lit(42));
    expect(f(cast(lit(1), STRING))).toEqual(lit('1', STRING));
    expect(f(cast(lit(null, STRING), INT))).toEqual(lit(null));
    const bad = cast(lit('x', STRING), INT);
    expect(f(bad)).toBe(bad);
    expect(f(cast(lit('x', STRING), INT, true))).toEqual(lit(null));
    const ts = cast(lit('2024-01-01', STRING), { kind: 'TIMESTAMP_LTZ', precision: 6 });
    expect(f(ts)).toBe(ts);
    const today = cast(lit('today', STRING), { kind: 'DATE' });
    expect(f(today)).toBe(today);
  });

  it('rewrites every expression in the plan', () => {
    const plan = filter(T(), and(gt(col(0), add(lit(1), lit(1))), eq(lit(1), lit(1))));
    const out = constantFolding.apply(plan, OPTS);
    expect(out).toEqual(filter(T(), gt(col(0), lit(2))));
    expect(out.schema).toBe(plan.schema);
    expect(lit(true, BOOLEAN)).toEqual(TRUE);
  });
});
