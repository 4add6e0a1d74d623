/**
 * Server-owned jobs: `INSERT INTO <stored table> SELECT ...` over unbounded
 * input keeps running after the statement (and its session) ends, until it
 * is stopped with STOP JOB, fails, or its input ends.
 *
 * A job's sink writes the dataflow's output into the table: append-only
 * output is inserted; an updating output needs a table with a primary key
 * (+I / +U upsert the row of their key, -D deletes it, -U is skipped, as
 * Flink's upsert sinks do). Writes are asynchronous: chunks queue in the
 * sink, which holds back the sources while too many wait.
 */
import type { Row } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { Port } from '../streaming/dataflow.ts';
import type { Dataflow } from '../streaming/stream-runtime.ts';
import { kindAt } from '../streaming/changelog.ts';
import type { TableStore } from '../storage/table-store.ts';
import { SqlError, SqlState } from '../errors.ts';

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

/** Writes a dataflow's output into a stored table, one chunk after another. */
export class TableSink implements Port {
  readonly #tables: TableStore;
  readonly #table: TableDefinition;
  readonly #convert: (row: Row) => Row;
  readonly #pending: Chunk[] = [];
  #writing: Promise<void> | undefined;
  #drained: { promise: Promise<void>; resolve: () => void } | undefined;
  #error: unknown;
  rowsWritten = 0;
  onError: (err: unknown) => void = () => undefined;

  constructor(tables: TableStore, table: TableDefinition, convert: (row: Row) => Row) {
    this.#tables = tables;
    this.#table = table;
    this.#convert = convert;
  }

  chunk(c: Chunk): void {
    this.#pending.push(c);
    if (this.#writing === undefined) this.#writing = this.#drain();
  }

  watermark(): void {}

  idle(): void {}

  end(): void {}

  /** Backpressure for the sources. */
  ready(): Promise<void> | undefined {
    if (this.#pending.length <= 16) return undefined;
    if (this.#drained === undefined) {
      let resolve!: () => void;
      this.#drained = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    }
    return this.#drained.promise;
  }

  /** Resolves when every chunk received so far is written. */
  async flushed(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    if (this.#error !== undefined) throw this.#error;
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const c = this.#pending.shift();
        if (c === undefined) break;
        await this.#write(c);
        if (this.#drained !== undefined && this.#pending.length <= 8) {
          this.#drained.resolve();
          this.#drained = undefined;
        }
      }
    } catch (err) {
      this.#error = err;
      this.#pending.length = 0;
      this.onError(err);
    } finally {
      this.#writing = undefined;
      this.#drained?.resolve();
      this.#drained = undefined;
    }
  }

  async #write(c: Chunk): Promise<void> {
    if (c.kinds === null) {
      const rows = c.rows.map(this.#convert);
      this.rowsWritten += await this.#tables.insert(this.#table, rows);
      return;
    }
    const upserts: Row[] = [];
    const deletes: Row[] = [];
    for (let i = 0; i < c.rows.length; i++) {
      const kind = kindAt(c, i);
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) upserts.push(this.#convert(c.rows[i]!));
      else if (kind === RowKind.DELETE) deletes.push(this.#convert(c.rows[i]!));
    }
    if (deletes.length > 0) await this.#tables.deleteByKey(this.#table, deletes);
    if (upserts.length > 0) this.rowsWritten += await this.#tables.insert(this.#table, upserts);
  }
}

interface Job {
  readonly id: string;
  readonly name: string;
  readonly statement: string;
  readonly startTime: Date;
  readonly flow: Dataflow;
  readonly sink: TableSink;
  stopped: boolean;
  error: string | null;
}

export class JobRegistry {
  readonly #jobs = new Map<string, Job>();
  #next = 1;

  /** Registers a started job; returns its id. */
  add(name: string, statement: string, flow: Dataflow, sink: TableSink): string {
    const id = `job-${String(this.#next++).padStart(4, '0')}`;
    const job: Job = { id, name, statement, startTime: new Date(), flow, sink, stopped: false, error: null };
    sink.onError = (err) => {
      job.error = err instanceof Error ? err.message : String(err);
      flow.stop();
    };
    flow.done.catch((err: unknown) => {
      job.error = err instanceof Error ? err.message : String(err);
    });
    this.#jobs.set(id, job);
    return id;
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((j) => ({
      id: j.id,
      name: j.name,
      statement: j.statement,
      status: statusOf(j),
      startTime: j.startTime,
      rowsWritten: j.sink.rowsWritten,
      lateRows: j.flow.lateRows,
      error: j.error,
    }));
  }

  /** STOP JOB: ends the job after the rows it produced are written. */
  async stop(id: string, position?: number): Promise<void> {
    const job = this.#jobs.get(id);
    if (job === undefined) {
      throw new SqlError(SqlState.UNDEFINED_OBJECT, `job "${id}" does not exist`, {
        ...(position === undefined ? {} : { position }),
        hint: 'SHOW JOBS lists the jobs and their ids.',
      });
    }
    job.stopped = true;
    job.flow.stop();
    await job.sink.flushed().catch(() => undefined);
  }

  stopAll(): void {
    for (const j of this.#jobs.values()) {
      j.stopped = true;
      j.flow.stop();
    }
  }
}

function statusOf(j: Job): string {
  if (j.error !== null) return 'FAILED';
  if (j.stopped) return 'CANCELED';
  switch (j.flow.status) {
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
