/**
 * Runs compiled plans with injected function-library hooks (compile.ts wires
 * the real ones; tests may pass their own). Owns the top-level protocol:
 * chunk rows out, cancellation in.
 */
import type { Row, Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { notSupported } from '../errors.ts';
import type { ExecEnv } from './compile.ts';
import type { ExecContext, ExecDeps } from './exec-context.ts';
import { compileExpression, containsSubquery } from './expr-compiler.ts';
import { compilePlan } from './plan-compiler.ts';
import { cancelledError } from './cancel.ts';

function rootContext(env: ExecEnv, deps: ExecDeps): ExecContext {
  return { env, deps, scope: { row: null, parent: null }, compilePlan };
}

export function runQuery(plan: LogicalPlan, env: ExecEnv, deps: ExecDeps): { run(): AsyncIterable<Row[]> } {
  const factory = compilePlan(plan, rootContext(env, deps));
  return {
    run: () => abortable(factory(), env.signal),
  };
}

/** Yields the rows of each chunk; rejects with 57014 as soon as `signal` aborts, even while an operator waits. */
async function* abortable(stream: AsyncIterable<{ rows: Row[] }>, signal: AbortSignal): AsyncIterable<Row[]> {
  if (signal.aborted) throw cancelledError();
  const it = stream[Symbol.asyncIterator]();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelledError());
  });
  aborted.catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done === true) {
        finished = true;
        return;
      }
      if (r.value.rows.length > 0) yield r.value.rows;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!finished) {
      if (signal.aborted) {
        // The graph may be waiting on its source; close it without waiting.
        it.return?.().catch(() => {});
      } else {
        await it.return?.();
      }
    }
  }
}

export function compileExpressionStandalone(e: BoundExpr, env: ExecEnv, deps: ExecDeps): (row: Row) => Value {
  if (containsSubquery(e)) throw notSupported('a subquery in this expression');
  return compileExpression(e, rootContext(env, deps)).eval;
}

const NO_COLUMNS: Row = [];

export function evaluateConstantWith(e: BoundExpr, env: ExecEnv, deps: ExecDeps): Value {
  return compileExpressionStandalone(e, env, deps)(NO_COLUMNS);
}
