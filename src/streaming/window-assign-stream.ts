/**
 * Streaming TUMBLE / HOP / CUMULATE assignment: a stateless operator that
 * appends window_start, window_end, window_time to each row, once per window
 * the row belongs to (assignWindows in src/operators/window-assign.ts; windows
 * aligned in the session time zone over a TIMESTAMP_LTZ time column, whose
 * window_time is then the instant of the wall-clock end - 1 ms).
 *
 * Rule per row kind: the kind passes through to every window row of the input
 * row (+I gives +I rows, -D gives -D rows). An update half (-U / +U) that falls
 * into exactly one window keeps its kind, so a TUMBLE update pair stays an
 * adjacent pair; one that falls into several windows (HOP, CUMULATE) becomes
 * -D / +I rows, which read the same way and keep pairs from interleaving.
 * A row whose time is NULL belongs to no window and is dropped (its update
 * partner then reads as a lone insert or delete). Watermarks pass unchanged:
 * window_time is never earlier than the row's time.
 * SESSION windows need state: see session-window-aggregate.ts.
 */
import type { Row, Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { WindowTvfFunction, WindowTvfNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { InternalError } from '../errors.ts';
import { assignWindows, windowRow, windowStart } from '../operators/window-assign.ts';
import { localToUtcMicros, utcToLocalMicros } from '../values/datetime.ts';
import { ChangelogBuilder, type IncrementalOperator } from './changelog.ts';

const MICROS_PER_MILLI = 1000;

export interface WindowAssignStreamSpec {
  readonly fn: Exclude<WindowTvfFunction, 'SESSION'>;
  readonly time: EvalFn;
  /** The input column `time` reads, when it is a column reference (read directly on the TUMBLE fast path). */
  readonly timeColumn?: number;
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  /** Set for a TIMESTAMP_LTZ time column: the zone windows are aligned in. */
  readonly timeZone: string | undefined;
}

export class WindowAssignStream implements IncrementalOperator {
  readonly #spec: WindowAssignStreamSpec;
  readonly #out = new ChangelogBuilder();
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #collect: (start: number, end: number) => void;

  constructor(spec: WindowAssignStreamSpec) {
    this.#spec = spec;
    this.#collect = (start, end) => {
      this.#starts.push(start);
      this.#ends.push(end);
    };
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    if (this.#spec.fn === 'TUMBLE' && this.#spec.timeZone === undefined && chunk.kinds === null) return this.#tumbleInserts(chunk);
    const { fn, time, size, slide, offset, timeZone } = this.#spec;
    const out = this.#out;
    const starts = this.#starts;
    const ends = this.#ends;
    const rows = chunk.rows;
    const kinds = chunk.kinds;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const t = time(row);
      if (t === null) continue;
      const ts = t as number;
      starts.length = 0;
      ends.length = 0;
      assignWindows(fn, timeZone === undefined ? ts : utcToLocalMicros(ts, timeZone), size, slide, offset, this.#collect);
      let kind = kinds === null ? RowKind.INSERT : (kinds[i]! as RowKind);
      if (starts.length > 1) {
        if (kind === RowKind.UPDATE_BEFORE) kind = RowKind.DELETE;
        else if (kind === RowKind.UPDATE_AFTER) kind = RowKind.INSERT;
      }
      for (let w = 0; w < starts.length; w++) out.emit(kind, windowRow(row, starts[w]!, ends[w]!, timeZone));
    }
    return out.take();
  }

  /**
   * TUMBLE over TIMESTAMP, insert-only chunk: one output row per input row
   * with a time, no per-row callback; the window of the previous row is
   * reused while rows fall into it.
   */
  #tumbleInserts(chunk: Chunk): Chunk[] {
    const { time, size, offset } = this.#spec;
    const tc = this.#spec.timeColumn ?? -1;
    const rows = chunk.rows;
    const out: Row[] = [];
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const t = tc >= 0 ? (row[tc] ?? null) : time(row);
      if (t === null) continue;
      const ts = t as number;
      if (ts < start || ts >= end) {
        start = windowStart(ts, offset, size);
        end = start + size;
      }
      out.push(appendWindow(row, start, end));
    }
    return out.length === 0 ? [] : [{ rows: out, kinds: null }];
  }
}

/** `row` ++ [start, end, end - 1 ms] in one allocation (TIMESTAMP windows). */
function appendWindow(row: Row, start: number, end: number): Row {
  const n = row.length;
  const out: Value[] = new Array(n + 3);
  for (let j = 0; j < n; j++) out[j] = row[j] ?? null;
  out[n] = start;
  out[n + 1] = end;
  out[n + 2] = end - MICROS_PER_MILLI;
  return out;
}

/** window_time of a window_end (wall-clock µs) as an instant comparable with watermarks. */
export function windowFireTime(zone: string | undefined): (end: number) => number {
  return zone === undefined ? (end) => end - MICROS_PER_MILLI : (end) => localToUtcMicros(end - MICROS_PER_MILLI, zone);
}

/** The streaming assignment of a TUMBLE / HOP / CUMULATE window TVF node. */
export function windowAssignStreamOf(node: WindowTvfNode, env: ExecEnv): WindowAssignStream {
  if (node.fn === 'SESSION') throw new InternalError('SESSION windows are assigned by the session window aggregate');
  return new WindowAssignStream({
    fn: node.fn,
    time: compileExpr(node.timeCol, env),
    ...(node.timeCol.kind === 'column' ? { timeColumn: node.timeCol.index } : {}),
    size: node.size,
    slide: node.slide,
    offset: node.offset,
    timeZone: node.timeCol.type.kind === 'TIMESTAMP_LTZ' ? env.ctx.timeZone : undefined,
  });
}
