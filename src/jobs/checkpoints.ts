/**
 * Checkpoint metadata and history (ARCHITECTURE decision 6).
 *
 * - A committed checkpoint of a durable dataflow is one record under
 *   JOB + owner + "checkpoint": its id, time and every source's position and
 *   watermark, written in the same atomic batch as the state it describes,
 *   so the record on disk always matches the state on disk. The record
 *   carries a checksum of its own bytes: a damaged record is reported and
 *   never used.
 * - The record before it (n-1) is kept under "checkpoint-previous", and
 *   checkpoint n's batch holds the undo of its state writes
 *   (checkpoint-undo.ts) and of its sink's output ("sink-undo", written by
 *   the sink). When record n is damaged the dataflow applies the undo and
 *   resumes from n-1 (durable-dataflow.ts); only when n-1 is unusable too does
 *   it start over from its inputs.
 * - The record names the state layout version its state was written in
 *   (`STATE_LAYOUT_VERSION`: how operators lay out their keys and values). A
 *   record of another version (or of none: written before versions) is
 *   treated as absent by the start (durable-dataflow.ts): the dataflow starts
 *   over from its inputs, with a log line; such state is never loaded.
 * - Savepoints are copies a user asks for (see savepoints.ts).
 * - `CheckpointHistory` keeps the recent attempts of every dataflow in
 *   memory for SHOW CHECKPOINTS.
 */
import { KeyPrefix, objectKey } from '../storage/key-space.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import type { SourceCheckpoint, SourcePosition } from '../streaming/stream-sources.ts';
import { SqlError, SqlState } from '../errors.ts';

/**
 * The layout of durable operator state this build writes and reads. Bump it
 * whenever an operator's state keys or values change shape.
 * 1: before versions were recorded; 2: every keyed operator's state key
 * starts with its key-group byte, a view's contents are stored as
 * count + row (materialized-view.ts).
 */
export const STATE_LAYOUT_VERSION = 2;

export interface CheckpointRecord {
  readonly id: number;
  /** State layout version (`STATE_LAYOUT_VERSION` when written by this build); 1 for a record without one. */
  readonly layout?: number;
  /** When it was taken (ms since the epoch). */
  readonly time: number;
  readonly sources: readonly SourceCheckpoint[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Key of a dataflow's metadata entry `name` (e.g. "checkpoint", "definition"). */
export function jobKey(owner: number, name: string): Uint8Array {
  return objectKey(KeyPrefix.JOB, owner, utf8.encode(name));
}

/** CRC-32 (IEEE) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

interface StoredSource {
  readonly offset?: number;
  readonly ended?: true;
  /** null: no watermark yet (JSON has no -Infinity). */
  readonly watermark: number | null;
}

/** The record as bytes: a 4-byte CRC-32 of the JSON, then the JSON. */
export function encodeCheckpoint(record: CheckpointRecord): Uint8Array {
  const sources: StoredSource[] = record.sources.map((s) => ({
    ...('ended' in s.position ? { ended: true as const } : { offset: s.position.offset }),
    watermark: Number.isFinite(s.watermark) ? s.watermark : null,
  }));
  const json = utf8.encode(JSON.stringify({ id: record.id, layout: record.layout ?? STATE_LAYOUT_VERSION, time: record.time, sources }));
  const out = new Uint8Array(4 + json.length);
  new DataView(out.buffer).setUint32(0, crc32(json));
  out.set(json, 4);
  return out;
}

/** Decodes a stored record; XX001 (data corrupted) when it does not check out. */
export function decodeCheckpoint(bytes: Uint8Array, what: string): CheckpointRecord {
  const corrupted = (why: string): SqlError => new SqlError(SqlState.DATA_CORRUPTED, `checkpoint of ${what} is damaged (${why}); it is not used`);
  if (bytes.length < 4) throw corrupted('too short');
  const json = bytes.subarray(4);
  if (new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0) !== crc32(json)) throw corrupted('checksum mismatch');
  let parsed: { id: number; layout?: number; time: number; sources: StoredSource[] };
  try {
    parsed = JSON.parse(utf8Decoder.decode(json)) as typeof parsed;
  } catch {
    throw corrupted('unreadable');
  }
  const sources = parsed.sources.map((s): SourceCheckpoint => {
    const position: SourcePosition = s.ended === true ? { ended: true } : { offset: s.offset ?? 0 };
    return { position, watermark: s.watermark ?? -Infinity };
  });
  return { id: parsed.id, layout: typeof parsed.layout === 'number' ? parsed.layout : 1, time: parsed.time, sources };
}

/** Whether `record`'s state was written in the layout this build reads. */
export function currentLayout(record: CheckpointRecord): boolean {
  return (record.layout ?? STATE_LAYOUT_VERSION) === STATE_LAYOUT_VERSION;
}

/** The record of the checkpoint before the last one (kept to fall back to). */
export function previousCheckpointKey(owner: number): Uint8Array {
  return jobKey(owner, 'checkpoint-previous');
}

/**
 * What the sink of `owner` replaced in its last checkpoint (written by the
 * sink in that checkpoint's batch). Its value starts with the uint32 BE id of
 * that checkpoint; the rest is the sink's own.
 */
export function sinkUndoKey(owner: number): Uint8Array {
  return jobKey(owner, 'sink-undo');
}

/** The last committed checkpoint of `owner`, or undefined when it has none. Throws when it is damaged. */
export async function readCheckpoint(store: Store, owner: number, what: string): Promise<CheckpointRecord | undefined> {
  const bytes = await store.get(jobKey(owner, 'checkpoint'));
  return bytes === undefined ? undefined : decodeCheckpoint(bytes, what);
}

/** The batch operation that commits `record`. */
export function checkpointOp(owner: number, record: CheckpointRecord): WriteOp {
  return { type: 'put', key: jobKey(owner, 'checkpoint'), value: encodeCheckpoint(record) };
}

export type CheckpointStatus = 'COMPLETED' | 'FAILED';

/** One checkpoint attempt as SHOW CHECKPOINTS lists it. */
export interface CheckpointStats {
  /** The dataflow: a materialized view's name or a job's id. */
  readonly dataflow: string;
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint' | 'final';
  readonly status: CheckpointStatus;
  readonly triggered: Date;
  readonly durationMs: number;
  /** Bytes written (keys and values of the batch). */
  readonly bytes: number;
  /** State entries written or deleted. */
  readonly entries: number;
  readonly error: string | null;
}

const KEEP_PER_DATAFLOW = 10;

/** Checkpoint attempts of one dataflow since the server started (the metrics' counters). */
export interface CheckpointTotals {
  readonly completed: number;
  readonly failed: number;
  /** The last completed attempt (its duration and size are the metrics' gauges). */
  readonly last: CheckpointStats | undefined;
}

/**
 * The recent checkpoint attempts of each dataflow (SHOW CHECKPOINTS keeps
 * the last few), and counts of every attempt, which outlive `forget` as
 * Prometheus counters do until the process ends. A savepoint counts as a
 * checkpoint of its dataflow.
 */
export class CheckpointHistory {
  readonly #byDataflow = new Map<string, CheckpointStats[]>();
  readonly #totals = new Map<string, CheckpointTotals>();

  add(stats: CheckpointStats): void {
    let list = this.#byDataflow.get(stats.dataflow);
    if (list === undefined) this.#byDataflow.set(stats.dataflow, (list = []));
    list.push(stats);
    if (list.length > KEEP_PER_DATAFLOW) list.shift();
    const t = this.#totals.get(stats.dataflow) ?? { completed: 0, failed: 0, last: undefined };
    const done = stats.status === 'COMPLETED';
    this.#totals.set(stats.dataflow, { completed: t.completed + (done ? 1 : 0), failed: t.failed + (done ? 0 : 1), last: done ? stats : t.last });
  }

  /** Totals by dataflow (a job id such as `job-0001`, or `mv-<id>` for a materialized view). */
  totals(): ReadonlyMap<string, CheckpointTotals> {
    return this.#totals;
  }

  forget(dataflow: string): void {
    this.#byDataflow.delete(dataflow);
  }

  list(): CheckpointStats[] {
    return [...this.#byDataflow.values()].flat();
  }
}
