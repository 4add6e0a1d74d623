/**
 * The events the streaming benchmarks read, and the bench-only source
 * connector that serves them.
 *
 * Events are `(id BIGINT, k INT, price INT, ts TIMESTAMP(3))`, generated once
 * in memory as row arrays in batches of CHUNK_SIZE, so the timed region does
 * no generation work. `ts` advances one millisecond every EVENTS_PER_MS events
 * with a bounded disorder of up to MAX_DISORDER_MS behind the front, less than
 * the table's one-second watermark delay, so no event is ever late and every
 * engine result is deterministic.
 *
 * The connector ('bench-events') is bounded: `read` yields the prebuilt
 * batches (the engine copies the columns it keeps, never mutating the rows),
 * then ends, so a query over it ends with the final watermark.
 */
import type { Row } from '../catalog/types.ts';
import type { ColumnDefinition } from '../catalog/relation.ts';
import type { SourceConnector } from '../src/connectors/source-connector.ts';
import { SqlError, SqlState } from '../src/errors.ts';
import { CHUNK_SIZE } from '../src/dataflow/chunk.ts';

export const KEYS = 10_000;
export const EVENTS_PER_MS = 50;
export const MAX_DISORDER_MS = 200;
/** 2026-01-01 00:00:00 UTC in microseconds. */
const BASE_US = 1_767_225_600_000_000;

/** Column positions of an event row. */
export const ID = 0;
export const K = 1;
export const PRICE = 2;
export const TS = 3;

export const EVENTS_DDL =
  "CREATE TABLE events (id BIGINT, k INT, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) " +
  "WITH ('connector' = 'bench-events')";

/** `n` events in batches of CHUNK_SIZE rows, from a fixed seed. */
export function generateEvents(n: number): Row[][] {
  const batches: Row[][] = [];
  let seed = 0x2545f491;
  const next = (): number => {
    // xorshift32: cheap, deterministic, good enough for spreading keys.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  let batch: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    const frontMs = Math.floor(i / EVENTS_PER_MS);
    const lagMs = r % 8 === 0 ? (r >>> 3) % (MAX_DISORDER_MS + 1) : 0;
    const ts = BASE_US + Math.max(0, frontMs - lagMs) * 1000;
    batch.push([BigInt(i), next() % KEYS, 1 + (next() % 1000), ts]);
    if (batch.length === CHUNK_SIZE) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

const EXPECTED: readonly [string, string][] = [
  ['id', 'BIGINT'],
  ['k', 'INT'],
  ['price', 'INT'],
  ['ts', 'TIMESTAMP'],
];

/** A bounded connector that yields `batches` each time a query reads it. */
export function benchEventsConnector(batches: readonly Row[][]): SourceConnector {
  return {
    name: 'bench-events',
    validate(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>) {
      for (const key of Object.keys(options)) {
        if (key !== 'connector') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unsupported option '${key}' for connector 'bench-events'`);
      }
      const shape = columns.map((c) => [c.name, c.type.kind] as const);
      const ok = shape.length === EXPECTED.length && shape.every(([n, t], i) => n === EXPECTED[i]![0] && t === EXPECTED[i]![1]);
      if (!ok) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, "connector 'bench-events' serves (id BIGINT, k INT, price INT, ts TIMESTAMP(3))");
      }
    },
    bounded() {
      return true;
    },
    async *read(_columns, _options, signal, fromPosition = 0) {
      for (let i = fromPosition; i < batches.length; i++) {
        if (signal.aborted) return;
        yield batches[i]!;
      }
    },
  };
}
