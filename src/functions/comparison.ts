/**
 * Comparison operators = <> < <= > >= over any comparable pair (both sides
 * are cast to their common type), IS DISTINCT FROM (non-strict), and the
 * quantified forms `any:<op>` / `all:<op>` over (T, ARRAY<T>) with SQL
 * three-valued logic: ANY is TRUE if some element compares TRUE, else NULL if
 * the operand or some element is NULL, else FALSE; ALL dually. An empty array
 * gives FALSE for ANY and TRUE for ALL even with a NULL operand.
 *
 * Two types without a common type are not comparable: 42883
 * `operator does not exist: text = integer`.
 */
import { BOOLEAN, isNumeric, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { compareValues } from '../values/compare.ts';
import { coercion } from './coercion.ts';
import { generic, type Match } from './registry.ts';
import { pgTypeDisplayName } from './type-names.ts';

export const COMPARISON_OPS = ['=', '<>', '<', '<=', '>', '>='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export function testComparison(op: ComparisonOp, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** The common type two compared values are cast to, or undefined. */
export function comparisonType(a: SqlType, b: SqlType): SqlType | undefined {
  // Postgres compares timestamp / date with timestamptz by reading the former in the session zone.
  if (a.kind === 'TIMESTAMP_LTZ' && (b.kind === 'TIMESTAMP' || b.kind === 'DATE')) return a;
  if (b.kind === 'TIMESTAMP_LTZ' && (a.kind === 'TIMESTAMP' || a.kind === 'DATE')) return b;
  const t = coercion.commonType([a, b]);
  if (t === undefined) return undefined;
  return t.kind === 'NULL' ? { kind: 'VARCHAR', length: 2147483647 } : t;
}

function operatorMissing(op: string, a: SqlType, b: SqlType): SqlError {
  return new SqlError(SqlState.UNDEFINED_FUNCTION, `operator does not exist: ${pgTypeDisplayName(a)} ${op} ${pgTypeDisplayName(b)}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
  });
}

function pairMatch(op: string, args: readonly SqlType[]): Match | undefined {
  if (args.length !== 2) return undefined;
  const a = args[0]!;
  const b = args[1]!;
  const t = comparisonType(a, b);
  if (t === undefined) {
    // Comparing a number with a string or two unrelated kinds: report like Postgres.
    if (a.kind !== 'NULL' && b.kind !== 'NULL' && (isNumeric(a) || isNumeric(b) || a.kind !== b.kind)) throw operatorMissing(op, a, b);
    return undefined;
  }
  const cost = (a.kind === t.kind ? 0 : 1) + (b.kind === t.kind ? 0 : 1);
  return { argTypes: [t, t], returnType: BOOLEAN, cost };
}

for (const op of COMPARISON_OPS) {
  generic({
    name: op,
    id: `cmp${op}`,
    match: (args) => pairMatch(op, args),
    make: (argTypes) => {
      const t = argTypes[0]!;
      return (a) => testComparison(op, compareValues(a[0]!, a[1]!, t));
    },
  });
}

for (const [name, negate] of [
  ['is_distinct_from', false],
  ['is_not_distinct_from', true],
] as const) {
  generic({
    name,
    id: name,
    strict: false,
    match: (args) => pairMatch(name === 'is_distinct_from' ? 'IS DISTINCT FROM' : 'IS NOT DISTINCT FROM', args),
    make: (argTypes) => {
      const t = argTypes[0]!;
      return (a) => {
        const x = a[0]!;
        const y = a[1]!;
        let distinct: boolean;
        if (x === null || y === null) distinct = x !== y;
        else distinct = compareValues(x, y, t) !== 0;
        return distinct !== negate;
      };
    },
  });
}

function quantifiedMatch(op: string, args: readonly SqlType[]): Match | undefined {
  if (args.length !== 2) return undefined;
  const a = args[0]!;
  const arr = args[1]!;
  const el = arr.kind === 'ARRAY' ? arr.element : arr.kind === 'NULL' ? a : undefined;
  if (el === undefined) {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `op ANY/ALL (array) requires array on right side`);
  }
  const t = comparisonType(a, el);
  if (t === undefined) throw operatorMissing(op, a, el);
  return { argTypes: [t, { kind: 'ARRAY', element: t }], returnType: BOOLEAN, cost: 0 };
}

for (const op of COMPARISON_OPS) {
  for (const all of [false, true]) {
    generic({
      name: `${all ? 'all' : 'any'}:${op}`,
      id: `${all ? 'all' : 'any'}:${op}`,
      strict: false,
      match: (args) => quantifiedMatch(op, args),
      make: (argTypes) => {
        const t = argTypes[0]!;
        return (a) => {
          const arr = a[1]!;
          if (arr === null) return null;
          const elems = arr as readonly Value[];
          if (elems.length === 0) return all;
          const x = a[0]!;
          if (x === null) return null;
          let sawNull = false;
          for (const e of elems) {
            if (e === null) {
              sawNull = true;
              continue;
            }
            const r = testComparison(op, compareValues(x, e, t));
            if (r !== all) return r;
          }
          return sawNull ? null : all;
        };
      },
    });
  }
}
