/**
 * Unconstrained NUMERIC (a NUMERIC / DECIMAL written without precision): each
 * value keeps its own display scale, as in Postgres (`1.50` stays `1.50`).
 *
 * A value is an immutable `Numeric`: the unscaled bigint and the scale
 * (value = unscaled / 10^scale, scale >= 0). Equality and
 * order ignore the scale (1.5 = 1.50); `normalizeNumeric` drops trailing zeros,
 * the form keys and hashes use. Result scales follow Postgres' numeric.c:
 * + and - the larger scale, * the sum of the scales, / `select_div_scale`
 * (at least 16 significant digits, never less than either input's scale),
 * rounding half away from zero.
 */

import { SqlError, SqlState } from '../errors.ts';
import { formatDecimal, pow10, roundDiv10 } from './decimal.ts';

/** Postgres' NUMERIC_MAX_DISPLAY_SCALE: the largest scale a quotient gets (and the bound of input exponents). */
export const NUMERIC_MAX_SCALE = 1000;
/** Postgres' NUMERIC_MAX_RESULT_SCALE: the bound of round() / trunc() places. */
const MAX_RESULT_SCALE = 2000;
/** Postgres' NUMERIC_DSCALE_MAX: the largest scale a product keeps. */
const NUMERIC_DSCALE_MAX = 16383;
/** Postgres' NUMERIC_MIN_SIG_DIGITS: the fewest significant digits a quotient gets. */
const MIN_SIG_DIGITS = 16;

export class Numeric {
  readonly unscaled: bigint;
  readonly scale: number;
  constructor(unscaled: bigint, scale: number) {
    this.unscaled = unscaled;
    this.scale = scale;
  }

  toString(): string {
    return formatDecimal(this.unscaled, this.scale);
  }
}

/** Postgres numeric text (`12.50`, `-1e-3`, ` .5 `) with the scale Postgres gives it; undefined when not a number. */
export function parseNumeric(text: string): Numeric | undefined {
  const m = NUMERIC_RE.exec(text);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isFinite(exp) || Math.abs(exp) > NUMERIC_MAX_SCALE) return undefined;
  let digits = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  if (m[1] === '-') digits = -digits;
  // value = digits * 10^(exp - fracPart.length)
  const scale = fracPart.length - exp;
  if (scale >= 0) return new Numeric(digits, scale);
  return new Numeric(digits * pow10(-scale), 0);
}

const NUMERIC_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** The same value without trailing fraction zeros (1.500 -> 1.5, 2.0 -> 2). */
export function normalizeNumeric(v: Numeric): Numeric {
  let u = v.unscaled;
  let s = v.scale;
  if (u === 0n) return s === 0 ? v : new Numeric(0n, 0);
  while (s > 0 && u % 10n === 0n) {
    u /= 10n;
    s--;
  }
  return s === v.scale ? v : new Numeric(u, s);
}

function aligned(a: Numeric, b: Numeric): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.unscaled, b.unscaled, a.scale];
  if (a.scale > b.scale) return [a.unscaled, b.unscaled * pow10(a.scale - b.scale), a.scale];
  return [a.unscaled * pow10(b.scale - a.scale), b.unscaled, b.scale];
}

/** Numeric order, ignoring the scale. */
export function compareNumeric(a: Numeric, b: Numeric): number {
  if (a.scale === b.scale) return a.unscaled < b.unscaled ? -1 : a.unscaled > b.unscaled ? 1 : 0;
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function numericAdd(a: Numeric, b: Numeric): Numeric {
  const [x, y, s] = aligned(a, b);
  return new Numeric(x + y, s);
}

export function numericSub(a: Numeric, b: Numeric): Numeric {
  const [x, y, s] = aligned(a, b);
  return new Numeric(x - y, s);
}

export function numericMul(a: Numeric, b: Numeric): Numeric {
  const s = a.scale + b.scale;
  if (s <= NUMERIC_DSCALE_MAX) return new Numeric(a.unscaled * b.unscaled, s);
  return new Numeric(roundDiv10(a.unscaled * b.unscaled, s - NUMERIC_DSCALE_MAX), NUMERIC_DSCALE_MAX);
}

export function numericNegate(a: Numeric): Numeric {
  return new Numeric(-a.unscaled, a.scale);
}

export function numericAbs(a: Numeric): Numeric {
  return a.unscaled < 0n ? new Numeric(-a.unscaled, a.scale) : a;
}

function divisionByZero(): SqlError {
  return new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
}

/**
 * Weight (in base-10000 digits, 0 = the group left of the point) and value of
 * the first non-zero base-10000 digit of |v|, as Postgres' NumericVar has them.
 */
function firstGroup(v: Numeric): [number, number] {
  if (v.unscaled === 0n) return [0, 0];
  const fracGroups = Math.ceil(v.scale / 4);
  let n = v.unscaled < 0n ? -v.unscaled : v.unscaled;
  n *= pow10(fracGroups * 4 - v.scale);
  const digits = n.toString().length;
  const groups = Math.ceil(digits / 4);
  const first = Number(n / pow10((groups - 1) * 4));
  return [groups - 1 - fracGroups, first];
}

/** Postgres' select_div_scale: the result scale of a / b. */
export function divScale(a: Numeric, b: Numeric): number {
  const [w1, f1] = firstGroup(a);
  const [w2, f2] = firstGroup(b);
  let qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  let rscale = MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, NUMERIC_MAX_SCALE);
}

/** a / b rounded (half away from zero) at `scale`. */
function divideAt(a: Numeric, b: Numeric, scale: number): bigint {
  if (b.unscaled === 0n) throw divisionByZero();
  // a/b * 10^scale = a.u * 10^(scale + b.s - a.s) / b.u
  const shift = scale + b.scale - a.scale;
  let num = a.unscaled;
  let den = b.unscaled;
  if (shift >= 0) num *= pow10(shift);
  else den *= pow10(-shift);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den;
  const r = num - q * den;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) return num < 0n ? q - 1n : q + 1n;
  return q;
}

export function numericDiv(a: Numeric, b: Numeric): Numeric {
  if (b.unscaled === 0n) throw divisionByZero();
  const s = divScale(a, b);
  return new Numeric(divideAt(a, b, s), s);
}

/** Postgres' numeric mod: a - trunc(a / b) * b, at the larger scale. */
export function numericMod(a: Numeric, b: Numeric): Numeric {
  if (b.unscaled === 0n) throw divisionByZero();
  const [x, y, s] = aligned(a, b);
  return new Numeric(x % y, s);
}

/** Rounds (half away from zero) to `places` fraction digits; negative places round left of the point. Result scale max(places, 0). */
export function numericRound(a: Numeric, places: number): Numeric {
  const p = Math.max(-MAX_RESULT_SCALE, Math.min(places, MAX_RESULT_SCALE));
  const s = Math.max(p, 0);
  const r = roundDiv10(a.unscaled, a.scale - p);
  return new Numeric(p >= 0 ? r : r * pow10(-p), s);
}

/** Truncates toward zero at `places` fraction digits; result scale max(places, 0). */
export function numericTrunc(a: Numeric, places: number): Numeric {
  const p = Math.max(-MAX_RESULT_SCALE, Math.min(places, MAX_RESULT_SCALE));
  const s = Math.max(p, 0);
  const shift = a.scale - p;
  const r = shift <= 0 ? a.unscaled * pow10(-shift) : a.unscaled / pow10(shift);
  return new Numeric(p >= 0 ? r : r * pow10(-p), s);
}

/** The smallest integer >= a (scale 0). */
export function numericCeil(a: Numeric): Numeric {
  const d = pow10(a.scale);
  const q = a.unscaled / d;
  return new Numeric(a.unscaled > q * d ? q + 1n : q, 0);
}

/** The largest integer <= a (scale 0). */
export function numericFloor(a: Numeric): Numeric {
  const d = pow10(a.scale);
  const q = a.unscaled / d;
  return new Numeric(a.unscaled < q * d ? q - 1n : q, 0);
}

export function numericToNumber(a: Numeric): number {
  return a.scale === 0 ? Number(a.unscaled) : Number(formatDecimal(a.unscaled, a.scale));
}

/** A float as numeric through `digits` significant digits (Postgres: 15 for float8, 6 for float4). */
export function numericFromFloat(x: number, digits: number): Numeric {
  if (!Number.isFinite(x)) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot convert ${x} to numeric`);
  }
  const v = parseNumeric(x.toPrecision(digits))!;
  // Postgres prints float->numeric without the exponent's trailing zeros beyond the float's digits.
  return normalizeNumeric(v);
}
