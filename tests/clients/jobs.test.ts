/**
 * INSERT INTO ... SELECT over an endless source runs as a server-owned job:
 * it keeps writing after the session that started it is gone, SHOW JOBS
 * lists it with its status and counts, STOP JOB ends it. An updating result
 * needs a primary key on the target (upserts), else the INSERT is refused.
 * Over the wire with node-postgres against an in-process server.
 */
import { eventually as eventuallyWithin } from '../harness/eventually.ts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';

let server: InProcessServer;
let port: number;

beforeAll(async () => {
  server = await startInProcessServer();
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
});

const eventually = <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => eventuallyWithin(read, ok, what, 20_000);

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
  await c.connect();
  return c;
}


interface JobRow {
  'job id': string;
  status: string;
  'rows written': string;
  'late rows': string;
  statement: string;
}

describe('jobs', () => {
  it('keeps inserting after its session ends, is listed by SHOW JOBS, and stops with STOP JOB', async () => {
    const a = await connect();
    await a.query(
      "CREATE TABLE clicks (user_id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '0.05' SECOND) " +
        "WITH ('connector' = 'datagen', 'rows-per-second' = '1000', 'fields.user_id.min' = '1', 'fields.user_id.max' = '3', 'fields.ts.max-past' = '0')",
    );
    await a.query('CREATE TABLE per_window (window_end TIMESTAMP(3), user_id INT, n BIGINT)');
    const notices: string[] = [];
    a.on('notice', (n) => notices.push(n.message ?? ''));
    const r = await a.query(
      'INSERT INTO per_window SELECT window_end, user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL \'0.1\' SECOND)) GROUP BY window_start, window_end, user_id',
    );
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(0);
    await eventually(async () => notices, (n) => n.length > 0, 'the notice');
    const id = /job (job-\d+)/.exec(notices[0]!)?.[1];
    expect(id).toBeDefined();
    await a.end();

    const b = await connect();
    await eventually(async () => Number((await b.query('SELECT COUNT(*) AS n FROM per_window')).rows[0].n), (n) => n >= 6, 'rows written by the job');
    const jobs = (await b.query('SHOW JOBS')).rows as JobRow[];
    const job = jobs.find((j) => j['job id'] === id)!;
    expect(job.status).toBe('RUNNING');
    expect(Number(job['rows written'])).toBeGreaterThan(0);
    expect(job.statement).toMatch(/^INSERT INTO per_window SELECT/);
    const rows = (await b.query('SELECT window_end, user_id, n FROM per_window')).rows as { user_id: number; n: string }[];
    for (const row of rows) {
      expect([1, 2, 3]).toContain(row.user_id);
      expect(Number(row.n)).toBeGreaterThan(0);
    }

    await b.query(`STOP JOB '${id}'`);
    const stopped = ((await b.query('SHOW JOBS')).rows as JobRow[]).find((j) => j['job id'] === id)!;
    expect(stopped.status).toBe('CANCELED');
    const after = Number((await b.query('SELECT COUNT(*) AS n FROM per_window')).rows[0].n);
    await new Promise((r) => setTimeout(r, 400));
    expect(Number((await b.query('SELECT COUNT(*) AS n FROM per_window')).rows[0].n)).toBe(after);

    const unknown = await b.query("STOP JOB 'job-9999'").catch((e: { code: string }) => e);
    expect((unknown as { code: string }).code).toBe('42704');
    await b.end();
  });

  it('upserts an updating result into a table with a primary key and refuses one without', async () => {
    const c = await connect();
    await c.query('CREATE TABLE totals (user_id INT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)');
    await c.query('CREATE TABLE no_key (user_id INT, n BIGINT)');
    const refused = await c.query('INSERT INTO no_key SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id').catch((e: { code: string; message: string }) => e);
    expect((refused as { code: string }).code).toBe('0A000');
    expect((refused as { message: string }).message).toMatch(/no primary key/);

    await c.query('INSERT INTO totals SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id');
    const first = await eventually(
      async () => (await c.query('SELECT user_id, n FROM totals ORDER BY user_id')).rows as { user_id: number; n: string }[],
      (rows) => rows.length === 3,
      'one row per user',
    );
    const later = await eventually(
      async () => (await c.query('SELECT user_id, n FROM totals ORDER BY user_id')).rows as { user_id: number; n: string }[],
      (rows) => rows.length === 3 && Number(rows[0]!.n) > Number(first[0]!.n),
      'the counts to grow in place',
    );
    expect(later.map((r) => r.user_id)).toEqual([1, 2, 3]);
    const id = ((await c.query('SHOW JOBS')).rows as JobRow[]).find((j) => j.statement.startsWith('INSERT INTO totals'))!['job id'];
    await c.query(`STOP JOB '${id}'`);
    await c.end();
  });

  it('CREATE TABLE AS over an endless source creates the table and starts a job; a refused one leaves no table', async () => {
    const c = await connect();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    const r = await c.query(
      "CREATE TABLE ctas_windows AS SELECT window_end, user_id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '0.1' SECOND)) GROUP BY window_start, window_end, user_id",
    );
    expect(r.command).toBe('CREATE');
    await eventually(async () => notices, (n) => n.some((m) => /started job/.test(m)), 'the job notice');
    await eventually(async () => Number((await c.query('SELECT COUNT(*) AS n FROM ctas_windows')).rows[0].n), (n) => n >= 3, 'rows written by the job');
    const job = ((await c.query('SHOW JOBS')).rows as JobRow[]).find((j) => j.statement.startsWith('CREATE TABLE ctas_windows'));
    expect(job?.status).toBe('RUNNING');
    await c.query(`STOP JOB '${job!['job id']}'`);

    const refused = await c.query('CREATE TABLE ctas_updating AS SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id').catch((e: { code: string }) => e);
    expect((refused as { code: string }).code).toBe('0A000');
    await expect(c.query('SELECT * FROM ctas_updating')).rejects.toMatchObject({ code: '42P01' });
    await c.end();
  });

  it('counts the late rows a materialized view dropped, in SHOW JOBS', async () => {
    const c = await connect();
    await c.query("CREATE TABLE readings (ts TIMESTAMP(3), v INT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)");
    await c.query(
      "CREATE MATERIALIZED VIEW per_minute AS SELECT window_start, window_end, SUM(v) AS total FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    );
    await c.query("INSERT INTO readings VALUES (TIMESTAMP '2024-01-01 10:00:10', 1), (TIMESTAMP '2024-01-01 10:02:00', 2)");
    expect((await c.query('SELECT total FROM per_minute')).rows).toEqual([{ total: 1 }]);
    await c.query("INSERT INTO readings VALUES (TIMESTAMP '2024-01-01 10:00:30', 100), (TIMESTAMP '2024-01-01 10:00:40', 100)");
    expect((await c.query('SELECT total FROM per_minute')).rows).toEqual([{ total: 1 }]);
    const view = ((await c.query('SHOW JOBS')).rows as (JobRow & { 'job name': string })[]).find((j) => j['job name'] === 'materialized view per_minute')!;
    expect(view.status).toBe('RUNNING');
    expect(view['late rows']).toBe('2');
    expect(view['rows written']).toBe('1');
    await c.end();
  });
});
