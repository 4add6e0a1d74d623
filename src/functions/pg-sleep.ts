/**
 * pg_sleep(seconds), pg_sleep_for(interval), pg_sleep_until(timestamptz).
 *
 * Scalar functions run synchronously, so a sleep cannot block where it is
 * called. Instead each call advances the statement's *sleep deadline*, kept
 * per EvalContext (one per statement execution): the deadline starts at the
 * wall clock of the first call and every later call sleeps on from there, so
 * `SELECT pg_sleep(0.1) FROM generate_series(1, 3)` owes 0.3 s and
 * `pg_sleep_until(t)` after earlier sleeps waits only for what is left. The
 * executor that runs the statement (src/compiler/query-runner.ts) takes the
 * deadline after each result chunk and waits for it on a timer, cancelably,
 * before passing the chunk on, so the server keeps serving other sessions
 * and a CancelRequest ends the wait with 57014.
 *
 * As in PostgreSQL: the functions are strict and volatile; a negative or NaN
 * duration (or a time in the past) does not sleep; an infinite one sleeps
 * until cancelled. The result is PostgreSQL's void, which prints as the empty
 * string; millrace has no void type, so the column is text holding ''.
 *
 * Expressions a continuous dataflow (materialized view, job, SUBSCRIBE)
 * evaluates record deadlines nobody waits for: there the calls return at once.
 */
import { DOUBLE, INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, STRING, timestampLtz } from '../../catalog/types.ts';
import { localToUtcMicros, utcToLocalMicros } from '../values/datetime.ts';
import type { EvalContext } from './eval-context.ts';
import { fixed } from './registry.ts';
import { addMonthsToMicros } from './temporal-arithmetic.ts';

/** Wall-clock deadline (ms since the epoch, possibly Infinity) each running statement owes. */
const deadlines = new WeakMap<EvalContext, number>();

/** void's text form. */
const VOID = '';

/** Where the next sleep of `ctx`'s statement starts: now, or later when earlier calls still owe time. */
function sleepBase(ctx: EvalContext): number {
  const owed = deadlines.get(ctx);
  const now = Date.now();
  return owed !== undefined && owed > now ? owed : now;
}

/** Extends `ctx`'s deadline to `until` (ms); a deadline not after the base (or NaN) adds nothing. */
function sleepUntil(ctx: EvalContext, base: number, until: number): string {
  if (until > base) deadlines.set(ctx, until);
  return VOID;
}

/**
 * The deadline (ms since the epoch; Infinity: until cancelled) the statement
 * running with `ctx` must wait for before it passes on what it has computed,
 * or undefined when nothing called a sleep since the last call. Clears it.
 */
export function takeSleepDeadline(ctx: EvalContext): number | undefined {
  const d = deadlines.get(ctx);
  if (d !== undefined) deadlines.delete(ctx);
  return d;
}

fixed({
  name: 'pg_sleep',
  params: [DOUBLE],
  returns: STRING,
  volatile: true,
  make: () => (a, ctx) => {
    const base = sleepBase(ctx);
    return sleepUntil(ctx, base, base + (a[0] as number) * 1000);
  },
});

fixed({
  name: 'pg_sleep_for',
  params: [INTERVAL_DAY_TIME],
  returns: STRING,
  volatile: true,
  make: () => (a, ctx) => {
    const base = sleepBase(ctx);
    return sleepUntil(ctx, base, base + (a[0] as number) / 1000);
  },
});

fixed({
  name: 'pg_sleep_for',
  params: [INTERVAL_YEAR_MONTH],
  returns: STRING,
  volatile: true,
  make: () => (a, ctx) => {
    // Months are calendar months in the session's time zone, as clock_timestamp() + interval counts them.
    const base = sleepBase(ctx);
    const local = utcToLocalMicros(base * 1000, ctx.timeZone);
    return sleepUntil(ctx, base, localToUtcMicros(addMonthsToMicros(local, a[0] as number), ctx.timeZone) / 1000);
  },
});

fixed({
  name: 'pg_sleep_until',
  params: [timestampLtz(6)],
  returns: STRING,
  volatile: true,
  make: () => (a, ctx) => sleepUntil(ctx, sleepBase(ctx), (a[0] as number) / 1000),
});
