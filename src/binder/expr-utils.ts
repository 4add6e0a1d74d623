/**
 * Structural helpers over bound expressions used while planning: column
 * renumbering, column-use tests, canonical keys for "same expression" tests
 * (GROUP BY matching), conjunct splitting.
 */
import type { BoundExpr } from './bound-expr.ts';
import { unreachable } from '../errors.ts';

/** Rebuilds `e` with every depth-0 column replaced by `f(column)`; subquery plans are left as they are. */
export function mapColumns(e: BoundExpr, f: (c: Extract<BoundExpr, { kind: 'column' }>) => BoundExpr): BoundExpr {
  return transform(e, (x) => (x.kind === 'column' ? f(x) : undefined));
}

/**
 * Rebuilds `e` top-down: where `pre` returns an expression it replaces the
 * subtree, elsewhere children are transformed (subquery plans are left as they are).
 */
export function transform(e: BoundExpr, pre: (x: BoundExpr) => BoundExpr | undefined): BoundExpr {
  const r = pre(e);
  if (r !== undefined) return r;
  const m = (x: BoundExpr): BoundExpr => transform(x, pre);
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'outer':
    case 'param':
      return e;
    case 'call':
      return { ...e, args: e.args.map(m) };
    case 'and':
    case 'or':
      return { ...e, args: e.args.map(m) };
    case 'coalesce':
      return { ...e, args: e.args.map(m) };
    case 'cast':
      return { ...e, operand: m(e.operand) };
    case 'not':
      return { ...e, operand: m(e.operand) };
    case 'is-null':
      return { ...e, operand: m(e.operand) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: m(w.when), then: m(w.then) })), else: m(e.else) };
    case 'in-list':
      return { ...e, operand: m(e.operand), list: e.list.map(m) };
    case 'subquery':
      return e.operand === undefined ? e : { ...e, operand: m(e.operand) };
    default:
      return unreachable(e);
  }
}

export function shiftColumns(e: BoundExpr, delta: number): BoundExpr {
  if (delta === 0) return e;
  return mapColumns(e, (c) => ({ ...c, index: c.index + delta }));
}

/** Calls `visit` for every depth-0 column in `e` (not inside subquery plans). */
export function forEachColumn(e: BoundExpr, visit: (index: number) => void): void {
  mapColumns(e, (c) => {
    visit(c.index);
    return c;
  });
}

export function containsSubquery(e: BoundExpr): boolean {
  let found = false;
  const walk = (x: BoundExpr): void => {
    switch (x.kind) {
      case 'subquery':
        found = true;
        return;
      case 'call':
      case 'and':
      case 'or':
      case 'coalesce':
        x.args.forEach(walk);
        return;
      case 'cast':
      case 'not':
      case 'is-null':
        walk(x.operand);
        return;
      case 'case':
        x.whens.forEach((w) => {
          walk(w.when);
          walk(w.then);
        });
        walk(x.else);
        return;
      case 'in-list':
        walk(x.operand);
        x.list.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(e);
  return found;
}

/** A canonical text of an expression: equal keys mean the same computation (subqueries never match). */
export function exprKey(e: BoundExpr): string {
  return JSON.stringify(e, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return Array.from(v);
    if (v instanceof Map) return [...v.entries()];
    if (v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'subquery') return { unique: Math.random() };
    return v;
  });
}

export function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}
