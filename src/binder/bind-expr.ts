/**
 * AST expressions -> bound expressions.
 *
 * Guarantees: every result is typed and its children are coerced (casts are
 * explicit nodes); column names are resolved through the Scope (outer ones
 * become `outer` references); operators and functions are resolved through
 * the FunctionLibrary; untyped string literals and parameters take the type
 * of their context (see coerce.ts). Aggregates and window functions are
 * handed to the clause's `sink`, which returns a placeholder expression the
 * SELECT binder replaces later; clauses that allow neither pass no sink.
 */
import type { Expr, FunctionCall, OrderItem, Query, WindowSpec } from '../../grammar/ast.ts';
import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  INT,
  JSON_TYPE,
  NULL_TYPE,
  STRING,
  isCharacter,
  isTemporal,
  typesEqual,
  type RowField,
  type SqlType,
} from '../../catalog/types.ts';
import { notSupported, SqlError, SqlState } from '../errors.ts';
import { pgTypeDisplayName } from '../functions/type-names.ts';
import type { ScalarResolution } from '../functions/signatures.ts';
import { parseIntervalLiteral } from '../values/interval-parse.ts';
import { tableFunctionColumns } from '../functions/table-functions.ts';
import type { AggregateCall, LogicalPlan, SortKey, WindowCall } from '../planner/logical-plan.ts';
import type { BoundExpr } from './bound-expr.ts';
import type { BindEnv, CteFrame } from './bind-env.ts';
import { coerceTo, displayType, settle, unify } from './coerce.ts';
import { numberLiteral, textToLiteral } from './literals.ts';
import { QueryLevel, type Scope } from './scope.ts';
import { resolveTypeName } from './type-name.ts';
import { bindSubqueryPlan } from './bind-query.ts';
import { bindWindowCall } from './bind-window.ts';
import { isZeroBasedVector } from './zero-based-vectors.ts';

/** Receives aggregates / window calls of a clause; returns the placeholder that stands for the result. */
export interface AggregateSink {
  addAggregate(call: AggregateCall): BoundExpr;
  addWindow(call: WindowCall): BoundExpr;
  /**
   * A set-returning function in the select list; undefined when the clause does not allow one.
   * `type` is the value the call stands for: its one column, or for a function of several
   * `columns` (information_schema._pg_expandarray) a ROW of them, as Postgres' composite result.
   */
  addTableFunction?(fn: string, args: readonly BoundExpr[], type: SqlType, pos: number, columns?: readonly RowField[]): BoundExpr;
  /** GROUPING(args): which of the arguments the current grouping set leaves out, as a bit mask. */
  addGrouping?(args: readonly BoundExpr[], pos: number): BoundExpr;
  readonly windows: ReadonlyMap<string, WindowSpec>;
}

export interface ExprScope {
  readonly env: BindEnv;
  readonly scope: Scope;
  readonly ctes: CteFrame | undefined;
  /** Absent: aggregates and window functions are errors here. */
  readonly sink?: AggregateSink;
  /** The clause name used in "not allowed in ..." errors. */
  readonly clause: string;
  /** Set while binding an aggregate's arguments (nested aggregates are errors). */
  readonly inAggregate?: boolean;
  readonly inWindow?: boolean;
}

export function bindExpr(e: Expr, s: ExprScope): BoundExpr {
  const env = s.env;
  switch (e.kind) {
    case 'number':
      return numberLiteral(e.text, false, e.pos);
    case 'string': {
      const lit = env.markUnknown<BoundExpr>({ kind: 'literal', type: STRING, value: e.value });
      env.positions.set(lit, e.pos);
      return lit;
    }
    case 'boolean':
      return { kind: 'literal', type: BOOLEAN, value: e.value };
    case 'null':
      return { kind: 'literal', type: NULL_TYPE, value: null };
    case 'typed-literal':
      return textToLiteral(e.value, resolveTypeName(e.type), env.ctx, e.pos);
    case 'interval': {
      try {
        const lit = parseIntervalLiteral(e.value, e.qualifier);
        return { kind: 'literal', type: lit.type, value: lit.value };
      } catch (err) {
        if (err instanceof SqlError) throw err.at(e.pos);
        throw err;
      }
    }
    case 'column': {
      const { expr, column } = s.scope.resolve(
        e.name.parts.map((p) => p.value),
        e.name.parts[e.name.parts.length - 1]!.pos,
      );
      env.positions.set(expr, e.pos);
      env.origins.set(expr, column);
      return expr;
    }
    case 'param': {
      const index = e.index - 1;
      if (index < 0) throw new SqlError(SqlState.UNDEFINED_PARAMETER, `there is no parameter $${e.index}`, { position: e.pos });
      env.noteParam(index);
      const t = env.paramType(index);
      if (t !== undefined) return { kind: 'param', type: t, index };
      return env.markUnknown({ kind: 'param', type: STRING, index });
    }
    case 'unary':
      return bindUnary(e, s);
    case 'binary':
      return bindBinary(e.op, e.left, e.right, e.pos, s);
    case 'is-null':
      return { kind: 'is-null', type: BOOLEAN, operand: settle(bindExpr(e.operand, s), env, e.pos), not: e.not };
    case 'is-bool': {
      const x = bindBoolean(e.operand, s, 'IS');
      if (e.value === null) return { kind: 'is-null', type: BOOLEAN, operand: x, not: e.not };
      const test: BoundExpr = e.value ? x : { kind: 'not', type: BOOLEAN, operand: x };
      const hit = !e.not;
      return { kind: 'case', type: BOOLEAN, whens: [{ when: test, then: boolLit(hit) }], else: boolLit(!hit) };
    }
    case 'is-distinct': {
      const d = bindOperator('is_distinct_from', [bindExpr(e.left, s), bindExpr(e.right, s)], e.pos, s, 'IS DISTINCT FROM');
      return e.not ? { kind: 'not', type: BOOLEAN, operand: d } : d;
    }
    case 'between':
      return bindBetween(e, s);
    case 'in-list': {
      const operand = bindExpr(e.operand, s);
      const list = e.list.map((x) => bindExpr(x, s));
      const { exprs } = unify([operand, ...list], env, e.pos, 'IN');
      return { kind: 'in-list', type: BOOLEAN, operand: exprs[0]!, list: exprs.slice(1), not: e.not };
    }
    case 'in-subquery': {
      const any = bindQuantifiedSubquery(bindExpr(e.operand, s), '=', 'any', e.query, e.pos, s);
      return e.not ? { kind: 'not', type: BOOLEAN, operand: any } : any;
    }
    case 'like': {
      const fn = e.mode === 'LIKE' ? 'like' : e.mode === 'ILIKE' ? 'ilike' : 'similar';
      const args = [bindExpr(e.operand, s), bindExpr(e.pattern, s)];
      if (e.escape !== undefined) args.push(bindExpr(e.escape, s));
      const r = bindOperator(fn, args.map((a) => (env.isUnknown(a) ? coerceTo(a, STRING, env, e.pos) : a)), e.pos, s, e.mode);
      return e.not ? { kind: 'not', type: BOOLEAN, operand: r } : r;
    }
    case 'case':
      return bindCase(e, s);
    case 'cast':
      return bindCast(e.operand, resolveTypeName(e.type), e.syntax === 'try_cast', e.pos, s);
    case 'call':
      return bindCall(e, s);
    case 'subquery': {
      const { plan, correlated } = bindSubquery(e.query, s);
      const col = singleColumn(plan, e.pos);
      if (e.array) return { kind: 'subquery', type: arrayOf(col), mode: 'array', plan, correlated };
      return { kind: 'subquery', type: col, mode: 'scalar', plan, correlated };
    }
    case 'exists': {
      const { plan, correlated } = bindSubquery(e.query, s);
      return { kind: 'subquery', type: BOOLEAN, mode: 'exists', plan, correlated };
    }
    case 'quantified': {
      const operand = bindExpr(e.operand, s);
      const mode = e.quantifier === 'ANY' ? 'any' : 'all';
      if (e.right.kind === 'query') return bindQuantifiedSubquery(operand, e.op, mode, e.right.query, e.pos, s);
      const arr = bindExpr(e.right.expr, s);
      let left = operand;
      let right = arr;
      if (env.isUnknown(right) && !env.isUnknown(left)) right = coerceTo(right, arrayOf(left.type), env, e.pos);
      if (env.isUnknown(left) && right.type.kind === 'ARRAY' && !env.isUnknown(right)) left = coerceTo(left, right.type.element, env, e.pos);
      left = settle(left, env, e.pos);
      right = settle(right, env, e.pos);
      if (right.type.kind !== 'ARRAY') {
        throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `op ${e.quantifier} (array) requires array on right side`, { position: e.pos });
      }
      return bindOperator(`${mode}:${e.op}`, [left, right], e.pos, s, `${e.op} ${e.quantifier}`);
    }
    case 'array': {
      if (e.elements.length === 0) {
        throw new SqlError(SqlState.INDETERMINATE_DATATYPE, 'cannot determine type of empty array', {
          position: e.pos,
          hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
        });
      }
      const { exprs } = unify(e.elements.map((x) => bindExpr(x, s)), env, e.pos, 'ARRAY');
      return bindOperator('array_constructor', exprs, e.pos, s, 'ARRAY');
    }
    case 'row':
      return bindOperator('row_constructor', e.elements.map((x) => settle(bindExpr(x, s), env, x.pos)), e.pos, s, 'ROW');
    case 'subscript': {
      const operand = settle(bindExpr(e.operand, s), env, e.pos);
      // int2vector / oidvector catalog columns subscript from 0.
      const shift = isZeroBasedVector(operand, env);
      const bound = (x: Expr): BoundExpr => (shift ? bindBinary('+', x, { kind: 'number', text: '1', pos: x.pos }, x.pos, s) : bindExpr(x, s));
      const args = [operand, bound(e.index)];
      if (e.slice) args.push(e.upper === undefined ? { kind: 'literal', type: NULL_TYPE, value: null } : bound(e.upper));
      const container = args[0]!.type;
      const fixed = args.map((a, i) =>
        i > 0 && env.isUnknown(a) ? coerceTo(a, container.kind === 'MAP' ? container.key : BIGINT, env, e.pos) : a,
      );
      return bindOperator(e.slice ? 'array_slice' : 'subscript', fixed, e.pos, s, 'subscript');
    }
    case 'field': {
      const operand = bindExpr(e.operand, s);
      if (operand.type.kind !== 'ROW') {
        throw new SqlError(SqlState.DATATYPE_MISMATCH, `column notation .${e.field.value} applied to type ${pgTypeDisplayName(operand.type)}, which is not a composite type`, { position: e.pos });
      }
      const i = operand.type.fields.findIndex((f) => f.name === e.field.value);
      if (i < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${e.field.value}" not found in data type ${pgTypeDisplayName(operand.type)}`, { position: e.field.pos });
      // Typed here from the field: overload resolution sees only types, not which field is meant.
      const index: BoundExpr = { kind: 'literal', type: { kind: 'INT' }, value: i + 1 };
      return { kind: 'call', type: operand.type.fields[i]!.type, fn: 'row_field', name: '.', args: [settle(operand, env, e.pos), index], volatile: false };
    }
    case 'collate':
      return bindExpr(e.operand, s);
    case 'extract': {
      const field: BoundExpr = { kind: 'literal', type: STRING, value: e.field.toLowerCase() };
      return bindOperator('date_part', [field, bindExpr(e.operand, s)], e.pos, s, 'extract');
    }
    case 'table-arg':
    case 'descriptor':
    case 'named-arg':
    case 'star-arg':
      throw new SqlError(SqlState.SYNTAX_ERROR, `${e.kind} is only allowed as a table function argument`, { position: e.pos });
    default: {
      const never: never = e;
      throw new SqlError(SqlState.INTERNAL_ERROR, `unexpected expression ${JSON.stringify(never)}`);
    }
  }
}

function boolLit(v: boolean): BoundExpr {
  return { kind: 'literal', type: BOOLEAN, value: v };
}

/** Binds an expression that must be boolean (WHERE, ON, HAVING, AND/OR/NOT operands, CASE WHEN). */
export function bindBoolean(e: Expr, s: ExprScope, what: string): BoundExpr {
  return requireBoolean(bindExpr(e, s), s.env, what, e.pos);
}

export function requireBoolean(b: BoundExpr, env: BindEnv, what: string, pos: number): BoundExpr {
  if (env.isUnknown(b)) return coerceTo(b, BOOLEAN, env, pos);
  if (b.type.kind === 'BOOLEAN') return b;
  if (b.type.kind === 'NULL') return coerceTo(b, BOOLEAN, env, pos);
  throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${what} must be type boolean, not type ${pgTypeDisplayName(b.type)}`, {
    position: pos,
  });
}

function bindUnary(e: Extract<Expr, { kind: 'unary' }>, s: ExprScope): BoundExpr {
  const env = s.env;
  switch (e.op) {
    case 'NOT':
      return { kind: 'not', type: BOOLEAN, operand: bindBoolean(e.operand, s, 'NOT') };
    case '-':
      if (e.operand.kind === 'number') return numberLiteral(e.operand.text, true, e.pos);
      return bindOperator('neg', [bindExpr(e.operand, s)], e.pos, s, '-');
    case '+':
      return bindExpr(e.operand, s);
    case '~':
      return bindOperator('~', [settle(bindExpr(e.operand, s), env, e.pos)], e.pos, s, '~');
  }
}

function flatten(kind: 'and' | 'or', args: BoundExpr[]): BoundExpr[] {
  const out: BoundExpr[] = [];
  for (const a of args) {
    if (a.kind === kind) out.push(...a.args);
    else out.push(a);
  }
  return out;
}

const STRING_OPS: ReadonlySet<string> = new Set(['~', '!~', '~*', '!~*', 'like', 'ilike', 'similar']);

function bindBinary(op: string, left: Expr, right: Expr, pos: number, s: ExprScope): BoundExpr {
  if (op === 'AND' || op === 'OR') {
    const l = bindBoolean(left, s, op);
    const r = bindBoolean(right, s, op);
    const kind = op === 'AND' ? 'and' : 'or';
    return { kind, type: BOOLEAN, args: flatten(kind, [l, r]) };
  }
  return bindOperator(op, [bindExpr(left, s), bindExpr(right, s)], pos, s, op);
}

/**
 * Resolves an operator or function with its untyped arguments adapted first:
 * for two operands, an untyped one takes the other's type (text for string
 * operators); then the library picks the overload and the arguments are cast
 * to its parameter types.
 */
export function bindOperator(name: string, args: readonly BoundExpr[], pos: number, s: ExprScope, display: string): BoundExpr {
  const env = s.env;
  let xs = [...args];
  if (xs.length === 2) {
    const [a, b] = xs as [BoundExpr, BoundExpr];
    const ua = env.isUnknown(a);
    const ub = env.isUnknown(b);
    const target = (other: BoundExpr): SqlType =>
      STRING_OPS.has(name) || (name === '||' && !isCharacter(other.type)) || other.type.kind === 'NULL' ? STRING : other.type;
    if (ua && !ub) xs = [coerceTo(a, JSON_OPERATORS.has(name) ? JSON_TYPE : unknownTarget(name, a, b, target(b)), env, pos), b];
    else if (ub && !ua) xs = [a, coerceTo(b, JSON_OPERATORS.has(name) ? jsonKeyType(name) : unknownTarget(name, b, a, target(a)), env, pos)];
  }
  return resolveAndCall(name, xs, pos, s, display, true);
}

/** PostgreSQL's JSON operators: an untyped left operand is json, an untyped key text (a path text[]). */
const JSON_OPERATORS: ReadonlySet<string> = new Set(['->', '->>', '#>', '#>>']);

function jsonKeyType(op: string): SqlType {
  return op.startsWith('#') ? arrayOf(STRING) : STRING;
}

/**
 * `timestamp - '1 day'`: an untyped literal added to / subtracted from a
 * date-time value is an interval when it reads as one (Postgres picks the
 * interval operator the same way).
 */
function unknownTarget(op: string, unknown: BoundExpr, other: BoundExpr, dflt: SqlType): SqlType {
  if ((op === '+' || op === '-') && isTemporal(other.type) && unknown.kind === 'literal' && typeof unknown.value === 'string') {
    try {
      return parseIntervalLiteral(unknown.value, undefined).type;
    } catch {
      return dflt;
    }
  }
  return dflt;
}

function resolveAndCall(
  name: string,
  args: readonly BoundExpr[],
  pos: number,
  s: ExprScope,
  display: string,
  isOperator: boolean,
): BoundExpr {
  const env = s.env;
  const res = resolveScalarWithUnknowns(name, args, pos, s, display, isOperator);
  const bound = args.map((a, i) => coerceTo(a, res.argTypes[i] ?? a.type, env, pos));
  const call: BoundExpr = { kind: 'call', type: res.returnType, fn: res.id, name: display, args: bound, volatile: res.volatile };
  return roundedScale(name, call, bound);
}

/**
 * ROUND / TRUNCATE of a DECIMAL to a constant number of places r: the result
 * has scale r, as in Flink (ROUND(2.567, 2) is 2.57). Overload resolution only
 * sees types, so the binder narrows the result here; the cast is exact because
 * the value is already rounded.
 */
function roundedScale(name: string, call: BoundExpr, args: readonly BoundExpr[]): BoundExpr {
  if (name !== 'round' && name !== 'truncate' && name !== 'trunc') return call;
  const [x, places] = args;
  if (x === undefined || places === undefined || x.type.kind !== 'DECIMAL' || call.type.kind !== 'DECIMAL') return call;
  if (places.kind !== 'literal' || typeof places.value !== 'number') return call;
  const r = places.value;
  const { precision, scale } = x.type;
  if (!Number.isInteger(r) || r < 0 || r >= scale) return call;
  return { kind: 'cast', type: { kind: 'DECIMAL', precision: Math.min(38, precision - scale + r + 1), scale: r }, operand: call, try: false };
}

function resolveScalarWithUnknowns(
  name: string,
  args: readonly BoundExpr[],
  pos: number,
  s: ExprScope,
  display: string,
  isOperator: boolean,
): ScalarResolution {
  const env = s.env;
  const fns = env.ctx.functions;
  const attempt = (types: SqlType[]): ScalarResolution | undefined => {
    try {
      return fns.resolveScalar(name, types);
    } catch (err) {
      if (err instanceof SqlError) throw err.at(pos);
      throw err;
    }
  };
  const hasUnknownParam = args.some((a) => env.isUnknown(a) && a.kind === 'param');
  const stringTypes = args.map((a) => (env.isUnknown(a) ? STRING : a.type));
  let res: ScalarResolution | undefined;
  if (hasUnknownParam) {
    try {
      res = fns.resolveScalar(name, args.map((a) => (env.isUnknown(a) && a.kind === 'param' ? NULL_TYPE : env.isUnknown(a) ? STRING : a.type)));
    } catch {
      res = undefined;
    }
  }
  if (res === undefined) {
    try {
      res = attempt(stringTypes);
    } catch (err) {
      // As in Postgres, an untyped literal ('16384', '{1,2}') may also become whatever
      // type the only fitting overload wants; text is preferred, so this comes second.
      if (!args.some((a) => env.isUnknown(a))) throw err;
      let retry: ScalarResolution | undefined;
      try {
        retry = fns.resolveScalar(name, args.map((a) => (env.isUnknown(a) ? NULL_TYPE : a.type)));
      } catch {
        retry = undefined;
      }
      if (retry === undefined) throw err;
      res = retry;
    }
  }
  if (res !== undefined) return res;
  const shown = args.map((a) => displayType(a, env));
  if (isOperator && args.length <= 2 && !/^[a-z_]/.test(name)) {
    const text = args.length === 1 ? `${display} ${shown[0]}` : `${shown[0]} ${display} ${shown[1]}`;
    throw new SqlError(SqlState.UNDEFINED_FUNCTION, `operator does not exist: ${text}`, {
      position: pos,
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${display}(${shown.join(', ')}) does not exist`, {
    position: pos,
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

function bindBetween(e: Extract<Expr, { kind: 'between' }>, s: ExprScope): BoundExpr {
  const env = s.env;
  const { exprs } = unify([bindExpr(e.operand, s), bindExpr(e.low, s), bindExpr(e.high, s)], env, e.pos, 'BETWEEN');
  const [x, lo0, hi0] = exprs as [BoundExpr, BoundExpr, BoundExpr];
  let lo = lo0;
  let hi = hi0;
  if (e.symmetric) {
    lo = resolveAndCall('least', [lo0, hi0], e.pos, s, 'least', false);
    hi = resolveAndCall('greatest', [lo0, hi0], e.pos, s, 'greatest', false);
  }
  const ge = bindOperator('>=', [x, lo], e.pos, s, '>=');
  const le = bindOperator('<=', [x, hi], e.pos, s, '<=');
  const both: BoundExpr = { kind: 'and', type: BOOLEAN, args: [ge, le] };
  return e.not ? { kind: 'not', type: BOOLEAN, operand: both } : both;
}

function bindCase(e: Extract<Expr, { kind: 'case' }>, s: ExprScope): BoundExpr {
  const env = s.env;
  const operand = e.operand === undefined ? undefined : bindExpr(e.operand, s);
  const whens: BoundExpr[] = e.whens.map((w) => {
    if (operand === undefined) return bindBoolean(w.when, s, 'CASE');
    return bindOperator('=', [operand, bindExpr(w.when, s)], w.when.pos, s, '=');
  });
  const results = e.whens.map((w) => bindExpr(w.then, s));
  const otherwise: BoundExpr = e.else === undefined ? { kind: 'literal', type: NULL_TYPE, value: null } : bindExpr(e.else, s);
  const { type, exprs } = unify([...results, otherwise], env, e.pos, 'CASE');
  return {
    kind: 'case',
    type,
    whens: whens.map((w, i) => ({ when: w, then: exprs[i]! })),
    else: exprs[exprs.length - 1]!,
  };
}

/** The first `length` characters (code points) of `text`. */
function truncateChars(text: string, length: number): string {
  if (text.length <= length) return text;
  let end = 0;
  for (let n = 0; n < length && end < text.length; n++) end += (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  return text.slice(0, end);
}

export function bindCast(operand: Expr, type: SqlType, tryCast: boolean, pos: number, s: ExprScope): BoundExpr {
  const env = s.env;
  // ARRAY[]::T[]: an empty array constructor takes its type from the cast, as in Postgres.
  if (operand.kind === 'array' && operand.elements.length === 0 && type.kind === 'ARRAY') return { kind: 'literal', type, value: [] };
  const x = bindExpr(operand, s);
  if (env.isUnknown(x)) {
    if (x.kind === 'literal' && typeof x.value === 'string') {
      if (type.kind === 'VARCHAR' || type.kind === 'CHAR') {
        // An explicit cast to a length truncates (Postgres: input as text, then the length coercion).
        const text = truncateChars(x.value, type.length);
        return type.kind === 'VARCHAR' ? { kind: 'literal', type, value: text } : textToLiteral(text, type, env.ctx, pos);
      }
      if (!tryCast) return textToLiteral(x.value, type, env.ctx, pos);
      try {
        return textToLiteral(x.value, type, env.ctx, pos);
      } catch (err) {
        if (err instanceof SqlError) return { kind: 'literal', type, value: null };
        throw err;
      }
    }
    return coerceTo(x, type, env, pos);
  }
  if (x.type.kind === type.kind && JSON.stringify(x.type) === JSON.stringify(type)) return x;
  // Text computed at run time to an OID alias type: the type's input function looks the name up
  // (the value layer only reads numeric OIDs; literals were resolved above).
  if (isCharacter(x.type) && !tryCast && (type.kind === 'REGCLASS' || type.kind === 'REGTYPE' || type.kind === 'REGPROC')) {
    const fn = `${type.kind.toLowerCase()}in`;
    return resolveAndCall(fn, [x], pos, s, fn, false);
  }
  // And back to text: the output function prints the object's name.
  if (isCharacter(type) && (x.type.kind === 'REGCLASS' || x.type.kind === 'REGTYPE' || x.type.kind === 'REGPROC')) {
    const fn = `${x.type.kind.toLowerCase()}out`;
    const text = resolveAndCall(fn, [x], pos, s, fn, false);
    return JSON.stringify(type) === JSON.stringify(text.type) ? text : { kind: 'cast', type, operand: text, try: tryCast };
  }
  if (x.type.kind !== 'NULL' && !env.ctx.coercion.canCast(x.type, type)) {
    throw new SqlError('42846', `cannot cast type ${pgTypeDisplayName(x.type)} to ${pgTypeDisplayName(type)}`, {
      position: pos,
    });
  }
  if (x.kind === 'literal' && x.value === null) return { kind: 'literal', type, value: null };
  return { kind: 'cast', type, operand: x, try: tryCast };
}

/** Niladic SQL keywords and their function names. */
const NILADIC: ReadonlyMap<string, string> = new Map([
  ['user', 'current_user'],
  ['current_role', 'current_user'],
]);

function functionName(call: FunctionCall): string {
  const parts = call.name.parts.map((p) => p.value);
  if (parts.length > 1 && parts[parts.length - 2] !== 'pg_catalog' && parts[parts.length - 2] !== 'information_schema') {
    throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${parts[parts.length - 2]}" does not exist`, { position: call.pos });
  }
  const name = parts[parts.length - 1]!;
  return call.noParens ? (NILADIC.get(name) ?? name) : name;
}

function bindCall(call: FunctionCall, s: ExprScope): BoundExpr {
  const env = s.env;
  const name = functionName(call);
  if (call.over !== undefined) return bindWindowCall(call, name, s);
  const star = call.args.length === 1 && call.args[0]!.kind === 'star-arg';
  const fns = env.ctx.functions;

  // Aggregates.
  const aggInner: ExprScope = { ...s, inAggregate: true };
  if (star) {
    if (name !== 'count') throw new SqlError(SqlState.SYNTAX_ERROR, `${name}(*) is not allowed; only count(*) takes *`, { position: call.pos });
    return addAggregate({ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT, ...filterOf(call, s) }, call, s);
  }
  if (!call.noParens) {
    const probeTypes = call.args.map(() => NULL_TYPE);
    let isAgg = false;
    try {
      isAgg = fns.resolveAggregate(name, probeTypes, call.distinct) !== undefined;
    } catch {
      isAgg = true;
    }
    if (isAgg) {
      checkAggregateAllowed(call, s);
      const args = call.args.map((a) => bindExpr(a, aggInner));
      const types = args.map((a) => (env.isUnknown(a) ? STRING : a.type));
      let res;
      try {
        res = fns.resolveAggregate(name, types, call.distinct);
      } catch (err) {
        if (err instanceof SqlError) throw err.at(call.pos);
        throw err;
      }
      if (res === undefined) {
        throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${args.map((a) => displayType(a, env)).join(', ')}) does not exist`, {
          position: call.pos,
          hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
        });
      }
      const bound = args.map((a, i) => coerceTo(a, res.argTypes[i] ?? a.type, env, call.pos));
      const orderBy = call.orderBy.map((o) => bindSortKey(o, aggInner));
      return addAggregate({ fn: res.fn, args: bound, distinct: call.distinct, orderBy, type: res.returnType, ...filterOf(call, s) }, call, s);
    }
  }
  if (call.distinct || call.filter !== undefined || call.orderBy.length > 0) {
    throw new SqlError(
      SqlState.WRONG_OBJECT_TYPE,
      `${call.distinct ? 'DISTINCT' : call.filter !== undefined ? 'FILTER' : 'ORDER BY'} specified, but ${name} is not an aggregate function`,
      { position: call.pos },
    );
  }
  switch (name) {
    case 'grouping': {
      if (call.args.length === 0) break;
      if (s.sink?.addGrouping === undefined || s.inAggregate === true) {
        throw new SqlError(SqlState.GROUPING_ERROR, `grouping operations are not allowed in ${s.inAggregate === true ? 'aggregate arguments' : s.clause}`, {
          position: call.pos,
        });
      }
      return s.sink.addGrouping(
        call.args.map((a) => settle(bindExpr(a, s), env, a.pos)),
        call.pos,
      );
    }
    case 'coalesce': {
      if (call.args.length === 0) throw new SqlError(SqlState.SYNTAX_ERROR, 'syntax error at or near ")"', { position: call.pos });
      const { type, exprs } = unify(call.args.map((a) => bindExpr(a, s)), env, call.pos, 'COALESCE');
      return { kind: 'coalesce', type, args: exprs };
    }
    case 'nullif': {
      if (call.args.length !== 2) break;
      const a = bindExpr(call.args[0]!, s);
      const b = bindExpr(call.args[1]!, s);
      const eq = bindOperator('=', [a, b], call.pos, s, '=');
      const left = eq.kind === 'call' ? eq.args[0]! : settle(a, env, call.pos);
      const ret = settle(a, env, call.pos);
      return {
        kind: 'case',
        type: ret.type,
        whens: [{ when: eq, then: { kind: 'literal', type: ret.type, value: null } }],
        // The comparison may have widened the first argument (DECIMAL(10,0) to DECIMAL(12,2)): its
        // value is then at another scale than the result type, so return the argument itself.
        else: typesEqual(left.type, ret.type) ? left : ret,
      };
    }
    default:
      break;
  }
  const args = call.args.map((a) => bindExpr(a, s));
  if (fns.isTableFunction(name)) {
    let r: ScalarResolution | undefined;
    try {
      r = fns.resolveScalar(name, args.map((a) => (env.isUnknown(a) ? STRING : a.type)));
    } catch {
      r = undefined;
    }
    if (r === undefined) {
      if (s.sink?.addTableFunction !== undefined && s.inAggregate !== true && s.inWindow !== true) {
        const settled = args.map((a) => settle(a, env, call.pos));
        let cols: { name: string; type: SqlType }[];
        try {
          cols = tableFunctionColumns(name, settled.map((a) => a.type));
        } catch (err) {
          if (err instanceof SqlError) throw err.at(call.pos);
          throw err;
        }
        if (cols.length === 1) {
          const p = s.sink.addTableFunction(name, settled, cols[0]!.type, call.pos);
          return name === 'generate_subscripts' && isZeroBasedVector(settled[0], env) ? lessOne(p, call.pos, s) : p;
        }
        const fields = cols.map((c) => ({ name: c.name, type: c.type }));
        return s.sink.addTableFunction(name, settled, { kind: 'ROW', fields }, call.pos, fields);
      }
      throw notSupported(`set-returning function ${name}() in ${s.clause}`, call.pos, `Call it in FROM: SELECT * FROM ${name}(...)`);
    }
  }
  const result = resolveAndCall(name, args, call.pos, s, name, false);
  if ((name === 'array_lower' || name === 'array_upper') && isZeroBasedVector(args[0], env)) return lessOne(result, call.pos, s);
  return result;
}

/** A subscript or bound of a zero-based catalog vector: the 1-based value less one. */
function lessOne(e: BoundExpr, pos: number, s: ExprScope): BoundExpr {
  return bindOperator('-', [e, { kind: 'literal', type: INT, value: 1 }], pos, s, '-');
}

function filterOf(call: FunctionCall, s: ExprScope): { filter?: BoundExpr } {
  if (call.filter === undefined) return {};
  return { filter: bindBoolean(call.filter, { ...s, inAggregate: true }, 'FILTER') };
}

function checkAggregateAllowed(call: FunctionCall, s: ExprScope): void {
  if (s.inAggregate === true) {
    throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate function calls cannot be nested', { position: call.pos });
  }
  if (s.sink === undefined) {
    throw new SqlError(SqlState.GROUPING_ERROR, `aggregate functions are not allowed in ${s.clause}`, { position: call.pos });
  }
}

function addAggregate(a: AggregateCall, call: FunctionCall, s: ExprScope): BoundExpr {
  checkAggregateAllowed(call, s);
  return s.sink!.addAggregate(a);
}

export function bindSortKey(o: OrderItem, s: ExprScope): SortKey {
  const expr = settle(bindExpr(o.expr, s), s.env, o.pos);
  return sortKey(expr, o);
}

/** Postgres' default: NULLs sort as larger than everything (last ascending, first descending). */
export function sortKey(expr: BoundExpr, o: OrderItem): SortKey {
  return { expr, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc };
}

function bindSubquery(q: Query, s: ExprScope): { plan: LogicalPlan; correlated: boolean } {
  const level = new QueryLevel();
  const plan = bindSubqueryPlan(q, s.env, s.ctes, s.scope, level);
  return { plan, correlated: level.correlated };
}

function singleColumn(plan: LogicalPlan, pos: number): SqlType {
  if (plan.schema.length !== 1) {
    throw new SqlError(SqlState.SYNTAX_ERROR, plan.schema.length === 0 ? 'subquery must return a column' : 'subquery must return only one column', { position: pos });
  }
  return plan.schema[0]!.type;
}

function bindQuantifiedSubquery(
  operand: BoundExpr,
  op: string,
  mode: 'any' | 'all',
  query: Query,
  pos: number,
  s: ExprScope,
): BoundExpr {
  const env = s.env;
  const { plan, correlated } = bindSubquery(query, s);
  if (plan.schema.length !== 1) {
    throw new SqlError(SqlState.SYNTAX_ERROR, plan.schema.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns', { position: pos });
  }
  const colType = plan.schema[0]!.type;
  let left = operand;
  if (env.isUnknown(left)) left = coerceTo(left, colType, env, pos);
  const res = resolveScalarWithUnknowns(op, [left, { kind: 'column', type: colType, index: 0 }], pos, s, op, true);
  left = coerceTo(left, res.argTypes[0] ?? left.type, env, pos);
  const want = res.argTypes[1] ?? colType;
  let inner = plan;
  if (want.kind !== colType.kind || JSON.stringify(want) !== JSON.stringify(colType)) {
    inner = {
      kind: 'project',
      input: plan,
      exprs: [{ kind: 'cast', type: want, operand: { kind: 'column', type: colType, index: 0 }, try: false }],
      schema: [{ ...plan.schema[0]!, type: want }],
    };
  }
  return { kind: 'subquery', type: BOOLEAN, mode, plan: inner, operand: left, op: res.id, correlated };
}

