import { describe, expect, it } from 'vitest';
import { BIGINT, DATE, DOUBLE, FLOAT, INT, INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, NUMERIC, SMALLINT, decimal, timestamp, timestampLtz, time, type SqlType } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { functions } from './functions.ts';
import { callRaw, run, testContext } from './test-helpers.ts';
import { decimalResultType } from './arithmetic.ts';
import { Numeric, parseNumeric } from '../values/numeric.ts';
import { coercion } from './coercion.ts';

function sqlstate(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'no error';
}

const DAY = 86_400_000_000;

describe('integer arithmetic', () => {
  it('computes with the wider operand type', () => {
    expect(callRaw('+', [INT, INT], [2, 3])).toEqual({ value: 5, type: INT });
    expect(callRaw('+', [SMALLINT, INT], [2, 3]).type).toEqual(INT);
    expect(callRaw('*', [INT, BIGINT], [2, 3n])).toEqual({ value: 6n, type: BIGINT });
    expect(run('-', [BIGINT, BIGINT], [2n, 5n])).toBe('-3');
  });
  it('divides truncating toward zero; % takes the dividend sign', () => {
    expect(run('/', [INT, INT], [7, 2])).toBe('3');
    expect(run('/', [INT, INT], [-7, 2])).toBe('-3');
    expect(run('/', [BIGINT, BIGINT], [-7n, 2n])).toBe('-3');
    expect(run('%', [INT, INT], [-7, 3])).toBe('-1');
    expect(run('%', [INT, INT], [7, -3])).toBe('1');
    expect(run('mod', [INT, INT], [7, 3])).toBe('1');
  });
  it('reports overflow and division by zero', () => {
    expect(sqlstate(() => run('+', [INT, INT], [2147483647, 1]))).toBe('22003 integer out of range');
    expect(sqlstate(() => run('*', [BIGINT, BIGINT], [2n ** 62n, 4n]))).toBe('22003 bigint out of range');
    expect(sqlstate(() => run('*', [SMALLINT, SMALLINT], [300, 300]))).toBe('22003 smallint out of range');
    expect(sqlstate(() => run('/', [INT, INT], [1, 0]))).toBe('22012 division by zero');
    expect(sqlstate(() => run('%', [BIGINT, BIGINT], [1n, 0n]))).toBe('22012 division by zero');
    expect(sqlstate(() => run('/', [INT, INT], [-2147483648, -1]))).toBe('22003 integer out of range');
    expect(sqlstate(() => run('neg', [INT], [-2147483648]))).toBe('22003 integer out of range');
  });
  it('negates', () => {
    expect(run('neg', [INT], [5])).toBe('-5');
    expect(run('neg', [BIGINT], [5n])).toBe('-5');
    expect(run('neg', [decimal(5, 2)], [125n])).toBe('-1.25');
  });
  it('propagates NULL (strict)', () => {
    expect(run('+', [INT, INT], [null, 1])).toBe('NULL');
    expect(functions.resolveScalar('+', [INT, INT])!.strict).toBe(true);
  });
});

describe('decimal arithmetic', () => {
  const D52 = decimal(5, 2);
  it('uses Flink result types', () => {
    expect(decimalResultType('+', D52, decimal(10, 4))).toEqual(decimal(11, 4));
    expect(decimalResultType('*', D52, D52)).toEqual(decimal(10, 4));
    expect(decimalResultType('/', D52, INT)).toEqual(decimal(19, 16));
    expect(decimalResultType('/', decimal(2, 1), INT)).toEqual(decimal(17, 16));
    expect(decimalResultType('%', D52, decimal(3, 1))).toEqual(decimal(4, 2));
    expect(decimalResultType('*', decimal(38, 10), decimal(38, 10))).toEqual(decimal(38, 6));
  });
  it('computes exactly', () => {
    expect(run('+', [D52, D52], [150n, 275n])).toBe('4.25');
    expect(run('+', [D52, INT], [150n, 2])).toBe('3.50');
    expect(run('-', [D52, decimal(10, 4)], [150n, 12345n])).toBe('0.2655');
    expect(run('*', [D52, D52], [150n, -250n])).toBe('-3.7500');
    expect(run('/', [D52, INT], [1000n, 3])).toBe('3.3333333333333333');
    expect(run('/', [decimal(2, 1), INT], [70n, 2])).toBe('3.5000000000000000');
    expect(run('/', [D52, INT], [200n, 3])).toBe('0.6666666666666667');
    expect(run('%', [D52, decimal(3, 1)], [1075n, 30n])).toBe('1.75');
  });
  it('errors on division by zero and overflow', () => {
    expect(sqlstate(() => run('/', [D52, D52], [100n, 0n]))).toBe('22012 division by zero');
    expect(sqlstate(() => run('*', [decimal(38, 0), decimal(38, 0)], [10n ** 37n, 10n ** 37n]))).toMatch(/^22003 numeric field overflow/);
  });
  it('mixes with floats as DOUBLE', () => {
    expect(callRaw('+', [D52, DOUBLE], [150n, 0.25])).toEqual({ value: 1.75, type: DOUBLE });
  });
});

describe('float arithmetic', () => {
  it('computes and formats like Postgres', () => {
    expect(run('+', [DOUBLE, DOUBLE], [0.1, 0.2])).toBe('0.30000000000000004');
    expect(run('*', [FLOAT, FLOAT], [1.1, 1.1])).toBe('1.21');
    expect(run('+', [INT, DOUBLE], [1, 0.5])).toBe('1.5');
  });
  it('reports division by zero and overflow', () => {
    expect(sqlstate(() => run('/', [DOUBLE, DOUBLE], [1, 0]))).toBe('22012 division by zero');
    expect(sqlstate(() => run('*', [DOUBLE, DOUBLE], [1e308, 10]))).toBe('22003 value out of range: overflow');
  });
});

describe('temporal arithmetic', () => {
  const TS = timestamp(6);
  it('adds days to dates and subtracts dates', () => {
    expect(run('+', [DATE, INT], [0, 31])).toBe('1970-02-01');
    expect(run('+', [INT, DATE], [1, 0])).toBe('1970-01-02');
    expect(run('-', [DATE, INT], [0, 1])).toBe('1969-12-31');
    expect(callRaw('-', [DATE, DATE], [10, 3])).toEqual({ value: 7, type: INT });
  });
  it('adds intervals to timestamps', () => {
    expect(run('+', [TS, INTERVAL_DAY_TIME], [0, DAY + 3_600_000_000])).toBe('1970-01-02 01:00:00');
    expect(run('+', [INTERVAL_DAY_TIME, TS], [DAY, 0])).toBe('1970-01-02 00:00:00');
    expect(run('-', [TS, INTERVAL_DAY_TIME], [0, 1_000_000])).toBe('1969-12-31 23:59:59');
    // 2024-01-31 + 1 month = 2024-02-29
    const jan31 = Date.UTC(2024, 0, 31) * 1000;
    expect(run('+', [TS, INTERVAL_YEAR_MONTH], [jan31, 1])).toBe('2024-02-29 00:00:00');
    expect(run('-', [TS, INTERVAL_YEAR_MONTH], [jan31, 12])).toBe('2023-01-31 00:00:00');
  });
  it('adds months to timestamptz in the session zone', () => {
    const ctx = testContext({ timeZone: 'America/New_York' });
    // 2024-03-01 00:00 New York (EST, -05) + 1 month = 2024-04-01 00:00 EDT (-04)
    const march1 = Date.UTC(2024, 2, 1, 5) * 1000;
    expect(run('+', [timestampLtz(6), INTERVAL_YEAR_MONTH], [march1, 1], ctx)).toBe('2024-04-01 00:00:00-04');
  });
  it('moves dates by intervals (Flink: result DATE)', () => {
    expect(callRaw('+', [DATE, INTERVAL_YEAR_MONTH], [0, 13])).toEqual({ value: 396, type: DATE });
    expect(run('+', [DATE, INTERVAL_DAY_TIME], [0, 2 * DAY])).toBe('1970-01-03');
  });
  it('subtracts timestamps into intervals', () => {
    expect(run('-', [TS, TS], [2 * DAY + 5_000_000, 0])).toBe('2 days 00:00:05');
    expect(run('-', [time(0), time(0)], [3_600_000_000, 0])).toBe('01:00:00');
  });
  it('wraps times around midnight', () => {
    expect(run('+', [time(0), INTERVAL_DAY_TIME], [23 * 3_600_000_000, 2 * 3_600_000_000])).toBe('01:00:00');
  });
  it('scales intervals', () => {
    expect(run('*', [INTERVAL_DAY_TIME, INT], [3_600_000_000, 3])).toBe('03:00:00');
    expect(run('*', [DOUBLE, INTERVAL_DAY_TIME], [1.5, DAY])).toBe('1 day 12:00:00');
    expect(run('/', [INTERVAL_DAY_TIME, INT], [DAY, 4])).toBe('06:00:00');
    expect(run('+', [INTERVAL_YEAR_MONTH, INTERVAL_YEAR_MONTH], [12, 2])).toBe('1 year 2 mons');
    expect(run('neg', [INTERVAL_YEAR_MONTH], [14])).toBe('-1 years -2 mons');
    expect(sqlstate(() => run('/', [INTERVAL_DAY_TIME, INT], [DAY, 0]))).toBe('22012 division by zero');
  });
  it('adds a time to a date', () => {
    expect(run('+', [DATE, time(0)], [1, 3_600_000_000])).toBe('1970-01-02 01:00:00');
  });
});

describe('operator resolution errors', () => {
  const S: SqlType = { kind: 'VARCHAR', length: 2147483647 };
  it('names the operator and types', () => {
    expect(sqlstate(() => functions.resolveScalar('+', [S, INT]))).toBe('42883 operator does not exist: text + integer');
    expect(sqlstate(() => functions.resolveScalar('-', [DATE, TS_]))).toBe('42883 operator does not exist: date - timestamp without time zone');
    expect(sqlstate(() => functions.resolveScalar('neg', [S]))).toBe('42883 operator does not exist: - text');
  });
});
const TS_ = timestamp(6);

describe('unconstrained NUMERIC arithmetic', () => {
  const num = (text: string): Numeric => parseNumeric(text)!;
  it('gives NUMERIC with exact operands and DOUBLE with approximate ones', () => {
    expect(callRaw('+', [NUMERIC, decimal(5, 2)], [num('1.5'), 125n]).type).toEqual(NUMERIC);
    expect(callRaw('*', [INT, NUMERIC], [2, num('1.50')]).type).toEqual(NUMERIC);
    expect(callRaw('+', [NUMERIC, DOUBLE], [num('1.5'), 1.5])).toEqual({ value: 3, type: DOUBLE });
    expect(callRaw('neg', [NUMERIC], [num('1.50')]).type).toEqual(NUMERIC);
  });
  it('uses each value its scale', () => {
    expect(run('+', [NUMERIC, decimal(5, 2)], [num('1.5'), 125n])).toBe('2.75');
    expect(run('*', [INT, NUMERIC], [2, num('1.50')])).toBe('3.00');
    expect(run('-', [NUMERIC, NUMERIC], [num('1'), num('0.001')])).toBe('0.999');
    expect(run('/', [NUMERIC, INT], [num('10'), 4])).toBe('2.5000000000000000');
    expect(run('%', [NUMERIC, NUMERIC], [num('7.50'), num('2')])).toBe('1.50');
    expect(run('neg', [NUMERIC], [num('1.50')])).toBe('-1.50');
    expect(sqlstate(() => run('/', [NUMERIC, NUMERIC], [num('1'), num('0')]))).toBe('22012 division by zero');
  });
  it('math functions keep NUMERIC with Postgres scales', () => {
    expect(run('abs', [NUMERIC], [num('-1.50')])).toBe('1.50');
    expect(run('ceil', [NUMERIC], [num('1.20')])).toBe('2');
    expect(run('floor', [NUMERIC], [num('-1.20')])).toBe('-2');
    expect(run('round', [NUMERIC], [num('2.5')])).toBe('3');
    expect(run('round', [NUMERIC, INT], [num('2.567'), 2])).toBe('2.57');
    expect(run('trunc', [NUMERIC, INT], [num('2.567'), 1])).toBe('2.5');
    expect(run('sign', [NUMERIC], [num('-3.30')])).toBe('-1');
    expect(callRaw('sqrt', [NUMERIC], [num('16')]).type).toEqual(DOUBLE);
  });
  it('merges with other exact numerics into NUMERIC', () => {
    expect(coercion.commonType([decimal(5, 2), NUMERIC])).toEqual(NUMERIC);
    expect(coercion.commonType([INT, NUMERIC])).toEqual(NUMERIC);
    expect(coercion.commonType([NUMERIC, DOUBLE])).toEqual(DOUBLE);
    expect(coercion.commonType([decimal(5, 2), decimal(6, 3)])).toEqual(decimal(6, 3));
    expect(coercion.canImplicitlyCast(decimal(5, 2), NUMERIC)).toBe(true);
    expect(coercion.canImplicitlyCast(NUMERIC, decimal(5, 2))).toBe(false);
  });
});
