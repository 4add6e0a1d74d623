/**
 * The RowFormat contract's algebra, on random rows of every type each format
 * handles: decode(encode(row)) gives the row back, for several option sets.
 */
import { describe, expect, it } from 'vitest';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  BYTES,
  char,
  DATE,
  decimal,
  DOUBLE,
  FLOAT,
  INT,
  INTERVAL_DAY_TIME,
  NUMERIC,
  SMALLINT,
  STRING,
  time,
  timestamp,
  timestampLtz,
  UUID,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { Numeric } from '../../src/values/numeric.ts';
import { prng } from '../../src/streaming/streaming.test-helpers.ts';
import { rowFormat } from './index.ts';

const SCALARS: readonly SqlType[] = [
  BOOLEAN, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, decimal(18, 4), NUMERIC, STRING, char(5), BYTES, DATE, time(6), timestamp(6), timestampLtz(3), INTERVAL_DAY_TIME, UUID,
];
const MAP_TYPE: SqlType = { kind: 'MAP', key: STRING, value: DOUBLE };
const ROW_TYPE: SqlType = { kind: 'ROW', fields: [{ name: 'a', type: INT }, { name: 'b', type: arrayOf(STRING) }] };

const TRICKY = [',', '"', "'", ';', '\\', '#', ' ', '\t', '|', 'é', '𝄞', '{', '}', 'a', 'b', '0', 'N', 'U', 'L'];

function value(type: SqlType, r: (n: number) => number, forCsv: boolean): Value {
  if (r(6) === 0) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      return r(2) === 0;
    case 'SMALLINT':
      return r(65536) - 32768;
    case 'INT':
      return r(2 ** 32) - 2 ** 31;
    case 'BIGINT':
      return (BigInt(r(2 ** 32)) << 32n) - (1n << 63n) + BigInt(r(2 ** 32));
    case 'FLOAT':
      return [NaN, Infinity, 0, Math.fround(1.5e-20)][r(8)] ?? Math.fround((r(2 ** 31) - 2 ** 30) / (1 + r(1000)));
    case 'DOUBLE':
      return [NaN, -Infinity, 5e-324, 1e300][r(8)] ?? (r(2 ** 31) - 2 ** 30) / (1 + r(100000));
    case 'DECIMAL':
      return BigInt(r(2 ** 31)) * BigInt(r(2 ** 28)) * (r(2) ? 1n : -1n);
    case 'NUMERIC':
      return new Numeric(BigInt(r(2 ** 31) - 2 ** 30), r(8));
    case 'VARCHAR':
    case 'CHAR': {
      const n = type.kind === 'CHAR' ? 1 + r(type.length) : r(8);
      let s = '';
      // CHAR(n) lengths count UTF-16 units in the value layer: no astral characters there.
      const chars = type.kind === 'CHAR' ? TRICKY.filter((c) => c.length === 1) : TRICKY;
      for (let i = 0; i < n; i++) s += chars[r(chars.length)];
      return type.kind === 'CHAR' ? s.padEnd(type.length, ' ') : s;
    }
    case 'BYTES':
      return new Uint8Array(Array.from({ length: r(6) }, () => r(256)));
    case 'DATE':
      return r(80000) - 40000;
    case 'TIME':
      return r(86_400) * 1_000_000 + fraction(type.precision, r);
    case 'TIMESTAMP':
      return (r(4_000_000_000) - 2_000_000_000) * 1_000_000 + fraction(type.precision, r);
    case 'TIMESTAMP_LTZ':
      return (r(4_000_000_000) - 1_000_000_000) * 1_000_000 + r(1000) * 1000;
    case 'INTERVAL_DAY_TIME':
      return (r(2_000_000) - 1_000_000) * 1_000_000 + r(1_000_000);
    case 'UUID':
      return Array.from({ length: 32 }, () => '0123456789abcdef'[r(16)]).join('').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
    case 'ARRAY': {
      const n = r(4);
      const out = Array.from({ length: n }, () => value(type.element, r, forCsv));
      // csv: an array of one NULL reads back as the empty array (documented).
      if (forCsv && n === 1 && out[0] === null) return [];
      return out;
    }
    case 'MAP': {
      const out = new Map<Value, Value>();
      for (let i = r(3); i > 0; i--) {
        const k = type.key.kind === 'VARCHAR' ? `k${TRICKY[r(TRICKY.length)]}${i}` : r(1000);
        out.set(k, value(type.value, r, forCsv));
      }
      return out;
    }
    case 'ROW':
      return type.fields.map((f) => value(f.type, r, forCsv));
    default:
      throw new Error(`no generator for ${type.kind}`);
  }
}

/** µs below the second, at the type's precision. */
function fraction(precision: number, r: (n: number) => number): number {
  const unit = 10 ** (6 - Math.min(6, precision));
  return r(1_000_000 / unit) * unit;
}

function columns(types: readonly SqlType[]): ColumnDefinition[] {
  return types.map((type, i) => ({ name: `c${i}`, type, nullable: true, kind: 'physical' }));
}

function check(options: Record<string, string>, types: readonly SqlType[], seed: number, forCsv: boolean): void {
  const cols = columns(types);
  const f = rowFormat(cols, options);
  const r = prng(seed);
  for (let i = 0; i < 300; i++) {
    const row = types.map((t) => value(t, r, forCsv));
    const line = f.encode(row);
    expect(line).not.toContain('\n');
    expect(f.skips(line) && types.length > 1).toBe(false);
    expect({ line, row: f.decode(line) }).toEqual({ line, row });
  }
}

describe('decode(encode(row)) = row', () => {
  it('csv, several option sets', () => {
    const types = [STRING, ...SCALARS, arrayOf(INT), arrayOf(timestamp(3)), ROW_TYPE, MAP_TYPE];
    const sets: Record<string, string>[] = [
      {},
      { 'csv.allow-comments': 'true', 'csv.null-literal': 'NULL' },
      { 'csv.field-delimiter': '|', 'csv.quote-character': "'", 'csv.escape-character': '\\' },
      { 'csv.field-delimiter': '\\t', 'csv.disable-quote-character': 'true', 'csv.escape-character': '\\', 'csv.array-element-delimiter': '::', 'csv.null-literal': '\\N', 'csv.allow-comments': 'true' },
    ];
    sets.forEach((options, i) => check({ format: 'csv', ...options }, types, 11 + i, true));
  });

  it('json, both timestamp standards, nested types', () => {
    const types = [...SCALARS, arrayOf(arrayOf(STRING)), MAP_TYPE, ROW_TYPE, { kind: 'MAP', key: INT, value: arrayOf(DATE) } as SqlType];
    check({ format: 'json' }, types, 7, false);
    check({ format: 'json', 'json.timestamp-format.standard': 'ISO-8601' }, types, 8, false);
  });
});
