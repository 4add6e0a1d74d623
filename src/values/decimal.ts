/**
 * DECIMAL(p, s) arithmetic on unscaled bigints: text conversion, rescaling with
 * Postgres' rounding (half away from zero) and the precision check.
 */

import { SqlError, SqlState } from '../errors.ts';

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 80; i++, p *= 10n) POW10.push(p);

export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** `unscaled / 10^scale` printed with exactly `scale` fraction digits (`12.50`, `-0.05`). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (scale === 0 ? unscaled : unscaled * pow10(-scale)).toString();
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const cut = digits.length - scale;
  return (negative ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
}

/** Divides by 10^shift rounding half away from zero. */
export function roundDiv10(value: bigint, shift: number): bigint {
  if (shift <= 0) return value * pow10(-shift);
  const d = pow10(shift);
  const q = value / d;
  const r = value - q * d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return value < 0n ? q - 1n : q + 1n;
  return q;
}

/** Changes the scale of an unscaled value, rounding half away from zero when digits are dropped. */
export function rescale(unscaled: bigint, fromScale: number, toScale: number): bigint {
  if (fromScale === toScale) return unscaled;
  return roundDiv10(unscaled, fromScale - toScale);
}

/** Throws 22003 unless `unscaled` (at `scale`) fits DECIMAL(precision, scale). */
export function checkPrecision(unscaled: bigint, precision: number, scale: number): bigint {
  const limit = pow10(precision);
  if (unscaled >= limit || unscaled <= -limit) {
    const intDigits = precision - scale;
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'numeric field overflow', {
      detail:
        intDigits > 0
          ? `A field with precision ${precision}, scale ${scale} must round to an absolute value less than 10^${intDigits}.`
          : `A field with precision ${precision}, scale ${scale} must round to an absolute value less than 1.`,
    });
  }
  return unscaled;
}

const NUMERIC_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/**
 * Parses Postgres numeric input (`12.5`, `-1e3`, ` .5 `) into an unscaled value at `scale`,
 * rounding half away from zero. Returns undefined for text that is not a number.
 * NaN and infinities are not representable as DECIMAL; callers report them.
 */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = NUMERIC_RE.exec(text);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isFinite(exp) || Math.abs(exp) > 1000) return undefined;
  let digits = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  if (m[1] === '-') digits = -digits;
  // value = digits * 10^(exp - fracPart.length); want value * 10^scale
  return roundDiv10(digits, fracPart.length - exp - scale);
}
