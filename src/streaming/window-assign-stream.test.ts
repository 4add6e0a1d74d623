import { describe, expect, it } from 'vitest';
import { INT, STRING, timestamp, timestampLtz, type Row, type SqlType } from '../../catalog/types.ts';
import { formatChunk, parseChunk, type Chunk } from '../dataflow/chunk.ts';
import type { WindowTvfFunction, WindowTvfNode } from '../planner/logical-plan.ts';
import { col, fakeTableFunctions, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { windowAssignStreamOf, windowFireTime } from './window-assign-stream.ts';

const TS: SqlType = timestamp(3);
const MIN = 60_000_000;
const TABLE = 1;
const scan = scanNode(TABLE, [TS, INT, STRING]);
const tvf = (fn: WindowTvfFunction, size: number, slide = size, offset = 0): WindowTvfNode => ({
  kind: 'window-tvf',
  input: scan,
  fn,
  timeCol: col(0, TS),
  partitionBy: [],
  size,
  slide,
  offset,
  schema: schemaOf([TS, INT, STRING, TS, TS, TS]),
});
const env = testEnv(new MemorySource({}));
/** Chunk text with times in minutes (window_time as minutes + `-1ms`). */
const text = (chunks: Chunk[]) =>
  chunks
    .map((c) => ({ rows: c.rows.map((r) => r.map((v, j) => (j === 0 || j === 3 || j === 4 ? (v as number) / MIN : j === 5 ? `${((v as number) + 1000) / MIN}-1ms` : v))), kinds: c.kinds }))
    .map(formatChunk)
    .join('\n');
/** `+I 5 4 C` with the time in minutes. */
const input = (s: string): Chunk => {
  const c = parseChunk(s);
  return { rows: c.rows.map((r) => [r[0] === null ? null : (r[0] as number) * MIN, ...r.slice(1)]), kinds: c.kinds };
};

describe('WindowAssignStream', () => {
  it('TUMBLE appends the window columns; kinds pass through, update pairs stay adjacent', () => {
    const op = windowAssignStreamOf(tvf('TUMBLE', 10 * MIN), env);
    expect(text(op.push(0, input('+I 5 4 C\n-U 7 2 A\n+U 11 2 A\n-D 9 5 D\n+I NULL 1 X')))).toBe(
      ['+I 5 4 C 0 10 10-1ms', '-U 7 2 A 0 10 10-1ms', '+U 11 2 A 10 20 20-1ms', '-D 9 5 D 0 10 10-1ms'].join('\n'),
    );
  });

  it('HOP: one row per window; a delete deletes from each window; update halves become -D / +I', () => {
    const op = windowAssignStreamOf(tvf('HOP', 10 * MIN, 5 * MIN), env);
    expect(text(op.push(0, input('+I 7 2 A\n-D 11 3 B')))).toBe(['+I 7 2 A 0 10 10-1ms', '+I 7 2 A 5 15 15-1ms', '-D 11 3 B 5 15 15-1ms', '-D 11 3 B 10 20 20-1ms'].join('\n'));
    expect(text(op.push(0, input('-U 7 2 A\n+U 7 3 A')))).toBe(['-D 7 2 A 0 10 10-1ms', '-D 7 2 A 5 15 15-1ms', '+I 7 3 A 0 10 10-1ms', '+I 7 3 A 5 15 15-1ms'].join('\n'));
  });

  it('CUMULATE and offsets', () => {
    const op = windowAssignStreamOf(tvf('CUMULATE', 10 * MIN, 2 * MIN), env);
    expect(text(op.push(0, input('+I 13 1 E')))).toBe(['+I 13 1 E 10 14 14-1ms', '+I 13 1 E 10 16 16-1ms', '+I 13 1 E 10 18 18-1ms', '+I 13 1 E 10 20 20-1ms'].join('\n'));
    const shifted = windowAssignStreamOf(tvf('TUMBLE', 10 * MIN, 10 * MIN, 1 * MIN), env);
    expect(text(shifted.push(0, input('+I 0 1 E\n+I 1 1 F')))).toBe(['+I 0 1 E -9 1 1-1ms', '+I 1 1 F 1 11 11-1ms'].join('\n'));
  });

  it('TIMESTAMP_LTZ: windows in the session zone, window_time as an instant', () => {
    const ltz = timestampLtz(3);
    const node: WindowTvfNode = { ...tvf('TUMBLE', 60 * MIN), input: scanNode(TABLE, [ltz, INT]), timeCol: col(0, ltz), schema: schemaOf([ltz, INT, TS, TS, ltz]) };
    const op = windowAssignStreamOf(node, { ...env, ctx: { ...env.ctx, timeZone: 'Asia/Kolkata' } });
    // 00:10 UTC is 05:40 in Kolkata (UTC+5:30): window [05:00, 06:00) local, window_time 00:29:59.999 UTC
    const [out] = op.push(0, { rows: [[10 * MIN, 1]], kinds: null });
    expect(out?.rows).toEqual([[10 * MIN, 1, 300 * MIN, 360 * MIN, 30 * MIN - 1000]]);
    expect(windowFireTime('Asia/Kolkata')(360 * MIN)).toBe(30 * MIN - 1000);
    expect(windowFireTime(undefined)(360 * MIN)).toBe(360 * MIN - 1000);
  });

  it('insert-only input gives what the batch TVF gives', async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 200; i++) rows.push([i % 17 === 0 ? null : ((i * 7919) % 3000) * 1000 * 61, i, `r${i}`]);
    for (const node of [tvf('TUMBLE', 10 * MIN), tvf('HOP', 10 * MIN, 3 * MIN), tvf('CUMULATE', 12 * MIN, 4 * MIN, 2 * MIN)]) {
      const op = windowAssignStreamOf(node, env);
      const got = op.push(0, { rows, kinds: null }).flatMap((c) => c.rows);
      const want: Row[] = [];
      for await (const b of runQuery(node, testEnv(new MemorySource({ [TABLE]: rows }, 50)), { accumulators: createAccumulatorFactory, tableFunctions: fakeTableFunctions }).run()) want.push(...b);
      expect(got).toEqual(want);
    }
  });
});
