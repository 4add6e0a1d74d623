/**
 * Arrays, rows and maps: array_constructor (ARRAY[...]), row_constructor
 * (ROW(...)), subscript (1-based; out of range or NULL index gives NULL; maps
 * by key), array || array / element, array_append / array_prepend / array_cat,
 * array_length / array_lower / array_upper (dimension 1; NULL for an empty
 * array or another dimension, as Postgres), cardinality, array_position,
 * array_contains (Flink), array_remove, element (Flink: the only element).
 * Arrays are one-dimensional values indexed from 1.
 */
import { BOOLEAN, INT, typesEqual, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { compareValues, valuesEqual } from '../values/compare.ts';
import { commonOf } from './conditional.ts';
import { generic, paramCost, type Match } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';

const TEXT: SqlType = { kind: 'VARCHAR', length: 2147483647 };

function arrayOf(t: SqlType): SqlType {
  return { kind: 'ARRAY', element: t };
}

generic({
  name: 'array_constructor',
  id: 'array_constructor',
  strict: false,
  match: (args) => {
    if (args.length === 0) return { argTypes: [], returnType: arrayOf(TEXT), cost: 0 };
    const t = commonOf('ARRAY', args);
    return { argTypes: args.map(() => t), returnType: arrayOf(t), cost: 0 };
  },
  make: () => (a) => a.slice(),
});

/** MAP[k1, v1, k2, v2, ...] (Flink): keys and values each of one common type; a repeated key keeps its last value. */
generic({
  name: 'map_constructor',
  id: 'map_constructor',
  strict: false,
  match: (args) => {
    if (args.length % 2 !== 0) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'MAP[...] needs an even number of arguments: key, value, key, value, ...');
    }
    if (args.length === 0) return { argTypes: [], returnType: { kind: 'MAP', key: TEXT, value: TEXT }, cost: 0 };
    const k = commonOf('MAP', args.filter((_, i) => i % 2 === 0));
    const v = commonOf('MAP', args.filter((_, i) => i % 2 === 1));
    return { argTypes: args.map((_, i) => (i % 2 === 0 ? k : v)), returnType: { kind: 'MAP', key: k, value: v }, cost: 0 };
  },
  make: () => (a) => {
    const m = new Map<Value, Value>();
    for (let i = 0; i < a.length; i += 2) m.set(a[i]!, a[i + 1]!);
    return m;
  },
});

generic({
  name: 'row_constructor',
  id: 'row_constructor',
  strict: false,
  match: (args) => {
    const types = args.map((t) => (t.kind === 'NULL' ? TEXT : t));
    return { argTypes: types, returnType: { kind: 'ROW', fields: types.map((type, i) => ({ name: `f${i + 1}`, type })) }, cost: 0 };
  },
  make: () => (a) => a.slice(),
});

generic({
  name: 'subscript',
  id: 'subscript',
  match: (args): Match | undefined => {
    if (args.length !== 2) return undefined;
    const c = args[0]!;
    if (c.kind === 'ARRAY') {
      const i = paramCost(args[1]!, INT) ?? (args[1]!.kind === 'BIGINT' ? { cost: 1, target: args[1]! } : undefined);
      if (i === undefined) throw new SqlError(SqlState.DATATYPE_MISMATCH, 'array subscript must have type integer');
      return { argTypes: [c, i.target], returnType: c.element, cost: 0 };
    }
    if (c.kind === 'MAP') {
      const k = paramCost(args[1]!, c.key);
      if (k === undefined) return undefined;
      return { argTypes: [c, c.key], returnType: c.value, cost: 0 };
    }
    if (c.kind === 'ROW') {
      const i = paramCost(args[1]!, INT);
      if (i === undefined) return undefined;
      // Row fields by position need a constant index to type the result; only a one-type row qualifies.
      const t0 = c.fields[0]?.type;
      if (t0 === undefined || !c.fields.every((f) => f.type.kind === t0.kind)) return undefined;
      return { argTypes: [c, INT], returnType: t0, cost: 0 };
    }
    return undefined;
  },
  make: (argTypes): ScalarImpl => {
    const c = argTypes[0]!;
    if (c.kind === 'MAP') {
      const kt = c.key;
      return (a) => {
        const m = a[0] as ReadonlyMap<Value, Value>;
        const direct = m.get(a[1]!);
        if (direct !== undefined) return direct;
        for (const [k, v] of m) if (k !== null && valuesEqual(k, a[1]!, kt)) return v;
        return null;
      };
    }
    return (a) => {
      const arr = a[0] as readonly Value[];
      const i = Number(a[1] as number | bigint);
      return i >= 1 && i <= arr.length ? (arr[i - 1] ?? null) : null;
    };
  },
});

/** The common element type of two array-ish operands, or undefined. */
function arrayElement(t: SqlType): SqlType | undefined {
  return t.kind === 'ARRAY' ? t.element : undefined;
}

generic({
  name: ['||', 'array_cat'],
  id: 'array||',
  strict: false,
  match: (args) => {
    if (args.length !== 2) return undefined;
    const [a, b] = args as [SqlType, SqlType];
    const ea = arrayElement(a);
    const eb = arrayElement(b);
    if (ea === undefined && eb === undefined) return undefined;
    if (ea !== undefined && eb !== undefined) {
      const t = commonOf('ARRAY', [ea, eb]);
      return { argTypes: [arrayOf(t), arrayOf(t)], returnType: arrayOf(t), cost: 0 };
    }
    if (ea !== undefined) {
      if (b.kind === 'NULL') {
        // Postgres resolves `arr || NULL` as array || array.
        const t = commonOf('ARRAY', [ea]);
        return { argTypes: [arrayOf(t), arrayOf(t)], returnType: arrayOf(t), cost: 1 };
      }
      const t = commonOf('ARRAY', [ea, b]);
      return { argTypes: [arrayOf(t), t], returnType: arrayOf(t), cost: 1 };
    }
    const t = commonOf('ARRAY', [a, eb!]);
    return { argTypes: [t, arrayOf(t)], returnType: arrayOf(t), cost: 1 };
  },
  make: (argTypes) => {
    const la = argTypes[0]!.kind === 'ARRAY';
    const ra = argTypes[1]!.kind === 'ARRAY';
    if (la && ra) {
      return (a) => {
        if (a[0] === null) return a[1]!;
        if (a[1] === null) return a[0]!;
        return [...(a[0] as readonly Value[]), ...(a[1] as readonly Value[])];
      };
    }
    if (la) return (a) => (a[0] === null ? [a[1]!] : [...(a[0] as readonly Value[]), a[1]!]);
    return (a) => (a[1] === null ? [a[0]!] : [a[0]!, ...(a[1] as readonly Value[])]);
  },
});

generic({
  name: 'array_append',
  id: 'array_append',
  strict: false,
  match: (args) => {
    if (args.length !== 2) return undefined;
    const e = arrayElement(args[0]!) ?? (args[0]!.kind === 'NULL' ? args[1]! : undefined);
    if (e === undefined) return undefined;
    const t = commonOf('ARRAY', [e, args[1]!]);
    return { argTypes: [arrayOf(t), t], returnType: arrayOf(t), cost: 0 };
  },
  make: () => (a) => (a[0] === null ? [a[1]!] : [...(a[0] as readonly Value[]), a[1]!]),
});

generic({
  name: 'array_prepend',
  id: 'array_prepend',
  strict: false,
  match: (args) => {
    if (args.length !== 2) return undefined;
    const e = arrayElement(args[1]!) ?? (args[1]!.kind === 'NULL' ? args[0]! : undefined);
    if (e === undefined) return undefined;
    const t = commonOf('ARRAY', [args[0]!, e]);
    return { argTypes: [t, arrayOf(t)], returnType: arrayOf(t), cost: 0 };
  },
  make: () => (a) => (a[1] === null ? [a[0]!] : [a[0]!, ...(a[1] as readonly Value[])]),
});

function arrayArgs(n: number, extra: (args: readonly SqlType[]) => readonly SqlType[] | undefined, ret: (t: SqlType) => SqlType) {
  return (args: readonly SqlType[]): Match | undefined => {
    if (args.length !== n) return undefined;
    const a = args[0]!;
    if (a.kind !== 'ARRAY') return undefined;
    const rest = extra(args);
    if (rest === undefined) return undefined;
    return { argTypes: [a, ...rest], returnType: ret(a), cost: 0 };
  };
}

const dimArg = (args: readonly SqlType[]): readonly SqlType[] | undefined => (paramCost(args[1]!, INT) !== undefined ? [INT] : undefined);

generic({
  name: 'array_length',
  id: 'array_length',
  match: arrayArgs(2, dimArg, () => INT),
  make: () => (a) => ((a[1] as number) === 1 && (a[0] as readonly Value[]).length > 0 ? (a[0] as readonly Value[]).length : null),
});
generic({
  name: 'array_lower',
  id: 'array_lower',
  match: arrayArgs(2, dimArg, () => INT),
  make: () => (a) => ((a[1] as number) === 1 && (a[0] as readonly Value[]).length > 0 ? 1 : null),
});
generic({
  name: 'array_upper',
  id: 'array_upper',
  match: arrayArgs(2, dimArg, () => INT),
  make: () => (a) => ((a[1] as number) === 1 && (a[0] as readonly Value[]).length > 0 ? (a[0] as readonly Value[]).length : null),
});
generic({
  name: 'array_ndims',
  id: 'array_ndims',
  match: arrayArgs(1, () => [], () => INT),
  make: () => (a) => ((a[0] as readonly Value[]).length > 0 ? 1 : null),
});
generic({
  name: 'cardinality',
  id: 'cardinality',
  match: (args) =>
    args.length === 1 && (args[0]!.kind === 'ARRAY' || args[0]!.kind === 'MAP') ? { argTypes: args, returnType: INT, cost: 0 } : undefined,
  make: (argTypes) =>
    argTypes[0]!.kind === 'MAP' ? (a) => (a[0] as ReadonlyMap<Value, Value>).size : (a) => (a[0] as readonly Value[]).length,
});

function elementArg(args: readonly SqlType[]): readonly SqlType[] | undefined {
  const el = (args[0] as { element: SqlType }).element;
  const c = paramCost(args[1]!, el);
  return c === undefined ? undefined : [el];
}

function findIndex(arr: readonly Value[], x: Value, el: SqlType): number {
  for (let i = 0; i < arr.length; i++) {
    const e = arr[i]!;
    if (e === null ? x === null : x !== null && compareValues(e, x, el) === 0) return i;
  }
  return -1;
}

generic({
  name: 'array_position',
  id: 'array_position',
  strict: false,
  match: arrayArgs(2, elementArg, () => INT),
  make: (argTypes) => {
    const el = (argTypes[0] as { element: SqlType }).element;
    return (a) => {
      if (a[0] === null) return null;
      const i = findIndex(a[0] as readonly Value[], a[1]!, el);
      return i < 0 ? null : i + 1;
    };
  },
});
generic({
  name: 'array_contains',
  id: 'array_contains',
  strict: false,
  match: arrayArgs(2, elementArg, () => BOOLEAN),
  make: (argTypes) => {
    const el = (argTypes[0] as { element: SqlType }).element;
    return (a) => (a[0] === null ? null : findIndex(a[0] as readonly Value[], a[1]!, el) >= 0);
  },
});
generic({
  name: 'array_remove',
  id: 'array_remove',
  strict: false,
  match: arrayArgs(2, elementArg, (t) => t),
  make: (argTypes) => {
    const el = (argTypes[0] as { element: SqlType }).element;
    return (a) => {
      if (a[0] === null) return null;
      const x = a[1]!;
      return (a[0] as readonly Value[]).filter((e) => !(e === null ? x === null : x !== null && compareValues(e, x, el) === 0));
    };
  },
});
generic({
  name: 'element',
  id: 'element',
  match: arrayArgs(1, () => [], (t) => (t as { element: SqlType }).element),
  make: () => (a) => {
    const arr = a[0] as readonly Value[];
    if (arr.length > 1) throw new SqlError(SqlState.CARDINALITY_VIOLATION, 'ELEMENT of an array with more than one element');
    return arr[0] ?? null;
  },
});

/** a[lo:hi]: the elements from lo to hi (1-based, inclusive, clipped); a NULL bound is open. */
generic({
  name: 'array_slice',
  id: 'array_slice',
  strict: false,
  match: (args) => {
    if (args.length !== 3 || args[0]!.kind !== 'ARRAY') return undefined;
    const bound = (t: SqlType): SqlType | undefined => (t.kind === 'BIGINT' ? t : paramCost(t, INT) !== undefined ? INT : undefined);
    const lo = bound(args[1]!);
    const hi = bound(args[2]!);
    if (lo === undefined || hi === undefined) throw new SqlError(SqlState.DATATYPE_MISMATCH, 'array subscript must have type integer');
    return { argTypes: [args[0]!, lo, hi], returnType: args[0]!, cost: 0 };
  },
  make: () => (a) => {
    if (a[0] === null) return null;
    const arr = a[0] as readonly Value[];
    const lo = a[1] === null ? 1 : Math.max(1, Number(a[1] as number | bigint));
    const hi = a[2] === null ? arr.length : Math.min(arr.length, Number(a[2] as number | bigint));
    return hi < lo ? [] : arr.slice(lo - 1, hi);
  },
});

/**
 * (row).field, bound as row_field(row, position literal). The result type
 * needs the position's value, which resolution by types cannot see: it is
 * resolved here only for rows whose fields share one type; the binder types
 * other rows itself (the implementation works for any row).
 */
generic({
  name: 'row_field',
  id: 'row_field',
  match: (args) => {
    const r = args[0];
    if (args.length !== 2 || r === undefined || r.kind !== 'ROW' || paramCost(args[1]!, INT) === undefined) return undefined;
    const t0 = r.fields[0]?.type;
    if (t0 === undefined || !r.fields.every((f) => typesEqual(f.type, t0))) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'field access on a row with fields of different types needs the field position at bind time');
    }
    return { argTypes: [r, INT], returnType: t0, cost: 0 };
  },
  make: () => (a) => (a[0] as readonly Value[])[(a[1] as number) - 1] ?? null,
});

/** Postgres array containment / overlap: @> <@ && (NULL elements never match). */
function containsAll(hay: readonly Value[], needles: readonly Value[], el: SqlType): boolean {
  for (const n of needles) {
    if (n === null) return false;
    if (!hay.some((h) => h !== null && compareValues(h, n, el) === 0)) return false;
  }
  return true;
}

for (const op of ['@>', '<@', '&&'] as const) {
  generic({
    name: op,
    id: `array${op}`,
    match: (args) => {
      if (args.length !== 2) return undefined;
      const ea = arrayElement(args[0]!);
      const eb = arrayElement(args[1]!);
      if (ea === undefined || eb === undefined) return undefined;
      const t = commonOf('ARRAY', [ea, eb]);
      return { argTypes: [arrayOf(t), arrayOf(t)], returnType: BOOLEAN, cost: 0 };
    },
    make: (argTypes) => {
      const el = (argTypes[0] as { element: SqlType }).element;
      const x = (a: readonly Value[]): readonly Value[] => a[0] as readonly Value[];
      const y = (a: readonly Value[]): readonly Value[] => a[1] as readonly Value[];
      if (op === '@>') return (a) => containsAll(x(a), y(a), el);
      if (op === '<@') return (a) => containsAll(y(a), x(a), el);
      return (a) => x(a).some((v) => v !== null && y(a).some((w) => w !== null && compareValues(v, w, el) === 0));
    },
  });
}
