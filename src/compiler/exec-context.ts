/**
 * What compiled code of one query shares: the caller's environment, the
 * function-library hooks the operators need, and the scope chain that gives
 * correlated subqueries their enclosing rows.
 *
 * Scopes are created at compile time, one per subquery nesting level; only
 * their `row` changes at run time (set before an inner plan runs for one
 * outer binding), so `outer` column reads resolve their scope once.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import type { StateValue } from '../state/state-codec.ts';
import type { AggregateFunctionName, LogicalPlan } from '../planner/logical-plan.ts';
import type { StreamFactory } from '../dataflow/stream.ts';
import type { ExecEnv } from './compile.ts';

/**
 * The shape of src/functions/aggregates.ts's accumulators. `save` returns the
 * accumulator's whole state as a state tree (src/state/state-codec.ts) that
 * later changes to the accumulator do not affect; `load` restores such a
 * state into a fresh accumulator of the same factory, after which every
 * `add` / `remove` / `result` behaves as on the saved one. Optional here
 * because batch-only substitutes (tests) need not persist; the streaming
 * operators require a `PersistentAccumulator`.
 */
export interface Accumulator {
  add(v: Value): void;
  remove?(v: Value): void;
  result(): Value;
  save?(): StateValue;
  load?(state: StateValue): void;
}

/** An accumulator whose state can be checkpointed (every accumulator of src/functions/aggregates.ts). */
export interface PersistentAccumulator extends Accumulator {
  save(): StateValue;
  load(state: StateValue): void;
}

export type AccumulatorFactoryFn = (
  fn: AggregateFunctionName,
  argTypes: readonly SqlType[],
  returnType: SqlType,
) => () => Accumulator;

export type TableFunctionFn = (
  name: string,
  argTypes: readonly SqlType[],
) => (args: readonly Value[], ctx: EvalContext) => Iterable<Value[]>;

/** Implementations the operators get from src/functions (injected so tests can substitute them). */
export interface ExecDeps {
  readonly accumulators: AccumulatorFactoryFn;
  readonly tableFunctions: TableFunctionFn;
}

/** One subquery nesting level: `row` is the enclosing query's current row (null at the top). */
export interface Scope {
  row: Row | null;
  readonly parent: Scope | null;
}

export interface ExecContext {
  readonly env: ExecEnv;
  readonly deps: ExecDeps;
  readonly scope: Scope;
  /** Compiles a (sub)plan in this context; breaks the expr <-> plan compiler import cycle. */
  readonly compilePlan: (plan: LogicalPlan, cx: ExecContext) => StreamFactory;
}
