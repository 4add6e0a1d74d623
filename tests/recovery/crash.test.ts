/**
 * Exactly-once recovery: a server running materialized views (windowed and
 * updating) and INSERT INTO jobs over a datagen source and stored tables is
 * killed with SIGKILL at seeded random moments and restarted, several times;
 * at the end every view and every job's target table holds exactly what a
 * run without crashes holds.
 *
 * The writer is exactly-once itself: each batch it inserts carries its
 * number, and after a crash it asks the server whether the batch in flight
 * was committed before writing it again (an acknowledged write is durable).
 *
 * The job reads an endless datagen table (joined with a stored table), so
 * there is no "end" to compare at; instead its upserted totals must be
 * exactly the aggregate of the first N generated rows, where N is the number
 * of rows the totals count: a row counted twice or lost after a crash breaks
 * that (datagen rows are a pure function of their position).
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient } from '../harness/pg-client.ts';
import { startServer, type RunningServer } from '../harness/server-process.ts';
import { prng } from '../../src/streaming/streaming.test-helpers.ts';

const EVENTS = 12_000;

const SETUP = [
  `CREATE TABLE events (id BIGINT, k INT, v INT, ts AS TO_TIMESTAMP_LTZ(id * 100, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
     WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',
           'fields.id.end' = '${EVENTS}', 'fields.k.min' = '1', 'fields.k.max' = '25', 'fields.v.min' = '0', 'fields.v.max' = '1000')`,
  `CREATE TABLE clicks (batch INT, usr INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`,
  `CREATE TABLE accounts (id INT PRIMARY KEY NOT ENFORCED, region INT, balance BIGINT)`,
  `CREATE TABLE forever (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000',
     'fields.k.min' = '1', 'fields.k.max' = '40', 'fields.v.min' = '0', 'fields.v.max' = '100000')`,
  `CREATE TABLE labels (k INT PRIMARY KEY NOT ENFORCED, label VARCHAR(10))`,
  `INSERT INTO labels SELECT k, 'k' || CAST(k AS VARCHAR) FROM (VALUES (1), (2), (3), (5), (8), (13), (21), (34)) AS t (k)`,
  `CREATE TABLE key_totals (k INT PRIMARY KEY NOT ENFORCED, label VARCHAR(10), n BIGINT, top INT)`,
  `CREATE TABLE picked (k INT, v INT)`,
  `CREATE MATERIALIZED VIEW gen_windows AS
     SELECT window_start, window_end, k, COUNT(*) AS n, SUM(v) AS total
     FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k`,
  `CREATE MATERIALIZED VIEW gen_keys AS SELECT k, COUNT(*) AS n, MAX(v) AS top, MIN(v) AS low FROM events GROUP BY k`,
  `CREATE MATERIALIZED VIEW click_windows AS
     SELECT window_start, usr, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, usr`,
  `CREATE MATERIALIZED VIEW regions AS SELECT region, COUNT(*) AS accounts, SUM(balance) AS balance FROM accounts GROUP BY region`,
  `CREATE MATERIALIZED VIEW click_balances AS
     SELECT c.usr, COUNT(*) AS clicks, SUM(a.balance) AS balance FROM clicks c JOIN accounts a ON c.usr = a.id GROUP BY c.usr`,
];

/** The jobs, started in the crash run only: an updating one (upserts) and an append-only one. */
const JOBS = [
  `INSERT INTO key_totals SELECT f.k, l.label, COUNT(*), MAX(f.v) FROM forever f JOIN labels l ON f.k = l.k GROUP BY f.k, l.label`,
  `INSERT INTO picked SELECT k, v FROM forever WHERE v < 3000`,
];

/** The same rows as `forever` (datagen rows depend on column position and row position only), unpaced: to check the jobs. */
const FOREVER_FAST = `CREATE TABLE forever_fast (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '10000000',
  'fields.k.min' = '1', 'fields.k.max' = '40', 'fields.v.min' = '0', 'fields.v.max' = '100000')`;

const CHECKS = [
  'SELECT * FROM gen_windows ORDER BY window_start, k',
  'SELECT * FROM gen_keys ORDER BY k',
  'SELECT * FROM click_windows ORDER BY window_start, usr',
  'SELECT * FROM regions ORDER BY region',
  'SELECT * FROM click_balances ORDER BY usr',
];

const BATCHES = 40;

/** The statements of writer batch `b` (deterministic): clicks with increasing times, account upserts and deletes. */
function batchStatements(b: number): string[] {
  const rnd = prng(1000 + b);
  const clicks: string[] = [];
  for (let i = 0; i < 20; i++) {
    // Every fifth click is a minute and more behind: late once its window fired, which depends on
    // the order the view saw the rows in (a view rebuilt from the table's rows would count them).
    const seconds = b * 15 + rnd(15) - (i % 5 === 4 ? 60 + rnd(60) : 0);
    clicks.push(`(${b}, ${1 + rnd(30)}, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL '${seconds}' SECOND)`);
  }
  const out = [`INSERT INTO clicks VALUES ${clicks.join(', ')}`];
  const id = 1 + rnd(30);
  out.push(`INSERT INTO accounts VALUES (${id}, ${rnd(4)}, ${rnd(10_000)})`);
  if (b % 7 === 3) out.push(`DELETE FROM accounts WHERE id = ${1 + rnd(30)}`);
  if (b % 5 === 1) out.push(`UPDATE accounts SET balance = ${b} WHERE region = ${rnd(4)}`);
  return out;
}

const t0 = Date.now();
const trace = (what: string): void => {
  if (process.env['MILLRACE_TRACE'] === '1') process.stderr.write(`[crash ${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}\n`);
};

async function query(c: pg.Client, sql: string): Promise<unknown[][]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
}

async function settle(server: RunningServer): Promise<Record<string, unknown[][]>> {
  const c = await connectClient(server);
  try {
    // The views over the bounded datagen table have seen all of it.
    const started = Date.now();
    for (;;) {
      const events = await query(c, 'SELECT SUM(n) FROM gen_keys');
      trace(`settle: ${JSON.stringify(events)}`);
      if (Number(events[0]![0]) === EVENTS) break;
      if (Date.now() - started > 60_000) throw new Error(`the views did not see all ${EVENTS} events: ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const out: Record<string, unknown[][]> = {};
    for (const sql of CHECKS) out[sql] = await query(c, sql);
    return out;
  } finally {
    await c.end();
  }
}

/** Writes batches from `from` on until all are written or the server dies; returns the next batch to write. */
async function write(server: RunningServer, from: number): Promise<number> {
  let c: pg.Client;
  try {
    c = await connectClient(server);
  } catch {
    return from;
  }
  c.on('error', () => undefined);
  let b = from;
  try {
    // Was the batch in flight at the crash committed (batch 0 too)? Its clicks carry its number (one statement, atomic).
    const done = await query(c, `SELECT COUNT(*) FROM clicks WHERE batch = ${b}`);
    if (Number(done[0]![0]) > 0) {
      // The click insert committed; what follows it in the batch is idempotent (upserts, deletes by key,
      // updates to constants), so it is simply written again.
      for (const sql of batchStatements(b).slice(1)) await c.query(sql);
      b++;
    }
    for (; b < BATCHES; b++) {
      trace(`batch ${b}`);
      for (const sql of batchStatements(b)) await c.query(sql);
      await new Promise((r) => setTimeout(r, 40));
    }
  } catch {
    // The server died under us: `b` is the batch in flight.
  } finally {
    await c.end().catch(() => undefined);
  }
  return b;
}

describe('crash recovery', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('ends with the same views and job outputs when killed with SIGKILL at random moments', async () => {
    // A tiny state budget (50 KB): most state values live on disk and are read back when needed.
    const args = ['--checkpoint-interval', '150', '--state-memory', '0.05'];
    // The reference: one run without crashes.
    server = await startServer({ args });
    let c = await connectClient(server);
    for (const sql of SETUP) await c.query(sql);
    await c.end();
    trace('reference started');
    await write(server, 0);
    trace('reference written');
    const expected = await settle(server);
    trace('reference settled');
    await server.stop();
    expect(expected['SELECT * FROM gen_keys ORDER BY k']!.length).toBe(25);
    expect(expected['SELECT * FROM gen_windows ORDER BY window_start, k']!.length).toBeGreaterThan(100);
    expect(expected['SELECT * FROM click_balances ORDER BY usr']!.length).toBeGreaterThan(3);

    // The same work with kills in between.
    server = await startServer({ args });
    c = await connectClient(server);
    for (const sql of SETUP) await c.query(sql);
    for (const sql of JOBS) await c.query(sql);
    await c.end();
    const rnd = prng(42);
    let next = 0;
    for (let crash = 0; crash < 3; crash++) {
      const writing = write(server, next);
      await new Promise((r) => setTimeout(r, 300 + rnd(1200)));
      await server.kill();
      next = await writing;
      trace(`killed at batch ${next}`);
      server = await server.restart();
      trace('restarted');
    }
    next = await write(server, next);
    expect(next).toBe(BATCHES);
    trace('written');
    const actual = await settle(server);
    trace('settled');
    for (const sql of CHECKS) expect(actual[sql], sql).toEqual(expected[sql]);

    // The job: stop it, then its totals must be those of the first N rows of `forever`, N what they count.
    c = await connectClient(server);
    await c.query(FOREVER_FAST);
    const jobs = (await query(c, 'SHOW JOBS')).filter((j) => String(j[0]).startsWith('job-'));
    expect(jobs.map((j) => j[2])).toEqual(['RUNNING', 'RUNNING']);
    for (const j of jobs) await c.query(`STOP JOB '${String(j[0])}'`);
    const totals = await query(c, 'SELECT k, label, n, top FROM key_totals ORDER BY k');
    const counted = totals.reduce((sum, r) => sum + Number(r[2]), 0);
    const labelled = new Set([1, 2, 3, 5, 8, 13, 21, 34]);
    // The first rows of `forever` until `counted` of them have a label (the join drops the others).
    const want = new Map<number, { n: number; top: number }>();
    let seen = 0;
    for (let limit = counted * 6; seen < counted; limit *= 2) {
      want.clear();
      seen = 0;
      for (const [k, v] of await query(c, `SELECT k, v FROM forever_fast LIMIT ${limit}`)) {
        const key = Number(k);
        if (!labelled.has(key)) continue;
        if (seen === counted) break;
        seen++;
        const w = want.get(key) ?? { n: 0, top: -1 };
        w.n++;
        w.top = Math.max(w.top, Number(v));
        want.set(key, w);
      }
    }
    // The append-only job: exactly the first rows of `forever` that pass its filter, in order, once each.
    const picked = await query(c, 'SELECT k, v FROM picked');
    const first = (await query(c, `SELECT k, v FROM forever_fast LIMIT ${picked.length * 60 + 5000}`)).filter((r) => Number(r[1]) < 3000);
    expect(first.length).toBeGreaterThan(picked.length);
    expect(picked).toEqual(first.slice(0, picked.length));
    expect(picked.length).toBeGreaterThan(50);
    await c.end();
    expect(counted).toBeGreaterThan(1000);
    const expectedTotals = [...want.entries()].sort((a, b) => a[0] - b[0]).map(([k, w]) => [String(k), `k${k}`, String(w.n), String(w.top)]);
    expect(totals).toEqual(expectedTotals);
  }, 420_000);
});
