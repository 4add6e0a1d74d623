/**
 * + and - on dates, times, timestamps and intervals, and interval scaling.
 *
 *   date ± integer -> date            date - date -> integer (days)
 *   timestamp ± interval -> timestamp (year-month intervals add calendar
 *     months, clamping the day to the month's end, as Postgres)
 *   timestamptz ± interval -> timestamptz (months added in the session zone)
 *   date ± interval -> date (Flink: the result keeps the operand's type; a
 *     day-time interval moves the date by whole days, rounding down)
 *   time ± day-time interval -> time (wraps around midnight)
 *   timestamp - timestamp -> day-time interval; date + time -> timestamp
 *   interval ± interval (same kind), -interval, interval * number,
 *   number * interval, interval / number (year-month results truncate to months)
 */
import {
  BIGINT,
  DATE,
  INT,
  INTERVAL_DAY_TIME,
  INTERVAL_YEAR_MONTH,
  isIntegral,
  isNumeric,
  timestamp,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { civil, civilFromDays, daysFromCivil, daysInMonth, localToUtcMicros, MICROS_PER_DAY, utcToLocalMicros } from '../values/datetime.ts';
import { divisionByZero, outOfRange } from './numeric-errors.ts';
import { generic, type Match } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';
import type { EvalContext } from './eval-context.ts';

/** Adds calendar months to a day count, clamping the day of month. */
export function addMonthsToDays(days: number, months: number): number {
  civilFromDays(days);
  const y = civil[0]!;
  const m = civil[1]!;
  const d = civil[2]!;
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** Adds calendar months to a local timestamp (µs). */
export function addMonthsToMicros(micros: number, months: number): number {
  const days = Math.floor(micros / MICROS_PER_DAY);
  const tod = micros - days * MICROS_PER_DAY;
  return addMonthsToDays(days, months) * MICROS_PER_DAY + tod;
}

function toNumber(v: Value): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function checkTs(v: number): number {
  if (!Number.isFinite(v) || Math.abs(v) > 9.2e18) throw outOfRange('timestamp');
  return v;
}

type Impl = (a: readonly Value[], ctx: EvalContext) => Value;

interface Rule {
  readonly left: (t: SqlType) => boolean;
  readonly right: (t: SqlType) => boolean;
  readonly result: (l: SqlType, r: SqlType) => SqlType;
  readonly argTypes?: (l: SqlType, r: SqlType) => readonly SqlType[];
  readonly impl: (l: SqlType, r: SqlType) => Impl;
}

const is = (k: SqlType['kind']) => (t: SqlType) => t.kind === k;
const isTs = (t: SqlType) => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
const isInt = (t: SqlType) => isIntegral(t);

function intervalScale(kind: SqlType['kind'], x: number, f: number): number {
  const r = x * f;
  if (!Number.isFinite(r)) throw outOfRange('interval');
  return kind === 'INTERVAL_YEAR_MONTH' ? Math.trunc(r) : Math.round(r);
}

function plusRules(sign: 1 | -1): Rule[] {
  const rules: Rule[] = [
    {
      left: is('DATE'),
      right: isInt,
      result: () => DATE,
      argTypes: (_l, r) => [DATE, r.kind === 'BIGINT' ? BIGINT : INT],
      impl: () => (a) => (a[0] as number) + sign * toNumber(a[1]!),
    },
    {
      left: isTs,
      right: is('INTERVAL_DAY_TIME'),
      result: (l) => l,
      impl: () => (a) => checkTs((a[0] as number) + sign * (a[1] as number)),
    },
    {
      left: is('TIMESTAMP'),
      right: is('INTERVAL_YEAR_MONTH'),
      result: (l) => l,
      impl: () => (a) => addMonthsToMicros(a[0] as number, sign * (a[1] as number)),
    },
    {
      left: is('TIMESTAMP_LTZ'),
      right: is('INTERVAL_YEAR_MONTH'),
      result: (l) => l,
      impl: () => (a, ctx) =>
        localToUtcMicros(addMonthsToMicros(utcToLocalMicros(a[0] as number, ctx.timeZone), sign * (a[1] as number)), ctx.timeZone),
    },
    {
      left: is('DATE'),
      right: is('INTERVAL_YEAR_MONTH'),
      result: () => DATE,
      impl: () => (a) => addMonthsToDays(a[0] as number, sign * (a[1] as number)),
    },
    {
      left: is('DATE'),
      right: is('INTERVAL_DAY_TIME'),
      result: () => DATE,
      impl: () => (a) => Math.floor(((a[0] as number) * MICROS_PER_DAY + sign * (a[1] as number)) / MICROS_PER_DAY),
    },
    {
      left: is('TIME'),
      right: is('INTERVAL_DAY_TIME'),
      result: (l) => l,
      impl: () => (a) => {
        const r = ((a[0] as number) + sign * (a[1] as number)) % MICROS_PER_DAY;
        return r < 0 ? r + MICROS_PER_DAY : r;
      },
    },
    {
      left: is('INTERVAL_DAY_TIME'),
      right: is('INTERVAL_DAY_TIME'),
      result: () => INTERVAL_DAY_TIME,
      impl: () => (a) => (a[0] as number) + sign * (a[1] as number),
    },
    {
      left: is('INTERVAL_YEAR_MONTH'),
      right: is('INTERVAL_YEAR_MONTH'),
      result: () => INTERVAL_YEAR_MONTH,
      impl: () => (a) => (a[0] as number) + sign * (a[1] as number),
    },
  ];
  if (sign === 1) {
    // Commuted forms: interval + timestamp, integer + date, time + date.
    const commuted = rules.slice(0, 6).map(
      (r): Rule => ({
        left: r.right,
        right: r.left,
        result: (l, rt) => r.result(rt, l),
        argTypes: (l, rt) => {
          const t = r.argTypes ? r.argTypes(rt, l) : [rt, l];
          return [t[1]!, t[0]!];
        },
        impl: (l, rt) => {
          const inner = r.impl(rt, l);
          const swapped: Value[] = [null, null];
          return (a, ctx) => {
            swapped[0] = a[1]!;
            swapped[1] = a[0]!;
            return inner(swapped, ctx);
          };
        },
      }),
    );
    rules.push(...commuted);
    rules.push({
      left: is('DATE'),
      right: is('TIME'),
      result: () => timestamp(6),
      impl: () => (a) => (a[0] as number) * MICROS_PER_DAY + (a[1] as number),
    });
  } else {
    rules.push(
      {
        left: is('DATE'),
        right: is('DATE'),
        result: () => INT,
        impl: () => (a) => (a[0] as number) - (a[1] as number),
      },
      {
        left: is('TIMESTAMP'),
        right: is('TIMESTAMP'),
        result: () => INTERVAL_DAY_TIME,
        impl: () => (a) => (a[0] as number) - (a[1] as number),
      },
      {
        left: is('TIMESTAMP_LTZ'),
        right: is('TIMESTAMP_LTZ'),
        result: () => INTERVAL_DAY_TIME,
        impl: () => (a) => (a[0] as number) - (a[1] as number),
      },
      {
        left: is('TIME'),
        right: is('TIME'),
        result: () => INTERVAL_DAY_TIME,
        impl: () => (a) => (a[0] as number) - (a[1] as number),
      },
    );
  }
  return rules;
}

const scaleRules: Record<'*' | '/', Rule[]> = {
  '*': [
    {
      left: (t) => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH',
      right: isNumeric,
      result: (l) => l,
      argTypes: (l) => [l, { kind: 'DOUBLE' }],
      impl: (l) => (a) => intervalScale(l.kind, a[0] as number, a[1] as number),
    },
    {
      left: isNumeric,
      right: (t) => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH',
      result: (_l, r) => r,
      argTypes: (_l, r) => [{ kind: 'DOUBLE' }, r],
      impl: (_l, r) => (a) => intervalScale(r.kind, a[1] as number, a[0] as number),
    },
  ],
  '/': [
    {
      left: (t) => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH',
      right: isNumeric,
      result: (l) => l,
      argTypes: (l) => [l, { kind: 'DOUBLE' }],
      impl: (l) => (a) => {
        if ((a[1] as number) === 0) throw divisionByZero();
        return intervalScale(l.kind, a[0] as number, 1 / (a[1] as number));
      },
    },
  ],
};

function registerRules(op: string, rules: Rule[]): void {
  const find = (args: readonly SqlType[]): Rule | undefined =>
    args.length === 2 ? rules.find((r) => r.left(args[0]!) && r.right(args[1]!)) : undefined;
  generic({
    name: op,
    id: `temporal${op}`,
    match(args): Match | undefined {
      const r = find(args);
      if (r === undefined) return undefined;
      const l = args[0]!;
      const rt = args[1]!;
      return { argTypes: r.argTypes ? r.argTypes(l, rt) : [l, rt], returnType: r.result(l, rt), cost: 0 };
    },
    make(argTypes): ScalarImpl {
      const r = find(argTypes);
      if (r === undefined) throw new Error(`no temporal ${op} for these types`);
      return r.impl(argTypes[0]!, argTypes[1]!);
    },
  });
}

registerRules('+', plusRules(1));
registerRules('-', plusRules(-1));
registerRules('*', scaleRules['*']);
registerRules('/', scaleRules['/']);

generic({
  name: 'neg',
  id: 'interval-neg',
  match: (args) =>
    args.length === 1 && (args[0]!.kind === 'INTERVAL_DAY_TIME' || args[0]!.kind === 'INTERVAL_YEAR_MONTH')
      ? { argTypes: [args[0]!], returnType: args[0]!, cost: 0 }
      : undefined,
  make: () => (a) => -(a[0] as number) + 0,
});

