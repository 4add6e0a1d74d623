/**
 * Runs compiled plans with injected function-library hooks (compile.ts wires
 * the real ones; tests may pass their own). Owns the top-level protocol:
 * chunk rows out, cancellation in, and the waits pg_sleep owes (its calls
 * record a deadline, src/functions/pg-sleep.ts; each chunk is held back until
 * it passes, on a timer that cancellation ends).
 */
import type { Row, Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { SqlError, notSupported } from '../errors.ts';
import type { ExecEnv } from './compile.ts';
import type { ExecContext, ExecDeps } from './exec-context.ts';
import { compileExpression, containsSubquery } from './expr-compiler.ts';
import { compilePlan } from './plan-compiler.ts';
import { cancelledError } from './cancel.ts';
import { takeSleepDeadline } from '../functions/pg-sleep.ts';

function rootContext(env: ExecEnv, deps: ExecDeps): ExecContext {
  return { env, deps, scope: { row: null, parent: null }, compilePlan };
}

export function runQuery(plan: LogicalPlan, env: ExecEnv, deps: ExecDeps): { run(): AsyncIterable<Row[]> } {
  const factory = compilePlan(plan, rootContext(env, deps));
  return {
    run: () => abortable(factory(), env),
  };
}

/** Longest single timer (setTimeout's limit is 2^31 - 1 ms); longer sleeps take several. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves at `deadline` (ms since the epoch; Infinity: never), rejects with 57014 when `aborted` does first. */
async function sleepUntil(deadline: number, aborted: Promise<never>): Promise<void> {
  for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slept = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(left, MAX_TIMER_MS));
    });
    try {
      await Promise.race([slept, aborted]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Yields the rows of each chunk once the sleeps its evaluation called for have passed; rejects with
 * 57014 as soon as `env.signal` aborts, even while an operator or a sleep waits.
 */
async function* abortable(stream: AsyncIterable<{ rows: Row[] }>, env: ExecEnv): AsyncIterable<Row[]> {
  const signal = env.signal;
  if (signal.aborted) throw cancelledError();
  const it = stream[Symbol.asyncIterator]();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    // The abort's reason when it is the error to report (the connection gives 57014 with its message).
    onAbort = () => reject(signal.reason instanceof SqlError ? signal.reason : cancelledError());
  });
  aborted.catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      const deadline = takeSleepDeadline(env.ctx);
      if (deadline !== undefined) await sleepUntil(deadline, aborted);
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
