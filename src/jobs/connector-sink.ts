/**
 * Writes a job's output into a sink connector (print, blackhole,
 * filesystem: src/connectors/sink-connector.ts), exactly once for sinks
 * that can hold output back. The two phases of Flink's committing sinks,
 * driven by the job's checkpoints:
 *
 * - Rows of every kind go to the writer as they arrive (converted to the
 *   table's physical columns); a sink that does not take updates is only
 *   planned with insert-only output (src/session/dml.ts).
 * - Barrier n: the writer prepares what came before it (files flushed and
 *   closed, still hidden); the committable it returns is stored in
 *   checkpoint n's atomic batch, under the job's sink key (uint32 BE n, then
 *   the writer's bytes), so the batch either holds the checkpoint and its
 *   output or neither.
 * - Once that batch is written the writer commits (files renamed to their
 *   final names). A crash in between is repaired at the next start:
 *   `recover` commits the stored committable of the checkpoint the job
 *   resumes from again (commits are idempotent) and removes the output of a
 *   checkpoint it does not resume from (the sources replay it).
 */
import type { Row } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import type { Port } from '../streaming/dataflow.ts';
import type { SinkRecovery, SinkWriter } from '../connectors/sink-connector.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import { sinkUndoKey } from './checkpoints.ts';
import type { JobSink } from './jobs.ts';

interface Prepared {
  readonly committable: Promise<Uint8Array>;
  readonly rows: number;
}

/** The recovery of a job's writer from its stored sink record and the checkpoint the job resumed from (0: none). */
export function sinkRecovery(stored: Uint8Array | undefined, restoredId: number): SinkRecovery {
  if (stored === undefined || stored.length < 4) return {};
  const id = new DataView(stored.buffer, stored.byteOffset, stored.byteLength).getUint32(0);
  const committable = stored.subarray(4);
  return restoredId > 0 && id <= restoredId ? { committed: committable } : { rolledBack: committable };
}

export class ConnectorSink implements Port, JobSink {
  readonly #writer: SinkWriter;
  readonly #convert: (row: Row) => Row;
  readonly #store: Store;
  readonly #owner: number;
  readonly #prepared = new Map<number, Prepared>();
  /** Settles once the writer has recovered: no checkpoint commits before that. */
  readonly #recovered: Promise<void>;
  #recoveryDone!: (outcome: Promise<void>) => void;
  /** Rows written since the last barrier. */
  #open = 0;
  rowsWritten = 0;

  constructor(writer: SinkWriter, convert: (row: Row) => Row, store: Store, owner: number) {
    this.#writer = writer;
    this.#convert = convert;
    this.#store = store;
    this.#owner = owner;
    this.#recovered = new Promise<void>((resolve) => {
      this.#recoveryDone = resolve;
    });
    this.#recovered.catch(() => undefined);
  }

  /** Reads the stored sink record and recovers the writer; call once the dataflow has restored its checkpoint. */
  recover(stored: Uint8Array | undefined, restoredId: number): Promise<void> {
    const outcome = this.#writer.recover(sinkRecovery(stored, restoredId));
    outcome.catch(() => undefined);
    this.#recoveryDone(outcome);
    return outcome;
  }

  chunk(c: Chunk): void {
    const rows = new Array<Row>(c.rows.length);
    for (let i = 0; i < rows.length; i++) rows[i] = this.#convert(c.rows[i]!);
    this.#writer.write(rows, c.kinds);
    this.#open += rows.length;
  }

  watermark(): void {}

  idle(): void {}

  end(): void {}

  barrier(id: number): void {
    this.#prepare(id);
  }

  #prepare(id: number): Prepared {
    const committable = this.#writer.prepare(id);
    committable.catch(() => undefined);
    const prepared = { committable, rows: this.#open };
    this.#open = 0;
    this.#prepared.set(id, prepared);
    return prepared;
  }

  /** Writes checkpoint `id`'s batch with the sink record, then commits the writer's output of `id`. */
  async commit(id: number, ops: WriteOp[]): Promise<void> {
    await this.#recovered;
    const prepared = this.#prepared.get(id) ?? this.#prepare(id);
    for (const key of this.#prepared.keys()) if (key <= id) this.#prepared.delete(key);
    const committable = await prepared.committable;
    const record = new Uint8Array(4 + committable.length);
    new DataView(record.buffer).setUint32(0, id);
    record.set(committable, 4);
    ops.push({ type: 'put', key: sinkUndoKey(this.#owner), value: record });
    await this.#store.write(ops);
    await this.#writer.commit(committable);
    this.rowsWritten += prepared.rows;
  }

  /** Backpressure is not needed: output waits for at most one checkpoint interval. */
  ready(): Promise<void> | undefined {
    return undefined;
  }

  /** The job stopped or failed: what was not committed is discarded. */
  close(): Promise<void> {
    return this.#writer.abort();
  }
}
