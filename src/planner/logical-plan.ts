/**
 * The logical plan: immutable tagged data produced by the planner, rewritten
 * by the optimizer rules and compiled into a dataflow graph.
 *
 * Contract:
 * - Every node has `schema`: its output columns in order. Expressions inside a
 *   node refer to its input's columns by index (`BoundColumn.index`); a join's
 *   expressions see the left columns followed by the right columns.
 * - Nodes carry no behaviour; passes switch on `kind` and end in `unreachable`.
 * - Changelog mode (insert-only / retract / upsert) is derived from the tree by
 *   src/planner/changelog-mode.ts, not stored.
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { unreachable } from '../errors.ts';

export interface PlanColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  /** pg_class oid / attnum when the column is a table column passed through unchanged (RowDescription). */
  readonly tableOid?: number;
  readonly attnum?: number;
}

export type Schema = readonly PlanColumn[];

export type LogicalPlan =
  | ScanNode
  | ValuesNode
  | ProjectNode
  | FilterNode
  | AggregateNode
  | JoinNode
  | SortNode
  | LimitNode
  | DistinctNode
  | UnionNode
  | SetOpNode
  | TableFunctionNode
  | WindowNode
  | WindowTvfNode;

/**
 * Reads a relation. `source` says who provides the rows:
 * - 'stored': a table millrace stores (LevelDB), `relationId` is its catalog id;
 * - 'system': a pg_catalog / information_schema relation computed from the catalog;
 * - 'connector': a connector table (datagen, ...), with its options.
 * `columns` selects, in order, which of the relation's columns are read
 * (indices into the relation's full column list); projection pruning narrows it.
 * `filter`, when present, was pushed down: rows failing it may be skipped at the source.
 */
export interface ScanNode {
  readonly kind: 'scan';
  readonly source: 'stored' | 'system' | 'connector';
  readonly relationId: number;
  readonly relationName: string;
  readonly columns: readonly number[];
  readonly filter?: BoundExpr;
  /** Unbounded input: the scan never ends by itself. */
  readonly unbounded: boolean;
  /**
   * The table's WATERMARK strategy (ARCHITECTURE decision 4) as an expression
   * over the relation's physical columns in declared order (computed columns
   * inlined): a continuous reader's watermark is the greatest value it has
   * produced over the rows read so far. Absent without a WATERMARK clause.
   */
  readonly watermark?: BoundExpr;
  readonly schema: Schema;
}

export interface ValuesNode {
  readonly kind: 'values';
  readonly rows: readonly (readonly BoundExpr[])[];
  readonly schema: Schema;
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly BoundExpr[];
  readonly schema: Schema;
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: BoundExpr;
  readonly schema: Schema;
}

export type AggregateFunctionName =
  | 'count' | 'count_star' | 'sum' | 'avg' | 'min' | 'max'
  | 'bool_and' | 'bool_or' | 'string_agg' | 'array_agg'
  | 'stddev_pop' | 'stddev_samp' | 'var_pop' | 'var_samp'
  | 'first_value' | 'last_value';

export interface AggregateCall {
  readonly fn: AggregateFunctionName;
  readonly args: readonly BoundExpr[];
  readonly distinct: boolean;
  readonly filter?: BoundExpr;
  /** For string_agg / array_agg with ORDER BY. */
  readonly orderBy: readonly SortKey[];
  /** Result type. */
  readonly type: SqlType;
}

/**
 * GROUP BY: output is the group keys followed by the aggregates, in order.
 * An aggregate with no keys over empty input yields one row (COUNT = 0, others NULL).
 */
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groupKeys: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
  readonly schema: Schema;
}

/**
 * Joins. `condition` is over left ++ right columns. `equiKeys` are the pairs
 * of left/right expressions the join can hash on (extracted from `condition`
 * by the planner; the remaining conjuncts stay in `condition`).
 * SEMI / ANTI output only the left columns.
 */
export interface JoinNode {
  readonly kind: 'join';
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly equiKeys: readonly { readonly left: BoundExpr; readonly right: BoundExpr }[];
  readonly condition?: BoundExpr;
  /**
   * `JOIN r FOR SYSTEM_TIME AS OF o.time` (INNER / LEFT only): the right side
   * is a table read as versions. 'event-time': each left row joins the
   * version valid at its rowtime (the binder adds `r.rowtime <= o.rowtime` to
   * `condition`); 'processing-time': the right's rows current when the left
   * row is processed (a lookup).
   */
  readonly temporal?: { readonly kind: 'event-time' | 'processing-time' };
  readonly schema: Schema;
}

export interface SortKey {
  readonly expr: BoundExpr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export interface SortNode {
  readonly kind: 'sort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly schema: Schema;
}

/** LIMIT / OFFSET; `limit` absent means no limit. Values are evaluated once (constants or parameters). */
export interface LimitNode {
  readonly kind: 'limit';
  readonly input: LogicalPlan;
  readonly limit?: BoundExpr;
  readonly offset?: BoundExpr;
  readonly schema: Schema;
}

/** SELECT DISTINCT: removes duplicate rows (NULLs compare equal). */
export interface DistinctNode {
  readonly kind: 'distinct';
  readonly input: LogicalPlan;
  readonly schema: Schema;
}

/** UNION ALL of inputs with the same column types (the planner casts them). */
export interface UnionNode {
  readonly kind: 'union';
  readonly inputs: readonly LogicalPlan[];
  readonly schema: Schema;
}

/** INTERSECT / EXCEPT [ALL]; UNION (distinct) is Distinct over Union. */
export interface SetOpNode {
  readonly kind: 'set-op';
  readonly op: 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly schema: Schema;
}

/**
 * A set-returning function in FROM (generate_series, unnest, ...), optionally
 * lateral over `input` (then args may refer to input columns and the output is
 * input columns followed by the function's columns).
 */
export interface TableFunctionNode {
  readonly kind: 'table-function';
  readonly input?: LogicalPlan;
  readonly fn: string;
  readonly args: readonly BoundExpr[];
  readonly ordinality: boolean;
  /**
   * Several set-returning functions of one select list run in lockstep
   * (PostgreSQL 10+): each member's function, how many of `args` are its
   * arguments (in order), and how many output columns it has. `fn` is then a
   * display name. Absent for a single function.
   */
  readonly lockstep?: readonly { readonly fn: string; readonly argc: number; readonly width: number }[];
  readonly schema: Schema;
}

export type WindowFunctionName =
  | 'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile'
  | 'lag' | 'lead' | 'first_value' | 'last_value' | AggregateFunctionName;

export interface WindowCall {
  readonly fn: WindowFunctionName;
  readonly args: readonly BoundExpr[];
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly SortKey[];
  readonly frame?: {
    readonly units: 'ROWS' | 'RANGE';
    readonly start: { readonly kind: 'unbounded' | 'current' | 'preceding' | 'following'; readonly offset?: Value };
    readonly end: { readonly kind: 'unbounded' | 'current' | 'preceding' | 'following'; readonly offset?: Value };
  };
  readonly type: SqlType;
}

/** OVER (...) functions: output is the input columns followed by one column per call. */
export interface WindowNode {
  readonly kind: 'window';
  readonly input: LogicalPlan;
  readonly calls: readonly WindowCall[];
  readonly schema: Schema;
}

export type WindowTvfFunction = 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';

/**
 * A windowing table-valued function (Flink's TUMBLE / HOP / CUMULATE / SESSION)
 * and the legacy group windows rewritten to it. Output: the input columns
 * followed by window_start, window_end, window_time (= window_end - 1 ms), of
 * type TIMESTAMP(3), or TIMESTAMP_LTZ(3) over a TIMESTAMP_LTZ time column.
 * Durations are microseconds (day-time intervals only, as Flink requires):
 * - TUMBLE: `size`, `slide` = size; HOP: `slide`, `size`; CUMULATE: `slide` is
 *   the step, `size` the max size (a multiple of the step);
 * - SESSION: `size` = `slide` = the gap; `partitionBy` are the session keys
 *   (empty for the other functions).
 * `offset` shifts window assignment (TUMBLE / HOP / CUMULATE). Rows whose time
 * is NULL belong to no window and are dropped.
 */
export interface WindowTvfNode {
  readonly kind: 'window-tvf';
  readonly input: LogicalPlan;
  readonly fn: WindowTvfFunction;
  /** The time column (a column reference into the input). */
  readonly timeCol: BoundExpr;
  readonly partitionBy: readonly BoundExpr[];
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly schema: Schema;
}

export function childrenOf(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'scan':
    case 'values':
      return [];
    case 'project':
    case 'filter':
    case 'aggregate':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'window':
    case 'window-tvf':
      return [plan.input];
    case 'join':
    case 'set-op':
      return [plan.left, plan.right];
    case 'union':
      return plan.inputs;
    case 'table-function':
      return plan.input ? [plan.input] : [];
  }
}

/** The expressions a node holds (not its children's), in a fixed order. */
export function nodeExprs(plan: LogicalPlan): BoundExpr[] {
  switch (plan.kind) {
    case 'scan':
      return plan.filter === undefined ? [] : [plan.filter];
    case 'values':
      return plan.rows.flat();
    case 'project':
      return [...plan.exprs];
    case 'filter':
      return [plan.predicate];
    case 'aggregate':
      return [
        ...plan.groupKeys,
        ...plan.aggregates.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : []), ...a.orderBy.map((k) => k.expr)]),
      ];
    case 'join':
      return [...plan.equiKeys.flatMap((k) => [k.left, k.right]), ...(plan.condition ? [plan.condition] : [])];
    case 'sort':
      return plan.keys.map((k) => k.expr);
    case 'limit':
      return [...(plan.limit ? [plan.limit] : []), ...(plan.offset ? [plan.offset] : [])];
    case 'distinct':
    case 'union':
    case 'set-op':
      return [];
    case 'table-function':
      return [...plan.args];
    case 'window':
      return plan.calls.flatMap((c) => [...c.args, ...c.partitionBy, ...c.orderBy.map((k) => k.expr)]);
    case 'window-tvf':
      return [plan.timeCol, ...plan.partitionBy];
    default:
      return unreachable(plan);
  }
}
