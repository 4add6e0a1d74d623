/**
 * The HTTP API, the web page and /metrics of a running server, next to SQL
 * over the wire: a materialized view and a job over a datagen table show up
 * in GET /api/jobs with their rows growing, /metrics (parsed here as a
 * Prometheus scraper would) carries their counters and the session counters,
 * POST /api/jobs/:id/stop stops the job as STOP JOB does (SHOW JOBS agrees),
 * and what is not there is 404 / 405 / 409 with a JSON error. Then the
 * flags of src/main.ts: --http-port, --no-http, and a port that is taken.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually as eventuallyWithin } from '../harness/eventually.ts';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';
import { runCommand } from '../harness/run-command.ts';
import { REPO_ROOT } from '../harness/server-process.ts';

let server: InProcessServer;
let base: string;
let sql: pg.Client;

const eventually = <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => eventuallyWithin(read, ok, what, 20_000);

interface Checkpoint {
  id: number;
  status: string;
  time: string;
  durationMs: number;
  sizeBytes: number;
}

interface Job {
  id: string;
  kind: string;
  name: string;
  status: string;
  startTime: string;
  rowsWritten: number;
  lateRows: number;
  error: string | null;
  statement: string;
  lastCheckpoint: Checkpoint | null;
}

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as unknown };
}

async function jobs(): Promise<Job[]> {
  const r = await get('/api/jobs');
  expect(r.status).toBe(200);
  return (r.json() as { jobs: Job[] }).jobs;
}

interface Scrape {
  readonly types: Map<string, string>;
  /** `name{a="x",b="y"}` (labels sorted) -> value. */
  readonly samples: Map<string, number>;
  value(name: string, labels?: Record<string, string>): number | undefined;
}

/** A small parser of the text exposition format 0.0.4 that rejects what Prometheus would. */
function parseMetrics(text: string): Scrape {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples = new Map<string, number>();
  const key = (name: string, labels: Record<string, string>): string =>
    `${name}{${Object.keys(labels)
      .sort()
      .map((k) => `${k}="${labels[k]}"`)
      .join(',')}}`;
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'HELP') helps.add(meta[2]!);
      else {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        expect(types.has(meta[2]!), `second TYPE for ${meta[2]}`).toBe(false);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `unparsable line: ${line}`).not.toBeNull();
    const [, name, labelText, valueText] = m!;
    expect(types.has(name!), `sample of ${name} before its TYPE`).toBe(true);
    expect(helps.has(name!), `sample of ${name} without HELP`).toBe(true);
    if (types.get(name!) === 'counter') expect(name!.endsWith('_total')).toBe(true);
    const labels: Record<string, string> = {};
    if (labelText !== undefined) {
      const rest = labelText.replace(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)",?/g, (_all, k: string, v: string) => {
        labels[k] = v.replace(/\\(.)/g, (_e, c: string) => (c === 'n' ? '\n' : c));
        return '';
      });
      expect(rest, `bad labels in ${line}`).toBe('');
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (valueText !== 'NaN') expect(Number.isNaN(value), `bad value in ${line}`).toBe(false);
    const k = key(name!, labels);
    expect(samples.has(k), `duplicate sample ${k}`).toBe(false);
    samples.set(k, value);
  }
  return { types, samples, value: (name, labels = {}) => samples.get(key(name, labels)) };
}

async function scrape(): Promise<Scrape> {
  const r = await get('/metrics');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseMetrics(r.text);
}

beforeAll(async () => {
  server = await startInProcessServer({ http: true });
  base = `http://127.0.0.1:${server.httpPort!}`;
  sql = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'millrace' });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end().catch(() => undefined);
  await server?.stop();
});

describe('HTTP API', () => {
  let jobId: string;
  let viewId: string;

  it('lists the materialized views and jobs with their rows growing', async () => {
    expect(await jobs()).toEqual([]);
    await sql.query(
      "CREATE TABLE clicks (user_id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '0.05' SECOND) " +
        "WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'fields.user_id.min' = '1', 'fields.user_id.max' = '1000000', 'fields.ts.max-past' = '0')",
    );
    await sql.query('CREATE MATERIALIZED VIEW busy_users AS SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id');
    await sql.query('CREATE TABLE copied (user_id INT, ts TIMESTAMP(3))');
    await sql.query('INSERT INTO copied SELECT user_id, ts FROM clicks');

    const listed = await jobs();
    expect(listed.map((j) => j.kind)).toEqual(['materialized-view', 'job']);
    const [view, job] = listed as [Job, Job];
    viewId = view.id;
    jobId = job.id;
    expect(view.id).toMatch(/^mv-\d+$/);
    expect(view.name).toBe('materialized view busy_users');
    expect(view.statement).toBe('CREATE MATERIALIZED VIEW busy_users AS SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id');
    expect(job.id).toMatch(/^job-\d{4}$/);
    expect(job.statement).toBe('INSERT INTO copied SELECT user_id, ts FROM clicks');
    expect(job.status).toBe('RUNNING');
    expect(job.error).toBeNull();
    expect(Number.isNaN(Date.parse(job.startTime))).toBe(false);

    // Job output reaches its table at checkpoints (every 2 s by default): rows and a checkpoint appear, then grow.
    const first = await eventually(async () => (await jobs()).find((j) => j.id === jobId)!, (j) => j.rowsWritten > 0 && j.lastCheckpoint !== null, 'the job to write rows at a checkpoint');
    expect(first.lastCheckpoint!.status).toBe('COMPLETED');
    expect(first.lastCheckpoint!.sizeBytes).toBeGreaterThan(0);
    await eventually(async () => (await jobs()).find((j) => j.id === jobId)!, (j) => j.rowsWritten > first.rowsWritten, 'the job to write more rows');
    const viewRows = (await jobs()).find((j) => j.id === viewId)!.rowsWritten;
    await eventually(async () => (await jobs()).find((j) => j.id === viewId)!, (v) => v.rowsWritten > viewRows, 'the view to hold more rows');
    // SQL sees the same jobs.
    const shown = (await sql.query('SHOW JOBS')).rows as { 'job id': string }[];
    expect(shown.map((r) => r['job id'])).toEqual([viewId, jobId]);
  });

  it('details a job with its checkpoints and plan', async () => {
    const r = await get(`/api/jobs/${jobId}`);
    expect(r.status).toBe(200);
    const detail = r.json() as Job & { checkpoints: Checkpoint[]; plan: string | null };
    expect(detail.id).toBe(jobId);
    expect(detail.checkpoints.length).toBeGreaterThan(0);
    expect(detail.checkpoints.at(-1)!.id).toBeGreaterThanOrEqual(detail.lastCheckpoint!.id);
    expect(detail.plan).toMatch(/^Insert into copied\n/);
    expect(detail.plan).toContain('Scan clicks');
    const view = (await get(`/api/jobs/${viewId}`)).json() as { plan: string };
    expect(view.plan).toMatch(/^Materialize busy_users\n/);
    expect(view.plan).toContain('Aggregate');
  });

  it('exposes Prometheus metrics for sessions, statements, jobs and the process', async () => {
    const before = await scrape();
    expect(before.types.get('millrace_connections')).toBe('gauge');
    expect(before.value('millrace_connections')).toBeGreaterThanOrEqual(1);
    const statements = before.value('millrace_statements_total')!;
    expect(statements).toBeGreaterThanOrEqual(5);
    await sql.query('SELECT 1');
    await sql.query('SELECT 2');
    const other = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'millrace' });
    await other.connect();
    const after = await scrape();
    expect(after.value('millrace_statements_total')).toBe(statements + 2);
    expect(after.value('millrace_connections')).toBe(before.value('millrace_connections')! + 1);
    await other.end();
    await eventually(async () => (await scrape()).value('millrace_connections'), (n) => n === before.value('millrace_connections'), 'the closed session to be counted');

    const m = await eventually(scrape, (s) => (s.value('millrace_checkpoints_total', { job_id: jobId }) ?? 0) >= 2, 'two checkpoints of the job');
    expect(m.types.get('millrace_job_rows_written_total')).toBe('counter');
    expect(m.value('millrace_job_rows_written_total', { job_id: jobId })).toBeGreaterThan(0);
    expect(m.value('millrace_job_late_rows_total', { job_id: jobId })).toBe(0);
    expect(m.value('millrace_job_status', { job_id: jobId, status: 'RUNNING' })).toBe(1);
    expect(m.value('millrace_job_status', { job_id: jobId, status: 'CANCELED' })).toBe(0);
    expect(m.value('millrace_job_info', { job_id: viewId, kind: 'materialized-view', name: 'busy_users' })).toBe(1);
    expect(m.value('millrace_materialized_view_rows', { job_id: viewId })).toBeGreaterThan(0);
    expect(m.value('millrace_checkpoints_total', { job_id: viewId })).toBeGreaterThanOrEqual(1);
    expect(m.value('millrace_checkpoint_duration_seconds', { job_id: jobId })).toBeGreaterThanOrEqual(0);
    expect(m.value('millrace_checkpoint_size_bytes', { job_id: jobId })).toBeGreaterThan(0);
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(m.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Counters only go up between scrapes.
    const later = await eventually(scrape, (s) => s.value('millrace_job_rows_written_total', { job_id: jobId })! > m.value('millrace_job_rows_written_total', { job_id: jobId })!, 'more rows');
    expect(later.value('millrace_checkpoints_total', { job_id: jobId })).toBeGreaterThanOrEqual(m.value('millrace_checkpoints_total', { job_id: jobId })!);
  });

  it('stops a job with POST /api/jobs/:id/stop, as STOP JOB', async () => {
    const refused = await get(`/api/jobs/${viewId}/stop`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ sqlstate: '42809', hint: 'DROP MATERIALIZED VIEW busy_users stops it.' });

    const crossSite = await get(`/api/jobs/${jobId}/stop`, { method: 'POST', headers: { Origin: 'http://elsewhere.example' } });
    expect(crossSite.status).toBe(403);
    expect((await jobs()).find((j) => j.id === jobId)!.status).toBe('RUNNING');

    const stopped = await get(`/api/jobs/${jobId}/stop`, { method: 'POST' });
    expect(stopped.status).toBe(200);
    expect(stopped.json()).toMatchObject({ id: jobId, status: 'CANCELED' });
    const shown = ((await sql.query('SHOW JOBS')).rows as { 'job id': string; status: string }[]).find((r) => r['job id'] === jobId)!;
    expect(shown.status).toBe('CANCELED');
    const count = async (): Promise<number> => Number((await sql.query('SELECT COUNT(*) AS n FROM copied')).rows[0].n);
    const rows = await count();
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(rows);

    const again = await get(`/api/jobs/${jobId}/stop`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ sqlstate: '55000' });
    const patched = await get(`/api/jobs/${jobId}`, { method: 'PATCH' });
    expect(patched.status).toBe(409);
    const m = await scrape();
    expect(m.value('millrace_job_status', { job_id: jobId, status: 'CANCELED' })).toBe(1);
    expect(m.value('millrace_job_status', { job_id: jobId, status: 'RUNNING' })).toBe(0);
  });

  it('answers 404, 405 and 400 with a JSON error', async () => {
    const unknown = await get('/api/jobs/job-9999');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(unknown.json()).toMatchObject({ error: 'job "job-9999" does not exist', sqlstate: '42704' });
    expect((await get('/api/jobs/job-9999/stop', { method: 'POST' })).status).toBe(404);
    const nowhere = await get('/api/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.json()).toMatchObject({ error: 'no such resource: /api/nowhere' });
    const wrong = await get('/api/jobs', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect((await get(`/api/jobs/${jobId}/stop`)).status).toBe(405);
    expect((await get('/api/jobs/%E0%A4%A')).status).toBe(400);
    const health = await get('/api/health');
    expect(health.json()).toMatchObject({ status: 'ok', jobs: { RUNNING: 1, CANCELED: 1 } });
  });

  it('serves the web page with the jobs, escaped, under a strict CSP', async () => {
    await sql.query('CREATE MATERIALIZED VIEW "<b>odd</b>" AS SELECT user_id FROM clicks WHERE user_id < 0');
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-/);
    expect(page.text).toContain(`>${jobId}</a>`);
    expect(page.text).toContain('&#60;b&#62;odd&#60;/b&#62;');
    expect(page.text).not.toContain('<b>odd</b>');
    const odd = (await jobs()).find((j) => j.name === 'materialized view <b>odd</b>')!;
    expect(((await get(`/api/jobs/${odd.id}`)).json() as { plan: string }).plan).toMatch(/^Materialize <b>odd<\/b>\n/);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('HTTP flags of src/main.ts', () => {
  const dataDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'millrace-http-flags-'));
  const runMain = (dir: string, ...args: string[]) =>
    runCommand(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', dir, ...args], { cwd: REPO_ROOT, timeoutMs: 60_000 });

  it('announces the HTTP address and counts the sessions of its own SQL listener', async () => {
    const dir = dataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--http-port', '0', '--data-dir', dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const lines = await eventually(async () => stdout, (o) => /millrace http on \S+\n/.test(o) && /millrace listening on \S+\n/.test(o), 'the start lines');
      const url = /millrace http on (\S+)\n/.exec(lines)![1]!;
      const sqlPort = Number(/millrace listening on .*:(\d+)\n/.exec(lines)![1]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const client = new pg.Client({ host: '127.0.0.1', port: sqlPort, user: 'tester', database: 'millrace' });
      await client.connect();
      await client.query('SELECT 1');
      const metrics = parseMetrics(await (await fetch(`${url}metrics`)).text());
      expect(metrics.value('millrace_connections')).toBe(1);
      expect(metrics.value('millrace_statements_total')).toBeGreaterThanOrEqual(1);
      await client.end();
      expect(await (await fetch(`${url}api/health`)).json()).toMatchObject({ status: 'ok' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad HTTP flags and a port it cannot bind; --no-http serves no HTTP', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const dir = dataDir();
    const quiet = dataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--no-http', '--data-dir', quiet], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const [bad, both, busy] = await Promise.all([
        runMain(dir, '--http-port', 'eighty'),
        runMain(dir, '--no-http', '--http-port', '1234'),
        runMain(dir, '--http-port', String(taken)),
      ]);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toContain('invalid --http-port "eighty"');
      expect(both.code, both.stderr).toBe(2);
      expect(both.stderr).toContain('--no-http cannot go with --http-port');
      expect(busy.code, busy.stderr).toBe(1);
      expect(busy.stderr).toContain(`cannot serve HTTP on 127.0.0.1:${taken}`);
      await eventually(async () => stdout, (o) => o.includes('millrace listening on'), 'the start line');
      await new Promise((r) => setTimeout(r, 200));
      expect(stdout).not.toContain('millrace http on');
    } finally {
      blocker.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
      rmSync(quiet, { recursive: true, force: true });
    }
  });
});
