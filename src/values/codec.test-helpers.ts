/** Random values per type for the codec property tests (deterministic PRNG). */

import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  BYTES,
  DATE,
  decimal,
  DOUBLE,
  FLOAT,
  INT,
  INTERVAL_DAY_TIME,
  INTERVAL_YEAR_MONTH,
  NUMERIC,
  OID,
  SMALLINT,
  STRING,
  TINYINT,
  time,
  timestamp,
  timestampLtz,
  UUID,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { Numeric } from './numeric.ts';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const ROW_TYPE: SqlType = { kind: 'ROW', fields: [{ name: 'a', type: INT }, { name: 'b', type: STRING }] };

export const CODEC_TYPES: readonly SqlType[] = [
  BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, decimal(10, 2), decimal(38, 5), STRING, BYTES, DATE,
  time(6), timestamp(6), timestampLtz(3), INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, OID, UUID, arrayOf(INT),
  arrayOf(STRING), ROW_TYPE, NUMERIC,
];

export function randomValue(t: SqlType, r: () => number, nullable = true): Value {
  if (nullable && r() < 0.1) return null;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  switch (t.kind) {
    case 'BOOLEAN':
      return r() < 0.5;
    case 'TINYINT':
      return int(-128, 127);
    case 'SMALLINT':
      return int(-32768, 32767);
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return pick([int(-2147483648, 2147483647), int(-5, 5), -2147483648, 2147483647]);
    case 'BIGINT':
      return pick([BigInt(int(-1000, 1000)), BigInt.asIntN(64, BigInt(int(0, 2 ** 31)) * BigInt(int(0, 2 ** 31)) * BigInt(int(-3, 3))), -(2n ** 63n), 2n ** 63n - 1n]);
    case 'FLOAT':
      return Math.fround(pick([(r() - 0.5) * 1e6, 0, -0, NaN, Infinity, -Infinity, r() * 1e-30]));
    case 'DOUBLE':
      return pick([(r() - 0.5) * 1e12, 0, -0, NaN, Infinity, -Infinity, -r() * 1e-300, 5e-324]);
    case 'DECIMAL': {
      const digits = int(1, t.precision);
      let v = 0n;
      for (let i = 0; i < digits; i++) v = v * 10n + BigInt(int(0, 9));
      return r() < 0.5 ? -v : v;
    }
    case 'NUMERIC': {
      const digits = int(1, pick([3, 12, 40, 90]));
      let v = 0n;
      for (let i = 0; i < digits; i++) v = v * 10n + BigInt(int(0, 9));
      // Trailing zeros and equal values at different scales (1.5, 1.50) are common on purpose.
      const zeros = pick([0, 0, 1, 3]);
      return new Numeric((r() < 0.5 ? -v : v) * 10n ** BigInt(zeros), int(0, pick([0, 2, 6, 30])) + zeros);
    }
    case 'VARCHAR':
    case 'CHAR':
      return pick(['', 'a', 'ab', 'a\u0000b', 'é', '😀', '\uffff', 'abc def', 'Z', String(int(0, 99))]);
    case 'BYTES':
      return new Uint8Array(Array.from({ length: int(0, 4) }, () => pick([0, 1, 255, int(0, 255)])));
    case 'TIME':
      return int(0, 86_400_000_000 - 1);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
      return pick([int(-9e15, 9e15), int(-1000, 1000), -1, 0]);
    case 'OID':
      return pick([0, 4294967295, int(0, 4294967295)]);
    case 'UUID':
      return pick(['00000000-0000-0000-0000-000000000000', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'ffffffff-0000-4ef8-bb6d-6bb9bd380a11']);
    case 'ARRAY':
      return Array.from({ length: int(0, 3) }, () => randomValue(t.element, r));
    case 'ROW':
      return t.fields.map((f) => randomValue(f.type, r));
    default:
      throw new Error(`no generator for ${t.kind}`);
  }
}
