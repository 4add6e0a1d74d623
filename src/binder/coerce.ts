/**
 * Implicit conversions the binder inserts: untyped literals and parameters
 * take the type their context asks for (converted at bind time / recorded as
 * the parameter's type); typed expressions get a `cast` node.
 */
import { NULL_TYPE, STRING, typesEqual, type SqlType } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { pgTypeDisplayName } from '../functions/type-names.ts';
import type { BoundExpr } from './bound-expr.ts';
import type { BindEnv } from './bind-env.ts';
import { textToLiteral } from './literals.ts';

export function coerceTo(e: BoundExpr, type: SqlType, env: BindEnv, pos: number): BoundExpr {
  if (env.isUnknown(e)) {
    if (e.kind === 'literal' && typeof e.value === 'string') {
      if (type.kind === 'NULL') return e;
      // Compared with a VARCHAR(n), a string literal keeps its full text (Postgres resolves it as
      // varchar without a length); storing into a column checks the length separately.
      if (type.kind === 'VARCHAR') return { kind: 'literal', type, value: e.value };
      return textToLiteral(e.value, type, env.ctx, env.positions.get(e) ?? pos);
    }
    if (e.kind === 'param') {
      env.inferParam(e.index, type);
      const t = env.paramType(e.index)!;
      return typesEqual(t, type) && t.kind === type.kind ? { kind: 'param', type: t, index: e.index } : cast({ kind: 'param', type: t, index: e.index }, type);
    }
  }
  if (typesEqual(e.type, type) && e.type.kind === type.kind) return e;
  if (e.kind === 'literal' && e.value === null) return { kind: 'literal', type, value: null };
  if (type.kind === 'NULL') return e;
  if (e.kind === 'literal' && typeof e.value === 'number' && Number.isInteger(e.value) && type.kind === 'BIGINT') {
    return { kind: 'literal', type, value: BigInt(e.value) };
  }
  return cast(e, type);
}

function cast(e: BoundExpr, type: SqlType): BoundExpr {
  return { kind: 'cast', type, operand: e, try: false };
}

/** The type an untyped expression takes when nothing in its context decides: text. */
export function settle(e: BoundExpr, env: BindEnv, pos: number): BoundExpr {
  if (!env.isUnknown(e)) return e;
  return coerceTo(e, STRING, env, pos);
}

/**
 * Unifies expressions to one type (CASE branches, IN lists, VALUES columns, COALESCE):
 * typed ones decide; untyped ones follow; all-untyped ones become text.
 */
export function unify(
  es: readonly BoundExpr[],
  env: BindEnv,
  pos: number,
  what: string,
): { type: SqlType; exprs: BoundExpr[] } {
  const typed = es.filter((e) => !env.isUnknown(e)).map((e) => e.type);
  let type: SqlType | undefined;
  if (typed.length === 0) type = es.length === 0 ? NULL_TYPE : STRING;
  else {
    type = env.ctx.coercion.commonType(typed);
    if (type === undefined) {
      const first = typed[0]!;
      const other = typed.find((t) => env.ctx.coercion.commonType([first, t]) === undefined) ?? typed[1]!;
      throw new SqlError(
        SqlState.DATATYPE_MISMATCH,
        `${what} types ${pgTypeDisplayName(first)} and ${pgTypeDisplayName(other)} cannot be matched`,
        { position: pos },
      );
    }
    if (type.kind === 'NULL' && es.some((e) => env.isUnknown(e))) type = STRING;
  }
  const t = type;
  return { type: t, exprs: es.map((e) => coerceTo(e, t, env, pos)) };
}

/** Display name for messages; untyped expressions show as `unknown`, like Postgres. */
export function displayType(e: BoundExpr, env: BindEnv): string {
  return env.isUnknown(e) ? 'unknown' : pgTypeDisplayName(e.type);
}
