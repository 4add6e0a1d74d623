/**
 * Numeric operators + - * / % and unary minus ('neg'), and mod().
 *
 * Result types: two integer types give the wider one; FLOAT/DOUBLE involvement
 * gives the approximate common type; otherwise both sides become DECIMAL and
 * the result follows Flink's LogicalTypeMerging (capped at 38 digits) except
 * for division, which keeps Postgres' 16 fraction digits:
 *   + -  scale max(s1, s2), precision max(p1 - s1, p2 - s2) + scale + 1
 *   *    precision p1 + p2, scale s1 + s2
 *   /    scale max(16, s1, s2) (Postgres' NUMERIC_MIN_SIG_DIGITS, by type rather
 *        than by value), precision p1 - s1 + s2 + scale
 *   %    scale max(s1, s2), precision min(p1 - s1, p2 - s2) + scale
 * Unconstrained NUMERIC with an exact numeric gives NUMERIC computed per value
 * with Postgres' result scales (src/values/numeric.ts); with FLOAT/DOUBLE, DOUBLE.
 * Errors as Postgres: 22003 `integer out of range` / `bigint out of range` /
 * `numeric field overflow`, 22012 `division by zero` (also for floats).
 * Integer division truncates toward zero; % takes the dividend's sign.
 */
import { isApproximate, isIntegral, isNumeric, NUMERIC, type SqlType, type Value } from '../../catalog/types.ts';
import { checkPrecision, pow10, rescale } from '../values/decimal.ts';
import {
  type Numeric,
  numericAdd,
  numericDiv,
  numericMod,
  numericMul,
  numericNegate,
  numericSub,
} from '../values/numeric.ts';
import { adjustedDecimal, asDecimal, numericRank } from './coercion.ts';
import { checkBigint, checkFloat, checkSmallInt, divisionByZero } from './numeric-errors.ts';
import { generic, type Match } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';

const DIVISION_MIN_SCALE = 16;

export type ArithOp = '+' | '-' | '*' | '/' | '%';

/** The Flink result type of a DECIMAL operation. */
export function decimalResultType(op: ArithOp, a: SqlType, b: SqlType): SqlType {
  const x = asDecimal(a);
  const y = asDecimal(b);
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(x.scale, y.scale);
      return adjustedDecimal(Math.max(x.precision - x.scale, y.precision - y.scale) + s + 1, s);
    }
    case '*':
      return adjustedDecimal(x.precision + y.precision, x.scale + y.scale);
    case '/': {
      // Postgres shows at least 16 significant digits; by type that is a scale of 16 (or the operands').
      const s = Math.max(DIVISION_MIN_SCALE, x.scale, y.scale);
      return adjustedDecimal(x.precision - x.scale + y.scale + s, s);
    }
    case '%': {
      const s = Math.max(x.scale, y.scale);
      return adjustedDecimal(Math.min(x.precision - x.scale, y.precision - y.scale) + s, s);
    }
  }
}

/** Argument and result types of a binary numeric operation, or undefined if not both numeric. */
export function numericBinary(op: ArithOp, a: SqlType, b: SqlType): Match | undefined {
  const an = a.kind === 'NULL' ? b : a;
  const bn = b.kind === 'NULL' ? a : b;
  if (!isNumeric(an) || !isNumeric(bn)) return undefined;
  const cost = (a.kind === bn.kind ? 0 : 1) + (b.kind === an.kind ? 0 : 1);
  if (isIntegral(an) && isIntegral(bn)) {
    const w = numericRank(an) >= numericRank(bn) ? an : bn;
    return { argTypes: [w, w], returnType: w, cost };
  }
  if (isApproximate(an) || isApproximate(bn)) {
    const t: SqlType =
      an.kind === 'DOUBLE' || bn.kind === 'DOUBLE' || an.kind === 'DECIMAL' || bn.kind === 'DECIMAL' || an.kind === 'NUMERIC' || bn.kind === 'NUMERIC'
        ? { kind: 'DOUBLE' }
        : { kind: 'FLOAT' };
    return { argTypes: [t, t], returnType: t, cost };
  }
  if (an.kind === 'NUMERIC' || bn.kind === 'NUMERIC') return { argTypes: [NUMERIC, NUMERIC], returnType: NUMERIC, cost };
  const x = asDecimal(an);
  const y = asDecimal(bn);
  return { argTypes: [x, y], returnType: decimalResultType(op, x, y), cost };
}

function intOp(op: ArithOp, t: SqlType): ScalarImpl {
  const k = t.kind;
  switch (op) {
    case '+':
      return (a) => checkSmallInt(k, (a[0] as number) + (a[1] as number));
    case '-':
      return (a) => checkSmallInt(k, (a[0] as number) - (a[1] as number));
    case '*':
      return (a) => checkSmallInt(k, (a[0] as number) * (a[1] as number));
    case '/':
      return (a) => {
        const d = a[1] as number;
        if (d === 0) throw divisionByZero();
        return checkSmallInt(k, Math.trunc((a[0] as number) / d)) + 0;
      };
    case '%':
      return (a) => {
        const d = a[1] as number;
        if (d === 0) throw divisionByZero();
        return ((a[0] as number) % d) + 0;
      };
  }
}

function bigOp(op: ArithOp): ScalarImpl {
  switch (op) {
    case '+':
      return (a) => checkBigint((a[0] as bigint) + (a[1] as bigint));
    case '-':
      return (a) => checkBigint((a[0] as bigint) - (a[1] as bigint));
    case '*':
      return (a) => checkBigint((a[0] as bigint) * (a[1] as bigint));
    case '/':
      return (a) => {
        const d = a[1] as bigint;
        if (d === 0n) throw divisionByZero();
        return checkBigint((a[0] as bigint) / d);
      };
    case '%':
      return (a) => {
        const d = a[1] as bigint;
        if (d === 0n) throw divisionByZero();
        return (a[0] as bigint) % d;
      };
  }
}

function floatOp(op: ArithOp, f4: boolean): ScalarImpl {
  const fin = (a: readonly Value[]): boolean => Number.isFinite(a[0] as number) && Number.isFinite(a[1] as number);
  switch (op) {
    case '+':
      return (a) => checkFloat((a[0] as number) + (a[1] as number), fin(a), f4);
    case '-':
      return (a) => checkFloat((a[0] as number) - (a[1] as number), fin(a), f4);
    case '*':
      return (a) => checkFloat((a[0] as number) * (a[1] as number), fin(a), f4);
    case '/':
      return (a) => {
        if ((a[1] as number) === 0) throw divisionByZero();
        return checkFloat((a[0] as number) / (a[1] as number), fin(a), f4);
      };
    case '%':
      return (a) => {
        if ((a[1] as number) === 0) throw divisionByZero();
        return checkFloat((a[0] as number) % (a[1] as number), fin(a), f4);
      };
  }
}

/** Divides exactly-rounded: round(x / y) half away from zero. */
export function divRound(x: bigint, y: bigint): bigint {
  const q = x / y;
  const r = x - q * y;
  const ar = r < 0n ? -r : r;
  const ay = y < 0n ? -y : y;
  if (ar * 2n >= ay) return (x < 0n) !== (y < 0n) ? q - 1n : q + 1n;
  return q;
}

function decimalOp(op: ArithOp, at: SqlType, bt: SqlType, rt: SqlType): ScalarImpl {
  const sa = asDecimal(at).scale;
  const sb = asDecimal(bt).scale;
  const r = asDecimal(rt);
  const p = r.precision;
  const s = r.scale;
  switch (op) {
    case '+':
    case '-': {
      const m = Math.max(sa, sb);
      const fa = pow10(m - sa);
      const fb = pow10(m - sb);
      const sign = op === '+' ? 1n : -1n;
      return (a) => checkPrecision(rescale((a[0] as bigint) * fa + sign * (a[1] as bigint) * fb, m, s), p, s);
    }
    case '*':
      return (a) => checkPrecision(rescale((a[0] as bigint) * (a[1] as bigint), sa + sb, s), p, s);
    case '/': {
      // a/b * 10^s = A * 10^(s + sb - sa) / B
      const e = s + sb - sa;
      return (a) => {
        const B = a[1] as bigint;
        if (B === 0n) throw divisionByZero();
        const A = a[0] as bigint;
        const q = e >= 0 ? divRound(A * pow10(e), B) : divRound(A, B * pow10(-e));
        return checkPrecision(q, p, s);
      };
    }
    case '%': {
      const m = Math.max(sa, sb);
      const fa = pow10(m - sa);
      const fb = pow10(m - sb);
      return (a) => {
        const B = (a[1] as bigint) * fb;
        if (B === 0n) throw divisionByZero();
        return checkPrecision(rescale(((a[0] as bigint) * fa) % B, m, s), p, s);
      };
    }
  }
}

function unconstrainedOp(op: ArithOp): ScalarImpl {
  switch (op) {
    case '+':
      return (a) => numericAdd(a[0] as Numeric, a[1] as Numeric);
    case '-':
      return (a) => numericSub(a[0] as Numeric, a[1] as Numeric);
    case '*':
      return (a) => numericMul(a[0] as Numeric, a[1] as Numeric);
    case '/':
      return (a) => numericDiv(a[0] as Numeric, a[1] as Numeric);
    case '%':
      return (a) => numericMod(a[0] as Numeric, a[1] as Numeric);
  }
}

/** The implementation of a numeric binary operation over resolved argument types. */
export function numericImpl(op: ArithOp, argTypes: readonly SqlType[], returnType: SqlType): ScalarImpl {
  const t = returnType;
  if (t.kind === 'BIGINT') return bigOp(op);
  if (isIntegral(t)) return intOp(op, t);
  if (t.kind === 'FLOAT' || t.kind === 'DOUBLE') return floatOp(op, t.kind === 'FLOAT');
  if (t.kind === 'NUMERIC') return unconstrainedOp(op);
  return decimalOp(op, argTypes[0]!, argTypes[1]!, t);
}

export function negate(t: SqlType): ScalarImpl {
  switch (t.kind) {
    case 'BIGINT':
      return (a) => checkBigint(-(a[0] as bigint));
    case 'DECIMAL':
      return (a) => -(a[0] as bigint);
    case 'NUMERIC':
      return (a) => numericNegate(a[0] as Numeric);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (a) => checkSmallInt(t.kind, -(a[0] as number)) + 0;
    default:
      return (a) => -(a[0] as number);
  }
}

for (const op of ['+', '-', '*', '/', '%'] as const) {
  generic({
    name: op === '%' ? ['%', 'mod'] : op,
    id: `numeric${op}`,
    match: (args) => (args.length === 2 ? numericBinary(op, args[0]!, args[1]!) : undefined),
    make: (argTypes, rt) => numericImpl(op, argTypes, rt),
  });
}

generic({
  name: 'neg',
  id: 'numeric-neg',
  match: (args) => {
    if (args.length !== 1 || !isNumeric(args[0]!)) return undefined;
    return { argTypes: [args[0]!], returnType: args[0]!, cost: 0 };
  },
  make: (argTypes) => negate(argTypes[0]!),
});

