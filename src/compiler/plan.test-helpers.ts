/**
 * Test helpers: hand-built plans and expressions, an in-memory RowSource, a
 * small fake function library (arithmetic, comparisons), fake accumulators
 * and table functions standing in for src/functions, and a runner.
 */
import { BIGINT, BOOLEAN, INT, STRING, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan, PlanColumn, ScanNode, Schema, SortKey } from '../planner/logical-plan.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import type { FunctionLibrary, ScalarImpl } from '../functions/signatures.ts';
import { castFunction } from '../values/cast.ts';
import { SqlError } from '../errors.ts';
import type { ExecEnv, RowSource } from './compile.ts';
import type { ExecDeps } from './exec-context.ts';
import { runQuery } from './query-runner.ts';

export function schemaOf(types: readonly SqlType[], prefix = 'c'): Schema {
  return types.map((type, i): PlanColumn => ({ name: `${prefix}${i}`, type, nullable: true }));
}

export function scanNode(relationId: number, types: readonly SqlType[], opts: { filter?: BoundExpr; unbounded?: boolean } = {}): ScanNode {
  return {
    kind: 'scan',
    source: 'stored',
    relationId,
    relationName: `t${relationId}`,
    columns: types.map((_, i) => i),
    ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
    unbounded: opts.unbounded ?? false,
    schema: schemaOf(types),
  };
}

export const col = (index: number, type: SqlType = INT): BoundExpr => ({ kind: 'column', index, type });
export const lit = (value: Value, type: SqlType = INT): BoundExpr => ({ kind: 'literal', value, type });
export const outer = (index: number, depth = 1, type: SqlType = INT): BoundExpr => ({ kind: 'outer', index, depth, type });
export const param = (index: number, type: SqlType = INT): BoundExpr => ({ kind: 'param', index, type });

/** A call of the fake library: fn is one of FAKE_FUNCTIONS' ids. */
export function call(fn: string, args: readonly BoundExpr[], type: SqlType = INT): BoundExpr {
  return { kind: 'call', fn, name: fn, args, type, volatile: false };
}
export const eq = (a: BoundExpr, b: BoundExpr): BoundExpr => call('eq', [a, b], BOOLEAN);
export const lt = (a: BoundExpr, b: BoundExpr): BoundExpr => call('lt', [a, b], BOOLEAN);
export const gt = (a: BoundExpr, b: BoundExpr): BoundExpr => call('gt', [a, b], BOOLEAN);
export const add = (a: BoundExpr, b: BoundExpr): BoundExpr => call('add', [a, b], INT);

export const asc = (expr: BoundExpr): SortKey => ({ expr, desc: false, nullsFirst: false });
export const desc = (expr: BoundExpr): SortKey => ({ expr, desc: true, nullsFirst: true });

const FAKE_FUNCTIONS: Record<string, { impl: ScalarImpl; strict: boolean }> = {
  add: { impl: (a) => (a[0] as number) + (a[1] as number), strict: true },
  mul: { impl: (a) => (a[0] as number) * (a[1] as number), strict: true },
  div: {
    impl: (a) => {
      if (a[1] === 0) throw new SqlError('22012', 'division by zero');
      return Math.trunc((a[0] as number) / (a[1] as number));
    },
    strict: true,
  },
  eq: { impl: (a) => a[0] === a[1], strict: true },
  lt: { impl: (a) => (a[0] as number) < (a[1] as number), strict: true },
  gt: { impl: (a) => (a[0] as number) > (a[1] as number), strict: true },
  is_distinct_from: { impl: (a) => a[0] !== a[1], strict: false },
  counter: { impl: () => ++fakeCounter.calls, strict: true },
};

/** Counts calls of the fake `counter()` function. */
export const fakeCounter = { calls: 0 };

export const fakeFunctions: FunctionLibrary = {
  resolveScalar(name, argTypes) {
    const f = FAKE_FUNCTIONS[name];
    if (f === undefined) return undefined;
    return { id: name, argTypes, returnType: INT, strict: f.strict, volatile: false };
  },
  instantiateScalar(id) {
    const f = FAKE_FUNCTIONS[id];
    if (f === undefined) throw new SqlError('42883', `function ${id} does not exist`);
    return f.impl;
  },
  resolveAggregate: () => undefined,
  resolveWindowFunction: () => undefined,
  isTableFunction: (name) => name === 'generate_series',
};

function num(v: Value): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Fake accumulators with the contract of src/functions/aggregates.ts (NULLs already skipped by the operator). */
export const fakeAccumulators: ExecDeps['accumulators'] = (fn, _argTypes, returnType) => {
  switch (fn) {
    case 'count':
    case 'count_star':
      return () => {
        let n = 0;
        return { add: () => void n++, remove: () => void n--, result: () => BigInt(n) };
      };
    case 'sum':
      return () => {
        let s = 0;
        let n = 0;
        return {
          add: (v) => void ((s += num(v)), n++),
          remove: (v) => void ((s -= num(v)), n--),
          result: () => (n === 0 ? null : returnType.kind === 'BIGINT' ? BigInt(s) : s),
        };
      };
    case 'min':
    case 'max':
      return () => {
        let m: Value = null;
        const better = fn === 'min' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
        return { add: (v) => void (m === null || better(num(v), num(m)) ? (m = v) : 0), result: () => m };
      };
    case 'string_agg':
      return () => {
        let s: string | null = null;
        return {
          add: (v) => {
            const [x, d] = v as readonly Value[];
            s = s === null ? (x as string) : s + ((d as string | null) ?? '') + (x as string);
          },
          result: () => s,
        };
      };
    case 'array_agg':
      return () => {
        const a: Value[] = [];
        return { add: (v) => void a.push(v), result: () => (a.length === 0 ? null : a.slice()) };
      };
    default:
      throw new SqlError('0A000', `fake aggregate ${fn} is not implemented`);
  }
};

export const fakeTableFunctions: ExecDeps['tableFunctions'] = (name) => {
  if (name !== 'generate_series') throw new SqlError('42883', `function ${name} does not exist`);
  return function* (args) {
    if (args[0] === null || args[1] === null) return;
    const step = args.length > 2 ? num(args[2]!) : 1;
    for (let i = num(args[0]!); step > 0 ? i <= num(args[1]!) : i >= num(args[1]!); i += step) yield [i];
  };
};

export const FAKE_DEPS: ExecDeps = { accumulators: fakeAccumulators, tableFunctions: fakeTableFunctions };

export const testContext: EvalContext = {
  user: 'test',
  database: 'test',
  timeZone: 'UTC',
  statementTime: 0,
  setting: () => undefined,
  catalog: {
    relationById: () => undefined,
    relationOidByName: () => undefined,
    typeNameByOid: () => undefined,
    typeOidByName: () => undefined,
    functionNameByOid: () => undefined,
    functionOidByName: () => undefined,
    sqlTypeByOid: () => undefined,
  },
  backendPid: 1,
};

/** An in-memory RowSource over `tables` (relationId -> rows), yielding batches of `batchSize` rows. */
export class MemorySource implements RowSource {
  readonly tables: Map<number, Row[]>;
  readonly batchSize: number;
  opened = 0;
  closed = 0;
  batchesRead = 0;

  constructor(tables: Record<number, Row[]>, batchSize = 3) {
    this.tables = new Map(Object.entries(tables).map(([k, v]) => [Number(k), v]));
    this.batchSize = batchSize;
  }

  async *scan(node: ScanNode): AsyncIterable<Row[]> {
    this.opened++;
    try {
      const rows = this.tables.get(node.relationId);
      if (rows === undefined) {
        // An unknown relation: an endless stream of increasing integers.
        for (let i = 0; ; i += this.batchSize) {
          this.batchesRead++;
          // Yield to timers, as a real source waiting on I/O does.
          await new Promise((resolve) => setImmediate(resolve));
          yield Array.from({ length: this.batchSize }, (_, j) => node.columns.map(() => i + j));
        }
      }
      for (let i = 0; i < rows.length; i += this.batchSize) {
        this.batchesRead++;
        await Promise.resolve();
        yield rows.slice(i, i + this.batchSize).map((r) => node.columns.map((c) => r[c] ?? null));
      }
    } finally {
      this.closed++;
    }
  }
}

export function testEnv(source: RowSource, opts: { params?: readonly Value[]; signal?: AbortSignal } = {}): ExecEnv {
  return {
    ctx: testContext,
    params: opts.params ?? [],
    source,
    functions: fakeFunctions,
    cast: castFunction,
    signal: opts.signal ?? new AbortController().signal,
  };
}

/** Runs `plan` over `tables` with the fake library and returns all rows. */
export async function runPlan(
  plan: LogicalPlan,
  tables: Record<number, Row[]> | MemorySource = {},
  opts: { params?: readonly Value[]; signal?: AbortSignal } = {},
): Promise<Row[]> {
  const source = tables instanceof MemorySource ? tables : new MemorySource(tables);
  const out: Row[] = [];
  for await (const rows of runQuery(plan, testEnv(source, opts), FAKE_DEPS).run()) out.push(...rows);
  return out;
}

export { BIGINT, BOOLEAN, INT, STRING };
