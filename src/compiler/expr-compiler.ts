/**
 * Bound expressions -> JavaScript closures (ARCHITECTURE decision 2).
 *
 * Everything that depends only on the expression is resolved here once:
 * function implementations, casts, parameter values, literal lists. The
 * closures read the row and do the work, nothing else; call sites reuse one
 * argument array.
 *
 * Subqueries: evaluation per row stays synchronous. A compiled expression that
 * contains subqueries has a `prepare(rows)` that the owning operator awaits
 * for each chunk before evaluating it; it runs the inner plans for the chunk's
 * outer bindings not seen yet (once in all for an uncorrelated subquery) and
 * caches their results, which the closures then read.
 */
import { flinkTypeName, type Row, type Value } from '../../catalog/types.ts';
import type { BoundCall, BoundExpr } from '../binder/bound-expr.ts';
import type { ScalarImpl } from '../functions/signatures.ts';
import { InternalError, SqlError, unreachable } from '../errors.ts';
import { hashValue, valuesEqual } from '../values/compare.ts';
import type { ExecContext, Scope } from './exec-context.ts';
import { SubqueryEval } from './subquery.ts';

export type EvalFn = (row: Row) => Value;
export type PrepareFn = (rows: readonly Row[]) => Promise<void>;

export interface CompiledExpr {
  readonly eval: EvalFn;
  /** Present when the expression contains subqueries: await it for a chunk's rows before calling `eval` on them. */
  readonly prepare: PrepareFn | undefined;
}

export function compileExpression(e: BoundExpr, cx: ExecContext): CompiledExpr {
  const subqueries: SubqueryEval[] = [];
  const fn = build(e, cx, subqueries);
  return { eval: fn, prepare: subqueries.length === 0 ? undefined : prepareAll(subqueries) };
}

/** One prepare for several compiled expressions (undefined when none needs one). */
export function combinePrepare(exprs: readonly (CompiledExpr | undefined)[]): PrepareFn | undefined {
  const ps: PrepareFn[] = [];
  for (const e of exprs) if (e?.prepare !== undefined) ps.push(e.prepare);
  if (ps.length === 0) return undefined;
  if (ps.length === 1) return ps[0];
  return async (rows) => {
    for (const p of ps) await p(rows);
  };
}

function prepareAll(subqueries: readonly SubqueryEval[]): PrepareFn {
  return async (rows) => {
    for (const s of subqueries) await s.prepare(rows);
  };
}

/** Whether an expression contains a subquery anywhere. */
export function containsSubquery(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'outer':
    case 'param':
      return false;
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args.some(containsSubquery);
    case 'cast':
    case 'not':
    case 'is-null':
      return containsSubquery(e.operand);
    case 'case':
      return e.whens.some((w) => containsSubquery(w.when) || containsSubquery(w.then)) || containsSubquery(e.else);
    case 'in-list':
      return containsSubquery(e.operand) || e.list.some(containsSubquery);
    case 'subquery':
      return true;
    default:
      return unreachable(e);
  }
}

function build(e: BoundExpr, cx: ExecContext, subs: SubqueryEval[]): EvalFn {
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'column': {
      const i = e.index;
      return (row) => row[i] ?? null;
    }
    case 'outer': {
      let s: Scope | null = cx.scope;
      for (let d = 1; d < e.depth && s !== null; d++) s = s.parent;
      if (s === null) throw new InternalError(`outer reference at depth ${e.depth} has no enclosing query`);
      const scope = s;
      const i = e.index;
      return () => scope.row?.[i] ?? null;
    }
    case 'param': {
      const v = cx.env.params[e.index];
      if (v === undefined) throw new SqlError('08P01', `no value supplied for parameter $${e.index + 1}`);
      return () => v;
    }
    case 'call':
      return buildCall(e, cx, subs);
    case 'cast': {
      const operand = build(e.operand, cx, subs);
      const cast = cx.env.cast(e.operand.type, e.type);
      if (cast === undefined) {
        throw new SqlError(
          '42846',
          `cannot cast type ${flinkTypeName(e.operand.type)} to ${flinkTypeName(e.type)}`,
        );
      }
      const ctx = cx.env.ctx;
      if (e.try) {
        return (row) => {
          const v = operand(row);
          if (v === null) return null;
          try {
            return cast(v, ctx);
          } catch (err) {
            if (err instanceof SqlError) return null;
            throw err;
          }
        };
      }
      return (row) => {
        const v = operand(row);
        return v === null ? null : cast(v, ctx);
      };
    }
    case 'and': {
      const args = e.args.map((a) => build(a, cx, subs));
      const n = args.length;
      return (row) => {
        let sawNull = false;
        for (let i = 0; i < n; i++) {
          const v = args[i]!(row);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const args = e.args.map((a) => build(a, cx, subs));
      const n = args.length;
      return (row) => {
        let sawNull = false;
        for (let i = 0; i < n; i++) {
          const v = args[i]!(row);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const operand = build(e.operand, cx, subs);
      return (row) => {
        const v = operand(row);
        return v === null ? null : !v;
      };
    }
    case 'is-null': {
      const operand = build(e.operand, cx, subs);
      return e.not ? (row) => operand(row) !== null : (row) => operand(row) === null;
    }
    case 'case': {
      const whens = e.whens.map((w) => build(w.when, cx, subs));
      const thens = e.whens.map((w) => build(w.then, cx, subs));
      const otherwise = build(e.else, cx, subs);
      const n = whens.length;
      return (row) => {
        for (let i = 0; i < n; i++) if (whens[i]!(row) === true) return thens[i]!(row);
        return otherwise(row);
      };
    }
    case 'coalesce': {
      const args = e.args.map((a) => build(a, cx, subs));
      const n = args.length;
      return (row) => {
        for (let i = 0; i < n; i++) {
          const v = args[i]!(row);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'in-list':
      return buildInList(e.operand, e.list, e.not, cx, subs);
    case 'subquery': {
      const operand = e.operand === undefined ? undefined : build(e.operand, cx, subs);
      const sq = new SubqueryEval(e, cx, operand);
      subs.push(sq);
      return sq.evaluator();
    }
    default:
      return unreachable(e);
  }
}

/** Names of functions that handle NULL arguments themselves when the library does not say. */
const NON_STRICT = new Set(['is_distinct_from', 'is_not_distinct_from', 'concat', 'concat_ws', 'nullif', 'coalesce', 'format', 'array_append', 'array_prepend', 'array_cat', 'num_nulls', 'num_nonnulls']);

/** Whether a resolved call is strict: asks the library for the overload, falling back to a name list. */
function isStrict(call: BoundCall, cx: ExecContext, impl: ScalarImpl): boolean {
  const declared = (impl as { strict?: unknown }).strict;
  if (typeof declared === 'boolean') return declared;
  const argTypes = call.args.map((a) => a.type);
  const paren = call.fn.indexOf('(');
  const candidates = [call.name.toLowerCase(), (paren < 0 ? call.fn : call.fn.slice(0, paren)).toLowerCase()];
  for (const name of candidates) {
    try {
      const res = cx.env.functions.resolveScalar(name, argTypes);
      if (res !== undefined && res.id === call.fn) return res.strict;
    } catch {
      // Not resolvable under this name; try the next.
    }
  }
  return !(NON_STRICT.has(candidates[0]!) || NON_STRICT.has(candidates[1]!));
}

function buildCall(call: BoundCall, cx: ExecContext, subs: SubqueryEval[]): EvalFn {
  const argTypes = call.args.map((a) => a.type);
  const impl = cx.env.functions.instantiateScalar(call.fn, argTypes, call.type);
  const strict = isStrict(call, cx, impl);
  const args = call.args.map((a) => build(a, cx, subs));
  const ctx = cx.env.ctx;
  const n = args.length;
  const argv: Value[] = new Array<Value>(n).fill(null);
  if (n === 0) return () => impl(argv, ctx);
  if (n === 1) {
    const a0 = args[0]!;
    return strict
      ? (row) => {
          const v = a0(row);
          if (v === null) return null;
          argv[0] = v;
          return impl(argv, ctx);
        }
      : (row) => {
          argv[0] = a0(row);
          return impl(argv, ctx);
        };
  }
  if (n === 2) {
    const a0 = args[0]!;
    const a1 = args[1]!;
    return strict
      ? (row) => {
          // Every argument is evaluated before the NULL check, as Postgres does: an error in a
          // later argument is raised even when an earlier one is NULL.
          const x = a0(row);
          const y = a1(row);
          if (x === null || y === null) return null;
          argv[0] = x;
          argv[1] = y;
          return impl(argv, ctx);
        }
      : (row) => {
          argv[0] = a0(row);
          argv[1] = a1(row);
          return impl(argv, ctx);
        };
  }
  // Arguments are written straight into `argv`: an expression tree is finite, so
  // evaluating an argument never re-enters this call site.
  return strict
    ? (row) => {
        let sawNull = false;
        for (let i = 0; i < n; i++) {
          const v = args[i]!(row);
          if (v === null) sawNull = true;
          argv[i] = v;
        }
        return sawNull ? null : impl(argv, ctx);
      }
    : (row) => {
        for (let i = 0; i < n; i++) argv[i] = args[i]!(row);
        return impl(argv, ctx);
      };
}

/**
 * IN lists: constant lists become a hash set probed once per row; others
 * compare element by element. NULL when nothing matches and a NULL was seen.
 */
function buildInList(
  operandExpr: BoundExpr,
  list: readonly BoundExpr[],
  not: boolean,
  cx: ExecContext,
  subs: SubqueryEval[],
): EvalFn {
  const operand = build(operandExpr, cx, subs);
  const type = operandExpr.type;
  const onMatch = !not;
  if (type.kind !== 'NULL' && list.length > 4 && list.every((x) => x.kind === 'literal' || x.kind === 'param')) {
    const set = new Map<number, Value[]>();
    let hasNull = false;
    for (const x of list) {
      const v = x.kind === 'literal' ? x.value : (cx.env.params[x.index] ?? null);
      if (v === null) {
        hasNull = true;
        continue;
      }
      const h = hashValue(v, type);
      const b = set.get(h);
      if (b === undefined) set.set(h, [v]);
      else b.push(v);
    }
    return (row) => {
      const v = operand(row);
      if (v === null) return null;
      const b = set.get(hashValue(v, type));
      if (b !== undefined) for (let i = 0; i < b.length; i++) if (valuesEqual(v, b[i]!, type)) return onMatch;
      return hasNull ? null : !onMatch;
    };
  }
  const elems = list.map((x) => build(x, cx, subs));
  const n = elems.length;
  return (row) => {
    const v = operand(row);
    if (v === null) return n === 0 ? !onMatch : null;
    let sawNull = false;
    for (let i = 0; i < n; i++) {
      const x = elems[i]!(row);
      if (x === null) sawNull = true;
      else if (valuesEqual(v, x, type)) return onMatch;
    }
    return sawNull ? null : !onMatch;
  };
}
