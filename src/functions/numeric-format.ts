/**
 * to_char(number, template) with the common Postgres template patterns:
 * 9 (digit, blank when a leading zero), 0 (digit, always shown), . or D
 * (decimal point), , or G (group separator, blank before the first digit),
 * FM (no padding; trailing fraction zeros of 9 slots dropped), S / MI (sign
 * position). Without S/MI the sign takes one leading position (blank for
 * positive numbers). A number too wide for the template prints as '#'s.
 * Values are rounded half away from zero to the template's fraction digits.
 */
import { DOUBLE, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import { formatDecimal, parseDecimal, roundDiv10 } from '../values/decimal.ts';
import type { Numeric } from '../values/numeric.ts';
import { generic, paramCost } from './registry.ts';

interface NumTemplate {
  readonly intSlots: string[];
  readonly fracSlots: string[];
  readonly fm: boolean;
  readonly explicitSign: 'S' | 'MI' | undefined;
  readonly signAtEnd: boolean;
}

function parseTemplate(fmt: string): NumTemplate {
  const intSlots: string[] = [];
  const fracSlots: string[] = [];
  let fm = false;
  let explicitSign: 'S' | 'MI' | undefined;
  let signAtEnd = false;
  let inFrac = false;
  for (let i = 0; i < fmt.length; i++) {
    const rest = fmt.slice(i);
    if (rest.startsWith('FM')) {
      fm = true;
      i++;
    } else if (rest.startsWith('MI')) {
      explicitSign = 'MI';
      signAtEnd = intSlots.length + fracSlots.length > 0;
      i++;
    } else if (fmt[i] === 'S') {
      explicitSign = 'S';
      signAtEnd = intSlots.length + fracSlots.length > 0;
    } else if (fmt[i] === '.' || fmt[i] === 'D') inFrac = true;
    else if (fmt[i] === '9' || fmt[i] === '0') (inFrac ? fracSlots : intSlots).push(fmt[i]!);
    else if (fmt[i] === ',' || fmt[i] === 'G') {
      if (!inFrac) intSlots.push(',');
    } else (inFrac ? fracSlots : intSlots).push(`'${fmt[i]!}`);
  }
  return { intSlots, fracSlots, fm, explicitSign, signAtEnd: signAtEnd };
}

/** Formats `unscaled / 10^scale` with a Postgres numeric template. */
export function formatNumber(unscaled: bigint, scale: number, fmt: string): string {
  const t = parseTemplate(fmt);
  const hasPoint = /[.D]/.test(fmt);
  const fracDigits = t.fracSlots.filter((c) => c === '9' || c === '0').length;
  const rounded = roundDiv10(unscaled, scale - fracDigits);
  const negative = rounded < 0n;
  const text = formatDecimal(negative ? -rounded : rounded, fracDigits);
  const [intText, fracText = ''] = text.split('.') as [string, string?];
  const intDigitSlots = t.intSlots.filter((c) => c === '9' || c === '0').length;
  const intDigits = intText === '0' ? '' : intText;
  if (intDigits.length > intDigitSlots) {
    const width = t.intSlots.length + (hasPoint ? 1 + t.fracSlots.length : 0) + 1;
    return '#'.repeat(width - 1).padStart(width, ' ');
  }
  // Integer part: fill slots from the right.
  let out = '';
  let di = intDigits.length - 1;
  let started = false;
  const parts: string[] = [];
  for (let i = t.intSlots.length - 1; i >= 0; i--) {
    const slot = t.intSlots[i]!;
    if (slot === '9' || slot === '0') {
      if (di >= 0) parts.push(intDigits[di--]!);
      else parts.push(slot === '0' ? '0' : '\u0000');
    } else if (slot === ',') parts.push(di >= 0 ? ',' : '\u0001');
    else parts.push(slot.slice(1));
  }
  parts.reverse();
  // A zero slot before the first digit forces the digits after it to show.
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '\u0000' || p === '\u0001') {
      if (started) parts[i] = p === '\u0000' ? '0' : ',';
      else parts[i] = t.fm ? '' : ' ';
    } else if (/[0-9]/.test(p)) started = true;
  }
  out = parts.join('');
  let frac = '';
  if (hasPoint) {
    let digits = fracText;
    if (t.fm) {
      // Trailing zeros in 9 slots are dropped.
      let end = digits.length;
      while (end > 0 && digits[end - 1] === '0' && t.fracSlots.filter((c) => c === '9' || c === '0')[end - 1] === '9') end--;
      digits = digits.slice(0, end);
    }
    frac = `.${digits}`;
  }
  const firstDigit = out.search(/[0-9]/);
  const sign = negative ? '-' : t.explicitSign === 'S' ? '+' : t.fm ? '' : ' ';
  if (t.explicitSign !== undefined && t.signAtEnd) return out + frac + (negative ? '-' : t.explicitSign === 'S' ? '+' : ' ');
  if (firstDigit < 0) {
    const body = out + frac;
    return t.fm ? sign + body.trimStart() : sign + body;
  }
  const lead = out.slice(0, firstDigit);
  return (t.fm ? '' : lead) + sign + out.slice(firstDigit) + frac;
}

function toUnscaled(v: Value, t: SqlType): { unscaled: bigint; scale: number } {
  switch (t.kind) {
    case 'DECIMAL':
      return { unscaled: v as bigint, scale: t.scale };
    case 'NUMERIC':
      return v as Numeric;
    case 'BIGINT':
      return { unscaled: v as bigint, scale: 0 };
    case 'FLOAT':
    case 'DOUBLE':
      // The shortest decimal text of the double, read exactly (finite values only; see make()).
      return { unscaled: parseDecimal(String(v as number), 15) ?? 0n, scale: 15 };
    default:
      return { unscaled: BigInt(v as number), scale: 0 };
  }
}

generic({
  name: 'to_char',
  id: 'to_char(number)',
  match: (args) => {
    if (args.length !== 2 || paramCost(args[1]!, STRING) === undefined) return undefined;
    const a = args[0]!;
    if (!['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'NUMERIC', 'FLOAT', 'DOUBLE'].includes(a.kind)) return undefined;
    return { argTypes: [a.kind === 'FLOAT' ? DOUBLE : a, STRING], returnType: STRING, cost: 0 };
  },
  make: (argTypes) => {
    const t = argTypes[0]!;
    return (a) => {
      if (typeof a[0] === 'number' && !Number.isFinite(a[0])) return Number.isNaN(a[0]) ? 'NaN' : a[0] > 0 ? 'Infinity' : '-Infinity';
      const { unscaled, scale } = toUnscaled(a[0]!, t);
      return formatNumber(unscaled, scale, a[1] as string);
    };
  },
});
