/**
 * The contract between the engine and the connectors that write outside
 * data (Flink's sinks: print, blackhole, filesystem). A table whose
 * 'connector' option names a sink is written with INSERT INTO; connectors/
 * implements sinks, src/main.ts wires them in.
 *
 * - `validate` runs at CREATE TABLE and throws SqlError 22023 for options the
 *   sink does not understand (options of the same connector's source side,
 *   e.g. 'source.*', are left to the source).
 * - `acceptsUpdates`: whether the sink takes -U / +U / -D rows. A sink that
 *   does not (files) only receives insert-only output: the planner refuses
 *   an updating job into it with 0A000.
 * - `open` creates a writer for one INSERT (bounded) or one run of a job. It
 *   does no I/O: the writer waits for `recover`.
 *
 * Writer protocol (two-phase commit, as Flink's committing sinks):
 * 1. `recover(state)` once, first. `committed` is the committable stored with
 *    the checkpoint the job resumes from: commit it again (commit is
 *    idempotent: a crash may have come between the checkpoint and its
 *    commit). `rolledBack` is the committable of a checkpoint the job does
 *    NOT resume from (its record was damaged, or the job starts over): its
 *    output is removed, since the sources replay it. Leftovers of an earlier
 *    run that were never committed (hidden in-progress files) are deleted.
 *    A bounded INSERT calls it with `{}`.
 * 2. `write(rows, kinds)` any number of times; synchronous (it runs on the
 *    dataflow's path): it buffers and defers I/O. `kinds` is null when every
 *    row is an insert. Rows are the table's physical columns, in order.
 * 3. `prepare(n)` at checkpoint barrier n (synchronously at the barrier: what
 *    was written before belongs to checkpoint n, what follows to n+1). The
 *    promise settles once that output is durable but still invisible, with
 *    the committable: the bytes `commit` needs, stored in checkpoint n's
 *    atomic batch.
 * 4. `commit(committable)` once checkpoint n is durable: makes its output
 *    visible. Idempotent.
 * 5. `abort()` discards output not committed yet (STOP JOB, a failed run);
 *    `close()` releases the writer after the last commit.
 *
 * So what a job emitted before barrier n becomes visible exactly when
 * checkpoint n is durable, and a restart from checkpoint n neither loses nor
 * repeats it. Sinks that cannot hold output back (print) write at once and
 * are at-least-once across restarts, as in Flink.
 */
import type { ColumnDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';

export interface SinkContext {
  /**
   * Names the writer's output; stable across the restarts of one job (its
   * job id), unique for a bounded INSERT.
   */
  readonly writerId: string;
  /** The session time zone the statement was planned in (TIMESTAMP_LTZ text). */
  readonly timeZone: string;
}

export interface SinkRecovery {
  /** The committable stored with the checkpoint the job resumes from. */
  readonly committed?: Uint8Array;
  /** The committable of a later checkpoint the job does not resume from. */
  readonly rolledBack?: Uint8Array;
}

export interface SinkWriter {
  recover(state: SinkRecovery): Promise<void>;
  write(rows: readonly Row[], kinds: Uint8Array | null): void;
  prepare(checkpointId: number): Promise<Uint8Array>;
  commit(committable: Uint8Array): Promise<void>;
  abort(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkConnector {
  readonly name: string;
  readonly acceptsUpdates: boolean;
  validate(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): void;
  open(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>, ctx: SinkContext): SinkWriter;
}

/** Sinks by name. */
export type SinkRegistry = ReadonlyMap<string, SinkConnector>;

/** A committable for sinks that hold nothing back (print, blackhole). */
export const EMPTY_COMMITTABLE: Uint8Array = new Uint8Array(0);

/**
 * A writer whose rows take effect as they are written (print, blackhole):
 * nothing to recover, prepare or commit, so a restart may repeat rows
 * (at-least-once, as in Flink). Subclasses implement `write`.
 */
export abstract class ImmediateSinkWriter implements SinkWriter {
  abstract write(rows: readonly Row[], kinds: Uint8Array | null): void;

  recover(): Promise<void> {
    return Promise.resolve();
  }

  prepare(): Promise<Uint8Array> {
    return Promise.resolve(EMPTY_COMMITTABLE);
  }

  commit(): Promise<void> {
    return Promise.resolve();
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A scan of a table whose connector is only a sink (print, blackhole): 42809. */
export function sinkOnlyTable(table: string, connector: string): SqlError {
  return new SqlError(SqlState.WRONG_OBJECT_TYPE, `cannot read table "${table}": connector '${connector}' is a sink and can only be written`, {
    hint: `INSERT INTO "${table}" writes to it; query the table or view its rows come from instead.`,
  });
}
