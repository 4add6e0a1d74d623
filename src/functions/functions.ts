/**
 * The function library: scalar overload resolution over the registry filled
 * by the family files, aggregates, window functions and table functions.
 *
 * resolveScalar picks the cheapest overload that accepts the argument types
 * (see registry.ts); a name that exists without a fitting overload is 42883
 * with Postgres' message (`function upper(integer) does not exist`,
 * `operator does not exist: text + integer`). Instantiated implementations
 * carry a `strict` property so the compiler need not resolve again.
 */
import { BIGINT, DOUBLE, INT, type SqlType } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { WindowFunctionName } from '../planner/logical-plan.ts';
import { aggregateNames, resolveAggregateCall } from './aggregates.ts';
import { coercion } from './coercion.ts';
import { functionNames, overloadById, overloadsOf, type Match, type Overload } from './registry.ts';
import type { FunctionLibrary, ScalarImpl, ScalarResolution, WindowFunctionResolution } from './signatures.ts';
import { isTableFunctionName, tableFunctionNames } from './table-functions.ts';
import { pgTypeDisplayName } from './type-names.ts';

import './arithmetic.ts';
import './temporal-arithmetic.ts';
import './comparison.ts';
import './pattern-matching.ts';
import './string-functions.ts';
import './math-functions.ts';
import './temporal-functions.ts';
import './conditional.ts';
import './array-functions.ts';
import './bitwise.ts';
import './json-functions.ts';
import './sql-json.ts';
import './json-operators.ts';
import './flink-functions.ts';
import './numeric-format.ts';
import './pg-introspection.ts';
import './pg-sleep.ts';

const OPERATORS = new Set(['+', '-', '*', '/', '%', '^', '&', '|', '#', '<<', '>>', '@>', '<@', '&&', '->', '->>', '#>', '#>>', '||', '=', '<>', '<', '<=', '>', '>=', '~', '!~', '~*', '!~*', 'neg']);

/** Window-only functions (OVER), beside the aggregates that also work as window functions. */
const WINDOW_ONLY: readonly string[] = ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead'];

/**
 * The names of the built-in functions, sorted (SHOW FUNCTIONS): scalar,
 * aggregate, window and table functions, and the window TVFs.
 */
export function builtinFunctionNames(): string[] {
  return [...new Set([...functionNames(), ...aggregateNames(), ...WINDOW_ONLY, ...tableFunctionNames(), 'tumble', 'hop', 'cumulate', 'session'])].sort();
}

const HINT_FUNCTION = 'No function matches the given name and argument types. You might need to add explicit type casts.';
const HINT_OPERATOR = 'No operator matches the given name and argument types. You might need to add explicit type casts.';

function normalizeName(name: string): string {
  const n = name.toLowerCase();
  return n.startsWith('pg_catalog.') ? n.slice(11) : n;
}

function noFit(name: string, argTypes: readonly SqlType[]): SqlError {
  const names = argTypes.map(pgTypeDisplayName);
  if (OPERATORS.has(name)) {
    const text = name === 'neg' ? `- ${names[0] ?? ''}` : names.length === 1 ? `${name} ${names[0]!}` : `${names[0] ?? ''} ${name} ${names[1] ?? ''}`;
    return new SqlError(SqlState.UNDEFINED_FUNCTION, `operator does not exist: ${text}`, { hint: HINT_OPERATOR });
  }
  return new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${names.join(', ')}) does not exist`, { hint: HINT_FUNCTION });
}

function resolveScalar(nameIn: string, argTypes: readonly SqlType[]): ScalarResolution | undefined {
  const name = normalizeName(nameIn);
  const candidates = overloadsOf(name);
  if (candidates === undefined) return undefined;
  let best: { o: Overload; m: Match } | undefined;
  let firstError: unknown;
  for (const o of candidates) {
    let m: Match | undefined;
    try {
      m = o.match(argTypes);
    } catch (e) {
      // A generic overload may explain why it does not fit; keep that for when nothing fits.
      firstError ??= e;
      continue;
    }
    if (m !== undefined && (best === undefined || m.cost < best.m.cost)) best = { o, m };
  }
  if (best === undefined) {
    if (firstError !== undefined) throw firstError;
    throw noFit(name, argTypes);
  }
  return {
    id: best.o.id,
    argTypes: best.m.argTypes,
    returnType: best.m.returnType,
    strict: best.o.strict,
    volatile: best.o.volatile,
  };
}

function instantiateScalar(id: string, argTypes: readonly SqlType[], returnType: SqlType): ScalarImpl {
  const o = overloadById(id);
  if (o === undefined) throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${id} does not exist`);
  const impl = o.make(argTypes, returnType) as ScalarImpl & { strict?: boolean };
  impl.strict = o.strict;
  return impl;
}

function resolveAggregate(name: string, argTypes: readonly SqlType[], _distinct: boolean) {
  return resolveAggregateCall(normalizeName(name), argTypes);
}

function resolveWindowFunction(nameIn: string, argTypes: readonly SqlType[]): WindowFunctionResolution | undefined {
  const name = normalizeName(nameIn);
  const exact = (fn: WindowFunctionName, n: number, returnType: SqlType): WindowFunctionResolution => {
    if (argTypes.length !== n) throw noFit(name, argTypes);
    return { fn, argTypes: [], returnType };
  };
  switch (name) {
    case 'row_number':
    case 'rank':
    case 'dense_rank':
      return exact(name, 0, BIGINT);
    case 'percent_rank':
    case 'cume_dist':
      return exact(name, 0, DOUBLE);
    case 'ntile': {
      const t = argTypes[0];
      if (argTypes.length !== 1 || t === undefined || !coercion.canImplicitlyCast(t, INT) && t.kind !== 'BIGINT') throw noFit(name, argTypes);
      return { fn: 'ntile', argTypes: [INT], returnType: INT };
    }
    case 'lag':
    case 'lead': {
      const n = argTypes.length;
      if (n < 1 || n > 3) throw noFit(name, argTypes);
      if (n >= 2 && !coercion.canImplicitlyCast(argTypes[1]!, INT) && argTypes[1]!.kind !== 'BIGINT') throw noFit(name, argTypes);
      let t = argTypes[0]!;
      if (n === 3) {
        const c = coercion.commonType([t, argTypes[2]!]);
        if (c === undefined) throw noFit(name, argTypes);
        t = c;
      }
      if (t.kind === 'NULL') t = { kind: 'VARCHAR', length: 2147483647 };
      const types: SqlType[] = [t];
      if (n >= 2) types.push(INT);
      if (n === 3) types.push(t);
      return { fn: name, argTypes: types, returnType: t };
    }
    default: {
      const agg = resolveAggregateCall(name, argTypes);
      return agg === undefined ? undefined : { fn: agg.fn, argTypes: agg.argTypes, returnType: agg.returnType };
    }
  }
}

export const functions: FunctionLibrary = {
  resolveScalar,
  instantiateScalar,
  resolveAggregate,
  resolveWindowFunction,
  isTableFunction: isTableFunctionName,
};
