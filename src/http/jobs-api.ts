/**
 * The JSON API over jobs and materialized views (`/api/...`). Each handler
 * returns a status and a JSON body; the router (http-server.ts) sends them.
 *
 * - `GET /api/jobs`: `{ jobs: [summary] }`, every view and job as SHOW JOBS
 *   lists them, each with its last completed checkpoint.
 * - `GET /api/jobs/:id`: the summary, its recent checkpoint attempts (oldest
 *   first, as SHOW CHECKPOINTS keeps them) and its plan as EXPLAIN text
 *   (`plan: null` and `planError` when it can no longer be planned).
 * - `POST /api/jobs/:id/stop` (also `PATCH /api/jobs/:id`, as Flink's REST
 *   API cancels): STOP JOB. 200 with the summary after it; 404 for an
 *   unknown id; 409 when it cannot be stopped: a materialized view (DROP
 *   MATERIALIZED VIEW stops it) or a job already FINISHED or CANCELED.
 * - Errors are `{ error, sqlstate?, hint? }`.
 * - `GET /api/checkpoints`: `{ checkpoints: [...] }`, the recent attempts of
 *   every dataflow (SHOW CHECKPOINTS).
 * - `GET /api/health`: `{ status: "ok", uptimeSeconds, jobs: { <status>: n } }`.
 *
 * Times are ISO 8601 strings in UTC, durations milliseconds, sizes bytes.
 */
import type { Database } from '../database.ts';
import type { CheckpointStats } from '../jobs/checkpoints.ts';
import { SqlError, SqlState } from '../errors.ts';
import { checkpointsOf, findDataflow, lastCompleted, listDataflows, type DataflowSummary } from '../jobs/dataflows.ts';
import { explainDataflow } from './dataflow-plan.ts';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface CheckpointJson {
  readonly id: number;
  readonly kind: string;
  readonly status: string;
  readonly time: string;
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly stateEntries: number;
  readonly error: string | null;
}

export interface JobJson {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly status: string;
  readonly startTime: string;
  readonly rowsWritten: number;
  readonly lateRows: number;
  readonly error: string | null;
  readonly statement: string;
  readonly lastCheckpoint: CheckpointJson | null;
}

/** Statuses from which STOP JOB still has something to stop. */
const STOPPABLE = new Set(['INITIALIZING', 'RUNNING', 'FAILED']);

export function checkpointJson(c: CheckpointStats): CheckpointJson {
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    time: c.triggered.toISOString(),
    durationMs: c.durationMs,
    sizeBytes: c.bytes,
    stateEntries: c.entries,
    error: c.error,
  };
}

function jobJson(d: DataflowSummary, checkpoints: readonly CheckpointStats[]): JobJson {
  const last = lastCompleted(checkpoints);
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    status: d.status,
    startTime: d.startTime.toISOString(),
    rowsWritten: d.rowsWritten,
    lateRows: d.lateRows,
    error: d.error,
    statement: d.statement,
    lastCheckpoint: last === undefined ? null : checkpointJson(last),
  };
}

export function errorBody(message: string, sqlstate?: string, hint?: string): { error: string; sqlstate?: string; hint?: string } {
  return { error: message, ...(sqlstate !== undefined ? { sqlstate } : {}), ...(hint !== undefined ? { hint } : {}) };
}

function notFound(id: string): ApiResponse {
  return { status: 404, body: errorBody(`job "${id}" does not exist`, SqlState.UNDEFINED_OBJECT, 'GET /api/jobs lists the jobs and their ids.') };
}

export function listJobs(db: Database): ApiResponse {
  const all = db.checkpoints.list();
  const byDataflow = new Map<string, CheckpointStats[]>();
  for (const c of all) {
    let list = byDataflow.get(c.dataflow);
    if (list === undefined) byDataflow.set(c.dataflow, (list = []));
    list.push(c);
  }
  return { status: 200, body: { jobs: listDataflows(db).map((d) => jobJson(d, byDataflow.get(d.id) ?? [])) } };
}

export async function jobDetail(db: Database, id: string): Promise<ApiResponse> {
  const d = findDataflow(db, id);
  if (d === undefined) return notFound(id);
  const checkpoints = checkpointsOf(db, id);
  let plan: string | null = null;
  let planError: string | undefined;
  try {
    plan = await explainDataflow(db, d);
  } catch (err) {
    planError = err instanceof Error ? err.message : String(err);
  }
  return {
    status: 200,
    body: { ...jobJson(d, checkpoints), checkpoints: checkpoints.map(checkpointJson), plan, ...(planError !== undefined ? { planError } : {}) },
  };
}

export async function stopJob(db: Database, id: string): Promise<ApiResponse> {
  const d = findDataflow(db, id);
  if (d === undefined) return notFound(id);
  if (d.kind === 'materialized-view') {
    return { status: 409, body: errorBody(`"${id}" maintains a materialized view`, SqlState.WRONG_OBJECT_TYPE, `DROP MATERIALIZED VIEW ${d.view ?? id} stops it.`) };
  }
  if (!STOPPABLE.has(d.status)) {
    return { status: 409, body: errorBody(`job "${id}" is ${d.status} and cannot be stopped`, SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE) };
  }
  try {
    await db.jobs.stop(id);
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.UNDEFINED_OBJECT) return notFound(id);
    throw err;
  }
  const after = findDataflow(db, id);
  return { status: 200, body: after === undefined ? { id, status: 'CANCELED' } : jobJson(after, checkpointsOf(db, id)) };
}

export function listCheckpoints(db: Database): ApiResponse {
  return { status: 200, body: { checkpoints: db.checkpoints.list().map((c) => ({ dataflow: c.dataflow, ...checkpointJson(c) })) } };
}

export function health(db: Database): ApiResponse {
  const jobs: Record<string, number> = {};
  for (const d of listDataflows(db)) jobs[d.status] = (jobs[d.status] ?? 0) + 1;
  return { status: 200, body: { status: 'ok', uptimeSeconds: Math.round(process.uptime()), jobs } };
}
