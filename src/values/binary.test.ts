import { describe, expect, it } from 'vitest';
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
  OID,
  SMALLINT,
  STRING,
  time,
  timestamp,
  timestampLtz,
  UUID,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { decodeBinary, encodeBinary } from './binary.ts';
import { daysFromCivil, MICROS_PER_DAY, MICROS_PER_HOUR } from './datetime.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

describe('encodeBinary matches Postgres *_send (observed with PostgreSQL 15)', () => {
  it('numeric', () => {
    expect(hex(encodeBinary(1250n, decimal(5, 2)))).toBe('0002000000000002000c1388');
    expect(hex(encodeBinary(-5n, decimal(10, 4)))).toBe('0001ffff400000040005');
    expect(hex(encodeBinary(0n, decimal(5, 2)))).toBe('0000000000000002');
    expect(hex(encodeBinary(1234567891n, decimal(12, 1)))).toBe('0004000200000001000109291a8503e8');
    expect(hex(encodeBinary(10000n, decimal(10, 0)))).toBe('00010001000000000001');
  });

  it('temporal', () => {
    expect(hex(encodeBinary(26 * MICROS_PER_HOUR + 500_000, INTERVAL_DAY_TIME))).toBe('00000001ad2ee9200000000100000000');
    expect(hex(encodeBinary(daysFromCivil(2024, 1, 5), DATE))).toBe('00002242');
    expect(hex(encodeBinary(daysFromCivil(2024, 1, 5) * MICROS_PER_DAY + 12 * MICROS_PER_HOUR, timestamp(6)))).toBe(
      '0002b1305b327000',
    );
  });

  it('arrays and records', () => {
    expect(hex(encodeBinary([1, null, 3], arrayOf(INT)))).toBe(
      '00000001000000010000001700000003000000010000000400000001ffffffff0000000400000003',
    );
    expect(hex(encodeBinary([], arrayOf(INT)))).toBe('000000000000000000000017');
    expect(hex(encodeBinary([[1, 2], [3, 4]], arrayOf(arrayOf(INT))))).toBe(
      '000000020000000000000017000000020000000100000002000000010000000400000001000000040000000200000004000000030000000400000004',
    );
    const rec: SqlType = { kind: 'ROW', fields: [{ name: 'a', type: INT }, { name: 'b', type: STRING }] };
    expect(hex(encodeBinary([1, 'a'], rec))).toBe('00000002000000170000000400000001000000190000000161');
  });
});

describe('binary round trips', () => {
  const cases: [SqlType, Value[]][] = [
    [BOOLEAN, [true, false]],
    [SMALLINT, [-32768, 32767]],
    [INT, [-2147483648, 0, 2147483647]],
    [BIGINT, [-(2n ** 63n), 2n ** 63n - 1n]],
    [FLOAT, [Math.fround(0.1), -Infinity]],
    [DOUBLE, [0.1, -1e300, NaN]],
    [decimal(38, 10), [10n ** 37n, -(10n ** 37n) + 1n, 1n, 0n]],
    [decimal(5, 0), [12345n, -1n]],
    [STRING, ['', 'héllo ✓ 😀']],
    [BYTES, [new Uint8Array([0, 1, 255])]],
    [DATE, [daysFromCivil(-43, 3, 15), 0]],
    [time(6), [0, MICROS_PER_DAY - 1]],
    [timestamp(6), [-62135596800000000, 1704456000123456]],
    [timestampLtz(3), [1704456000123000]],
    [INTERVAL_DAY_TIME, [-26 * MICROS_PER_HOUR - 1, 0]],
    [INTERVAL_YEAR_MONTH, [34, -14]],
    [UUID, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
    [OID, [4294967295, 0]],
    [arrayOf(STRING), [['a', null, ''], []]],
  ];
  it('decode(encode(v)) = v', () => {
    for (const [t, vs] of cases) for (const v of vs) expect(decodeBinary(encodeBinary(v, t), t)).toEqual(v);
  });

  it('rejects malformed input with 22P03', () => {
    const codeOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return e instanceof SqlError ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => decodeBinary(unhex('0001'), INT))).toBe('22P03');
    expect(codeOf(() => decodeBinary(unhex('00010000'), decimal(5, 2)))).toBe('22P03');
    expect(codeOf(() => decodeBinary(unhex('00000001000000000000001700000003'), arrayOf(INT)))).toBe('22P03');
    expect(codeOf(() => decodeBinary(unhex('ff'), STRING))).toBe('22P03');
  });

  it('numeric decode rounds into the target scale and checks precision', () => {
    // 12.50 sent for a DECIMAL(5,1) parameter rounds to 12.5; for DECIMAL(2,0) it rounds to 13.
    expect(decodeBinary(unhex('0002000000000002000c1388'), decimal(5, 1))).toBe(125n);
    expect(decodeBinary(unhex('0002000000000002000c1388'), decimal(2, 0))).toBe(13n);
    expect(() => decodeBinary(unhex('0002000000000002000c1388'), decimal(2, 1))).toThrow('numeric field overflow');
  });
});
