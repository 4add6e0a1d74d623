/**
 * constant-folding: evaluates at plan time what depends on literals only, in
 * every expression of every node.
 *
 * - calls: non-volatile calls whose arguments are all literals go to the
 *   `fold` callback (which evaluates them, or declines: errors stay for run time);
 * - casts of literals are evaluated with src/values/cast.ts, except casts
 *   involving date/time types (they read the session time zone and 'now')
 *   and OID types (catalog lookups); a failing cast stays, a failing TRY_CAST
 *   becomes NULL;
 * - AND / OR with three-valued logic: FALSE in an AND makes it FALSE, TRUE in
 *   an OR makes it TRUE, TRUE is dropped from an AND and FALSE from an OR;
 * - NOT, IS [NOT] NULL of literals; NOT NOT x is x;
 * - CASE: branches whose condition is a FALSE/NULL literal are dropped, a TRUE
 *   literal condition ends the CASE; COALESCE drops NULL literals and stops at
 *   the first non-NULL literal.
 * Params, columns, outer columns and subqueries are never folded.
 */
import type { SqlType, Value } from '../../../catalog/types.ts';
import type { BoundExpr } from '../../binder/bound-expr.ts';
import { castFunction } from '../../values/cast.ts';
import type { OptimizeOptions, OptimizerRule } from '../optimizer.ts';
import { BOOL, literal, mapPlanDeep, rewriteExpr, sameType } from '../rewrite.ts';

export const constantFolding: OptimizerRule = {
  name: 'constant-folding',
  apply: (plan, o) => mapPlanDeep(plan, (e) => foldExpression(e, o)),
};

export function foldExpression(e: BoundExpr, o: OptimizeOptions): BoundExpr {
  return rewriteExpr(e, (x) => step(x, o));
}

const TRUE: BoundExpr = literal(BOOL, true);
const FALSE: BoundExpr = literal(BOOL, false);

function step(e: BoundExpr, o: OptimizeOptions): BoundExpr {
  switch (e.kind) {
    case 'call': {
      if (e.volatile || !e.args.every((a) => a.kind === 'literal')) return e;
      const r = o.fold(e);
      return r !== undefined && r.kind === 'literal' ? r : e;
    }
    case 'cast':
      return foldCast(e);
    case 'and':
    case 'or':
      return foldLogic(e);
    case 'not': {
      const x = e.operand;
      if (x.kind === 'literal') return literal(e.type, x.value === null ? null : !x.value);
      if (x.kind === 'not') return x.operand;
      return e;
    }
    case 'is-null': {
      const x = e.operand;
      if (x.kind !== 'literal') return e;
      return (x.value === null) !== e.not ? TRUE : FALSE;
    }
    case 'case': {
      const whens: { when: BoundExpr; then: BoundExpr }[] = [];
      let els = e.else;
      let changed = false;
      for (const w of e.whens) {
        if (w.when.kind === 'literal' && w.when.value !== true) {
          changed = true;
          continue;
        }
        if (w.when.kind === 'literal') {
          els = w.then;
          changed = true;
          break;
        }
        whens.push(w);
      }
      if (whens.length === 0) return sameType(els.type, e.type) ? els : changed ? { ...e, whens, else: els } : e;
      return changed ? { ...e, whens, else: els } : e;
    }
    case 'coalesce': {
      const args: BoundExpr[] = [];
      for (const a of e.args) {
        if (a.kind === 'literal' && a.value === null) continue;
        args.push(a);
        if (a.kind === 'literal') break;
      }
      if (args.length === e.args.length) return e;
      if (args.length === 0) return literal(e.type, null);
      if (args.length === 1 && sameType(args[0]!.type, e.type)) return args[0]!;
      return { ...e, args };
    }
    default:
      return e;
  }
}

function foldLogic(e: Extract<BoundExpr, { kind: 'and' | 'or' }>): BoundExpr {
  // AND: FALSE dominates, TRUE is neutral; OR the other way round.
  const dominant = e.kind === 'or';
  const args: BoundExpr[] = [];
  let changed = false;
  for (const a of e.args) {
    if (a.kind === e.kind) {
      args.push(...a.args);
      changed = true;
      continue;
    }
    if (a.kind === 'literal' && a.value === dominant) return literal(e.type, dominant);
    if (a.kind === 'literal' && a.value === !dominant) {
      changed = true;
      continue;
    }
    args.push(a);
  }
  if (args.some((a) => a.kind === 'literal' && a.value === dominant)) return literal(e.type, dominant);
  if (args.length === 0) return literal(e.type, !dominant);
  if (args.every((a) => a.kind === 'literal')) return literal(e.type, null);
  if (args.length === 1) return args[0]!;
  return changed ? { ...e, args } : e;
}

function foldCast(e: Extract<BoundExpr, { kind: 'cast' }>): BoundExpr {
  const x = e.operand;
  if (x.kind !== 'literal') return e;
  if (x.value === null) return literal(e.type, null);
  if (contextDependent(x.type) || contextDependent(e.type)) return e;
  const fn = castFunction(x.type, e.type);
  if (fn === undefined) return e;
  let v: Value;
  try {
    v = fn(x.value, { timeZone: 'UTC' });
  } catch {
    return e.try ? literal(e.type, null) : e;
  }
  return literal(e.type, v);
}

/** Types whose casts depend on the session (time zone, current time) or the catalog. */
function contextDependent(t: SqlType): boolean {
  switch (t.kind) {
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return true;
    case 'ARRAY':
      return contextDependent(t.element);
    case 'MAP':
      return contextDependent(t.key) || contextDependent(t.value);
    case 'ROW':
      return t.fields.some((f) => contextDependent(f.type));
    default:
      return false;
  }
}
