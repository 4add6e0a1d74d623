import { describe, expect, it } from 'vitest';
import { BIGINT, DOUBLE, FLOAT, INT, SMALLINT, decimal } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { functions } from './functions.ts';
import { callRaw, run } from './test-helpers.ts';

function sqlstate(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('abs / sign / ceil / floor', () => {
  it('keeps exact types', () => {
    expect(callRaw('abs', [INT], [-5])).toEqual({ value: 5, type: INT });
    expect(callRaw('abs', [BIGINT], [-5n])).toEqual({ value: 5n, type: BIGINT });
    expect(run('abs', [decimal(5, 2)], [-125n])).toBe('1.25');
    expect(run('abs', [DOUBLE], [-1.5])).toBe('1.5');
    expect(sqlstate(() => run('abs', [INT], [-2147483648]))).toBe('22003 integer out of range');
    expect(run('sign', [INT], [-3])).toBe('-1');
    expect(run('sign', [decimal(5, 2)], [-3n])).toBe('-1.00');
    expect(run('sign', [DOUBLE], [0])).toBe('0');
  });
  it('ceil / floor of decimals give scale 0', () => {
    expect(callRaw('ceil', [decimal(5, 2)], [-125n])).toEqual({ value: -1n, type: decimal(4, 0) });
    expect(run('ceil', [decimal(5, 2)], [125n])).toBe('2');
    expect(run('floor', [decimal(5, 2)], [-125n])).toBe('-2');
    expect(run('floor', [decimal(5, 2)], [125n])).toBe('1');
    expect(run('ceiling', [DOUBLE], [1.2])).toBe('2');
    expect(run('floor', [DOUBLE], [-1.2])).toBe('-2');
    // Postgres keeps the sign of a zero result of float8 ceil / floor / trunc.
    expect(run('ceil', [DOUBLE], [-0.5])).toBe('-0');
    expect(run('trunc', [DOUBLE], [-0.5])).toBe('-0');
    expect(run('floor', [DOUBLE], [0.5])).toBe('0');
    expect(run('floor', [INT], [7])).toBe('7');
  });
});

describe('round / trunc', () => {
  it('rounds numeric half away from zero, double half to even', () => {
    expect(run('round', [decimal(5, 2)], [250n])).toBe('3');
    expect(run('round', [decimal(5, 2)], [-250n])).toBe('-3');
    expect(run('round', [DOUBLE], [2.5])).toBe('2');
    expect(run('round', [DOUBLE], [3.5])).toBe('4');
    expect(run('round', [DOUBLE], [-2.5])).toBe('-2');
  });
  it('rounds at a digit', () => {
    expect(run('round', [decimal(6, 3), INT], [42324n, 2])).toBe('42.320');
    expect(run('round', [decimal(6, 3), INT], [42325n, 2])).toBe('42.330');
    expect(run('round', [decimal(6, 3), INT], [42325n, -1])).toBe('40.000');
    expect(run('round', [DOUBLE, INT], [1.2345, 2])).toBe('1.23');
    expect(run('round', [INT, INT], [1234, -2])).toBe('1200');
    expect(run('trunc', [decimal(6, 3), INT], [42324n, 2])).toBe('42.320');
    expect(run('truncate', [decimal(6, 3)], [-42324n])).toBe('-42');
    expect(run('trunc', [DOUBLE], [-1.7])).toBe('-1');
    expect(run('trunc', [DOUBLE, INT], [1.789, 1])).toBe('1.7');
  });
});

describe('transcendental functions', () => {
  it('compute on double', () => {
    expect(run('sqrt', [INT], [16])).toBe('4');
    expect(run('cbrt', [DOUBLE], [27])).toBe('3');
    expect(run('power', [INT, INT], [2, 10])).toBe('1024');
    expect(run('exp', [DOUBLE], [0])).toBe('1');
    expect(run('ln', [DOUBLE], [1])).toBe('0');
    expect(run('log', [DOUBLE], [1000])).toBe('3');
    expect(run('log10', [INT], [100])).toBe('2');
    expect(run('log', [DOUBLE, DOUBLE], [2, 8])).toBe('3');
    expect(run('log2', [DOUBLE], [8])).toBe('3');
    expect(run('degrees', [DOUBLE], [Math.PI])).toBe('180');
    expect(run('radians', [DOUBLE], [180])).toBe('3.141592653589793');
    expect(run('pi', [], [])).toBe('3.141592653589793');
    expect(run('atan2', [DOUBLE, DOUBLE], [1, 1])).toBe('0.7853981633974483');
    expect(run('sin', [DOUBLE], [0])).toBe('0');
    expect(run('cos', [DOUBLE], [0])).toBe('1');
  });
  it('reports domain errors like Postgres', () => {
    expect(sqlstate(() => run('sqrt', [DOUBLE], [-1]))).toBe('2201F cannot take square root of a negative number');
    expect(sqlstate(() => run('ln', [DOUBLE], [0]))).toBe('2201E cannot take logarithm of zero');
    expect(sqlstate(() => run('ln', [DOUBLE], [-1]))).toBe('2201E cannot take logarithm of a negative number');
    expect(sqlstate(() => run('power', [DOUBLE, DOUBLE], [0, -1]))).toBe('2201F zero raised to a negative power is undefined');
    expect(sqlstate(() => run('exp', [DOUBLE], [1000]))).toBe('22003 value out of range: overflow');
  });
  it('random is volatile and in [0, 1)', () => {
    const r = functions.resolveScalar('random', [])!;
    expect(r.volatile).toBe(true);
    const v = callRaw('random', [], []).value as number;
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1);
  });
  it('mod follows the dividend sign', () => {
    expect(run('mod', [INT, INT], [-7, 3])).toBe('-1');
    expect(run('mod', [decimal(5, 1), INT], [75n, 2])).toBe('1.5');
  });
  it('bin and hex (Flink)', () => {
    expect(run('bin', [INT], [12])).toBe('1100');
    expect(run('hex', [INT], [100])).toBe('64');
    expect(run('hex', [{ kind: 'VARCHAR', length: 2147483647 }], ['hello,world'])).toBe('68656C6C6F2C776F726C64');
  });
  it('picks the exact overload for small integers and floats', () => {
    expect(functions.resolveScalar('abs', [SMALLINT])!.returnType).toEqual(SMALLINT);
    expect(functions.resolveScalar('abs', [FLOAT])!.returnType).toEqual(FLOAT);
    expect(() => functions.resolveScalar('abs', [{ kind: 'VARCHAR', length: 3 }])).toThrow('function abs(character varying) does not exist');
  });
});

describe('to_char of numbers', () => {
  const S = { kind: 'VARCHAR', length: 2147483647 } as const;
  it('fills digit slots like Postgres', () => {
    expect(run('to_char', [INT, S], [123, '999'])).toBe(' 123');
    expect(run('to_char', [INT, S], [-123, '999'])).toBe('-123');
    expect(run('to_char', [decimal(6, 1), S], [12345n, '9,999.99'])).toBe(' 1,234.50');
    expect(run('to_char', [INT, S], [12, 'FM999'])).toBe('12');
    expect(run('to_char', [decimal(3, 2), S], [50n, '0.99'])).toBe(' 0.50');
    expect(run('to_char', [decimal(3, 2), S], [50n, '9.99'])).toBe('  .50');
    expect(run('to_char', [INT, S], [-5, '999'])).toBe('  -5');
    expect(run('to_char', [INT, S], [12345, '999'])).toBe(' ###');
    expect(run('to_char', [INT, S], [5, '000'])).toBe(' 005');
    expect(run('to_char', [DOUBLE, S], [2.5, 'FM990.00'])).toBe('2.50');
    expect(run('to_char', [BIGINT, S], [-12n, 'FM999'])).toBe('-12');
  });
});
