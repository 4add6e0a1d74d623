/**
 * Set-returning functions usable in FROM: generate_series (integers, bigints,
 * timestamps / timestamptz / dates stepping by an interval), unnest (one or
 * more arrays zipped, padding with NULLs), generate_subscripts,
 * pg_get_keywords, and information_schema._pg_expandarray.
 *
 * Arguments arrive uncast, with the types the binder saw; a NULL argument
 * gives no rows (the functions are strict). Column names follow Postgres: a
 * single-column function's column is named after the function.
 */
import { BIGINT, BOOLEAN, INT, isIntegral, PG_CHAR, STRING, timestamp, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { localToUtcMicros, MICROS_PER_DAY, utcToLocalMicros } from '../values/datetime.ts';
import type { EvalContext } from './eval-context.ts';
import { pgTypeDisplayName } from './type-names.ts';
import { addMonthsToMicros } from './temporal-arithmetic.ts';
import { PG_KEYWORDS } from './keywords.ts';

export interface TableFunctionColumn {
  name: string;
  type: SqlType;
}

type Impl = (args: readonly Value[], ctx: EvalContext) => Iterable<Value[]>;

interface TableFunction {
  columns(argTypes: readonly SqlType[]): TableFunctionColumn[] | undefined;
  instantiate(argTypes: readonly SqlType[]): Impl;
}

const TABLE_FUNCTIONS = new Map<string, TableFunction>();

function noFit(name: string, argTypes: readonly SqlType[]): SqlError {
  return new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${argTypes.map(pgTypeDisplayName).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

function normalize(name: string): string {
  const n = name.toLowerCase();
  return n.startsWith('pg_catalog.') ? n.slice(11) : n.startsWith('information_schema.') ? n.slice(19) : n;
}

/** Every table function name. */
export function tableFunctionNames(): string[] {
  return [...TABLE_FUNCTIONS.keys()];
}

export function isTableFunctionName(name: string): boolean {
  return TABLE_FUNCTIONS.has(normalize(name));
}

function lookup(name: string, argTypes: readonly SqlType[]): { fn: TableFunction; columns: TableFunctionColumn[] } {
  const fn = TABLE_FUNCTIONS.get(normalize(name));
  if (fn === undefined) throw noFit(name, argTypes);
  const columns = fn.columns(argTypes);
  if (columns === undefined) throw noFit(name, argTypes);
  return { fn, columns };
}

export function tableFunctionColumns(name: string, argTypes: readonly SqlType[]): { name: string; type: SqlType }[] {
  return lookup(name, argTypes).columns;
}

export function instantiateTableFunction(name: string, argTypes: readonly SqlType[]): Impl {
  const { fn } = lookup(name, argTypes);
  const impl = fn.instantiate(argTypes);
  return (args, ctx) => {
    for (const a of args) if (a === null) return [];
    return impl(args, ctx);
  };
}

// ------------------------------------------------------------ generate_series

const isIntLike = (t: SqlType): boolean => isIntegral(t) || t.kind === 'NULL';
const isTimeLike = (t: SqlType): boolean => t.kind === 'DATE' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'NULL';
const isInterval = (t: SqlType): boolean => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH' || t.kind === 'NULL';

function stepZero(): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'step size cannot equal zero');
}

function* intSeries(start: bigint, stop: bigint, step: bigint, asBig: boolean): Generator<Value[]> {
  if (step === 0n) throw stepZero();
  for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) yield [asBig ? v : Number(v)];
}

function* timeSeries(start: number, stop: number, stepMicros: number, stepMonths: number, ltz: boolean, ctx: EvalContext): Generator<Value[]> {
  if (stepMicros === 0 && stepMonths === 0) throw stepZero();
  const forward = stepMonths > 0 || (stepMonths === 0 && stepMicros > 0);
  let i = 0;
  for (;;) {
    let v: number;
    if (stepMonths !== 0) {
      // Months from the start each time, so the 31st stays the 31st where it exists (as Postgres steps cumulatively).
      const local = ltz ? utcToLocalMicros(start, ctx.timeZone) : start;
      const moved = addMonthsToMicros(local, stepMonths * i);
      v = ltz ? localToUtcMicros(moved, ctx.timeZone) : moved;
    } else v = start + stepMicros * i;
    if (forward ? v > stop : v < stop) return;
    yield [v];
    i++;
  }
}

function toMicros(v: Value, t: SqlType): number {
  return t.kind === 'DATE' ? (v as number) * MICROS_PER_DAY : (v as number);
}

TABLE_FUNCTIONS.set('generate_series', {
  columns(argTypes) {
    if (argTypes.length === 2 || argTypes.length === 3) {
      if (argTypes.every(isIntLike)) {
        const big = argTypes.some((t) => t.kind === 'BIGINT');
        return [{ name: 'generate_series', type: big ? BIGINT : INT }];
      }
      if (argTypes.length === 3 && isTimeLike(argTypes[0]!) && isTimeLike(argTypes[1]!) && isInterval(argTypes[2]!)) {
        const ltz = argTypes[0]!.kind === 'TIMESTAMP_LTZ' || argTypes[1]!.kind === 'TIMESTAMP_LTZ';
        return [{ name: 'generate_series', type: ltz ? { kind: 'TIMESTAMP_LTZ', precision: 6 } : timestamp(6) }];
      }
    }
    return undefined;
  },
  instantiate(argTypes) {
    if (argTypes.every(isIntLike)) {
      const big = argTypes.some((t) => t.kind === 'BIGINT');
      const b = (v: Value | undefined): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
      return (a) => intSeries(b(a[0]), b(a[1]), a.length > 2 ? b(a[2]) : 1n, big);
    }
    const [t0, t1, t2] = argTypes as [SqlType, SqlType, SqlType];
    const ltz = t0.kind === 'TIMESTAMP_LTZ' || t1.kind === 'TIMESTAMP_LTZ';
    const conv = (v: Value, t: SqlType, ctx: EvalContext): number => {
      const m = toMicros(v, t);
      // Mixing zoned and local endpoints: read the local one in the session zone.
      return ltz && t.kind !== 'TIMESTAMP_LTZ' ? localToUtcMicros(m, ctx.timeZone) : m;
    };
    return (a, ctx) =>
      timeSeries(
        conv(a[0]!, t0, ctx),
        conv(a[1]!, t1, ctx),
        t2.kind === 'INTERVAL_DAY_TIME' ? (a[2] as number) : 0,
        t2.kind === 'INTERVAL_YEAR_MONTH' ? (a[2] as number) : 0,
        ltz,
        ctx,
      );
  },
});

// ------------------------------------------------------------ unnest and friends

TABLE_FUNCTIONS.set('unnest', {
  columns(argTypes) {
    if (argTypes.length === 0 || !argTypes.every((t) => t.kind === 'ARRAY' || t.kind === 'NULL')) return undefined;
    if (argTypes.length === 1) {
      const t = argTypes[0]!;
      return [{ name: 'unnest', type: t.kind === 'ARRAY' ? t.element : STRING }];
    }
    return argTypes.map((t) => ({ name: 'unnest', type: t.kind === 'ARRAY' ? t.element : STRING }));
  },
  instantiate() {
    return function* (a) {
      const arrays = a as readonly (readonly Value[])[];
      let n = 0;
      for (const arr of arrays) n = Math.max(n, arr.length);
      for (let i = 0; i < n; i++) yield arrays.map((arr) => arr[i] ?? null);
    };
  },
});

TABLE_FUNCTIONS.set('generate_subscripts', {
  columns(argTypes) {
    if ((argTypes.length !== 2 && argTypes.length !== 3) || argTypes[0]!.kind !== 'ARRAY') return undefined;
    return [{ name: 'generate_subscripts', type: INT }];
  },
  instantiate() {
    return function* (a) {
      if (a[1] !== 1) return;
      const n = (a[0] as readonly Value[]).length;
      const reverse = a[2] === true;
      for (let i = 0; i < n; i++) yield [reverse ? n - i : i + 1];
    };
  },
});

TABLE_FUNCTIONS.set('_pg_expandarray', {
  columns(argTypes) {
    const t = argTypes[0];
    if (argTypes.length !== 1 || t === undefined || t.kind !== 'ARRAY') return undefined;
    return [
      { name: 'x', type: t.element },
      { name: 'n', type: INT },
    ];
  },
  instantiate() {
    return function* (a) {
      const arr = a[0] as readonly Value[];
      for (let i = 0; i < arr.length; i++) yield [arr[i] ?? null, i + 1];
    };
  },
});

const CATEGORY_DESC: Readonly<Record<string, string>> = {
  U: 'unreserved',
  C: 'unreserved (cannot be function or type name)',
  T: 'reserved (can be function or type name)',
  R: 'reserved',
};

TABLE_FUNCTIONS.set('pg_get_keywords', {
  columns(argTypes) {
    if (argTypes.length !== 0) return undefined;
    return [
      { name: 'word', type: STRING },
      { name: 'catcode', type: PG_CHAR },
      { name: 'barelabel', type: BOOLEAN },
      { name: 'catdesc', type: STRING },
      { name: 'baredesc', type: STRING },
    ];
  },
  instantiate() {
    return function* () {
      for (const [word, cat, bare] of PG_KEYWORDS) {
        yield [word, cat, bare, CATEGORY_DESC[cat] ?? null, bare ? 'can be bare label' : 'requires AS'];
      }
    };
  },
});
