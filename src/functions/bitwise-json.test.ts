import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, INT, NULL_TYPE, SMALLINT, STRING, arrayOf, decimal, timestamp } from '../../catalog/types.ts';
import { functions } from './functions.ts';
import { run } from './test-helpers.ts';

describe('bitwise operators', () => {
  it('and / or / xor / not / shifts', () => {
    expect(run('&', [INT, INT], [12, 10])).toBe('8');
    expect(run('|', [INT, INT], [12, 10])).toBe('14');
    expect(run('#', [INT, INT], [12, 10])).toBe('6');
    expect(run('~', [INT], [1])).toBe('-2');
    expect(run('<<', [INT, INT], [1, 4])).toBe('16');
    expect(run('>>', [INT, INT], [8, 2])).toBe('2');
    expect(run('<<', [INT, INT], [1, 31])).toBe('-2147483648');
    expect(run('&', [SMALLINT, BIGINT], [3, 5n])).toBe('1');
    expect(() => functions.resolveScalar('&', [DOUBLE, INT])).toThrow('operator does not exist: double precision & integer');
  });
  it('^ is power', () => {
    expect(run('^', [INT, INT], [2, 3])).toBe('8');
  });
});

describe('array containment and slices', () => {
  const A = arrayOf(INT);
  it('@> <@ &&', () => {
    expect(run('@>', [A, A], [[1, 2, 3], [3, 1]])).toBe('t');
    expect(run('@>', [A, A], [[1, 2], [4]])).toBe('f');
    expect(run('<@', [A, A], [[1], [1, 2]])).toBe('t');
    expect(run('&&', [A, A], [[1, 2], [2, 5]])).toBe('t');
    expect(run('&&', [A, A], [[1], [5]])).toBe('f');
  });
  it('array_slice', () => {
    expect(run('array_slice', [A, INT, INT], [[1, 2, 3, 4], 2, 3])).toBe('{2,3}');
    expect(run('array_slice', [A, BIGINT, NULL_TYPE], [[1, 2, 3], 2n, null])).toBe('{2,3}');
    expect(run('array_slice', [A, INT, INT], [[1, 2, 3], 3, 1])).toBe('{}');
  });
});

describe('json constructors', () => {
  it('json_build_object / json_build_array / to_json', () => {
    expect(run('json_build_object', [STRING, INT, STRING, STRING, STRING, BOOLEAN], ['a', 1, 'b', 'x"y', 'c', null])).toBe(
      '{"a" : 1, "b" : "x\\"y", "c" : null}',
    );
    expect(run('json_build_array', [INT, STRING, decimal(5, 2)], [1, '2', 350n])).toBe('[1, "2", 3.50]');
    expect(run('to_json', [arrayOf(STRING)], [['a', null]])).toBe('["a",null]');
    expect(run('to_json', [timestamp(6)], [0])).toBe('"1970-01-01T00:00:00"');
    expect(run('to_json', [DOUBLE], [Infinity])).toBe('"Infinity"');
    expect(() => functions.resolveScalar('json_build_object', [STRING])).toThrow('argument list must have even number of elements');
  });
});
