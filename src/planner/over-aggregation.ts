/**
 * Recognises Flink's OVER aggregation in a plan: a Window node whose calls
 * are all aggregate functions over one and the same window,
 *
 *   agg(x) OVER (PARTITION BY p ORDER BY t [ASC]
 *                {ROWS | RANGE} BETWEEN {UNBOUNDED | n} PRECEDING AND CURRENT ROW)
 *
 * with a single ascending ORDER BY key that is an input column (the time
 * attribute: whether it is one is the stream compiler's check, it needs the
 * plan below) and CURRENT ROW as the upper bound. Without a frame the SQL
 * default applies: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW. RANGE
 * offsets are day-time intervals (µs), ROWS offsets row counts.
 *
 * `overAggregationOf` gives the shape or undefined; `overAggregationRefusal`
 * the reason a window is not one, for the 0A000 the stream compiler raises.
 */
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { Value } from '../../catalog/types.ts';
import type { AggregateFunctionName, WindowCall, WindowFunctionName, WindowNode } from './logical-plan.ts';

export interface OverAggregation {
  readonly window: WindowNode;
  readonly partitionBy: readonly BoundExpr[];
  /** The ORDER BY column (the time attribute) in the window's input. */
  readonly timeColumn: number;
  readonly units: 'ROWS' | 'RANGE';
  /** How far the frame reaches back: rows (ROWS) or µs (RANGE); Infinity for UNBOUNDED PRECEDING. */
  readonly preceding: number;
}

/** The aggregates an OVER aggregation computes (FIRST_VALUE / LAST_VALUE are window functions over a frame here). */
const AGGREGATES: ReadonlySet<WindowFunctionName> = new Set<AggregateFunctionName>([
  'count', 'count_star', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'string_agg', 'array_agg',
  'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp',
]);

export function isOverAggregate(fn: WindowFunctionName): fn is AggregateFunctionName {
  return AGGREGATES.has(fn);
}

export function overAggregationOf(window: WindowNode): OverAggregation | undefined {
  const shape = shapeOf(window);
  return typeof shape === 'string' ? undefined : shape;
}

/** Why `window` is no OVER aggregation a stream can run (undefined when it is one): message and hint. */
export function overAggregationRefusal(window: WindowNode): { message: string; hint: string } | undefined {
  const shape = shapeOf(window);
  if (typeof shape !== 'string') return undefined;
  return { message: `${shape} in a continuous query`, hint: HINT };
}

const HINT =
  'A continuous query supports OVER aggregations (agg(x) OVER (PARTITION BY ... ORDER BY <time attribute> ' +
  '{ROWS | RANGE} BETWEEN ... PRECEDING AND CURRENT ROW), the same window for every call) and Top-N ' +
  '(ROW_NUMBER / RANK / DENSE_RANK() OVER (...) AS rn in a subquery, filtered by rn <= N outside it).';

function shapeOf(window: WindowNode): OverAggregation | string {
  const first = window.calls[0];
  if (first === undefined) return 'window functions (OVER)';
  for (const c of window.calls) {
    if (!isOverAggregate(c.fn)) return `window function ${c.fn}() over an endless input`;
    if (!sameWindow(c, first)) return 'OVER aggregations over different windows in one SELECT';
  }
  const order = first.orderBy;
  if (order.length !== 1 || order[0]!.expr.kind !== 'column') return 'OVER aggregation not ordered by a single time attribute';
  if (order[0]!.desc) return 'OVER aggregation ordered by a descending time attribute';
  const timeColumn = order[0]!.expr.index;
  const frame = first.frame ?? { units: 'RANGE' as const, start: { kind: 'unbounded' as const }, end: { kind: 'current' as const } };
  if (frame.end.kind !== 'current') return 'OVER aggregation whose frame does not end at CURRENT ROW';
  let preceding: number;
  switch (frame.start.kind) {
    case 'unbounded':
      preceding = Infinity;
      break;
    case 'current':
      preceding = 0;
      break;
    case 'preceding': {
      const n = offsetOf(frame.start.offset);
      if (n === undefined || (frame.units === 'RANGE' && order[0]!.expr.type.kind !== 'TIMESTAMP' && order[0]!.expr.type.kind !== 'TIMESTAMP_LTZ')) {
        return 'OVER aggregation with this frame';
      }
      preceding = n;
      break;
    }
    default:
      return 'OVER aggregation whose frame starts after the current row';
  }
  return { window, partitionBy: first.partitionBy, timeColumn, units: frame.units, preceding };
}

/** A frame offset as a number: rows, or µs of a day-time interval. */
function offsetOf(v: Value | undefined): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  return undefined;
}

function sameWindow(a: WindowCall, b: WindowCall): boolean {
  return sameData(a.partitionBy, b.partitionBy) && sameData(a.orderBy, b.orderBy) && sameData(a.frame, b.frame);
}

/** Structural equality of plan data (plain objects, arrays, primitives, bigints). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
