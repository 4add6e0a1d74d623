/**
 * The compiler's public entry points: logical plan -> running operator graph
 * for bounded queries, and bound expression -> closure.
 *
 * - `compileQuery` compiles once (synchronously: unknown functions or casts
 *   fail here) and `run()` executes the graph, yielding result chunks of at
 *   most CHUNK_SIZE rows as they are ready. Streaming operators do not buffer;
 *   stopping the iteration early closes the sources. When `env.signal` aborts,
 *   the iteration rejects with 57014.
 * - `compileExpr` / `evaluateConstant` cover expressions without subqueries
 *   (those need a plan run; they are compiled as part of a query instead).
 */
import type { Row, Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan, ScanNode } from '../planner/logical-plan.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import type { FunctionLibrary } from '../functions/signatures.ts';
import type { castFunction } from '../values/cast.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import { instantiateTableFunction } from '../functions/table-functions.ts';
import type { ExecDeps } from './exec-context.ts';
import { compileExpressionStandalone, evaluateConstantWith, runQuery } from './query-runner.ts';

export interface RowSource {
  /** Rows of the relation narrowed to `node.columns`, in batches; `node.filter` may be ignored. */
  scan(node: ScanNode, signal: AbortSignal): AsyncIterable<Row[]>;
}

export interface ExecEnv {
  readonly ctx: EvalContext;
  readonly params: readonly Value[];
  readonly source: RowSource;
  readonly functions: FunctionLibrary;
  readonly cast: typeof castFunction;
  readonly signal: AbortSignal;
}

const DEPS: ExecDeps = {
  accumulators: createAccumulatorFactory,
  tableFunctions: instantiateTableFunction,
};

export function compileQuery(plan: LogicalPlan, env: ExecEnv): { run(): AsyncIterable<Row[]> } {
  return runQuery(plan, env, DEPS);
}

export function compileExpr(e: BoundExpr, env: ExecEnv): (row: Row) => Value {
  return compileExpressionStandalone(e, env, DEPS);
}

export function evaluateConstant(e: BoundExpr, env: ExecEnv): Value {
  return evaluateConstantWith(e, env, DEPS);
}
