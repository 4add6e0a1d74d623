/**
 * Shared numeric range checks and the errors Postgres reports for them.
 */
import type { SqlType } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function divisionByZero(): SqlError {
  return new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
}

export function outOfRange(typeName: string): SqlError {
  return new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${typeName} out of range`);
}

/** Range-checks a JS-number integer result for TINYINT / SMALLINT / INT. */
export function checkSmallInt(kind: SqlType['kind'], v: number): number {
  switch (kind) {
    case 'TINYINT':
      if (v < -128 || v > 127) throw outOfRange('tinyint');
      return v;
    case 'SMALLINT':
      if (v < -32768 || v > 32767) throw outOfRange('smallint');
      return v;
    default:
      if (v < -2147483648 || v > 2147483647) throw outOfRange('integer');
      return v;
  }
}

export function checkBigint(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw outOfRange('bigint');
  return v;
}

/** Postgres' float overflow / underflow checks. */
export function checkFloat(result: number, inputsFinite: boolean, isFloat4: boolean): number {
  const r = isFloat4 ? Math.fround(result) : result;
  if (!Number.isFinite(r) && !Number.isNaN(r) && inputsFinite) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
  }
  return r;
}

export function invalidArgument(message: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message);
}
