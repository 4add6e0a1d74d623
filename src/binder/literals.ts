/**
 * Literal typing and bind-time evaluation.
 *
 * - Numbers: an integer that fits INT is INT, else BIGINT, else DECIMAL(p, 0);
 *   with a '.' it is the exact DECIMAL(p, s) it spells; beyond 38 digits an
 *   unconstrained NUMERIC with the scale it spells; with an exponent DOUBLE.
 * - Text converted to a type at bind time (untyped string literals meeting a
 *   typed context, DATE '...' and other typed literals) goes through the type's
 *   input function; REGCLASS / REGTYPE / REGPROC names are resolved here,
 *   because the value layer only accepts numeric OIDs.
 */
import { BIGINT, decimal, DOUBLE, INT, NUMERIC, type SqlType } from '../../catalog/types.ts';
import { pgProcOidByName } from '../../catalog/pg-catalog/proc-table.ts';
import { pgTypeOidByName } from '../../catalog/pg-catalog/type-table.ts';
import { splitQualifiedName } from '../../catalog/catalog-lookup.ts';
import { SqlError, SqlState } from '../errors.ts';
import { Numeric } from '../values/numeric.ts';
import { parseValue } from '../values/text-parse.ts';
import type { BoundLiteral } from './bound-expr.ts';
import type { BinderContext } from './bind-env.ts';

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const BIGINT_MIN = -9223372036854775808n;
const BIGINT_MAX = 9223372036854775807n;

/** The literal a number spells; `negate` folds a leading unary minus (so -2147483648 stays INT). */
export function numberLiteral(text: string, negate: boolean, pos: number): BoundLiteral {
  const t = text.replace(/_/g, '');
  if (/[eE]/.test(t)) {
    const v = Number(t);
    return { kind: 'literal', type: DOUBLE, value: negate ? -v : v };
  }
  const dot = t.indexOf('.');
  if (dot < 0) {
    let v = BigInt(t);
    if (negate) v = -v;
    if (v >= INT_MIN && v <= INT_MAX) return { kind: 'literal', type: INT, value: Number(v) };
    if (v >= BIGINT_MIN && v <= BIGINT_MAX) return { kind: 'literal', type: BIGINT, value: v };
    return decimalLiteral(t.replace(/^0+(?=\d)/, ''), '', negate);
  }
  return decimalLiteral(t.slice(0, dot), t.slice(dot + 1), negate);
}

function decimalLiteral(intPart: string, fracPart: string, negate: boolean): BoundLiteral {
  const intDigits = intPart.replace(/^0+/, '');
  const scale = fracPart.length;
  const precision = Math.max(intDigits.length + scale, 1);
  let unscaled = BigInt(`${intDigits}${fracPart}` || '0');
  if (negate) unscaled = -unscaled;
  // Beyond DECIMAL's 38 digits the literal is an unconstrained NUMERIC, exact as in Postgres.
  if (precision > 38) return { kind: 'literal', type: NUMERIC, value: new Numeric(unscaled, scale) };
  return { kind: 'literal', type: decimal(precision, scale), value: unscaled };
}

/** Converts literal text to `type` at bind time, with the error pointing at `pos`. */
export function textToLiteral(text: string, type: SqlType, ctx: BinderContext, pos: number): BoundLiteral {
  try {
    switch (type.kind) {
      case 'REGCLASS':
        return { kind: 'literal', type, value: regclassOid(text, ctx) };
      case 'REGTYPE': {
        if (/^\s*\d+\s*$/.test(text)) break;
        const oid = pgTypeOidByName(text);
        if (oid === undefined) throw new SqlError(SqlState.UNDEFINED_OBJECT, `type "${text}" does not exist`);
        return { kind: 'literal', type, value: oid };
      }
      case 'REGPROC': {
        if (/^\s*\d+\s*$/.test(text)) break;
        const oid = pgProcOidByName(text);
        if (oid === undefined) throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function "${text}" does not exist`);
        return { kind: 'literal', type, value: oid };
      }
      default:
        break;
    }
    return { kind: 'literal', type, value: parseValue(text, type, { timeZone: ctx.timeZone }) };
  } catch (err) {
    if (err instanceof SqlError) throw err.at(pos);
    throw err;
  }
}

function regclassOid(text: string, ctx: BinderContext): number {
  if (/^\s*\d+\s*$/.test(text)) return Number(text.trim());
  const parts = splitQualifiedName(text);
  const entry = parts === undefined ? undefined : ctx.lookup(parts);
  if (entry === undefined) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${text}" does not exist`);
  return entry.id;
}
