/**
 * Bound expressions: typed, names resolved, immutable tagged data.
 *
 * Contract:
 * - `type` is the result type; every child is already coerced (the binder
 *   inserts `cast` nodes), so the compiler never guesses types.
 * - `column` refers to a slot of the input row of the plan node that owns the
 *   expression (for a join: left columns then right columns).
 * - `outer` refers to a column of an enclosing query's row (correlated
 *   subqueries): `depth` 1 is the immediately enclosing query.
 * - `call` names a scalar function overload resolved in src/functions; the
 *   compiler looks the implementation up by `fn` (a stable id such as
 *   'add(INT,INT)' or 'upper'), never by walking the tree per row.
 * - AND / OR / CASE / COALESCE are their own nodes because they do not
 *   evaluate every argument (three-valued logic, short circuit).
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';

export type BoundExpr =
  | BoundLiteral
  | BoundColumn
  | BoundOuterColumn
  | BoundParam
  | BoundCall
  | BoundCast
  | BoundAnd
  | BoundOr
  | BoundNot
  | BoundIsNull
  | BoundCase
  | BoundCoalesce
  | BoundInList
  | BoundSubquery;

export interface BoundLiteral {
  readonly kind: 'literal';
  readonly type: SqlType;
  readonly value: Value;
}

export interface BoundColumn {
  readonly kind: 'column';
  readonly type: SqlType;
  readonly index: number;
}

export interface BoundOuterColumn {
  readonly kind: 'outer';
  readonly type: SqlType;
  readonly depth: number;
  readonly index: number;
}

/** `$n`: `index` is 0-based. */
export interface BoundParam {
  readonly kind: 'param';
  readonly type: SqlType;
  readonly index: number;
}

export interface BoundCall {
  readonly kind: 'call';
  readonly type: SqlType;
  /** Stable id of the resolved overload in the function registry. */
  readonly fn: string;
  /** Name as the user knows it, for EXPLAIN and errors (e.g. '+', 'upper'). */
  readonly name: string;
  readonly args: readonly BoundExpr[];
  /** Non-deterministic (RANDOM, NOW, PROCTIME): never constant-folded. */
  readonly volatile: boolean;
}

/** `try` casts yield NULL instead of failing (TRY_CAST). */
export interface BoundCast {
  readonly kind: 'cast';
  readonly type: SqlType;
  readonly operand: BoundExpr;
  readonly try: boolean;
}

export interface BoundAnd {
  readonly kind: 'and';
  readonly type: SqlType;
  readonly args: readonly BoundExpr[];
}

export interface BoundOr {
  readonly kind: 'or';
  readonly type: SqlType;
  readonly args: readonly BoundExpr[];
}

export interface BoundNot {
  readonly kind: 'not';
  readonly type: SqlType;
  readonly operand: BoundExpr;
}

/** IS NULL, or IS NOT NULL when `not`. Never NULL itself. */
export interface BoundIsNull {
  readonly kind: 'is-null';
  readonly type: SqlType;
  readonly operand: BoundExpr;
  readonly not: boolean;
}

/** Searched CASE; the simple form is rewritten to equality tests by the binder. */
export interface BoundCase {
  readonly kind: 'case';
  readonly type: SqlType;
  readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
  readonly else: BoundExpr;
}

export interface BoundCoalesce {
  readonly kind: 'coalesce';
  readonly type: SqlType;
  readonly args: readonly BoundExpr[];
}

/**
 * `operand [NOT] IN (list)` with SQL's three-valued result: NULL when no
 * element matches and the operand or any element is NULL. Elements are
 * coerced to the operand's comparison type.
 */
export interface BoundInList {
  readonly kind: 'in-list';
  readonly type: SqlType;
  readonly operand: BoundExpr;
  readonly list: readonly BoundExpr[];
  readonly not: boolean;
}

/**
 * A subquery evaluated per row of the enclosing query (possibly correlated
 * through `outer` columns):
 * - scalar: the single column of at most one row, NULL if none, error 21000 if more;
 * - exists: whether any row exists;
 * - in / any / all: `operand op ANY|ALL (subquery)` with three-valued logic;
 *   `op` is a comparison function id resolved like a `call`;
 * - array: ARRAY(SELECT ...), the column's values as an array.
 */
export interface BoundSubquery {
  readonly kind: 'subquery';
  readonly type: SqlType;
  readonly mode: 'scalar' | 'exists' | 'any' | 'all' | 'array';
  readonly plan: LogicalPlan;
  readonly operand?: BoundExpr;
  readonly op?: string;
  /** True when the plan refers to `outer` columns. */
  readonly correlated: boolean;
}

export const TRUE_LITERAL: BoundLiteral = { kind: 'literal', type: { kind: 'BOOLEAN' }, value: true };
