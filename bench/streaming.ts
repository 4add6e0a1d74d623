/**
 * Streaming benchmarks: continuous queries over the bench events
 * (bench-events.ts), each run on the continuous runtime as
 * `SUBSCRIBE TO (query)` and drained to its end, against a hand-written loop
 * that computes the same change rows from the same in-memory events.
 *
 * Each scenario checks that the engine's change rows and the hand loop's
 * agree (row count, and per column the sum of values signed by the row's
 * kind), so a broken query cannot report a fast but empty run.
 *
 * The hand loops follow the engine's contract, not a shortcut of it: the
 * window loop fires a window when the watermark (greatest ts - 1 s, after
 * each batch) reaches window_end - 1 ms; the retracting loop emits, per batch
 * of 1024 events, +I for a new group and -U/+U for every other group the
 * batch touched.
 *
 * Engine and hand-loop runs alternate and each side keeps its best time, so
 * load from elsewhere on a shared machine skews both sides of the ratio alike.
 */
import type { Row, Value } from '../catalog/types.ts';
import type { Session } from '../src/session/api.ts';
import { ID, K, PRICE, TS } from './bench-events.ts';
import { bestOfPair, report, runSql } from './harness.ts';

export interface StreamingScenario {
  readonly name: string;
  /** The continuous query; the bench runs `SUBSCRIBE TO (sql)`. */
  readonly sql: string;
  /** The same change rows (`op` first) from the events, by hand. */
  hand(batches: readonly Row[][]): Row[];
  /** The throughput the engine should reach (the issue's goal), checked and printed after the line. */
  readonly goal?: { readonly eventsPerSecond: number; readonly ratio: number };
  /** How many times the query reads the events (a self-join reads them twice): input events = events x inputs. */
  readonly inputs?: number;
}

const WINDOW_US = 1_000_000;
const WATERMARK_DELAY_US = 1_000_000;
/** Flink's window_time: the window is complete when the watermark reaches end - 1 ms. */
const WINDOW_TIME_OFFSET_US = 1000;

export const streamingScenarios: readonly StreamingScenario[] = [
  {
    name: 'stream pass-through',
    sql: 'SELECT id, k, price, ts FROM events',
    hand(batches) {
      const out: Row[] = [];
      for (const batch of batches) {
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          out.push(['+I', r[ID]!, r[K]!, r[PRICE]!, r[TS]!]);
        }
      }
      return out;
    },
  },
  {
    name: 'stream filter + project',
    sql: 'SELECT id, price * 2 FROM events WHERE price % 3 = 0',
    hand(batches) {
      const out: Row[] = [];
      for (const batch of batches) {
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          const price = r[PRICE] as number;
          if (price % 3 === 0) out.push(['+I', r[ID]!, price * 2]);
        }
      }
      return out;
    },
  },
  {
    // Not an aggregation: isolates what window assignment costs on the way to the one below.
    name: 'tumbling window assignment only',
    sql: "SELECT window_start, window_end, k, price FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
    hand(batches) {
      const out: Row[] = [];
      for (const batch of batches) {
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          const ts = r[TS] as number;
          const start = ts - (ts % WINDOW_US);
          out.push(['+I', start, start + WINDOW_US, r[K]!, r[PRICE]!]);
        }
      }
      return out;
    },
  },
  {
    name: 'tumbling window COUNT/SUM by key',
    sql:
      "SELECT window_start, window_end, k, COUNT(*), SUM(price) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) " +
      'GROUP BY window_start, window_end, k',
    goal: { eventsPerSecond: 500_000, ratio: 0.3 },
    hand(batches) {
      interface Acc {
        n: number;
        sum: number;
      }
      const out: Row[] = [];
      const windows = new Map<number, Map<number, Acc>>();
      const fire = (wm: number): void => {
        for (const [start, groups] of windows) {
          const end = start + WINDOW_US;
          if (end - WINDOW_TIME_OFFSET_US > wm) continue;
          for (const [k, acc] of groups) out.push(['+I', start, end, k, acc.n, acc.sum]);
          windows.delete(start);
        }
      };
      let maxTs = -Infinity;
      for (const batch of batches) {
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          const ts = r[TS] as number;
          const k = r[K] as number;
          const start = ts - (ts % WINDOW_US);
          let groups = windows.get(start);
          if (groups === undefined) {
            groups = new Map();
            windows.set(start, groups);
          }
          const acc = groups.get(k);
          if (acc === undefined) groups.set(k, { n: 1, sum: r[PRICE] as number });
          else {
            acc.n++;
            acc.sum += r[PRICE] as number;
          }
          if (ts > maxTs) maxTs = ts;
        }
        fire(maxTs - WATERMARK_DELAY_US);
      }
      fire(Number.MAX_SAFE_INTEGER);
      return out;
    },
  },
  {
    // A two-way equi-join of two streams (both sides the events, matched 1:1 on id): rows are kept per
    // side by key and every arrival probes the other side.
    name: 'stream-stream equi-join',
    sql: 'SELECT a.id, b.price FROM events a JOIN events b ON a.id = b.id',
    inputs: 2,
    goal: { eventsPerSecond: 300_000, ratio: 0 },
    hand(batches) {
      const out: Row[] = [];
      const left = new Map<number, Row[]>();
      const right = new Map<number, Row[]>();
      const arrive = (side: Map<number, Row[]>, other: Map<number, Row[]>, r: Row, isLeft: boolean): void => {
        const id = r[ID] as number;
        let rows = side.get(id);
        if (rows === undefined) side.set(id, (rows = []));
        rows.push(r);
        const matches = other.get(id);
        if (matches === undefined) return;
        for (const m of matches) out.push(isLeft ? ['+I', r[ID]!, m[PRICE]!] : ['+I', m[ID]!, r[PRICE]!]);
      };
      for (const batch of batches) {
        for (let i = 0; i < batch.length; i++) arrive(left, right, batch[i]!, true);
        for (let i = 0; i < batch.length; i++) arrive(right, left, batch[i]!, false);
      }
      return out;
    },
  },
  {
    name: 'unwindowed GROUP BY (retractions)',
    sql: 'SELECT k, COUNT(*), SUM(price) FROM events GROUP BY k',
    hand(batches) {
      interface Group {
        readonly k: number;
        n: number;
        sum: number;
        emitted: boolean;
        emittedN: number;
        emittedSum: number;
        batch: number;
      }
      const out: Row[] = [];
      const groups = new Map<number, Group>();
      const touched: Group[] = [];
      for (let b = 0; b < batches.length; b++) {
        const batch = batches[b]!;
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          const k = r[K] as number;
          let g = groups.get(k);
          if (g === undefined) {
            g = { k, n: 0, sum: 0, emitted: false, emittedN: 0, emittedSum: 0, batch: -1 };
            groups.set(k, g);
          }
          g.n++;
          g.sum += r[PRICE] as number;
          if (g.batch !== b) {
            g.batch = b;
            touched.push(g);
          }
        }
        for (let i = 0; i < touched.length; i++) {
          const g = touched[i]!;
          if (g.emitted) {
            out.push(['-U', g.k, g.emittedN, g.emittedSum]);
            out.push(['+U', g.k, g.n, g.sum]);
          } else {
            out.push(['+I', g.k, g.n, g.sum]);
            g.emitted = true;
          }
          g.emittedN = g.n;
          g.emittedSum = g.sum;
        }
        touched.length = 0;
      }
      return out;
    },
  },
];

/** Row count and, per column after `op`, the sum of the values signed by the row's kind (+I/+U add, -U/-D subtract). */
export function changeChecksum(rows: readonly Row[]): string {
  const sums: bigint[] = [];
  for (const r of rows) {
    const sign = r[0] === '+I' || r[0] === '+U' ? 1n : r[0] === '-U' || r[0] === '-D' ? -1n : 0n;
    if (sign === 0n) throw new Error(`not a change row: ${String(r[0])}`);
    for (let c = 1; c < r.length; c++) sums[c - 1] = (sums[c - 1] ?? 0n) + sign * asBigInt(r[c]!);
  }
  return `${rows.length} rows; column sums ${sums.join(' ')}`;
}

function asBigInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new Error(`checksum: unexpected value ${String(v)}`);
}

/** Runs every scenario over the `events` table (already created on the session) and prints its line. */
export async function runStreamingBenchmarks(session: Session, batches: readonly Row[][], events: number): Promise<void> {
  for (const s of streamingScenarios) {
    let engineRows: Row[] = [];
    let handRows: Row[] = [];
    const [engineMs, handMs] = await bestOfPair(
      async () => {
        engineRows = await runSql(session, `SUBSCRIBE TO (${s.sql})`);
      },
      () => {
        handRows = s.hand(batches);
      },
    );
    const engineSum = changeChecksum(engineRows);
    const handSum = changeChecksum(handRows);
    if (engineSum !== handSum) {
      throw new Error(`${s.name}: engine and hand loop disagree\n  engine: ${engineSum}\n  hand:   ${handSum}`);
    }
    const inputEvents = events * (s.inputs ?? 1);
    report(s.name, inputEvents, engineMs, handMs, 'events');
    if (s.goal !== undefined) {
      const eps = (inputEvents / engineMs) * 1000;
      const ratio = handMs / engineMs;
      const met = eps >= s.goal.eventsPerSecond && ratio >= s.goal.ratio;
      process.stdout.write(
        `${''.padEnd(34)} goal >= ${s.goal.eventsPerSecond.toLocaleString('en-US')} events/s${s.goal.ratio > 0 ? ` and >= ${s.goal.ratio.toFixed(3)} of the hand loop` : ''}: ${met ? 'met' : 'NOT met'}\n`,
      );
    }
  }
}
