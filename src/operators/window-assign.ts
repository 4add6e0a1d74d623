/**
 * Window assignment for the windowing table functions (TUMBLE, HOP, CUMULATE,
 * SESSION) over bounded input: each output row is an input row followed by
 * window_start, window_end and window_time of one window it belongs to.
 *
 * Windows are half-open [start, end); window_time = end - 1 ms. Durations and
 * timestamps are µs. With an offset, a window starts where
 * `(start - offset) % size == 0` (Flink's getWindowStartWithOffset).
 * - TUMBLE: one row out per row, the window of `size` holding its time.
 * - HOP: size / slide rows out per row, windows in increasing start order.
 * - CUMULATE: windows sharing the start of the `size` window that holds the
 *   row, ending at every `step` up to `size`; one row out per window whose
 *   end is past the row's time, in increasing end order.
 * - SESSION: each row opens [t, t + gap); windows of the same partition that
 *   overlap or touch merge. Needs the whole input: rows are buffered, sessions
 *   computed per partition at the end, rows emitted in input order.
 * Over a TIMESTAMP_LTZ time column the windows are aligned in the session
 * time zone: window_start / window_end are that zone's wall-clock TIMESTAMPs
 * and window_time is the instant (TIMESTAMP_LTZ) of end - 1 ms, as Flink does.
 * A row whose time is NULL belongs to no window and is dropped.
 * Row kinds: insert-only (TUMBLE / HOP / CUMULATE stream row by row; SESSION
 * emits after the input ends).
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { WindowTvfFunction } from '../planner/logical-plan.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import { KeyTable } from '../dataflow/key-table.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';

import { localToUtcMicros, utcToLocalMicros } from '../values/datetime.ts';

const MICROS_PER_MILLI = 1000;

export interface WindowAssignSpec {
  readonly fn: WindowTvfFunction;
  readonly time: EvalFn;
  readonly partition: readonly EvalFn[];
  readonly partitionTypes: readonly SqlType[];
  readonly prepare: PrepareFn | undefined;
  /** Window size; the gap for SESSION. */
  readonly size: number;
  /** HOP slide, CUMULATE step; equal to size for TUMBLE and SESSION. */
  readonly slide: number;
  readonly offset: number;
  /** Set for a TIMESTAMP_LTZ time column: the zone windows are aligned in. */
  readonly timeZone: string | undefined;
}

/** Start of the window of `size` (shifted by `offset`) that holds `ts`. */
export function windowStart(ts: number, offset: number, size: number): number {
  const r = (ts - offset) % size;
  return r < 0 ? ts - (r + size) : ts - r;
}

/**
 * Calls `emit(start, end)` for every TUMBLE / HOP / CUMULATE window holding
 * `ts` (wall-clock µs), in the order described in the file header.
 */
export function assignWindows(
  fn: Exclude<WindowTvfFunction, 'SESSION'>,
  ts: number,
  size: number,
  slide: number,
  offset: number,
  emit: (start: number, end: number) => void,
): void {
  switch (fn) {
    case 'TUMBLE': {
      const start = windowStart(ts, offset, size);
      emit(start, start + size);
      return;
    }
    case 'HOP': {
      const last = windowStart(ts, offset, slide);
      let first = last;
      while (first - slide > ts - size) first -= slide;
      for (let start = first; start <= last; start += slide) emit(start, start + size);
      return;
    }
    case 'CUMULATE': {
      const start = windowStart(ts, offset, size);
      const lastEnd = start + size;
      for (let end = windowStart(ts, offset, slide) + slide; end <= lastEnd; end += slide) emit(start, end);
      return;
    }
  }
}

export async function* windowAssignOperator(spec: WindowAssignSpec, input: ChunkStream): ChunkStream {
  if (spec.fn === 'SESSION') {
    yield* sessionWindows(spec, input);
    return;
  }
  const fn = spec.fn;
  const zone = spec.timeZone;
  const out = new ChunkBuilder();
  let inRow: Row = [];
  let full = false;
  const emit = (start: number, end: number): void => {
    if (out.push(windowRow(inRow, start, end, zone))) full = true;
  };
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'window assignment');
    if (spec.prepare !== undefined) await spec.prepare(chunk.rows);
    for (const row of chunk.rows) {
      const t = spec.time(row);
      if (t === null) continue;
      const ts = t as number;
      inRow = row;
      assignWindows(fn, zone === undefined ? ts : utcToLocalMicros(ts, zone), spec.size, spec.slide, spec.offset, emit);
      if (full) {
        full = false;
        yield out.take();
      }
    }
  }
  if (out.length > 0) yield out.take();
}

/** The row followed by window_start, window_end, window_time (start / end are wall-clock µs). */
export function windowRow(row: Row, start: number, end: number, zone: string | undefined): Row {
  // A copy keeps the input's elements kind (packed), so readers of these rows see one array shape.
  const out = row.slice();
  out.push(start, end, zone === undefined ? end - MICROS_PER_MILLI : localToUtcMicros(end - MICROS_PER_MILLI, zone));
  return out;
}

interface Partition {
  readonly key: Row;
  /** Indices into the buffered rows. */
  readonly rows: number[];
}

async function* sessionWindows(spec: WindowAssignSpec, input: ChunkStream): ChunkStream {
  const zone = spec.timeZone;
  const gap = spec.size;
  const rows: Row[] = [];
  const times: number[] = [];
  const partitions = new KeyTable<Partition>(spec.partitionTypes);
  const np = spec.partition.length;
  let whole: Partition | undefined;
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'session window');
    if (spec.prepare !== undefined) await spec.prepare(chunk.rows);
    for (const row of chunk.rows) {
      const t = spec.time(row);
      if (t === null) continue;
      const index = rows.length;
      rows.push(row);
      times.push(zone === undefined ? (t as number) : utcToLocalMicros(t as number, zone));
      if (np === 0) {
        whole ??= { key: [], rows: [] };
        whole.rows.push(index);
        continue;
      }
      const key: Row = new Array(np);
      for (let i = 0; i < np; i++) key[i] = spec.partition[i]!(row);
      const h = partitions.hash(key);
      let p = partitions.find(key, h);
      if (p === undefined) {
        p = { key, rows: [] };
        partitions.insert(p, h);
      }
      p.rows.push(index);
    }
  }
  const starts = new Float64Array(rows.length);
  const ends = new Float64Array(rows.length);
  const all = whole === undefined ? partitions.entries : [whole];
  for (const p of all) mergeSessions(p.rows, times, gap, starts, ends);
  const out = new ChunkBuilder();
  for (let i = 0; i < rows.length; i++) {
    if (out.push(windowRow(rows[i]!, starts[i]!, ends[i]!, zone))) yield out.take();
  }
  if (out.length > 0) yield out.take();
}

/**
 * Sessions of one partition: sorts its row indices by time and sets each
 * row's session start (earliest time) and end (latest time + gap). A row at
 * most `gap` after the session's latest row joins it (windows that touch merge).
 */
export function mergeSessions(
  indices: number[],
  times: readonly number[],
  gap: number,
  starts: Float64Array,
  ends: Float64Array,
): void {
  indices.sort((a, b) => times[a]! - times[b]!);
  let i = 0;
  while (i < indices.length) {
    const start = times[indices[i]!]!;
    let end = start + gap;
    let j = i + 1;
    while (j < indices.length && times[indices[j]!]! <= end) {
      end = Math.max(end, times[indices[j]!]! + gap);
      j++;
    }
    for (let k = i; k < j; k++) {
      starts[indices[k]!] = start;
      ends[indices[k]!] = end;
    }
    i = j;
  }
}
