/**
 * Recognises window aggregation: an aggregate grouped by the window_start and
 * window_end of one windowing TVF (Flink's rule), directly or through a window
 * join (src/planner/window-join.ts: its output carries the window columns of
 * its kept sides, and each window's rows are all out before the watermark
 * that passes the window). Such an aggregate emits each window once, when the
 * watermark passes its end, so its output is append-only.
 */
import type { AggregateNode, LogicalPlan, WindowTvfNode } from './logical-plan.ts';
import { traceWindowColumn } from './window-join.ts';

export interface WindowAggregation {
  readonly tvf: WindowTvfNode;
  /** Indexes into the aggregate's group keys. */
  readonly startKey: number;
  readonly endKey: number;
}

/** Which window column `index` of `plan`'s output is, traced through projections, filters and window joins. */
export function windowColumnOf(plan: LogicalPlan, index: number): { tvf: WindowTvfNode; column: 'start' | 'end' | 'time' } | undefined {
  switch (plan.kind) {
    case 'window-tvf': {
      const base = plan.input.schema.length;
      if (index === base) return { tvf: plan, column: 'start' };
      if (index === base + 1) return { tvf: plan, column: 'end' };
      if (index === base + 2) return { tvf: plan, column: 'time' };
      return undefined;
    }
    case 'filter':
      return windowColumnOf(plan.input, index);
    case 'project': {
      const e = plan.exprs[index];
      return e?.kind === 'column' ? windowColumnOf(plan.input, e.index) : undefined;
    }
    case 'join': {
      const w = traceWindowColumn(plan, index);
      return w === undefined ? undefined : { tvf: w.tvf, column: w.column };
    }
    default:
      return undefined;
  }
}

/** The window an aggregate groups by, or undefined for a regular aggregate. */
export function windowAggregationOf(plan: AggregateNode): WindowAggregation | undefined {
  let startKey = -1;
  let endKey = -1;
  let tvf: WindowTvfNode | undefined;
  plan.groupKeys.forEach((k, i) => {
    if (k.kind !== 'column') return;
    const w = windowColumnOf(plan.input, k.index);
    if (w === undefined || (tvf !== undefined && w.tvf !== tvf)) return;
    tvf = w.tvf;
    if (w.column === 'start') startKey = i;
    if (w.column === 'end') endKey = i;
  });
  return tvf !== undefined && startKey >= 0 && endKey >= 0 ? { tvf, startKey, endKey } : undefined;
}

/**
 * Whether column `index` of `plan`'s output is a processing-time attribute (a
 * `PROCTIME()` computed column), traced through projections and filters:
 * windows over it fire by the wall clock instead of by the watermark.
 */
export function isProcessingTime(plan: LogicalPlan, index: number): boolean {
  switch (plan.kind) {
    case 'filter':
      return isProcessingTime(plan.input, index);
    case 'project': {
      const e = plan.exprs[index];
      if (e === undefined) return false;
      if (e.kind === 'column') return isProcessingTime(plan.input, e.index);
      return e.kind === 'call' && e.args.length === 0 && (e.name === 'proctime' || e.name === 'current_row_timestamp');
    }
    default:
      return false;
  }
}
