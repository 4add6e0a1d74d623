/**
 * Conditional functions over a common type (coercion.commonType):
 * coalesce (first non-NULL), nullif (NULL when equal), greatest / least
 * (Postgres ignores NULL arguments; NULL only when all are NULL),
 * if(cond, a, b) (Flink; a NULL condition picks b), ifnull, nvl,
 * num_nulls / num_nonnulls. All non-strict.
 */
import { BOOLEAN, INT, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { compareValues } from '../values/compare.ts';
import { coercion } from './coercion.ts';
import { generic, type Match } from './registry.ts';
import { pgTypeDisplayName } from './type-names.ts';

const TEXT: SqlType = { kind: 'VARCHAR', length: 2147483647 };

/** Common type of `args` (NULL-only lists become text), or a 42804 error naming the clash. */
export function commonOf(what: string, args: readonly SqlType[]): SqlType {
  const t = coercion.commonType(args);
  if (t === undefined) {
    const first = args.find((x) => x.kind !== 'NULL') ?? args[0]!;
    const other = args.find((x) => coercion.commonType([first, x]) === undefined) ?? first;
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `${what} types ${pgTypeDisplayName(first)} and ${pgTypeDisplayName(other)} cannot be matched`);
  }
  return t.kind === 'NULL' ? TEXT : t;
}

function sameTypeMatch(what: string, min: number): (args: readonly SqlType[]) => Match | undefined {
  return (args) => {
    if (args.length < min) return undefined;
    const t = commonOf(what, args);
    return { argTypes: args.map(() => t), returnType: t, cost: 0 };
  };
}

generic({
  name: ['coalesce', 'ifnull', 'nvl'],
  id: 'coalesce',
  strict: false,
  match: sameTypeMatch('COALESCE', 1),
  make: () => (a) => {
    for (const v of a) if (v !== null) return v;
    return null;
  },
});

generic({
  name: 'nullif',
  id: 'nullif',
  strict: false,
  match: (args) => {
    if (args.length !== 2) return undefined;
    const t = commonOf('NULLIF', args);
    // The result has the first argument's type (Postgres); compare in the common type.
    return { argTypes: [t, t], returnType: t, cost: 0 };
  },
  make: (argTypes) => {
    const t = argTypes[0]!;
    return (a) => {
      const x = a[0]!;
      const y = a[1]!;
      if (x === null) return null;
      if (y === null) return x;
      return compareValues(x, y, t) === 0 ? null : x;
    };
  },
});

for (const [name, sign] of [
  ['greatest', 1],
  ['least', -1],
] as const) {
  generic({
    name,
    id: name,
    strict: false,
    match: sameTypeMatch(name.toUpperCase(), 1),
    make: (argTypes) => {
      const t = argTypes[0]!;
      return (a) => {
        let best: Value = null;
        for (const v of a) {
          if (v === null) continue;
          if (best === null || sign * compareValues(v, best, t) > 0) best = v;
        }
        return best;
      };
    },
  });
}

generic({
  name: 'if',
  id: 'if',
  strict: false,
  match: (args) => {
    if (args.length !== 3) return undefined;
    const c = args[0]!;
    if (c.kind !== 'BOOLEAN' && c.kind !== 'NULL') return undefined;
    const t = commonOf('IF', [args[1]!, args[2]!]);
    return { argTypes: [BOOLEAN, t, t], returnType: t, cost: 0 };
  },
  make: () => (a) => (a[0] === true ? a[1]! : a[2]!),
});

for (const [name, countNulls] of [
  ['num_nulls', true],
  ['num_nonnulls', false],
] as const) {
  generic({
    name,
    id: name,
    strict: false,
    match: (args) => (args.length >= 1 ? { argTypes: args.map((t) => (t.kind === 'NULL' ? TEXT : t)), returnType: INT, cost: 0 } : undefined),
    make: () => (a) => {
      let n = 0;
      for (const v of a) if ((v === null) === countNulls) n++;
      return n;
    },
  });
}
