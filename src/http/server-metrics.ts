/**
 * The metrics millrace exposes on `/metrics`: sessions and statements, every
 * job and materialized view (rows, late rows, status, checkpoints), operator
 * state memory, and the process (memory, CPU, Node heap). Everything is read
 * at scrape time from what the server keeps anyway.
 *
 * Per-dataflow families carry a `job_id` label (as Flink's Prometheus
 * reporter names it; `job` is the label Prometheus gives the scrape target):
 * the id SHOW JOBS shows (`job-0001`, `mv-3`). `millrace_job_info` maps it
 * to its kind and name.
 * Counters of a dataflow start from 0 again when it restarts (a failure, a
 * server restart), which Prometheus' rate() treats as a counter reset.
 */
import type { Database } from '../database.ts';
import { MetricRegistry, type Sample } from './prometheus.ts';
import type { SessionCounters } from './session-counters.ts';
import type { CheckpointTotals } from '../jobs/checkpoints.ts';
import { DATAFLOW_STATUSES, listDataflows, type DataflowSummary } from '../jobs/dataflows.ts';

export function serverMetrics(db: Database, sessions: SessionCounters | undefined): MetricRegistry {
  const registry = new MetricRegistry();
  const checkpoints = db.checkpoints;
  const processStart = Date.now() / 1000 - process.uptime();

  if (sessions !== undefined) {
    registry.add('millrace_connections', 'gauge', 'Client sessions open now (authenticated Postgres-protocol connections).', () => [{ value: sessions.open }]);
    registry.add('millrace_connections_opened_total', 'counter', 'Client sessions opened since the server started.', () => [{ value: sessions.opened }]);
    registry.add('millrace_statements_total', 'counter', 'SQL statements started by clients since the server started.', () => [{ value: sessions.statements }]);
    registry.add('millrace_statement_start_failures_total', 'counter', 'Statements that failed before returning a result (parse, bind, planning or run-time errors raised when starting).', () => [{ value: sessions.failedStarts }]);
  }

  // One listing of the dataflows and one reading of the process' memory per scrape, shared by the families.
  let listed: DataflowSummary[] = [];
  let memory = process.memoryUsage();
  registry.onScrape(() => {
    listed = listDataflows(db);
    memory = process.memoryUsage();
  });
  registry.add('millrace_job_info', 'gauge', 'One sample per job and materialized view, labelled with its kind and name.', () =>
    listed.map((d) => ({ labels: { job_id: d.id, kind: d.kind, name: d.view ?? d.name }, value: 1 })),
  );
  registry.add('millrace_job_status', 'gauge', 'Status of each job and materialized view: 1 for its current status, 0 for the others.', () =>
    listed.flatMap((d) => DATAFLOW_STATUSES.map((status): Sample => ({ labels: { job_id: d.id, status }, value: d.status === status ? 1 : 0 }))),
  );
  registry.add('millrace_job_start_time_seconds', 'gauge', 'When each job or materialized view was last started (Unix time).', () =>
    listed.map((d) => ({ labels: { job_id: d.id }, value: d.startTime.getTime() / 1000 })),
  );
  registry.add('millrace_job_rows_written_total', 'counter', 'Rows each job wrote into its table since it was last started.', () =>
    listed.filter((d) => d.kind === 'job').map((d) => ({ labels: { job_id: d.id }, value: d.rowsWritten })),
  );
  registry.add('millrace_materialized_view_rows', 'gauge', 'Rows each materialized view holds.', () =>
    listed.filter((d) => d.kind === 'materialized-view').map((d) => ({ labels: { job_id: d.id }, value: d.rowsWritten })),
  );
  registry.add('millrace_job_late_rows_total', 'counter', 'Rows each job or materialized view dropped as late (behind the watermark) since it was last started.', () =>
    listed.map((d) => ({ labels: { job_id: d.id }, value: d.lateRows })),
  );

  registry.add('millrace_checkpoints_total', 'counter', 'Checkpoints (and savepoints) completed per job or materialized view since the server started.', () =>
    [...checkpoints.totals()].map(([job, t]) => ({ labels: { job_id: job }, value: t.completed })),
  );
  registry.add('millrace_checkpoints_failed_total', 'counter', 'Checkpoints that could not be written per job or materialized view since the server started.', () =>
    [...checkpoints.totals()].map(([job, t]) => ({ labels: { job_id: job }, value: t.failed })),
  );
  const last = (value: (t: Readonly<CheckpointTotals>) => number | undefined): Sample[] => {
    const out: Sample[] = [];
    for (const [job, t] of checkpoints.totals()) {
      const v = value(t);
      if (v !== undefined) out.push({ labels: { job_id: job }, value: v });
    }
    return out;
  };
  registry.add('millrace_checkpoint_duration_seconds', 'gauge', 'Duration of the last completed checkpoint per job or materialized view.', () => last((t) => (t.last === undefined ? undefined : t.last.durationMs / 1000)));
  registry.add('millrace_checkpoint_size_bytes', 'gauge', 'Bytes written by the last completed checkpoint per job or materialized view.', () => last((t) => t.last?.bytes));
  registry.add('millrace_checkpoint_last_completed_timestamp_seconds', 'gauge', 'When the last completed checkpoint per job or materialized view was triggered (Unix time).', () =>
    last((t) => (t.last === undefined ? undefined : t.last.triggered.getTime() / 1000)),
  );

  registry.add('millrace_state_memory_used_bytes', 'gauge', 'Operator state held in memory by all durable dataflows.', () => [{ value: db.stateBudget.used }]);
  registry.add('millrace_state_memory_limit_bytes', 'gauge', 'Operator state kept in memory before cold entries are left on disk (--state-memory).', () => [{ value: db.stateBudget.limit }]);

  registry.add('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', () => [{ value: memory.rss }]);
  registry.add('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', () => {
    const cpu = process.cpuUsage();
    return [{ value: (cpu.user + cpu.system) / 1e6 }];
  });
  registry.add('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.', () => [{ value: processStart }]);
  registry.add('nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.', () => [{ value: memory.heapTotal }]);
  registry.add('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.', () => [{ value: memory.heapUsed }]);
  registry.add('nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.', () => [{ value: memory.external }]);
  return registry;
}
