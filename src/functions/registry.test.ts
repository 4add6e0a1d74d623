import { describe, expect, it } from 'vitest';
import { BIGINT, DATE, DOUBLE, INT, NAME, NULL_TYPE, STRING, arrayOf, char, decimal, timestamp, varchar } from '../../catalog/types.ts';
import { functions } from './functions.ts';
import { paramCost } from './registry.ts';

describe('parameter matching', () => {
  it('matches by kind, keeping the argument type where the kind is parameterised', () => {
    expect(paramCost(varchar(5), STRING)).toEqual({ cost: 0, target: varchar(5) });
    expect(paramCost(decimal(5, 2), decimal(38, 0))).toEqual({ cost: 0, target: decimal(5, 2) });
    expect(paramCost(INT, decimal(38, 0))).toEqual({ cost: 1, target: decimal(10, 0) });
    expect(paramCost(char(3), STRING)).toEqual({ cost: 1, target: STRING });
    expect(paramCost(NAME, STRING)).toEqual({ cost: 1, target: STRING });
    expect(paramCost(NULL_TYPE, INT)).toEqual({ cost: 1, target: INT });
    expect(paramCost(DATE, timestamp(6))).toEqual({ cost: 1, target: timestamp(6) });
    expect(paramCost(BIGINT, INT)).toBeUndefined();
    expect(paramCost(STRING, INT)).toBeUndefined();
    expect(paramCost(arrayOf(INT), arrayOf(BIGINT))).toEqual({ cost: 1, target: arrayOf(BIGINT) });
  });
});

describe('overload resolution', () => {
  it('prefers the overload needing the fewest conversions', () => {
    expect(functions.resolveScalar('to_timestamp', [STRING])!.returnType).toEqual(timestamp(3));
    expect(functions.resolveScalar('to_timestamp', [INT])!.argTypes).toEqual([DOUBLE]);
    expect(functions.resolveScalar('substring', [STRING, INT])!.id).toBe('substring(VARCHAR,INT)');
    expect(functions.resolveScalar('substring', [STRING, STRING])!.id).toBe('substring(VARCHAR,VARCHAR)');
    expect(functions.resolveScalar('to_hex', [BIGINT])!.argTypes).toEqual([BIGINT]);
    expect(functions.resolveScalar('to_hex', [INT])!.argTypes).toEqual([INT]);
    expect(functions.resolveScalar('log', [INT])!.argTypes).toEqual([DOUBLE]);
    expect(functions.resolveScalar('log', [INT, INT])!.argTypes).toEqual([DOUBLE, DOUBLE]);
  });
  it('reports volatility and strictness', () => {
    expect(functions.resolveScalar('upper', [STRING])).toMatchObject({ strict: true, volatile: false });
    expect(functions.resolveScalar('concat_ws', [STRING, STRING])).toMatchObject({ strict: false });
    const impl = functions.instantiateScalar('concat_ws', [STRING, STRING], STRING) as { strict?: boolean };
    expect(impl.strict).toBe(false);
  });
  it('rejects wrong argument counts with 42883', () => {
    expect(() => functions.resolveScalar('upper', [STRING, STRING])).toThrow('function upper(text, text) does not exist');
    expect(() => functions.resolveScalar('pi', [INT])).toThrow('function pi(integer) does not exist');
  });
});
