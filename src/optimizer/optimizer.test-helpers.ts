/**
 * Test helpers for the optimizer: operators named as the binder names them
 * ('=', '>', '+') over the compiler's fake function library, a fold callback
 * that evaluates with it, sample tables with NULLs, and a runner that compares
 * a plan's rows before and after optimization.
 */
import { BOOLEAN, INT, type Row, type SqlType } from '../../catalog/types.ts';
import type { BoundCall, BoundExpr } from '../binder/bound-expr.ts';
import type { JoinNode, LogicalPlan, PlanColumn, ScanNode, Schema } from '../planner/logical-plan.ts';
import { evaluateConstantWith } from '../compiler/query-runner.ts';
import { FAKE_DEPS, MemorySource, runPlan, testEnv } from '../compiler/plan.test-helpers.ts';
import { optimize, type OptimizeOptions } from './optimizer.ts';

export { col, lit, param, outer } from '../compiler/plan.test-helpers.ts';

function op(fn: string, name: string, args: readonly BoundExpr[], type: SqlType): BoundExpr {
  return { kind: 'call', fn, name, args, type, volatile: false };
}
export const eq = (a: BoundExpr, b: BoundExpr): BoundExpr => op('eq', '=', [a, b], BOOLEAN);
export const gt = (a: BoundExpr, b: BoundExpr): BoundExpr => op('gt', '>', [a, b], BOOLEAN);
export const lt = (a: BoundExpr, b: BoundExpr): BoundExpr => op('lt', '<', [a, b], BOOLEAN);
export const add = (a: BoundExpr, b: BoundExpr): BoundExpr => op('add', '+', [a, b], INT);
export const div = (a: BoundExpr, b: BoundExpr): BoundExpr => op('div', '/', [a, b], INT);
export const counter = (): BoundExpr => ({ kind: 'call', fn: 'counter', name: 'counter', args: [], type: INT, volatile: true });
export const and = (...args: BoundExpr[]): BoundExpr => ({ kind: 'and', type: BOOLEAN, args });
export const or = (...args: BoundExpr[]): BoundExpr => ({ kind: 'or', type: BOOLEAN, args });
export const not = (operand: BoundExpr): BoundExpr => ({ kind: 'not', type: BOOLEAN, operand });
export const isNull = (operand: BoundExpr, negate = false): BoundExpr => ({ kind: 'is-null', type: BOOLEAN, operand, not: negate });
export const TRUE: BoundExpr = { kind: 'literal', type: BOOLEAN, value: true };
export const FALSE: BoundExpr = { kind: 'literal', type: BOOLEAN, value: false };
export const NULL_BOOL: BoundExpr = { kind: 'literal', type: BOOLEAN, value: null };

export function schema(names: readonly string[], type: SqlType = INT): Schema {
  return names.map((name): PlanColumn => ({ name, type, nullable: true }));
}

/** A scan of relation `id` named `name` with INT columns `names`. */
export function scan(id: number, name: string, names: readonly string[], source: ScanNode['source'] = 'stored'): ScanNode {
  return { kind: 'scan', source, relationId: id, relationName: name, columns: names.map((_, i) => i), unbounded: false, schema: schema(names) };
}

export function filter(input: LogicalPlan, predicate: BoundExpr): LogicalPlan {
  return { kind: 'filter', input, predicate, schema: input.schema };
}

export function project(input: LogicalPlan, exprs: readonly BoundExpr[], names: readonly string[]): LogicalPlan {
  return { kind: 'project', input, exprs, schema: exprs.map((e, i) => ({ name: names[i]!, type: e.type, nullable: true })) };
}

export function join(
  joinType: JoinNode['joinType'],
  left: LogicalPlan,
  right: LogicalPlan,
  opts: { equiKeys?: JoinNode['equiKeys']; condition?: BoundExpr } = {},
): JoinNode {
  const nullableRight = joinType === 'LEFT' || joinType === 'FULL';
  const nullableLeft = joinType === 'RIGHT' || joinType === 'FULL';
  const semi = joinType === 'SEMI' || joinType === 'ANTI';
  return {
    kind: 'join',
    joinType,
    left,
    right,
    equiKeys: opts.equiKeys ?? [],
    ...(opts.condition !== undefined ? { condition: opts.condition } : {}),
    schema: semi
      ? left.schema
      : [
          ...left.schema.map((c) => ({ ...c, nullable: c.nullable || nullableLeft })),
          ...right.schema.map((c) => ({ ...c, nullable: c.nullable || nullableRight })),
        ],
  };
}

export const fold = (call: BoundCall): BoundExpr | undefined => {
  try {
    return { kind: 'literal', type: call.type, value: evaluateConstantWith(call, testEnv(new MemorySource({})), FAKE_DEPS) };
  } catch {
    return undefined;
  }
};

export const OPTS: OptimizeOptions = { disabledRules: [], fold };

/** t(a, b, c) and u(a, d), with NULLs and duplicate keys. */
export const TABLES: Record<number, Row[]> = {
  1: [
    [1, 10, 100],
    [2, 20, null],
    [3, null, 300],
    [null, 40, 400],
    [2, 20, 200],
  ],
  2: [
    [1, 5],
    [2, null],
    [2, 7],
    [null, 9],
    [5, 1],
  ],
};
export const T = (): ScanNode => scan(1, 't', ['a', 'b', 'c']);
export const U = (): ScanNode => scan(2, 'u', ['a', 'd']);

function canon(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

/** Runs `plan` unoptimized and optimized; returns both results as sorted row texts (or ordered when `ordered`). */
export async function runBoth(plan: LogicalPlan, opts: { params?: readonly unknown[]; ordered?: boolean } = {}) {
  const params = (opts.params ?? []) as Row;
  const optimized = optimize(plan, OPTS);
  const before = await runPlan(plan, TABLES, { params });
  const after = await runPlan(optimized, TABLES, { params });
  const show = (rows: Row[]): string[] =>
    opts.ordered === true ? rows.map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) : canon(rows);
  return { before: show(before), after: show(after), optimized };
}
