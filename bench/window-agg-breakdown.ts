/**
 * Where the tumbling-window aggregation's time goes, operator by operator,
 * without SQL or the runtime: `npx tsx bench/window-agg-breakdown.ts`
 * (MILLRACE_BENCH_ROWS sets the number of events).
 *
 * It drives the engine's own WindowAssignStream and WindowAggregate over the
 * bench events, as the continuous runtime does (each chunk, then the
 * watermark it advanced), and prints events/s for:
 * - window assignment alone;
 * - window aggregation alone (over pre-assigned chunks), as the engine builds it;
 * - the same aggregation with a variant swapped in through the operator's
 *   public spec, to size a change before anyone makes it in src/: COUNT(*)
 *   with the batch engine's accumulator (a bigint count: each increment
 *   allocates) instead of the incremental operators' number count.
 * - with MILLRACE_BENCH_FUSED=1 instead, the aggregation fused with the
 *   TUMBLE (`fusedTumbleAggregateOf`, once the stream compiler uses it): fed
 *   the events themselves, so that line is the whole window query's operator
 *   cost.
 * The engine's own figures are the first two lines; the variants are what-ifs.
 */
import type { Row, SqlType } from '../catalog/types.ts';
import type { Chunk } from '../src/dataflow/chunk.ts';
import type { EvalFn } from '../src/compiler/expr-compiler.ts';
import type { IncrementalAggregateCall } from '../src/streaming/incremental-aggregate.ts';
import { WindowAssignStream, windowFireTime } from '../src/streaming/window-assign-stream.ts';
import { WindowAggregate, type WindowAggregateSpec } from '../src/streaming/window-aggregate.ts';
import { createAccumulatorFactory } from '../src/functions/aggregates.ts';
import { incrementalAccumulatorFactory } from '../src/streaming/group-accumulation.ts';
import { generateEvents, K, PRICE, TS } from './bench-events.ts';
import { best } from './harness.ts';

const ROWS = Number(process.env['MILLRACE_BENCH_ROWS'] ?? 200_000);
const FUSED = process.env['MILLRACE_BENCH_FUSED'] === '1';
const WINDOW_US = 1_000_000;
const DELAY_US = 1_000_000;
const TS3: SqlType = { kind: 'TIMESTAMP', precision: 3 };
const INT: SqlType = { kind: 'INT' };
const BIGINT: SqlType = { kind: 'BIGINT' };

/** Columns of an assigned row: the event's four, then window_start, window_end, window_time. */
const WSTART = 4;
const WEND = 5;

/** A column reader the way the expression compiler builds one. */
function column(i: number): EvalFn {
  return (row) => row[i] ?? null;
}

interface Variant {
  readonly bigintCount: boolean;
  /** Fused with the TUMBLE (`fusedTumbleAggregateOf`): fed the events, not the assigned rows. */
  readonly fused?: boolean;
}

function spec(variant: Variant): WindowAggregateSpec {
  const read = [column(WSTART), column(WEND), column(K), column(PRICE)];
  const count: IncrementalAggregateCall = {
    factory: variant.bigintCount ? createAccumulatorFactory('count_star', [], BIGINT) : incrementalAccumulatorFactory('count_star', [], BIGINT),
    args: [],
    argTypes: [],
    filter: undefined,
    distinct: false,
    skipNulls: false,
    resultType: BIGINT,
  };
  const sum: IncrementalAggregateCall = {
    factory: incrementalAccumulatorFactory('sum', [INT], INT),
    args: [read[3]!],
    argColumn: PRICE,
    argTypes: [INT],
    filter: undefined,
    distinct: false,
    skipNulls: true,
    resultType: INT,
  };
  return {
    keys: [read[0]!, read[1]!, read[2]!],
    keyColumns: variant.fused === true ? [-1, -1, K] : [WSTART, WEND, K],
    keyTypes: [TS3, TS3, INT],
    calls: [count, sum],
    windowEndKey: 1,
    windowStartKey: 0,
    fireTime: windowFireTime(undefined),
    ...(variant.fused === true ? { tumble: { time: column(TS), timeColumn: TS, size: WINDOW_US, offset: 0 } } : {}),
  };
}

function assigner(): WindowAssignStream {
  return new WindowAssignStream({ fn: 'TUMBLE', time: column(TS), timeColumn: TS, size: WINDOW_US, slide: WINDOW_US, offset: 0, timeZone: undefined });
}

/** The watermark after each batch, as the source computes it (greatest ts - delay). */
function watermarks(batches: readonly Row[][]): number[] {
  const out: number[] = [];
  let max = -Infinity;
  for (const b of batches) {
    for (const r of b) if ((r[TS] as number) > max) max = r[TS] as number;
    out.push(max - DELAY_US);
  }
  return out;
}

function aggregate(chunks: readonly Chunk[], wms: readonly number[], variant: Variant): number {
  const op = new WindowAggregate(spec(variant));
  let out = 0;
  for (let i = 0; i < chunks.length; i++) {
    op.push(0, chunks[i]!);
    for (const c of op.watermark(wms[i]!)) out += c.rows.length;
  }
  for (const c of op.watermark(Number.MAX_SAFE_INTEGER)) out += c.rows.length;
  return out;
}

async function main(): Promise<void> {
  const batches = generateEvents(ROWS);
  const wms = watermarks(batches);
  const assigned: Chunk[] = [];
  {
    const a = assigner();
    for (const b of batches) for (const c of a.push(0, { rows: b, kinds: null })) assigned.push(c);
  }
  const line = (name: string, ms: number, extra = ''): void => {
    process.stdout.write(`${name.padEnd(46)} ${Math.round((ROWS / ms) * 1000).toLocaleString('en-US').padStart(12)} events/s${extra}\n`);
  };
  process.stdout.write(`window aggregation breakdown: ${ROWS} events, operators driven directly\n`);
  line(
    'window assignment (WindowAssignStream)',
    await best(() => {
      const a = assigner();
      for (const b of batches) a.push(0, { rows: b, kinds: null });
    }),
  );
  const base: Variant = { bigintCount: false };
  const expected = aggregate(assigned, wms, base);
  // The fused variant runs alone: sharing call sites with the others in one process skews both (JIT feedback).
  const variants: [string, Variant][] = FUSED
    ? [['what-if: fused with the TUMBLE (events in)', { bigintCount: false, fused: true }]]
    : [
        ['window aggregate (WindowAggregate, as built)', base],
        ['  what-if: COUNT(*) counts in a bigint', { bigintCount: true }],
      ];
  const events: Chunk[] = batches.map((b) => ({ rows: b, kinds: null }));
  // Rounds alternate the variants so a noisy neighbour disturbs them alike; each keeps its best time.
  const bestMs = variants.map(() => Infinity);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < variants.length; i++) {
      let rows = 0;
      const ms = await best(() => {
        const v = variants[i]![1];
        rows = aggregate(v.fused === true ? events : assigned, wms, v);
      });
      if (rows !== expected) throw new Error(`${variants[i]![0]}: ${rows} result rows, expected ${expected}`);
      bestMs[i] = Math.min(bestMs[i]!, ms);
    }
  }
  for (let i = 0; i < variants.length; i++) line(variants[i]![0], bestMs[i]!, `   (${expected} window results)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`breakdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
