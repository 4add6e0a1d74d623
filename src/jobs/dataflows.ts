/**
 * The dataflows the server runs, as SHOW JOBS, the HTTP API and the metrics report them:
 * every materialized view (`mv-<catalog id>`) and every job (`job-0001`),
 * with what SHOW JOBS shows of each, and their recent checkpoints from the
 * checkpoint history (SHOW CHECKPOINTS).
 *
 * For a view, `rowsWritten` is the number of rows it holds (as SHOW JOBS's
 * "rows written" column): it goes down when rows are retracted.
 */
import type { Database } from '../database.ts';
import type { CheckpointStats } from './checkpoints.ts';
import { viewDataflowName } from './materialized-views.ts';

export type DataflowKind = 'job' | 'materialized-view';

export interface DataflowSummary {
  readonly id: string;
  readonly kind: DataflowKind;
  /** `materialized view <name>` for a view (as SHOW JOBS), the job's name for a job. */
  readonly name: string;
  /** INITIALIZING, RUNNING, FAILED (restarting), FINISHED or CANCELED. */
  readonly status: string;
  readonly startTime: Date;
  readonly rowsWritten: number;
  readonly lateRows: number;
  readonly error: string | null;
  readonly statement: string;
  /** The view's name (views only). */
  readonly view?: string;
}

/** Statuses a dataflow can have (the job status metric has one sample per status). */
export const DATAFLOW_STATUSES = ['INITIALIZING', 'RUNNING', 'FAILED', 'FINISHED', 'CANCELED'] as const;

/** Views first, in creation order, then jobs, as SHOW JOBS lists them. */
export function listDataflows(db: Database): DataflowSummary[] {
  const out: DataflowSummary[] = [];
  for (const v of db.views.values()) {
    const def = v.definition;
    const flow = v.dataflow;
    if (def === undefined || flow === undefined) continue;
    const failed = flow.status === 'failed';
    out.push({
      id: viewDataflowName(def.id),
      kind: 'materialized-view',
      name: `materialized view ${def.name}`,
      status: failed ? 'FAILED' : 'RUNNING',
      startTime: v.startTime,
      rowsWritten: v.rowCount,
      lateRows: flow.lateRows,
      error: failed ? messageOf(flow.error) : null,
      statement: `CREATE MATERIALIZED VIEW ${def.name} AS ${def.query}`,
      view: def.name,
    });
  }
  for (const j of db.jobs.list()) {
    out.push({
      id: j.id,
      kind: 'job',
      name: j.name,
      status: j.status,
      startTime: j.startTime,
      rowsWritten: j.rowsWritten,
      lateRows: j.lateRows,
      error: j.error,
      statement: j.statement,
    });
  }
  return out;
}

export function findDataflow(db: Database, id: string): DataflowSummary | undefined {
  return listDataflows(db).find((d) => d.id === id);
}

/** The recent checkpoint attempts of dataflow `id`, oldest first. */
export function checkpointsOf(db: Database, id: string): CheckpointStats[] {
  return db.checkpoints.list().filter((c) => c.dataflow === id);
}

/** The last completed checkpoint of `id` among the recent attempts. */
export function lastCompleted(checkpoints: readonly CheckpointStats[]): CheckpointStats | undefined {
  for (let i = checkpoints.length - 1; i >= 0; i--) if (checkpoints[i]!.status === 'COMPLETED') return checkpoints[i];
  return undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
