/**
 * Date/time format patterns in both dialects, compiled to one token list:
 * - Postgres `to_char` / `to_timestamp` templates: YYYY YYY YY Y MM MON Mon mon
 *   MONTH Month month DD DDD D DAY Day day DY Dy dy HH HH12 HH24 MI SS MS US
 *   AM PM am pm Q IW WW TZH TZM OF, the FM prefix (no padding), "quoted text";
 * - Java (Flink) patterns: yyyy yy MM M MMM MMMM dd d HH H hh h mm m ss s S..
 *   EEE EEEE a D Z X, 'quoted text'.
 * A token list formats a broken-down local time and parses text back.
 */
import { civil, civilFromDays, daysFromCivil, daysInMonth, MICROS_PER_DAY } from '../values/datetime.ts';

export type Field =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthName'
  | 'monthAbbr'
  | 'day'
  | 'doy'
  | 'dow1'
  | 'dayName'
  | 'dayAbbr'
  | 'hour24'
  | 'hour12'
  | 'minute'
  | 'second'
  | 'milli'
  | 'micro'
  | 'fraction'
  | 'ampm'
  | 'quarter'
  | 'isoWeek'
  | 'week'
  | 'offset'
  | 'offsetHours'
  | 'offsetMinutes';

export type Case = 'upper' | 'lower' | 'title';

export type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly field: Field; readonly width: number; readonly pad: boolean; readonly textCase: Case };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface PgPattern {
  readonly pat: string;
  readonly field: Field;
  readonly width: number;
  readonly textCase?: Case;
}

/** Longest first so HH24 wins over HH, MONTH over MON and MM. */
const PG_PATTERNS: PgPattern[] = [
  { pat: 'HH24', field: 'hour24', width: 2 },
  { pat: 'HH12', field: 'hour12', width: 2 },
  { pat: 'HH', field: 'hour12', width: 2 },
  { pat: 'MI', field: 'minute', width: 2 },
  { pat: 'SS', field: 'second', width: 2 },
  { pat: 'MS', field: 'milli', width: 3 },
  { pat: 'US', field: 'micro', width: 6 },
  { pat: 'YYYY', field: 'year', width: 4 },
  { pat: 'YYY', field: 'year', width: 3 },
  { pat: 'YY', field: 'year2', width: 2 },
  { pat: 'MONTH', field: 'monthName', width: 9, textCase: 'upper' },
  { pat: 'Month', field: 'monthName', width: 9, textCase: 'title' },
  { pat: 'month', field: 'monthName', width: 9, textCase: 'lower' },
  { pat: 'MON', field: 'monthAbbr', width: 3, textCase: 'upper' },
  { pat: 'Mon', field: 'monthAbbr', width: 3, textCase: 'title' },
  { pat: 'mon', field: 'monthAbbr', width: 3, textCase: 'lower' },
  { pat: 'MM', field: 'month', width: 2 },
  { pat: 'DAY', field: 'dayName', width: 9, textCase: 'upper' },
  { pat: 'Day', field: 'dayName', width: 9, textCase: 'title' },
  { pat: 'day', field: 'dayName', width: 9, textCase: 'lower' },
  { pat: 'DY', field: 'dayAbbr', width: 3, textCase: 'upper' },
  { pat: 'Dy', field: 'dayAbbr', width: 3, textCase: 'title' },
  { pat: 'dy', field: 'dayAbbr', width: 3, textCase: 'lower' },
  { pat: 'DDD', field: 'doy', width: 3 },
  { pat: 'DD', field: 'day', width: 2 },
  { pat: 'D', field: 'dow1', width: 1 },
  { pat: 'AM', field: 'ampm', width: 2, textCase: 'upper' },
  { pat: 'PM', field: 'ampm', width: 2, textCase: 'upper' },
  { pat: 'am', field: 'ampm', width: 2, textCase: 'lower' },
  { pat: 'pm', field: 'ampm', width: 2, textCase: 'lower' },
  { pat: 'Q', field: 'quarter', width: 1 },
  { pat: 'IW', field: 'isoWeek', width: 2 },
  { pat: 'WW', field: 'week', width: 2 },
  { pat: 'TZH', field: 'offsetHours', width: 3 },
  { pat: 'TZM', field: 'offsetMinutes', width: 2 },
  { pat: 'OF', field: 'offset', width: 3 },
  { pat: 'Y', field: 'year', width: 1 },
];

const pgCache = new Map<string, Token[]>();
const javaCache = new Map<string, Token[]>();

function pushLiteral(out: Token[], text: string): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.kind === 'literal') out[out.length - 1] = { kind: 'literal', text: last.text + text };
  else out.push({ kind: 'literal', text });
}

/** Compiles a Postgres template. */
export function pgTemplate(fmt: string): Token[] {
  const hit = pgCache.get(fmt);
  if (hit !== undefined) return hit;
  const out: Token[] = [];
  let i = 0;
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      pushLiteral(out, fmt.slice(i + 1, end < 0 ? fmt.length : end));
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    if (fmt[i] === '\\' && i + 1 < fmt.length) {
      pushLiteral(out, fmt[i + 1]!);
      i += 2;
      continue;
    }
    let fm = false;
    let j = i;
    if (fmt.startsWith('FM', j)) {
      fm = true;
      j += 2;
    }
    const p = PG_PATTERNS.find((q) => fmt.startsWith(q.pat, j));
    if (p === undefined) {
      pushLiteral(out, fmt[i]!);
      i++;
      continue;
    }
    out.push({ kind: 'field', field: p.field, width: p.width, pad: !fm, textCase: p.textCase ?? 'upper' });
    i = j + p.pat.length;
  }
  if (pgCache.size > 200) pgCache.clear();
  pgCache.set(fmt, out);
  return out;
}

/** Compiles a Java (SimpleDateFormat / DateTimeFormatter) pattern. */
export function javaPattern(fmt: string): Token[] {
  const hit = javaCache.get(fmt);
  if (hit !== undefined) return hit;
  const out: Token[] = [];
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === "'") {
      const end = fmt.indexOf("'", i + 1);
      if (end === i + 1) pushLiteral(out, "'");
      else pushLiteral(out, fmt.slice(i + 1, end < 0 ? fmt.length : end));
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(c)) {
      pushLiteral(out, c);
      i++;
      continue;
    }
    let n = 1;
    while (fmt[i + n] === c) n++;
    i += n;
    const f = (field: Field, width: number, textCase: Case = 'title'): void => {
      out.push({ kind: 'field', field, width, pad: true, textCase });
    };
    switch (c) {
      case 'y':
      case 'u':
        if (n === 2) f('year2', 2);
        else f('year', n);
        break;
      case 'M':
      case 'L':
        if (n >= 4) out.push({ kind: 'field', field: 'monthName', width: 0, pad: false, textCase: 'title' });
        else if (n === 3) f('monthAbbr', 3);
        else f('month', n);
        break;
      case 'd':
        f('day', n);
        break;
      case 'D':
        f('doy', n);
        break;
      case 'H':
      case 'k':
        f('hour24', n);
        break;
      case 'h':
      case 'K':
        f('hour12', n);
        break;
      case 'm':
        f('minute', n);
        break;
      case 's':
        f('second', n);
        break;
      case 'S':
        f('fraction', n);
        break;
      case 'E':
        if (n >= 4) out.push({ kind: 'field', field: 'dayName', width: 0, pad: false, textCase: 'title' });
        else f('dayAbbr', 3);
        break;
      case 'a':
        f('ampm', 2, 'upper');
        break;
      case 'Z':
      case 'X':
      case 'x':
        f('offset', n);
        break;
      case 'w':
        f('week', n);
        break;
      default:
        pushLiteral(out, c.repeat(n));
    }
  }
  if (javaCache.size > 200) javaCache.clear();
  javaCache.set(fmt, out);
  return out;
}

/** Whether a format looks like a Postgres template rather than a Java pattern. */
export function isPgTemplate(fmt: string): boolean {
  return /YYYY|HH24|HH12|MI|DD|Mon|MON|US|MS/.test(fmt) && !/yyyy|dd|mm|ss/.test(fmt);
}

function padNum(n: number, width: number, pad: boolean): string {
  const neg = n < 0;
  let s = String(Math.abs(n));
  if (pad && s.length < width) s = '0'.repeat(width - s.length) + s;
  return neg ? `-${s}` : s;
}

function applyCase(s: string, c: Case): string {
  return c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s;
}

function padText(s: string, width: number, pad: boolean): string {
  return pad && s.length < width ? s + ' '.repeat(width - s.length) : s;
}

/** ISO 8601 week number of a day count. */
export function isoWeek(days: number): number {
  const dow = (((days + 3) % 7) + 7) % 7; // Monday = 0
  const thursday = days - dow + 3;
  civilFromDays(thursday);
  const jan1 = daysFromCivil(civil[0]!, 1, 1);
  return Math.floor((thursday - jan1) / 7) + 1;
}

/** Formats local µs (and the zone offset in seconds, for offset fields). */
export function formatTokens(tokens: readonly Token[], localMicros: number, offsetSeconds: number): string {
  const days = Math.floor(localMicros / MICROS_PER_DAY);
  const tod = localMicros - days * MICROS_PER_DAY;
  civilFromDays(days);
  const year = civil[0]!;
  const month = civil[1]!;
  const day = civil[2]!;
  const hour = Math.floor(tod / 3_600_000_000);
  const minute = Math.floor(tod / 60_000_000) % 60;
  const second = Math.floor(tod / 1_000_000) % 60;
  const micros = tod % 1_000_000;
  const dow = (((days + 4) % 7) + 7) % 7; // Sunday = 0
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'literal') {
      out += t.text;
      continue;
    }
    const { width, pad } = t;
    switch (t.field) {
      case 'year':
        out += width < 4 && width > 0 ? padNum(year % 10 ** width, width, pad) : padNum(year, Math.max(width, 4), pad);
        break;
      case 'year2':
        out += padNum(year % 100, 2, pad);
        break;
      case 'month':
        out += padNum(month, width, pad);
        break;
      case 'monthName':
        out += padText(applyCase(MONTHS[month - 1]!, t.textCase), width, pad);
        break;
      case 'monthAbbr':
        out += applyCase(MONTHS[month - 1]!.slice(0, 3), t.textCase);
        break;
      case 'day':
        out += padNum(day, width, pad);
        break;
      case 'doy':
        out += padNum(days - daysFromCivil(year, 1, 1) + 1, width, pad);
        break;
      case 'dow1':
        out += String(dow + 1);
        break;
      case 'dayName':
        out += padText(applyCase(DAYS[dow]!, t.textCase), width, pad);
        break;
      case 'dayAbbr':
        out += applyCase(DAYS[dow]!.slice(0, 3), t.textCase);
        break;
      case 'hour24':
        out += padNum(hour, width, pad);
        break;
      case 'hour12':
        out += padNum(hour % 12 === 0 ? 12 : hour % 12, width, pad);
        break;
      case 'minute':
        out += padNum(minute, width, pad);
        break;
      case 'second':
        out += padNum(second, width, pad);
        break;
      case 'milli':
        out += padNum(Math.floor(micros / 1000), 3, true);
        break;
      case 'micro':
        out += padNum(micros, 6, true);
        break;
      case 'fraction':
        out += padNum(micros, 6, true).slice(0, width).padEnd(width, '0');
        break;
      case 'ampm':
        out += applyCase(hour < 12 ? 'AM' : 'PM', t.textCase);
        break;
      case 'quarter':
        out += String(Math.floor((month - 1) / 3) + 1);
        break;
      case 'isoWeek':
        out += padNum(isoWeek(days), width, pad);
        break;
      case 'week':
        out += padNum(Math.floor((days - daysFromCivil(year, 1, 1)) / 7) + 1, width, pad);
        break;
      case 'offset': {
        const sign = offsetSeconds < 0 ? '-' : '+';
        const abs = Math.abs(offsetSeconds);
        const hh = padNum(Math.floor(abs / 3600), 2, true);
        const mm = padNum(Math.floor(abs / 60) % 60, 2, true);
        out += width === 3 ? `${sign}${hh}${mm === '00' ? '' : `:${mm}`}` : width >= 2 ? `${sign}${hh}:${mm}` : `${sign}${hh}${mm}`;
        break;
      }
      case 'offsetHours':
        out += (offsetSeconds < 0 ? '-' : '+') + padNum(Math.floor(Math.abs(offsetSeconds) / 3600), 2, true);
        break;
      case 'offsetMinutes':
        out += padNum(Math.floor(Math.abs(offsetSeconds) / 60) % 60, 2, true);
        break;
    }
  }
  return out;
}

export interface Parsed {
  /** Local µs since 1970. */
  readonly localMicros: number;
  /** Offset in seconds when the text carried one. */
  readonly offsetSeconds: number | undefined;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses `text` against `tokens`; undefined when it does not match. Numeric
 * fields read up to their width when the next token is also a number, else
 * all digits. Spaces in the text are skipped before numbers (as Postgres).
 */
export function parseTokens(tokens: readonly Token[], text: string): Parsed | undefined {
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let pos = 0;
  for (let ti = 0; ti < tokens.length; ti++) {
    const t = tokens[ti]!;
    if (t.kind === 'literal') {
      for (const c of t.text) {
        if (c === ' ') {
          while (text[pos] === ' ') pos++;
          continue;
        }
        if (text[pos] !== c) return undefined;
        pos++;
      }
      continue;
    }
    const next = tokens[ti + 1];
    const bounded = next !== undefined && next.kind === 'field';
    const readNum = (maxWidth: number): number | undefined => {
      while (text[pos] === ' ') pos++;
      let neg = false;
      if (t.field === 'year' && text[pos] === '-') {
        neg = true;
        pos++;
      }
      const start = pos;
      while (isDigit(text[pos]) && (!bounded || pos - start < maxWidth)) pos++;
      if (pos === start) return undefined;
      const v = Number(text.slice(start, pos));
      return neg ? -v : v;
    };
    const readName = (names: readonly string[], len: number | undefined): number | undefined => {
      const rest = text.slice(pos).toLowerCase();
      for (let i = 0; i < names.length; i++) {
        const n = (len === undefined ? names[i]! : names[i]!.slice(0, len)).toLowerCase();
        if (rest.startsWith(n)) {
          pos += n.length;
          return i;
        }
      }
      return undefined;
    };
    switch (t.field) {
      case 'year': {
        const v = readNum(Math.max(t.width, 4));
        if (v === undefined) return undefined;
        year = v;
        break;
      }
      case 'year2': {
        const v = readNum(2);
        if (v === undefined) return undefined;
        year = v < 70 ? 2000 + v : 1900 + v;
        break;
      }
      case 'month': {
        const v = readNum(2);
        if (v === undefined) return undefined;
        month = v;
        break;
      }
      case 'monthName':
      case 'monthAbbr': {
        const v = readName(MONTHS, t.field === 'monthAbbr' ? 3 : undefined) ?? readName(MONTHS, 3);
        if (v === undefined) return undefined;
        month = v + 1;
        break;
      }
      case 'dayName':
      case 'dayAbbr':
        if ((readName(DAYS, t.field === 'dayAbbr' ? 3 : undefined) ?? readName(DAYS, 3)) === undefined) return undefined;
        break;
      case 'day': {
        const v = readNum(2);
        if (v === undefined) return undefined;
        day = v;
        break;
      }
      case 'hour24':
      case 'hour12': {
        const v = readNum(2);
        if (v === undefined) return undefined;
        hour = v;
        break;
      }
      case 'minute': {
        const v = readNum(2);
        if (v === undefined) return undefined;
        minute = v;
        break;
      }
      case 'second': {
        const v = readNum(2);
        if (v === undefined) return undefined;
        second = v;
        break;
      }
      case 'milli':
      case 'micro':
      case 'fraction': {
        const start = pos;
        const v = readNum(t.field === 'milli' ? 3 : t.field === 'micro' ? 6 : t.width);
        if (v === undefined) return undefined;
        const digits = pos - start;
        micros = t.field === 'milli' ? v * 1000 : t.field === 'micro' ? v : Math.round(v * 10 ** (6 - digits));
        break;
      }
      case 'ampm': {
        const r = text.slice(pos, pos + 2).toUpperCase();
        if (r !== 'AM' && r !== 'PM') return undefined;
        pm = r === 'PM';
        pos += 2;
        break;
      }
      case 'offset':
      case 'offsetHours': {
        while (text[pos] === ' ') pos++;
        if (text[pos] === 'Z') {
          offset = 0;
          pos++;
          break;
        }
        const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text.slice(pos));
        if (m === null) return undefined;
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
        pos += m[0].length;
        break;
      }
      default: {
        if (readNum(t.width) === undefined) return undefined;
      }
    }
  }
  while (text[pos] === ' ') pos++;
  if (pos !== text.length) return undefined;
  if (pm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 24 || minute > 59 || second > 60) return undefined;
  const localMicros = daysFromCivil(year, month, day) * MICROS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros;
  return { localMicros, offsetSeconds: offset };
}
