import { describe, expect, it } from 'vitest';
import { BOOLEAN, DOUBLE, INT, NULL_TYPE, STRING, arrayOf, decimal, type SqlType } from '../../catalog/types.ts';
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

const S = STRING;

describe('conditional functions', () => {
  it('coalesce picks the first non-NULL in the common type', () => {
    expect(callRaw('coalesce', [INT, decimal(5, 2)], [null, 150n])).toEqual({ value: 150n, type: decimal(12, 2) });
    expect(run('coalesce', [NULL_TYPE, S], [null, 'default'])).toBe('default');
    expect(run('coalesce', [INT, INT], [null, null])).toBe('NULL');
    expect(run('ifnull', [INT, INT], [null, 3])).toBe('3');
    expect(functions.resolveScalar('coalesce', [INT])!.strict).toBe(false);
    expect(sqlstate(() => functions.resolveScalar('coalesce', [INT, S]))).toBe('42804 COALESCE types integer and text cannot be matched');
  });
  it('nullif', () => {
    expect(run('nullif', [INT, INT], [5, 5])).toBe('NULL');
    expect(run('nullif', [INT, INT], [5, 0])).toBe('5');
    expect(run('nullif', [INT, INT], [5, null])).toBe('5');
    expect(run('nullif', [INT, INT], [null, 5])).toBe('NULL');
  });
  it('greatest / least ignore NULLs', () => {
    expect(run('greatest', [INT, INT, INT], [1, 3, 2])).toBe('3');
    expect(run('least', [INT, DOUBLE], [1, 0.5])).toBe('0.5');
    expect(run('greatest', [INT, INT], [null, 2])).toBe('2');
    expect(run('least', [S, S], ['b', 'a'])).toBe('a');
    expect(run('greatest', [INT, INT], [null, null])).toBe('NULL');
  });
  it('if(cond, a, b)', () => {
    expect(run('if', [BOOLEAN, INT, INT], [true, 5, 3])).toBe('5');
    expect(run('if', [BOOLEAN, INT, INT], [false, 5, 3])).toBe('3');
    expect(run('if', [BOOLEAN, INT, INT], [null, 5, 3])).toBe('3');
    expect(() => functions.resolveScalar('if', [INT, INT, INT])).toThrow('function if(integer, integer, integer) does not exist');
  });
  it('num_nulls / num_nonnulls', () => {
    expect(run('num_nulls', [INT, S, INT], [1, null, null])).toBe('2');
    expect(run('num_nonnulls', [INT, S, INT], [1, null, null])).toBe('1');
  });
});

describe('arrays, rows and maps', () => {
  const A = arrayOf(INT);
  it('constructs arrays in the common element type', () => {
    expect(callRaw('array_constructor', [INT, DOUBLE], [1, 2.5])).toEqual({ value: [1, 2.5], type: arrayOf(DOUBLE) });
    expect(run('array_constructor', [S, NULL_TYPE], ['a', null])).toBe('{a,NULL}');
    expect(callRaw('row_constructor', [INT, S], [1, 'x']).type).toEqual({
      kind: 'ROW',
      fields: [
        { name: 'f1', type: INT },
        { name: 'f2', type: S },
      ],
    });
  });
  it('subscripts arrays 1-based and maps by key', () => {
    expect(run('subscript', [A, INT], [[10, 20], 1])).toBe('10');
    expect(run('subscript', [A, INT], [[10, 20], 3])).toBe('NULL');
    expect(run('subscript', [A, INT], [[10, 20], 0])).toBe('NULL');
    expect(run('subscript', [arrayOf(S), { kind: 'BIGINT' }], [['a', 'b'], 2n])).toBe('b');
    const M: SqlType = { kind: 'MAP', key: S, value: INT };
    expect(run('subscript', [M, S], [new Map([['k', 7]]), 'k'])).toBe('7');
    expect(run('subscript', [M, S], [new Map([['k', 7]]), 'z'])).toBe('NULL');
    expect(sqlstate(() => functions.resolveScalar('subscript', [A, S]))).toBe('42804 array subscript must have type integer');
  });
  it('concatenates arrays and elements', () => {
    expect(run('||', [A, A], [[1, 2], [3]])).toBe('{1,2,3}');
    expect(run('||', [A, INT], [[1, 2], 3])).toBe('{1,2,3}');
    expect(run('||', [INT, A], [0, [1]])).toBe('{0,1}');
    expect(run('||', [A, NULL_TYPE], [[1], null])).toBe('{1}');
    expect(run('array_append', [A, INT], [[1], 2])).toBe('{1,2}');
    expect(run('array_prepend', [INT, A], [0, [1]])).toBe('{0,1}');
    expect(run('array_cat', [A, A], [[1], [2]])).toBe('{1,2}');
  });
  it('array_length / lower / upper / cardinality', () => {
    expect(run('array_length', [A, INT], [[1, 2, 3], 1])).toBe('3');
    expect(run('array_length', [A, INT], [[], 1])).toBe('NULL');
    expect(run('array_length', [A, INT], [[1], 2])).toBe('NULL');
    expect(run('array_lower', [A, INT], [[5, 6], 1])).toBe('1');
    expect(run('array_upper', [A, INT], [[5, 6], 1])).toBe('2');
    expect(run('cardinality', [A], [[5, 6]])).toBe('2');
    expect(run('cardinality', [A], [[]])).toBe('0');
  });
  it('array_position / array_contains / array_remove / element', () => {
    expect(run('array_position', [A, INT], [[5, 6, 5], 5])).toBe('1');
    expect(run('array_position', [A, INT], [[5, 6], 7])).toBe('NULL');
    expect(run('array_contains', [A, INT], [[5, null], 5])).toBe('t');
    expect(run('array_contains', [A, INT], [[5], 6])).toBe('f');
    expect(run('array_remove', [A, INT], [[1, 2, 1], 1])).toBe('{2}');
    expect(run('element', [A], [[7]])).toBe('7');
    expect(run('element', [A], [[]])).toBe('NULL');
    expect(sqlstate(() => run('element', [A], [[1, 2]]))).toMatch(/^21000/);
  });
});
