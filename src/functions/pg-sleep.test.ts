import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DOUBLE, INT, INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, STRING, timestampLtz } from '../../catalog/types.ts';
import { functions } from './functions.ts';
import { takeSleepDeadline } from './pg-sleep.ts';
import { callRaw, testContext } from './test-helpers.ts';

const T0 = Date.UTC(2024, 0, 31, 12, 0, 0);

describe('pg_sleep, pg_sleep_for, pg_sleep_until', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('return void (the empty string) and record the deadline the statement owes', () => {
    const ctx = testContext();
    expect(callRaw('pg_sleep', [DOUBLE], [1.5], ctx)).toEqual({ value: '', type: STRING });
    expect(takeSleepDeadline(ctx)).toBe(T0 + 1500);
    expect(takeSleepDeadline(ctx)).toBeUndefined();
  });

  it('add up over the rows of one statement, each statement on its own', () => {
    const ctx = testContext();
    const other = testContext();
    for (let i = 0; i < 3; i++) callRaw('pg_sleep', [DOUBLE], [0.1], ctx);
    callRaw('pg_sleep', [INT], [2], other);
    expect(takeSleepDeadline(ctx)).toBe(T0 + 300);
    expect(takeSleepDeadline(other)).toBe(T0 + 2000);
  });

  it('start from the clock again once the owed time has passed', () => {
    const ctx = testContext();
    callRaw('pg_sleep', [DOUBLE], [1], ctx);
    vi.setSystemTime(T0 + 5000);
    callRaw('pg_sleep', [DOUBLE], [1], ctx);
    expect(takeSleepDeadline(ctx)).toBe(T0 + 6000);
  });

  it('do not sleep for a negative or NaN duration, or NULL, and sleep forever for infinity', () => {
    const ctx = testContext();
    callRaw('pg_sleep', [DOUBLE], [-3], ctx);
    callRaw('pg_sleep', [DOUBLE], [Number.NaN], ctx);
    expect(callRaw('pg_sleep', [DOUBLE], [null], ctx).value).toBeNull();
    expect(takeSleepDeadline(ctx)).toBeUndefined();
    callRaw('pg_sleep', [DOUBLE], [Number.POSITIVE_INFINITY], ctx);
    expect(takeSleepDeadline(ctx)).toBe(Number.POSITIVE_INFINITY);
  });

  it('pg_sleep_for takes a day-time interval, or calendar months in the session zone', () => {
    const ctx = testContext();
    callRaw('pg_sleep_for', [INTERVAL_DAY_TIME], [250_000], ctx);
    expect(takeSleepDeadline(ctx)).toBe(T0 + 250);
    // 2024-01-31 + 1 month = 2024-02-29 (clamped), 29 days later.
    callRaw('pg_sleep_for', [INTERVAL_YEAR_MONTH], [1], ctx);
    expect(takeSleepDeadline(ctx)).toBe(Date.UTC(2024, 1, 29, 12, 0, 0));
  });

  it('pg_sleep_until waits for what is left after earlier sleeps, and not for the past', () => {
    const ctx = testContext();
    callRaw('pg_sleep_until', [timestampLtz(6)], [(T0 - 1000) * 1000], ctx);
    expect(takeSleepDeadline(ctx)).toBeUndefined();
    callRaw('pg_sleep', [DOUBLE], [2], ctx);
    callRaw('pg_sleep_until', [timestampLtz(6)], [(T0 + 1000) * 1000], ctx);
    expect(takeSleepDeadline(ctx)).toBe(T0 + 2000);
    callRaw('pg_sleep_until', [timestampLtz(6)], [(T0 + 3000) * 1000], ctx);
    expect(takeSleepDeadline(ctx)).toBe(T0 + 3000);
  });

  it('are volatile, so never folded at plan time', () => {
    for (const [name, t] of [['pg_sleep', DOUBLE], ['pg_sleep_for', INTERVAL_DAY_TIME], ['pg_sleep_until', timestampLtz(6)]] as const) {
      expect(functions.resolveScalar(name, [t])).toMatchObject({ volatile: true, strict: true });
    }
  });
});
