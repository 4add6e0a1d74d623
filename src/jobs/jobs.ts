/**
 * Server-owned jobs: `INSERT INTO <stored table> SELECT ...` over unbounded
 * input keeps running after the statement (and its session) ends, until it
 * is stopped with STOP JOB or its input ends, and across server restarts.
 *
 * - A job is durable (src/jobs/durable-dataflow.ts): its definition (the
 *   statement and the session settings it was planned with) is stored under
 *   JOB + owner + "definition"; its operator state is checkpointed; at start
 *   every RUNNING job resumes from its last checkpoint.
 * - Exactly-once into the table (TableSink): the sink is two-phase. What the
 *   dataflow emits between barriers n-1 and n is staged at barrier n and
 *   written into the table in the same atomic batch as checkpoint n (state,
 *   positions); a crash before that batch loses the staged rows together
 *   with the state that produced them, and the sources replay them. Rows
 *   therefore appear in the table at checkpoints.
 * - The same batch stores the sink's undo ("sink-undo": each key it wrote and
 *   the row that key held before, or none). When checkpoint n's record turns
 *   out damaged and the job resumes from n-1, the first checkpoint after
 *   that puts those rows back (and deletes n's appended rows) in its own
 *   batch, together with the output replayed since n-1: no row is lost or
 *   written twice. Value: uint32 BE checkpoint id, uint32 BE entry count, then
 *   per entry u8 (0: delete the key, 1: restore a row), uint32 BE key length,
 *   the storage key, and for 1 a uint32 BE length and the row-codec bytes of
 *   the physical columns.
 * - Append-only output is inserted; an updating output needs a table with a
 *   primary key: +I / +U upsert the row of their key, -D and -U delete it
 *   (changes are netted per key within a checkpoint, so the -U of an update
 *   pair is replaced by its +U and never reaches the table; a -U whose +U
 *   has another key, as when the table's key includes an aggregate, removes
 *   the row it retracts). When the key is the unique key of the producer
 *   (changelog-mode.ts `upsertChainOf`) the dataflow sends no -U at all
 *   (upsert mode, Flink's [I,UA,D]); the table ends the same either way.
 * - A job into a sink connector (print, filesystem) writes through
 *   ConnectorSink (connector-sink.ts) with the same checkpoint hooks: its
 *   output is prepared at barrier n and committed with checkpoint n.
 * - A job that fails (an expression error, a checkpoint that cannot be
 *   written) shows FAILED and the reason in SHOW JOBS and is restarted from
 *   its last checkpoint after a back-off that doubles up to a minute.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { Port } from '../streaming/dataflow.ts';
import { kindAt } from '../streaming/changelog.ts';
import type { CheckpointPreImages, TableStore } from '../storage/table-store.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import { KeyPrefix, objectIdOf, objectPrefix, objectSuffix } from '../storage/key-space.ts';
import { bytesKey } from '../values/map-key.ts';
import { encodeKey } from '../values/key-codec.ts';
import { decodeRow, encodeRow } from '../values/row-codec.ts';
import { SqlError, SqlState } from '../errors.ts';
import { JOB_OWNER_BASE } from '../state/durable-state.ts';
import { DurableDataflow, isCheckpointBatch } from './durable-dataflow.ts';
import { jobKey, sinkUndoKey } from './checkpoints.ts';
import type { SavepointInfo, Savepoints } from './savepoints.ts';

export interface JobInfo {
  readonly id: string;
  readonly name: string;
  readonly statement: string;
  readonly status: string;
  readonly startTime: Date;
  readonly rowsWritten: number;
  readonly lateRows: number;
  readonly error: string | null;
}

/** What is stored of a job (JSON under JOB + owner + "definition"). */
export interface JobDefinition {
  readonly number: number;
  readonly name: string;
  /** The INSERT statement, as the user wrote it. */
  readonly statement: string;
  /** Session settings the statement was planned with (time zone, table.* and execution.* options). */
  readonly settings: Readonly<Record<string, string>>;
  readonly created: number;
  /** RUNNING jobs are resumed at start; FINISHED and CANCELED ones are kept for SHOW JOBS. */
  readonly state: 'RUNNING' | 'FINISHED' | 'CANCELED';
}

export function jobIdOf(number: number): string {
  return `job-${String(number).padStart(4, '0')}`;
}

export function jobOwner(number: number): number {
  return JOB_OWNER_BASE + number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The net changes to a table staged for one checkpoint. */
interface Staged {
  /** Keyed tables: the last change per primary key (a delete needs only the key columns of its row). */
  readonly byKey: Map<string, { readonly row: Row; readonly deleted: boolean }>;
  /** Tables without a key (append-only output): rows in order. */
  readonly appended: Row[];
}

/**
 * Writes a job's output into a stored table, exactly once: chunks are
 * staged per checkpoint and written with it (see the file comment).
 */
export class TableSink implements Port {
  readonly #tables: TableStore;
  readonly #table: TableDefinition;
  readonly #convert: (row: Row) => Row;
  readonly #keyColumns: readonly number[];
  readonly #keyTypes: readonly SqlType[];
  /** The key values of the row being keyed (reused: one array per sink, not per row). */
  readonly #keyScratch: Value[];
  /** Types of the physical columns (the rows of the sink undo). */
  readonly #types: readonly SqlType[];
  #open: Staged = { byKey: new Map(), appended: [] };
  readonly #staged = new Map<number, Staged>();
  rowsWritten = 0;

  constructor(tables: TableStore, table: TableDefinition, convert: (row: Row) => Row) {
    this.#tables = tables;
    this.#table = table;
    this.#convert = convert;
    const physical = table.columns.filter((c) => c.kind === 'physical');
    this.#keyColumns = table.primaryKey.map((k) => physical.findIndex((c) => c.name === k));
    this.#keyTypes = this.#keyColumns.map((c) => physical[c]!.type);
    this.#keyScratch = new Array<Value>(this.#keyColumns.length).fill(null);
    this.#types = physical.map((c) => c.type);
  }

  chunk(c: Chunk): void {
    const open = this.#open;
    for (let i = 0; i < c.rows.length; i++) {
      const kind = kindAt(c, i);
      const deleted = kind === RowKind.DELETE || kind === RowKind.UPDATE_BEFORE;
      if (this.#keyColumns.length === 0) {
        if (deleted) continue; // Refused at plan time: only append-only output reaches an unkeyed table.
        open.appended.push(this.#convert(c.rows[i]!));
        continue;
      }
      const row = this.#convert(c.rows[i]!);
      open.byKey.set(this.#keyOf(row), { row, deleted });
    }
  }

  watermark(): void {}

  idle(): void {}

  end(): void {}

  /** Pre-commit: what arrived before barrier `id` belongs to checkpoint `id`. */
  barrier(id: number): void {
    this.#staged.set(id, this.#open);
    this.#open = { byKey: new Map(), appended: [] };
  }

  /**
   * Writes what was staged for checkpoint `id` together with the checkpoint's
   * `ops` and the sink's undo, atomically; first undoes the output of a
   * rolled-back checkpoint when the batch carries one (see the file comment).
   */
  async commit(id: number, ops: WriteOp[]): Promise<void> {
    const staged = this.#staged.get(id) ?? { byKey: new Map(), appended: [] };
    const upserts: Row[] = [...staged.appended];
    const deletes: Row[] = [];
    for (const { row, deleted } of staged.byKey.values()) (deleted ? deletes : upserts).push(row);
    const written = upserts.length;
    if (!isCheckpointBatch(ops)) {
      await this.#tables.writeWithCheckpoint(this.#table, { upserts, deletes }, ops);
    } else {
      const deleteKeys: Uint8Array[] = [];
      /** Rows the table held before the rolled-back checkpoint, by storage key (latin1). */
      const restored = new Map<string, Row | undefined>();
      if (ops.rolledBack !== undefined) {
        for (const e of this.#decodeUndo(ops.rolledBack)) {
          const key = bytesKey(e.key);
          restored.set(key, e.row);
          // Output staged for the same key replaces what the undo would put back.
          if (this.#keyColumns.length > 0 && staged.byKey.has(bytesKey(e.key.subarray(5)))) continue;
          if (e.row === undefined) deleteKeys.push(e.key);
          else upserts.push(e.row);
        }
      }
      const owner = ops.owner;
      await this.#tables.writeWithCheckpoint(this.#table, { upserts, deletes, deleteKeys }, (before) => {
        ops.push({ type: 'put', key: sinkUndoKey(owner), value: this.#encodeUndo(id, before, restored) });
        return ops;
      });
    }
    this.#staged.delete(id);
    this.rowsWritten += written;
  }

  /** The sink undo of checkpoint `id`: what each written key held, or, for a key a rolled-back checkpoint wrote, held before that. */
  #encodeUndo(id: number, before: CheckpointPreImages, restored: ReadonlyMap<string, Row | undefined>): Uint8Array {
    const n = before.keys.length;
    const rows = new Array<Uint8Array | undefined>(n);
    let size = 8;
    for (let i = 0; i < n; i++) {
      const key = before.keys[i]!;
      const name = restored.size > 0 ? bytesKey(key) : undefined;
      const row = name !== undefined && restored.has(name) ? restored.get(name) : before.rows[i];
      const bytes = row === undefined ? undefined : encodeRow(row, this.#types);
      rows[i] = bytes;
      size += 1 + 4 + key.length + (bytes === undefined ? 0 : 4 + bytes.length);
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    view.setUint32(0, id);
    view.setUint32(4, n);
    let at = 8;
    for (let i = 0; i < n; i++) {
      const key = before.keys[i]!;
      const bytes = rows[i];
      out[at++] = bytes === undefined ? 0 : 1;
      view.setUint32(at, key.length);
      out.set(key, at + 4);
      at += 4 + key.length;
      if (bytes !== undefined) {
        view.setUint32(at, bytes.length);
        out.set(bytes, at + 4);
        at += 4 + bytes.length;
      }
    }
    return out;
  }

  #decodeUndo(bytes: Uint8Array): { key: Uint8Array; row: Row | undefined }[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = view.getUint32(4);
    const out: { key: Uint8Array; row: Row | undefined }[] = [];
    let at = 8;
    for (let i = 0; i < n; i++) {
      const flag = bytes[at++];
      const keyLength = view.getUint32(at);
      const key = bytes.slice(at + 4, at + 4 + keyLength);
      at += 4 + keyLength;
      let row: Row | undefined;
      if (flag === 1) {
        const rowLength = view.getUint32(at);
        row = decodeRow(bytes.subarray(at + 4, at + 4 + rowLength), this.#types);
        at += 4 + rowLength;
      }
      out.push({ key, row });
    }
    if (at !== bytes.length) throw new SqlError(SqlState.DATA_CORRUPTED, `the sink undo of table "${this.#table.name}" is damaged`);
    return out;
  }

  /** Backpressure is not needed: output waits for at most one checkpoint interval. */
  ready(): Promise<void> | undefined {
    return undefined;
  }

  #keyOf(row: Row): string {
    const cols = this.#keyColumns;
    for (let i = 0; i < cols.length; i++) this.#keyScratch[i] = row[cols[i]!] ?? null;
    return bytesKey(encodeKey(this.#keyScratch, this.#keyTypes));
  }
}

/** Where a job writes: a stored table (TableSink) or a sink connector (ConnectorSink). */
export interface JobSink {
  readonly rowsWritten: number;
  /** The job stopped or failed: releases what the sink holds, discarding output not committed. */
  close?(): Promise<void>;
}

interface Job {
  readonly definition: JobDefinition;
  readonly id: string;
  readonly startTime: Date;
  durable: DurableDataflow | undefined;
  sink: JobSink | undefined;
  stopped: boolean;
  error: string | null;
  restarts: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/** Starts (or resumes) a job's dataflow; supplied by the session layer, which plans the statement. */
export type JobLauncher = (definition: JobDefinition) => Promise<{ durable: DurableDataflow; sink: JobSink }>;

const MAX_BACKOFF_MS = 60_000;

export class JobRegistry {
  readonly #jobs = new Map<string, Job>();
  readonly #store: Store;
  #next = 1;
  #launcher: JobLauncher | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Reads the stored job definitions; resumes RUNNING ones with `launcher` (also used for later restarts). */
  async open(launcher: JobLauncher): Promise<void> {
    this.#launcher = launcher;
    const definitions: JobDefinition[] = [];
    for await (const batch of this.#store.entries({ gte: objectPrefix(KeyPrefix.JOB, JOB_OWNER_BASE), lt: new Uint8Array([KeyPrefix.JOB + 1]) })) {
      for (const { key, value } of batch) {
        if (utf8Decoder.decode(objectSuffix(key)) !== 'definition') continue;
        const def = JSON.parse(utf8Decoder.decode(value)) as JobDefinition;
        if (objectIdOf(key) !== jobOwner(def.number)) continue;
        definitions.push(def);
      }
    }
    for (const def of definitions.sort((a, b) => a.number - b.number)) {
      this.#next = Math.max(this.#next, def.number + 1);
      const job: Job = { definition: def, id: jobIdOf(def.number), startTime: new Date(), durable: undefined, sink: undefined, stopped: def.state !== 'RUNNING', error: null, restarts: 0, restartTimer: undefined };
      this.#jobs.set(job.id, job);
      if (def.state === 'RUNNING') await this.#launch(job);
    }
  }

  /** Stores a new job's definition and starts it; returns its id. */
  async create(name: string, statement: string, settings: Readonly<Record<string, string>>, launch: JobLauncher): Promise<string> {
    const def: JobDefinition = { number: this.#next++, name, statement, settings, created: Date.now(), state: 'RUNNING' };
    const job: Job = { definition: def, id: jobIdOf(def.number), startTime: new Date(), durable: undefined, sink: undefined, stopped: false, error: null, restarts: 0, restartTimer: undefined };
    await this.#save(def);
    try {
      const started = await launch(def);
      this.#attach(job, started);
    } catch (err) {
      await this.#store.write([{ type: 'del', key: jobKey(jobOwner(def.number), 'definition') }]);
      throw err;
    }
    this.#jobs.set(job.id, job);
    return job.id;
  }

  async #save(def: JobDefinition): Promise<void> {
    await this.#store.write([{ type: 'put', key: jobKey(jobOwner(def.number), 'definition'), value: utf8.encode(JSON.stringify(def)) }]);
  }

  async #launch(job: Job): Promise<void> {
    if (this.#launcher === undefined) return;
    try {
      this.#attach(job, await this.#launcher(job.definition));
    } catch (err) {
      this.#failed(job, err);
    }
  }

  #attach(job: Job, started: { durable: DurableDataflow; sink: JobSink }): void {
    job.durable = started.durable;
    job.sink = started.sink;
    started.durable.flow.done.then(
      async () => {
        if (started.durable.flow.status !== 'finished') return;
        // The final checkpoint writes the last rows; then the job is done for good.
        await started.durable.checkpoint('final').catch(() => undefined);
        await this.#save({ ...job.definition, state: 'FINISHED' }).catch(() => undefined);
      },
      (err: unknown) => this.#failed(job, err),
    );
  }

  /** Records the failure and schedules a restart from the last checkpoint. */
  #failed(job: Job, err: unknown): void {
    if (job.stopped) return;
    closeSink(job);
    job.error = err instanceof Error ? err.message : String(err);
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** job.restarts);
    job.restarts++;
    job.restartTimer = setTimeout(() => {
      job.restartTimer = undefined;
      if (!job.stopped) void this.#launch(job);
    }, delay);
    job.restartTimer.unref();
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((j) => ({
      id: j.id,
      name: j.definition.name,
      statement: j.definition.statement,
      status: statusOf(j),
      startTime: j.startTime,
      rowsWritten: j.sink?.rowsWritten ?? 0,
      lateRows: j.durable?.flow.lateRows ?? 0,
      error: j.error,
    }));
  }

  /** The running dataflow of job `id` (savepoints); 42704 when there is no such job. */
  running(id: string, position?: number): DurableDataflow {
    const job = this.#get(id, position);
    if (job.durable === undefined || job.durable.flow.status !== 'running') {
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `job "${id}" is not running`, { ...(position === undefined ? {} : { position }) });
    }
    return job.durable;
  }

  /** Takes a savepoint of running job `id`. */
  async savepoint(id: string, savepoints: Savepoints, position?: number): Promise<SavepointInfo> {
    const job = this.#get(id, position);
    return savepoints.take(this.running(id, position), jobOwner(job.definition.number), id, job.definition.statement);
  }

  #get(id: string, position?: number): Job {
    const job = this.#jobs.get(id);
    if (job === undefined) {
      throw new SqlError(SqlState.UNDEFINED_OBJECT, `job "${id}" does not exist`, {
        ...(position === undefined ? {} : { position }),
        hint: 'SHOW JOBS lists the jobs and their ids.',
      });
    }
    return job;
  }

  /**
   * STOP JOB: ends the job. Without a savepoint its state is deleted and it
   * stays CANCELED; `beforeStop` (a savepoint) runs while it still runs.
   */
  async stop(id: string, position?: number, beforeStop?: (durable: DurableDataflow) => Promise<void>): Promise<void> {
    const job = this.#get(id, position);
    if (beforeStop !== undefined) await beforeStop(this.running(id, position));
    job.stopped = true;
    if (job.restartTimer !== undefined) clearTimeout(job.restartTimer);
    job.durable?.stop();
    closeSink(job);
    await this.#save({ ...job.definition, state: 'CANCELED' });
    await DurableDataflow.forget(this.#store, jobOwner(job.definition.number));
  }

  /** Server shutdown: the jobs stop where they are and resume at the next start. */
  stopAll(): void {
    for (const j of this.#jobs.values()) {
      if (j.restartTimer !== undefined) clearTimeout(j.restartTimer);
      j.durable?.stop();
      closeSink(j);
    }
  }
}

/** Lets go of a stopped or failed run's sink (its uncommitted output is the next run's to replay). */
function closeSink(job: Job): void {
  const sink = job.sink;
  if (sink?.close === undefined) return;
  sink.close().catch((err: unknown) => {
    process.stderr.write(`millrace: ${job.id}: closing its sink failed: ${err instanceof Error ? err.message : String(err)}\n`);
  });
}

function statusOf(j: Job): string {
  if (j.definition.state === 'CANCELED' || j.stopped) return j.definition.state === 'FINISHED' ? 'FINISHED' : 'CANCELED';
  if (j.definition.state === 'FINISHED') return 'FINISHED';
  if (j.restartTimer !== undefined) return 'FAILED';
  switch (j.durable?.flow.status) {
    case undefined:
      return 'INITIALIZING';
    case 'running':
      return 'RUNNING';
    case 'finished':
      return 'FINISHED';
    case 'failed':
      return 'FAILED';
    case 'stopped':
      return 'CANCELED';
  }
}
