/**
 * The contract of the function library (src/functions): the binder resolves
 * names and argument types to overloads; the compiler instantiates the
 * resolved overload once per query. Implemented by `functions.ts` (default
 * export `functions: FunctionLibrary`).
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import type { AggregateFunctionName, WindowFunctionName } from '../planner/logical-plan.ts';
import type { EvalContext } from './eval-context.ts';

/**
 * A scalar implementation. `args` is a reused array owned by the call site:
 * read it, do not keep it. Strict functions are never called with a NULL
 * argument (the compiler returns NULL first); non-strict ones handle NULLs.
 * Errors are thrown as SqlError (22012 division by zero, 22003 overflow, ...).
 */
export type ScalarImpl = (args: readonly Value[], ctx: EvalContext) => Value;

export interface ScalarResolution {
  /** Stable id of the overload, stored in BoundCall.fn. */
  readonly id: string;
  /** Types the binder must cast each argument to before the call (same length as the arguments). */
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
  /** NULL in any argument gives NULL without calling the implementation. */
  readonly strict: boolean;
  readonly volatile: boolean;
}

export interface AggregateResolution {
  readonly fn: AggregateFunctionName;
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
}

export interface WindowFunctionResolution {
  readonly fn: WindowFunctionName;
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
}

export interface FunctionLibrary {
  /**
   * Resolves `name(args)`; `name` is lower-case, without a `pg_catalog.` prefix.
   * Operators resolve under their symbol: '+', '-', '*', '/', '%', '||', '=', '<>',
   * '<', '<=', '>', '>=', '~', '!~', '~*', '!~*', 'like', 'ilike', 'similar',
   * 'neg' (unary minus), 'is_distinct_from'.
   * Returns undefined when no function has that name; throws SqlError 42883
   * (with a hint listing candidates) when the name exists but no overload fits.
   */
  resolveScalar(name: string, argTypes: readonly SqlType[]): ScalarResolution | undefined;

  /** Creates the implementation for a resolved overload (once per query). */
  instantiateScalar(id: string, argTypes: readonly SqlType[], returnType: SqlType): ScalarImpl;

  /** Resolves an aggregate (count, sum, avg, min, max, ...) or undefined if `name` is not one. */
  resolveAggregate(name: string, argTypes: readonly SqlType[], distinct: boolean): AggregateResolution | undefined;

  /** Resolves a window-only function (row_number, rank, lag, ...) or undefined. */
  resolveWindowFunction(name: string, argTypes: readonly SqlType[]): WindowFunctionResolution | undefined;

  /** True when `name` names a set-returning function usable in FROM (generate_series, unnest, ...). */
  isTableFunction(name: string): boolean;
}

/** Implicit coercion rules shared by binder and functions (src/functions/coercion.ts). */
export interface Coercion {
  /** Whether a value of `from` may be used where `to` is expected without CAST. */
  canImplicitlyCast(from: SqlType, to: SqlType): boolean;
  /** Whether CAST(from AS to) is allowed at all. */
  canCast(from: SqlType, to: SqlType): boolean;
  /** The common type of several types (CASE branches, UNION columns, IN lists, COALESCE), or undefined. */
  commonType(types: readonly SqlType[]): SqlType | undefined;
}
