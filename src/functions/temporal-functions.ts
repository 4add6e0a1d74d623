/**
 * Temporal functions. Timestamps with time zone are read and written in the
 * session zone (ctx.timeZone); "now" is the statement start
 * (ctx.statementTime), and the now-like functions are marked volatile so a
 * prepared plan never folds them.
 *
 * date_part(field, x) returns DOUBLE (Postgres' date_part type; fractional
 * seconds and epoch keep their fraction). `extract` (the same fields) returns
 * BIGINT as Flink's EXTRACT does, truncating the fraction. Fields: year month
 * day hour minute second millisecond(s) microsecond(s) epoch dow isodow doy
 * week quarter decade century millennium isoyear julian timezone*.
 * Intervals: day-time intervals give day/hour/minute/second/epoch..., year-month
 * intervals year/month/quarter/epoch.
 */
import {
  BIGINT,
  DATE,
  DOUBLE,
  INT,
  INTERVAL_DAY_TIME,
  STRING,
  timestamp,
  timestampLtz,
  time,
  type SqlType,
} from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import {
  civil,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  localToUtcMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  utcToLocalMicros,
  zoneOffsetSeconds,
} from '../values/datetime.ts';
import { parseDate, parseTimestamp } from '../values/datetime-parse.ts';
import { formatTokens, isoWeek, isPgTemplate, javaPattern, parseTokens, pgTemplate, type Token } from './datetime-format.ts';
import { invalidArgument } from './numeric-errors.ts';
import { fixed, generic, paramCost, type Match } from './registry.ts';
import type { EvalContext } from './eval-context.ts';
import type { ScalarImpl } from './signatures.ts';
import { addMonthsToMicros } from './temporal-arithmetic.ts';

// ------------------------------------------------------------ current time

const nowTs = (ctx: EvalContext): number => ctx.statementTime;
const localNow = (ctx: EvalContext): number => utcToLocalMicros(ctx.statementTime, ctx.timeZone);

for (const name of ['now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp']) {
  fixed({ name, params: [], returns: timestampLtz(6), volatile: true, make: () => (_a, ctx) => nowTs(ctx) });
}
fixed({ name: 'clock_timestamp', params: [], returns: timestampLtz(6), volatile: true, make: () => () => Date.now() * 1000 });
fixed({
  name: 'current_date',
  params: [],
  returns: DATE,
  volatile: true,
  make: () => (_a, ctx) => Math.floor(localNow(ctx) / MICROS_PER_DAY),
});
fixed({ name: 'localtimestamp', params: [], returns: timestamp(6), volatile: true, make: () => (_a, ctx) => localNow(ctx) });
const timeOfDay = (ctx: EvalContext): number => {
  const l = localNow(ctx);
  return l - Math.floor(l / MICROS_PER_DAY) * MICROS_PER_DAY;
};
fixed({ name: ['localtime', 'current_time'], params: [], returns: time(6), volatile: true, make: () => (_a, ctx) => timeOfDay(ctx) });
fixed({
  name: 'unix_timestamp',
  params: [],
  returns: BIGINT,
  volatile: true,
  make: () => (_a, ctx) => BigInt(Math.floor(nowTs(ctx) / MICROS_PER_SECOND)),
});

// ------------------------------------------------------------ broken-down fields

/** Local µs of a temporal value of type `t`. */
function toLocal(v: number, t: SqlType, ctx: EvalContext): number {
  switch (t.kind) {
    case 'DATE':
      return v * MICROS_PER_DAY;
    case 'TIMESTAMP_LTZ':
      return utcToLocalMicros(v, ctx.timeZone);
    default:
      return v;
  }
}

const DATE_TIME_FIELDS: ReadonlySet<string> = new Set(['hour', 'minute', 'second', 'millisecond', 'milliseconds', 'microsecond', 'microseconds']);

function unitError(field: string, t: SqlType): SqlError {
  const tn = t.kind === 'DATE' ? 'date' : t.kind === 'TIMESTAMP_LTZ' ? 'timestamp with time zone' : t.kind === 'TIME' ? 'time' : t.kind.startsWith('INTERVAL') ? 'interval' : 'timestamp';
  return new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `unit "${field}" not supported for type ${tn}`);
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** The value of EXTRACT(field FROM v) as a double. */
export function extractField(fieldIn: string, v: number, t: SqlType, ctx: EvalContext): number {
  const field = fieldIn.toLowerCase().replace(/s$/, '') === 'second' ? 'second' : normalizeField(fieldIn);
  if (t.kind === 'INTERVAL_DAY_TIME') {
    const sign = v < 0 ? -1 : 1;
    const abs = Math.abs(v);
    switch (field) {
      case 'epoch':
        return v / MICROS_PER_SECOND;
      case 'day':
        return sign * Math.floor(abs / MICROS_PER_DAY);
      case 'hour':
        return sign * (Math.floor(abs / MICROS_PER_HOUR) % 24);
      case 'minute':
        return sign * (Math.floor(abs / MICROS_PER_MINUTE) % 60);
      case 'second':
        return (sign * (abs % MICROS_PER_MINUTE)) / MICROS_PER_SECOND;
      case 'millisecond':
        return (sign * (abs % MICROS_PER_MINUTE)) / 1000;
      case 'microsecond':
        return sign * (abs % MICROS_PER_MINUTE);
      case 'year':
      case 'month':
      case 'quarter':
        return 0;
      default:
        throw unitError(fieldIn, t);
    }
  }
  if (t.kind === 'INTERVAL_YEAR_MONTH') {
    switch (field) {
      case 'year':
        return Math.trunc(v / 12);
      case 'month':
        return v % 12;
      case 'quarter':
        return Math.floor((v % 12) / 3) + 1;
      case 'epoch':
        return v * 30 * 86400 + Math.trunc(v / 12) * 5.25 * 86400;
      default:
        return 0;
    }
  }
  if (t.kind === 'TIME') {
    switch (field) {
      case 'hour':
        return Math.floor(v / MICROS_PER_HOUR);
      case 'minute':
        return Math.floor(v / MICROS_PER_MINUTE) % 60;
      case 'second':
        return (v % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
      case 'millisecond':
        return (v % MICROS_PER_MINUTE) / 1000;
      case 'microsecond':
        return v % MICROS_PER_MINUTE;
      case 'epoch':
        return v / MICROS_PER_SECOND;
      default:
        throw unitError(fieldIn, t);
    }
  }
  if (field === 'epoch') {
    if (t.kind === 'TIMESTAMP_LTZ') return v / MICROS_PER_SECOND;
    return toLocal(v, t, ctx) / MICROS_PER_SECOND;
  }
  if (field === 'timezone' || field === 'timezone_hour' || field === 'timezone_minute') {
    if (t.kind !== 'TIMESTAMP_LTZ') throw unitError(fieldIn, t);
    const off = zoneOffsetSeconds(Math.floor(v / MICROS_PER_SECOND), ctx.timeZone);
    if (field === 'timezone') return off;
    return field === 'timezone_hour' ? Math.trunc(off / 3600) : Math.trunc(off / 60) % 60;
  }
  const local = toLocal(v, t, ctx);
  const days = floorDiv(local, MICROS_PER_DAY);
  const tod = local - days * MICROS_PER_DAY;
  civilFromDays(days);
  const year = civil[0]!;
  const month = civil[1]!;
  const day = civil[2]!;
  const bcYear = year <= 0 ? year - 1 : year;
  switch (field) {
    case 'year':
      return bcYear;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'hour':
      return Math.floor(tod / MICROS_PER_HOUR);
    case 'minute':
      return Math.floor(tod / MICROS_PER_MINUTE) % 60;
    case 'second':
      return (tod % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case 'millisecond':
      return (tod % MICROS_PER_MINUTE) / 1000;
    case 'microsecond':
      return tod % MICROS_PER_MINUTE;
    case 'dow':
      return (((days + 4) % 7) + 7) % 7;
    case 'isodow': {
      const d = (((days + 4) % 7) + 7) % 7;
      return d === 0 ? 7 : d;
    }
    case 'doy':
      return days - daysFromCivil(year, 1, 1) + 1;
    case 'week':
      return isoWeek(days);
    case 'isoyear': {
      const w = isoWeek(days);
      if (w >= 52 && month === 1) return year - 1;
      if (w === 1 && month === 12) return year + 1;
      return year;
    }
    case 'quarter':
      return Math.floor((month - 1) / 3) + 1;
    case 'decade':
      return Math.floor(year / 10);
    case 'century':
      return year > 0 ? Math.floor((year - 1) / 100) + 1 : -Math.floor(-year / 100) - 1;
    case 'millennium':
      return year > 0 ? Math.floor((year - 1) / 1000) + 1 : -Math.floor(-year / 1000) - 1;
    case 'julian':
      return days + 2440588 + tod / MICROS_PER_DAY;
    default:
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${fieldIn}" not recognized for type ${t.kind === 'DATE' ? 'date' : 'timestamp'}`);
  }
}

const FIELD_ALIASES: Record<string, string> = {
  years: 'year',
  y: 'year',
  yr: 'year',
  yrs: 'year',
  months: 'month',
  mon: 'month',
  mons: 'month',
  days: 'day',
  d: 'day',
  hours: 'hour',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  minutes: 'minute',
  min: 'minute',
  mins: 'minute',
  m: 'minute',
  seconds: 'second',
  sec: 'second',
  secs: 'second',
  s: 'second',
  milliseconds: 'millisecond',
  ms: 'millisecond',
  msec: 'millisecond',
  microseconds: 'microsecond',
  us: 'microsecond',
  usec: 'microsecond',
  weeks: 'week',
  w: 'week',
  quarters: 'quarter',
  qtr: 'quarter',
  decades: 'decade',
  centuries: 'century',
  millenniums: 'millennium',
  millennia: 'millennium',
  dayofweek: 'dow',
  dayofyear: 'doy',
};

function normalizeField(f: string): string {
  const l = f.toLowerCase().trim();
  return FIELD_ALIASES[l] ?? l;
}

const TEMPORAL_OR_INTERVAL = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'INTERVAL_DAY_TIME', 'INTERVAL_YEAR_MONTH']);

function fieldMatch(ret: SqlType): (args: readonly SqlType[]) => Match | undefined {
  return (args) => {
    if (args.length !== 2) return undefined;
    const f = paramCost(args[0]!, STRING);
    const t = args[1]!;
    if (f === undefined || !TEMPORAL_OR_INTERVAL.has(t.kind)) return undefined;
    return { argTypes: [STRING, t], returnType: ret, cost: f.cost };
  };
}

generic({
  name: 'date_part',
  id: 'date_part',
  match: fieldMatch(DOUBLE),
  make: (argTypes) => {
    const t = argTypes[1]!;
    if (t.kind === 'DATE') {
      // A DATE has no time of day: EXTRACT rejects the time fields (Postgres 14+, Flink's validator).
      return (a, ctx) => {
        const field = a[0] as string;
        if (DATE_TIME_FIELDS.has(field.toLowerCase())) throw unitError(field, t);
        return extractField(field, a[1] as number, t, ctx);
      };
    }
    return (a, ctx) => extractField(a[0] as string, a[1] as number, t, ctx);
  },
});
generic({
  name: 'extract',
  id: 'extract',
  match: fieldMatch(BIGINT),
  make: (argTypes) => {
    const t = argTypes[1]!;
    return (a, ctx) => BigInt(Math.trunc(extractField(a[0] as string, a[1] as number, t, ctx)));
  },
});

/** Flink's YEAR(d), MONTH(d), ... shortcuts: BIGINT. DAYOFWEEK is 1 = Sunday .. 7. */
for (const [name, field, offset] of [
  ['year', 'year', 0],
  ['quarter', 'quarter', 0],
  ['month', 'month', 0],
  ['week', 'week', 0],
  ['dayofyear', 'doy', 0],
  ['dayofmonth', 'day', 0],
  ['dayofweek', 'dow', 1],
  ['hour', 'hour', 0],
  ['minute', 'minute', 0],
  ['second', 'second', 0],
] as const) {
  generic({
    name,
    id: name,
    match: (args) => {
      if (args.length !== 1 || !TEMPORAL_OR_INTERVAL.has(args[0]!.kind)) return undefined;
      return { argTypes: args, returnType: BIGINT, cost: 0 };
    },
    make: (argTypes) => {
      const t = argTypes[0]!;
      return (a, ctx) => BigInt(Math.trunc(extractField(field, a[0] as number, t, ctx)) + offset);
    },
  });
}

// ------------------------------------------------------------ date_trunc

/** Truncates local µs to the start of `unit`. */
export function truncLocal(unitIn: string, local: number): number {
  const unit = normalizeField(unitIn);
  const days = floorDiv(local, MICROS_PER_DAY);
  const tod = local - days * MICROS_PER_DAY;
  const startOf = (y: number, m: number): number => daysFromCivil(y, m, 1) * MICROS_PER_DAY;
  switch (unit) {
    case 'microsecond':
      return local;
    case 'millisecond':
      return floorDiv(local, 1000) * 1000;
    case 'second':
      return floorDiv(local, MICROS_PER_SECOND) * MICROS_PER_SECOND;
    case 'minute':
      return floorDiv(local, MICROS_PER_MINUTE) * MICROS_PER_MINUTE;
    case 'hour':
      return floorDiv(local, MICROS_PER_HOUR) * MICROS_PER_HOUR;
    case 'day':
      return local - tod;
    case 'week': {
      const dowMon = (((days + 3) % 7) + 7) % 7;
      return (days - dowMon) * MICROS_PER_DAY;
    }
    default:
      break;
  }
  civilFromDays(days);
  const y = civil[0]!;
  const m = civil[1]!;
  switch (unit) {
    case 'month':
      return startOf(y, m);
    case 'quarter':
      return startOf(y, Math.floor((m - 1) / 3) * 3 + 1);
    case 'year':
      return startOf(y, 1);
    case 'decade':
      return startOf(floorDiv(y, 10) * 10, 1);
    case 'century':
      return startOf(y > 0 ? floorDiv(y - 1, 100) * 100 + 1 : -floorDiv(-y, 100) * 100 - 99, 1);
    case 'millennium':
      return startOf(y > 0 ? floorDiv(y - 1, 1000) * 1000 + 1 : -floorDiv(-y, 1000) * 1000 - 999, 1);
    default:
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${unitIn}" not recognized for type timestamp`);
  }
}

generic({
  name: 'date_trunc',
  id: 'date_trunc',
  match: (args) => {
    if (args.length !== 2) return undefined;
    const f = paramCost(args[0]!, STRING);
    if (f === undefined) return undefined;
    const t = args[1]!;
    if (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') return { argTypes: [STRING, t], returnType: t, cost: f.cost };
    if (t.kind === 'DATE' || t.kind === 'NULL') return { argTypes: [STRING, timestamp(6)], returnType: timestamp(6), cost: f.cost + 1 };
    if (t.kind === 'INTERVAL_DAY_TIME') return { argTypes: [STRING, t], returnType: t, cost: f.cost };
    return undefined;
  },
  make: (argTypes) => {
    const t = argTypes[1]!;
    if (t.kind === 'TIMESTAMP_LTZ') {
      return (a, ctx) => localToUtcMicros(truncLocal(a[0] as string, utcToLocalMicros(a[1] as number, ctx.timeZone)), ctx.timeZone);
    }
    if (t.kind === 'INTERVAL_DAY_TIME') {
      return (a) => {
        const v = a[1] as number;
        const r = truncLocal(a[0] as string, Math.abs(v));
        return v < 0 ? -r : r;
      };
    }
    return (a) => truncLocal(a[0] as string, a[1] as number);
  },
});

// ------------------------------------------------------------ formatting and parsing

function tokensFor(fmt: string, java: boolean): Token[] {
  return java ? javaPattern(fmt) : pgTemplate(fmt);
}

function formatImpl(java: boolean): (argTypes: readonly SqlType[]) => ScalarImpl {
  return (argTypes) => {
    const t = argTypes[0]!;
    return (a, ctx) => {
      const v = a[0] as number;
      const local = toLocal(v, t, ctx);
      const off = t.kind === 'TIMESTAMP_LTZ' ? zoneOffsetSeconds(Math.floor(v / MICROS_PER_SECOND), ctx.timeZone) : 0;
      return formatTokens(tokensFor(a[1] as string, java), local, off);
    };
  };
}

const TS_KINDS = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'TIME']);

generic({
  name: 'to_char',
  id: 'to_char(ts)',
  match: (args) => {
    if (args.length !== 2 || !TS_KINDS.has(args[0]!.kind)) return undefined;
    const f = paramCost(args[1]!, STRING);
    if (f === undefined) return undefined;
    const t = args[0]!.kind === 'DATE' ? timestamp(6) : args[0]!;
    return { argTypes: [t, STRING], returnType: STRING, cost: f.cost };
  },
  make: formatImpl(false),
});

/** Flink DATE_FORMAT(ts, javaPattern); a string first argument is parsed as a timestamp. */
generic({
  name: 'date_format',
  id: 'date_format',
  match: (args) => {
    if (args.length !== 2) return undefined;
    const f = paramCost(args[1]!, STRING);
    if (f === undefined) return undefined;
    const a = args[0]!;
    const t = TS_KINDS.has(a.kind) ? (a.kind === 'DATE' ? timestamp(6) : a) : paramCost(a, STRING) !== undefined ? timestamp(6) : undefined;
    if (t === undefined) return undefined;
    return { argTypes: [t, STRING], returnType: STRING, cost: f.cost };
  },
  make: formatImpl(true),
});

/** Parses with a pattern in either dialect; undefined if the text does not match. */
function parseWith(text: string, fmt: string): { localMicros: number; offsetSeconds: number | undefined } | undefined {
  return parseTokens(tokensFor(fmt, !isPgTemplate(fmt)), text);
}

const DEFAULT_TS_FORMAT = 'yyyy-MM-dd HH:mm:ss';

function parseFlinkTimestamp(text: string, ctx: EvalContext): number | undefined {
  try {
    return parseTimestamp(text, 6, ctx.timeZone);
  } catch {
    return undefined;
  }
}

fixed({
  name: 'to_timestamp',
  params: [STRING],
  returns: timestamp(3),
  make: () => (a, ctx) => parseFlinkTimestamp(a[0] as string, ctx) ?? null,
});
fixed({
  name: 'to_timestamp',
  params: [STRING, STRING],
  returns: timestamp(3),
  make: () => (a) => {
    const p = parseWith(a[0] as string, a[1] as string);
    if (p === undefined) return null;
    return p.offsetSeconds === undefined ? p.localMicros : p.localMicros - p.offsetSeconds * MICROS_PER_SECOND;
  },
});
fixed({
  name: 'to_timestamp',
  params: [DOUBLE],
  returns: timestampLtz(6),
  make: () => (a) => {
    const x = a[0] as number;
    if (!Number.isFinite(x)) throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, 'timestamp out of range');
    return Math.round(x * MICROS_PER_SECOND);
  },
});
fixed({
  name: 'to_date',
  params: [STRING],
  returns: DATE,
  make: () => (a, ctx) => parseDate(a[0] as string, ctx.timeZone),
});
fixed({
  name: 'to_date',
  params: [STRING, STRING],
  returns: DATE,
  make: () => (a) => {
    const p = parseWith(a[0] as string, a[1] as string);
    if (p === undefined) {
      throw new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid value "${a[0] as string}" for format "${a[1] as string}"`);
    }
    return Math.floor(p.localMicros / MICROS_PER_DAY);
  },
});

const LONG_MIN = -(2n ** 63n);

function unixTimestamp(text: string, fmt: string, ctx: EvalContext): bigint {
  const p = parseTokens(javaPattern(fmt), text);
  if (p === undefined) {
    // Flink parses leniently: trailing text after the pattern is ignored.
    const loose = parseLoose(text, fmt);
    if (loose === undefined) return LONG_MIN;
    return BigInt(Math.floor(localToUtcMicros(loose, ctx.timeZone) / MICROS_PER_SECOND));
  }
  const utc = p.offsetSeconds === undefined ? localToUtcMicros(p.localMicros, ctx.timeZone) : p.localMicros - p.offsetSeconds * MICROS_PER_SECOND;
  return BigInt(Math.floor(utc / MICROS_PER_SECOND));
}

function parseLoose(text: string, fmt: string): number | undefined {
  for (let end = text.length - 1; end > 0; end--) {
    if (text[end] !== ' ') continue;
    const p = parseTokens(javaPattern(fmt), text.slice(0, end));
    if (p !== undefined) return p.offsetSeconds === undefined ? p.localMicros : undefined;
  }
  return undefined;
}

fixed({
  name: 'unix_timestamp',
  params: [STRING],
  returns: BIGINT,
  make: () => (a, ctx) => unixTimestamp(a[0] as string, DEFAULT_TS_FORMAT, ctx),
});
fixed({
  name: 'unix_timestamp',
  params: [STRING, STRING],
  returns: BIGINT,
  make: () => (a, ctx) => unixTimestamp(a[0] as string, a[1] as string, ctx),
});

function fromUnix(secs: bigint, fmt: string, ctx: EvalContext): string {
  const utc = Number(secs) * MICROS_PER_SECOND;
  const off = zoneOffsetSeconds(Number(secs), ctx.timeZone);
  return formatTokens(javaPattern(fmt), utc + off * MICROS_PER_SECOND, off);
}

fixed({
  name: 'from_unixtime',
  params: [BIGINT],
  returns: STRING,
  make: () => (a, ctx) => fromUnix(a[0] as bigint, DEFAULT_TS_FORMAT, ctx),
});
fixed({
  name: 'from_unixtime',
  params: [BIGINT, STRING],
  returns: STRING,
  make: () => (a, ctx) => fromUnix(a[0] as bigint, a[1] as string, ctx),
});

/** TO_TIMESTAMP_LTZ(n, precision): n epoch seconds (0) or milliseconds (3). */
fixed({
  name: 'to_timestamp_ltz',
  params: [DOUBLE, INT],
  returns: timestampLtz(3),
  make: () => (a) => {
    const p = a[1] as number;
    if (p !== 0 && p !== 3) throw invalidArgument(`the precision of TO_TIMESTAMP_LTZ must be 0 or 3, got ${p}`);
    return Math.round((a[0] as number) * (p === 0 ? MICROS_PER_SECOND : 1000));
  },
});
fixed({
  name: 'to_timestamp_ltz',
  params: [DOUBLE],
  returns: timestampLtz(3),
  make: () => (a) => Math.round((a[0] as number) * 1000),
});

// ------------------------------------------------------------ constructors

function makeDate(y: number, m: number, d: number): number {
  if (y === 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y < 0 ? y + 1 : y, m)) {
    throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  return daysFromCivil(y < 0 ? y + 1 : y, m, d);
}

fixed({
  name: 'make_date',
  params: [INT, INT, INT],
  returns: DATE,
  make: () => (a) => makeDate(a[0] as number, a[1] as number, a[2] as number),
});
fixed({
  name: 'make_timestamp',
  params: [INT, INT, INT, INT, INT, DOUBLE],
  returns: timestamp(6),
  make: () => (a) => {
    const h = a[3] as number;
    const mi = a[4] as number;
    const s = a[5] as number;
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s >= 60) {
      throw new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `time field value out of range: ${h}:${mi}:${s}`);
    }
    return makeDate(a[0] as number, a[1] as number, a[2] as number) * MICROS_PER_DAY + (h * 60 + mi) * MICROS_PER_MINUTE + Math.round(s * MICROS_PER_SECOND);
  },
});

// ------------------------------------------------------------ timestampadd / timestampdiff

const UNIT_MICROS: Record<string, number> = {
  microsecond: 1,
  millisecond: 1000,
  second: MICROS_PER_SECOND,
  minute: MICROS_PER_MINUTE,
  hour: MICROS_PER_HOUR,
  day: MICROS_PER_DAY,
  week: 7 * MICROS_PER_DAY,
};
const UNIT_MONTHS: Record<string, number> = { month: 1, quarter: 3, year: 12 };

function unitOf(u: string): string {
  const n = normalizeField(u.replace(/^sql_tsi_/i, ''));
  if (UNIT_MICROS[n] === undefined && UNIT_MONTHS[n] === undefined) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unit "${u}" not recognized`);
  }
  return n;
}

const TS_ONLY = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP_LTZ']);

generic({
  name: 'timestampadd',
  id: 'timestampadd',
  match: (args) => {
    if (args.length !== 3 || paramCost(args[0]!, STRING) === undefined || paramCost(args[1]!, INT) === undefined) return undefined;
    const t = args[2]!;
    if (!TS_ONLY.has(t.kind)) return undefined;
    return { argTypes: [STRING, INT, t], returnType: t, cost: 0 };
  },
  make: (argTypes) => {
    const t = argTypes[2]!;
    return (a, ctx) => {
      const unit = unitOf(a[0] as string);
      const n = a[1] as number;
      const local = toLocal(a[2] as number, t, ctx);
      const r = UNIT_MONTHS[unit] !== undefined ? addMonthsToMicros(local, n * UNIT_MONTHS[unit]) : local + n * UNIT_MICROS[unit]!;
      if (t.kind === 'DATE') return Math.floor(r / MICROS_PER_DAY);
      return t.kind === 'TIMESTAMP_LTZ' ? localToUtcMicros(r, ctx.timeZone) : r;
    };
  },
});

function monthsBetween(a: number, b: number): number {
  const da = floorDiv(a, MICROS_PER_DAY);
  const db = floorDiv(b, MICROS_PER_DAY);
  civilFromDays(da);
  const ya = civil[0]!;
  const ma = civil[1]!;
  const restA = a - daysFromCivil(ya, ma, 1) * MICROS_PER_DAY;
  civilFromDays(db);
  const yb = civil[0]!;
  const mb = civil[1]!;
  const restB = b - daysFromCivil(yb, mb, 1) * MICROS_PER_DAY;
  let months = (yb - ya) * 12 + (mb - ma);
  if (months > 0 && restB < restA) months--;
  else if (months < 0 && restB > restA) months++;
  return months;
}

generic({
  name: 'timestampdiff',
  id: 'timestampdiff',
  match: (args) => {
    if (args.length !== 3 || paramCost(args[0]!, STRING) === undefined) return undefined;
    const x = args[1]!;
    const y = args[2]!;
    if (!TS_ONLY.has(x.kind) || !TS_ONLY.has(y.kind)) return undefined;
    return { argTypes: [STRING, x, y], returnType: INT, cost: 0 };
  },
  make: (argTypes) => {
    const tx = argTypes[1]!;
    const ty = argTypes[2]!;
    return (a, ctx) => {
      const unit = unitOf(a[0] as string);
      const x = toLocal(a[1] as number, tx, ctx);
      const y = toLocal(a[2] as number, ty, ctx);
      if (UNIT_MONTHS[unit] !== undefined) return Math.trunc(monthsBetween(x, y) / UNIT_MONTHS[unit]);
      return Math.trunc((y - x) / UNIT_MICROS[unit]!);
    };
  },
});

/** age(a, b) as a day-time interval (the engine's intervals do not mix months and days). */
generic({
  name: 'age',
  id: 'age',
  match: (args) => {
    if (args.length !== 2 || !TS_ONLY.has(args[0]!.kind) || !TS_ONLY.has(args[1]!.kind)) return undefined;
    return { argTypes: args, returnType: INTERVAL_DAY_TIME, cost: 0 };
  },
  make: (argTypes) => (a, ctx) => toLocal(a[0] as number, argTypes[0]!, ctx) - toLocal(a[1] as number, argTypes[1]!, ctx),
});

// ------------------------------------------------------------ FLOOR / CEIL (x TO unit) (Flink)

/** Rounds local µs up to the next `unit` boundary (unchanged when already on one). */
function ceilLocal(unit: string, local: number): number {
  const down = truncLocal(unit, local);
  if (down === local) return local;
  const u = normalizeField(unit);
  if (UNIT_MONTHS[u] !== undefined) return addMonthsToMicros(down, UNIT_MONTHS[u]);
  if (u === 'decade' || u === 'century' || u === 'millennium') {
    return addMonthsToMicros(down, 12 * (u === 'decade' ? 10 : u === 'century' ? 100 : 1000));
  }
  return down + (UNIT_MICROS[u] ?? 0);
}

for (const [names, up] of [
  [['floor'], false],
  [['ceil', 'ceiling'], true],
] as const) {
  generic({
    name: names,
    id: up ? 'ceil(temporal)' : 'floor(temporal)',
    match: (args) => {
      if (args.length !== 2 || paramCost(args[1]!, STRING) === undefined) return undefined;
      const t = args[0]!;
      if (t.kind !== 'TIME' && t.kind !== 'TIMESTAMP' && t.kind !== 'TIMESTAMP_LTZ' && t.kind !== 'DATE') return undefined;
      return { argTypes: [t, STRING], returnType: t, cost: 0 };
    },
    make: (argTypes) => {
      const t = argTypes[0]!;
      const round = up ? ceilLocal : truncLocal;
      switch (t.kind) {
        case 'DATE':
          return (a) => Math.floor(round(a[1] as string, (a[0] as number) * MICROS_PER_DAY) / MICROS_PER_DAY);
        case 'TIME':
          return (a) => round(a[1] as string, a[0] as number) % MICROS_PER_DAY;
        case 'TIMESTAMP_LTZ':
          return (a, ctx) => localToUtcMicros(round(a[1] as string, utcToLocalMicros(a[0] as number, ctx.timeZone)), ctx.timeZone);
        default:
          return (a) => round(a[1] as string, a[0] as number);
      }
    },
  });
}

/** CONVERT_TZ(text, fromZone, toZone) (Flink): re-reads a 'yyyy-MM-dd HH:mm:ss' wall time in another zone. */
fixed({
  name: 'convert_tz',
  params: [STRING, STRING, STRING],
  returns: STRING,
  make: () => (a) => {
    const local = parseTimestamp(a[0] as string, 6, 'UTC');
    const utc = localToUtcMicros(local, a[1] as string);
    const out = utcToLocalMicros(utc, a[2] as string);
    const off = zoneOffsetSeconds(Math.floor(utc / MICROS_PER_SECOND), a[2] as string);
    return formatTokens(javaPattern(DEFAULT_TS_FORMAT), out, off);
  },
});
