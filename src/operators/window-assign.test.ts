import { describe, expect, it } from 'vitest';
import { STRING, timestamp, type Row } from '../../catalog/types.ts';
import type { LogicalPlan, WindowTvfFunction } from '../planner/logical-plan.ts';
import { insertChunk, type Chunk } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import { col, runPlan, scanNode, schemaOf } from '../compiler/plan.test-helpers.ts';
import { assignWindows, windowAssignOperator, windowStart, type WindowAssignSpec } from './window-assign.ts';

const MIN = 60_000_000;
const MS = 1000;
/** µs of 2020-04-15 08:mm UTC. */
const at = (mm: number): number => Date.UTC(2020, 3, 15, 8, mm) * 1000;
const hhmm = (us: number): string => new Date(us / 1000).toISOString().slice(11, 19);

// Flink's Bid example (bidtime, item).
const BID: Row[] = [
  [at(5), 'C'],
  [at(7), 'A'],
  [at(9), 'D'],
  [at(11), 'B'],
  [at(13), 'E'],
  [at(17), 'F'],
];

async function* chunks(rows: Row[], size = 2): ChunkStream {
  for (let i = 0; i < rows.length; i += size) yield insertChunk(rows.slice(i, i + size));
}

async function collect(stream: ChunkStream): Promise<Row[]> {
  const out: Row[] = [];
  for await (const c of stream as AsyncIterable<Chunk>) out.push(...c.rows);
  return out;
}

function spec(fn: WindowTvfFunction, size: number, slide = size, extra: Partial<WindowAssignSpec> = {}): WindowAssignSpec {
  return {
    fn,
    time: (r) => r[0] ?? null,
    partition: [],
    partitionTypes: [],
    prepare: undefined,
    size,
    slide,
    offset: 0,
    timeZone: undefined,
    ...extra,
  };
}

/** Rows as `item start-end`. */
async function run(s: WindowAssignSpec, rows: Row[] = BID): Promise<string[]> {
  const out = await collect(windowAssignOperator(s, chunks(rows)));
  return out.map((r) => {
    expect(r[4]).toBe((r[3] as number) - MS);
    return `${String(r[1])} ${hhmm(r[2] as number)}-${hhmm(r[3] as number)}`;
  });
}

describe('window start', () => {
  it('follows Flink offsets for a 10 minute window (docs table)', () => {
    const ts = Date.UTC(2021, 5, 30, 0, 0, 4) * 1000;
    const start = (offsetMin: number): string => hhmm(windowStart(ts, offsetMin * MIN, 10 * MIN));
    expect(start(-16)).toBe('23:54:00');
    expect(start(-6)).toBe('23:54:00');
    expect(start(-4)).toBe('23:56:00');
    expect(start(0)).toBe('00:00:00');
    expect(start(4)).toBe('23:54:00');
    expect(start(6)).toBe('23:56:00');
    expect(start(16)).toBe('23:56:00');
  });

  it('handles times before 1970', () => {
    expect(windowStart(-1, 0, 10)).toBe(-10);
    expect(windowStart(-10, 0, 10)).toBe(-10);
  });
});

describe('window assignment', () => {
  it('TUMBLE puts each row in one window', async () => {
    expect(await run(spec('TUMBLE', 10 * MIN))).toEqual([
      'C 08:00:00-08:10:00',
      'A 08:00:00-08:10:00',
      'D 08:00:00-08:10:00',
      'B 08:10:00-08:20:00',
      'E 08:10:00-08:20:00',
      'F 08:10:00-08:20:00',
    ]);
  });

  it('TUMBLE with an offset', async () => {
    const out = await run(spec('TUMBLE', 10 * MIN, 10 * MIN, { offset: MIN }));
    expect(out[0]).toBe('C 08:01:00-08:11:00');
    expect(out[3]).toBe('B 08:11:00-08:21:00');
  });

  it('HOP emits size / slide windows per row in start order', async () => {
    expect(await run(spec('HOP', 10 * MIN, 5 * MIN))).toEqual([
      'C 08:00:00-08:10:00',
      'C 08:05:00-08:15:00',
      'A 08:00:00-08:10:00',
      'A 08:05:00-08:15:00',
      'D 08:00:00-08:10:00',
      'D 08:05:00-08:15:00',
      'B 08:05:00-08:15:00',
      'B 08:10:00-08:20:00',
      'E 08:05:00-08:15:00',
      'E 08:10:00-08:20:00',
      'F 08:10:00-08:20:00',
      'F 08:15:00-08:25:00',
    ]);
  });

  it('CUMULATE emits the growing windows that hold the row', async () => {
    const out = await run(spec('CUMULATE', 10 * MIN, 2 * MIN));
    expect(out.filter((r) => r.startsWith('C'))).toEqual(['C 08:00:00-08:06:00', 'C 08:00:00-08:08:00', 'C 08:00:00-08:10:00']);
    expect(out.filter((r) => r.startsWith('B'))).toEqual([
      'B 08:10:00-08:12:00',
      'B 08:10:00-08:14:00',
      'B 08:10:00-08:16:00',
      'B 08:10:00-08:18:00',
      'B 08:10:00-08:20:00',
    ]);
    expect(out).toHaveLength(17);
  });

  it('a row on a window boundary belongs to the window it starts', () => {
    const got: string[] = [];
    assignWindows('HOP', at(10), 10 * MIN, 5 * MIN, 0, (s, e) => got.push(`${hhmm(s)}-${hhmm(e)}`));
    expect(got).toEqual(['08:05:00-08:15:00', '08:10:00-08:20:00']);
  });

  it('drops rows whose time is NULL', async () => {
    expect(await run(spec('TUMBLE', 10 * MIN), [[null, 'x'], [at(1), 'y']])).toEqual(['y 08:00:00-08:10:00']);
  });

  // Flink's SESSION example data (out of order), partitioned by item.
  const SESSION_BID: Row[] = [
    [at(7), 'A'],
    [at(6), 'A'],
    [at(9), 'B'],
    [at(8), 'A'],
    [at(17), 'B'],
  ];

  it('SESSION merges per partition and keeps input order', async () => {
    const s = spec('SESSION', 5 * MIN, 5 * MIN, { partition: [(r) => r[1] ?? null], partitionTypes: [STRING] });
    expect(await run(s, SESSION_BID)).toEqual([
      'A 08:06:00-08:13:00',
      'A 08:06:00-08:13:00',
      'B 08:09:00-08:14:00',
      'A 08:06:00-08:13:00',
      'B 08:17:00-08:22:00',
    ]);
  });

  it('SESSION without partition keys spans all rows', async () => {
    expect(await run(spec('SESSION', 5 * MIN), SESSION_BID)).toEqual([
      'A 08:06:00-08:14:00',
      'A 08:06:00-08:14:00',
      'B 08:06:00-08:14:00',
      'A 08:06:00-08:14:00',
      'B 08:17:00-08:22:00',
    ]);
  });

  it('SESSION merges windows that only touch', async () => {
    const rows: Row[] = [[at(5), 'a'], [at(7), 'b'], [at(10), 'c']];
    expect(await run(spec('SESSION', 2 * MIN), rows)).toEqual(['a 08:05:00-08:09:00', 'b 08:05:00-08:09:00', 'c 08:10:00-08:12:00']);
  });

  it('aligns TIMESTAMP_LTZ windows in the session time zone', async () => {
    // 2020-04-15 01:30 UTC is 03:30 in Berlin (UTC+2): the 1 day window is the Berlin day.
    const t = Date.UTC(2020, 3, 15, 1, 30) * 1000;
    const out = await collect(windowAssignOperator(spec('TUMBLE', 24 * 60 * MIN, 24 * 60 * MIN, { timeZone: 'Europe/Berlin' }), chunks([[t]])));
    expect(out[0]![1]).toBe(Date.UTC(2020, 3, 15) * 1000);
    expect(out[0]![2]).toBe(Date.UTC(2020, 3, 16) * 1000);
    expect(out[0]![3]).toBe(Date.UTC(2020, 3, 15, 21, 59, 59, 999) * 1000);
  });
});

describe('window-tvf plan node', () => {
  it('runs through the compiler', async () => {
    const ts = timestamp(3);
    const scan = scanNode(1, [ts, STRING]);
    const plan: LogicalPlan = {
      kind: 'window-tvf',
      input: scan,
      fn: 'TUMBLE',
      timeCol: col(0, ts),
      partitionBy: [],
      size: 10 * MIN,
      slide: 10 * MIN,
      offset: 0,
      schema: schemaOf([ts, STRING, ts, ts, ts]),
    };
    const out = await runPlan(plan, { 1: BID });
    expect(out.map((r) => hhmm(r[2] as number))).toEqual(['08:00:00', '08:00:00', '08:00:00', '08:10:00', '08:10:00', '08:10:00']);
  });
});
