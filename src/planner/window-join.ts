/**
 * Recognises a window join (Flink's window-join.md): an INNER / LEFT / RIGHT /
 * FULL / SEMI / ANTI join of two windowed relations whose join keys equate
 * both window starts and both window ends (SEMI / ANTI come from IN / EXISTS /
 * NOT IN / NOT EXISTS subqueries, optimizer rule subquery-to-join, once
 * predicate pushdown has made the window equalities join keys):
 *
 *   L JOIN R ON L.window_start = R.window_start AND L.window_end = R.window_end AND ...
 *
 * Each side's window columns must come from an event-time TUMBLE / HOP /
 * CUMULATE window TVF, traced through filters and column projections, the
 * group keys of a window aggregation, a window Top-N, or the kept side of
 * another window join (both sides of an INNER one, the left of a LEFT / SEMI /
 * ANTI one, the right of a RIGHT one: a NULL-padded side has no window). Such a join emits
 * every window's rows once, final, when the watermark passes the window's end,
 * so its output is append-only (changelog-mode.ts) and the streaming compiler
 * runs it as src/streaming/window-join.ts. Over bounded input it is an
 * ordinary join with the same rows.
 *
 * Not recognised (they stay regular joins): temporal joins, SESSION windows,
 * processing-time windows, and sides whose windows differ in kind of time
 * (TIMESTAMP vs TIMESTAMP_LTZ: they fire at different instants).
 */
import type { JoinNode, LogicalPlan, WindowTvfNode } from './logical-plan.ts';
import { isProcessingTime, windowAggregationOf } from './window-aggregation.ts';
import { rowNumberTopNOf, windowTopNOf } from './row-number-top-n.ts';

export interface WindowJoinShape {
  readonly joinType: JoinNode['joinType'];
  /** Indexes into the join's `equiKeys` of the window_start pair and the window_end pair. */
  readonly startKey: number;
  readonly endKey: number;
  /** window_start / window_end columns in the left row and in the right row. */
  readonly leftStart: number;
  readonly leftEnd: number;
  readonly rightStart: number;
  readonly rightEnd: number;
  /** The windows' time column is a TIMESTAMP_LTZ: windows align in the session time zone. */
  readonly localTime: boolean;
}

/** Which column of which window TVF an output column is. */
export interface TracedWindowColumn {
  readonly tvf: WindowTvfNode;
  readonly column: 'start' | 'end' | 'time';
}

/**
 * The window column that column `index` of `plan` carries unchanged, or
 * undefined. Only producers whose window columns are never NULL and whose rows
 * of a window are all out when the watermark passes it are followed.
 */
export function traceWindowColumn(plan: LogicalPlan, index: number): TracedWindowColumn | undefined {
  switch (plan.kind) {
    case 'window-tvf': {
      if (plan.fn === 'SESSION') return undefined;
      const base = plan.input.schema.length;
      if (index === base) return { tvf: plan, column: 'start' };
      if (index === base + 1) return { tvf: plan, column: 'end' };
      if (index === base + 2) return { tvf: plan, column: 'time' };
      return undefined;
    }
    case 'filter': {
      const topN = rowNumberTopNOf(plan);
      if (topN === undefined) return traceWindowColumn(plan.input, index);
      if (windowTopNOf(topN) === undefined) return undefined;
      const input = topN.window.input;
      return index < input.schema.length ? traceWindowColumn(input, index) : undefined;
    }
    case 'project': {
      const e = plan.exprs[index];
      return e?.kind === 'column' ? traceWindowColumn(plan.input, e.index) : undefined;
    }
    case 'aggregate': {
      const key = plan.groupKeys[index];
      if (key?.kind !== 'column' || windowAggregationOf(plan) === undefined) return undefined;
      return traceWindowColumn(plan.input, key.index);
    }
    case 'join': {
      const shape = windowJoinOf(plan);
      if (shape === undefined) return undefined;
      const lw = plan.left.schema.length;
      const t = shape.joinType;
      if (index < lw) return t === 'RIGHT' || t === 'FULL' ? undefined : traceWindowColumn(plan.left, index);
      return t === 'INNER' || t === 'RIGHT' ? traceWindowColumn(plan.right, index - lw) : undefined;
    }
    default:
      return undefined;
  }
}

function eventTime(tvf: WindowTvfNode): boolean {
  const time = tvf.timeCol;
  return time.kind === 'column' && !isProcessingTime(tvf.input, time.index);
}

/**
 * The window join shape of `node`, or undefined when it is not a window join.
 * The shape does not depend on how stored tables are read: over bounded input
 * the join is computed in batch anyway, and over endless input (connector
 * streams, changelogs of stored tables) it is a window join.
 */
export function windowJoinOf(node: JoinNode): WindowJoinShape | undefined {
  const joinType = node.joinType;
  // A temporal join (FOR SYSTEM_TIME AS OF) has its own operator; its keys never equate window columns anyway.
  if (node.temporal !== undefined) return undefined;
  let startKey = -1;
  let endKey = -1;
  let leftStart = -1;
  let leftEnd = -1;
  let rightStart = -1;
  let rightEnd = -1;
  let localTime: boolean | undefined;
  for (let k = 0; k < node.equiKeys.length; k++) {
    const { left, right } = node.equiKeys[k]!;
    if (left.kind !== 'column' || right.kind !== 'column') continue;
    const l = traceWindowColumn(node.left, left.index);
    const r = traceWindowColumn(node.right, right.index);
    if (l === undefined || r === undefined || l.column !== r.column || l.column === 'time') continue;
    if (!eventTime(l.tvf) || !eventTime(r.tvf)) continue;
    const ltz = l.tvf.timeCol.type.kind === 'TIMESTAMP_LTZ';
    if (ltz !== (r.tvf.timeCol.type.kind === 'TIMESTAMP_LTZ')) continue;
    if (localTime !== undefined && localTime !== ltz) return undefined;
    localTime = ltz;
    if (l.column === 'start' && startKey < 0) {
      startKey = k;
      leftStart = left.index;
      rightStart = right.index;
    } else if (l.column === 'end' && endKey < 0) {
      endKey = k;
      leftEnd = left.index;
      rightEnd = right.index;
    }
  }
  if (startKey < 0 || endKey < 0 || localTime === undefined) return undefined;
  return { joinType, startKey, endKey, leftStart, leftEnd, rightStart, rightEnd, localTime };
}
