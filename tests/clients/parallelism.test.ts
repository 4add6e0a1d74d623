/**
 * Keyed operators as several instances (`SET 'parallelism.default'`,
 * ARCHITECTURE decision 8), over the wire:
 * - every windowed and time-based operator, as a materialized view run with
 *   one instance and with four, over the same stored tables with late and
 *   out-of-order rows: the twins hold the same rows after every batch;
 * - a change of parallelism: an aggregating job stopped with a savepoint at
 *   parallelism 2 and started from it at parallelism 3 continues exactly
 *   where it stopped (its counts equal those of the first N generated rows).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually as eventuallyWithin } from '../harness/eventually.ts';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';
import { prng } from '../../src/streaming/streaming.test-helpers.ts';

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcessServer();
});

afterAll(async () => {
  await server?.stop();
});

const eventually = <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => eventuallyWithin(read, ok, what, 60_000);

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'millrace' });
  await c.connect();
  return c;
}

async function lines(c: pg.Client, sql: string): Promise<string[]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => JSON.stringify(r)).sort();
}

const TUMBLE = "TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))";

/** Views over `ev` (k, v, ts; watermark ts - 2 s), `ev2` (k, w, ts) and the versioned table `rates`. */
const VIEWS: Record<string, string> = {
  tumbled: `SELECT window_start, window_end, k, COUNT(*) AS n, SUM(v) AS s FROM ${TUMBLE} GROUP BY window_start, window_end, k`,
  hopped: "SELECT window_start, window_end, k, MAX(v) AS hi FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY window_start, window_end, k",
  cumulated: "SELECT window_start, window_end, k, COUNT(DISTINCT v) AS dv FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)) GROUP BY window_start, window_end, k",
  sessions: "SELECT window_start, window_end, k, COUNT(*) AS n FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '3' SECOND)) GROUP BY window_start, window_end, k",
  legacy: "SELECT k, TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, SUM(v) AS s FROM ev GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), k",
  window_top: `SELECT window_start, k, v FROM (SELECT window_start, window_end, k, v, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn FROM ${TUMBLE}) WHERE rn <= 2`,
  window_joined:
    "SELECT a.window_start, a.k, a.v, b.w FROM (SELECT * FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))) a JOIN (SELECT * FROM TABLE(TUMBLE(TABLE ev2, DESCRIPTOR(ts), INTERVAL '10' SECOND))) b ON a.k = b.k AND a.window_start = b.window_start AND a.window_end = b.window_end",
  interval_joined: "SELECT ev.k, ev.v, ev2.w FROM ev JOIN ev2 ON ev.k = ev2.k AND ev2.ts BETWEEN ev.ts - INTERVAL '4' SECOND AND ev.ts",
  running: "SELECT k, ts, v, SUM(v) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW) AS recent FROM ev",
  priced: 'SELECT ev.k, ev.v, rates.rate FROM ev JOIN rates FOR SYSTEM_TIME AS OF ev.ts ON ev.k = rates.k',
  per_key: 'SELECT k, COUNT(*) AS n, MIN(v) AS lo FROM ev GROUP BY k',
};

describe('parallel keyed operators', () => {
  it('give the same results with four instances as with one, batch after batch', async () => {
    const c = await connect();
    await c.query("CREATE TABLE ev (k INT, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)");
    await c.query("CREATE TABLE ev2 (k INT, w INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)");
    await c.query("CREATE TABLE rates (k INT, rate INT, ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED, WATERMARK FOR ts AS ts)");
    for (const parallelism of [1, 4]) {
      await c.query(`SET 'parallelism.default' = '${parallelism}'`);
      for (const [name, query] of Object.entries(VIEWS)) await c.query(`CREATE MATERIALIZED VIEW ${name}_${parallelism} AS ${query}`);
    }
    await c.query("RESET 'parallelism.default'");
    const r = prng(7);
    const base = Date.UTC(2024, 0, 1) / 1000;
    let clock = 0;
    const at = (seconds: number): string => `TIMESTAMP '${new Date((base + seconds) * 1000).toISOString().replace('T', ' ').replace('Z', '')}'`;
    for (let batch = 0; batch < 12; batch++) {
      const rows: string[] = [];
      const rows2: string[] = [];
      for (let i = 0; i < 40; i++) {
        clock += r(3) === 0 ? 1 : 0;
        const late = r(10) === 0 ? 6 : 0; // some rows arrive after the watermark passed them
        rows.push(`(${r(12)}, ${r(100)}, ${at(clock - r(3) - late)})`);
        if (i % 2 === 0) rows2.push(`(${r(12)}, ${r(100)}, ${at(clock - r(3))})`);
      }
      await c.query(`INSERT INTO ev VALUES ${rows.join(', ')}`);
      await c.query(`INSERT INTO ev2 VALUES ${rows2.join(', ')}`);
      await c.query(`INSERT INTO rates VALUES (${r(12)}, ${r(50)}, ${at(clock)}), (${r(12)}, ${r(50)}, ${at(clock)})`);
      for (const name of Object.keys(VIEWS)) {
        const single = await lines(c, `SELECT * FROM ${name}_1`);
        await eventually(() => lines(c, `SELECT * FROM ${name}_4`), (four) => JSON.stringify(four) === JSON.stringify(single), `${name} after batch ${batch}`);
      }
    }
    for (const name of Object.keys(VIEWS)) {
      const single = await lines(c, `SELECT * FROM ${name}_1`);
      expect(single.length, name).toBeGreaterThan(0);
      expect(await lines(c, `SELECT * FROM ${name}_4`), name).toEqual(single);
    }
    await c.end();
  }, 180_000);

  it('a job stopped with a savepoint at parallelism 2 continues at parallelism 3 where it stopped', async () => {
    const c = await connect();
    // Random fields only (a sequence field would make the source bounded); rows depend only on their position.
    const options = "'fields.k.min' = '1', 'fields.k.max' = '300', 'fields.v.min' = '0', 'fields.v.max' = '1000000'";
    await c.query(`CREATE TABLE endless (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000', ${options})`);
    await c.query('CREATE TABLE counts (k INT, n BIGINT, hi INT, PRIMARY KEY (k) NOT ENFORCED)');
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    const start = async (sql: string): Promise<string> => {
      notices.length = 0;
      await c.query(sql);
      return (await eventually(async () => /job (job-\d+)/.exec(notices.join(' '))?.[1], (id) => id !== undefined, 'the job id'))!;
    };
    const JOB = 'INSERT INTO counts SELECT k, COUNT(*) AS n, MAX(v) AS hi FROM endless GROUP BY k';
    const total = async (): Promise<number> => Number((await c.query('SELECT COALESCE(SUM(n), 0) AS n FROM counts')).rows[0].n);

    await c.query("SET 'parallelism.default' = '2'");
    const first = await start(JOB);
    await eventually(total, (n) => n >= 500, 'rows counted at parallelism 2');
    const savepoint = (await c.query(`STOP JOB '${first}' WITH SAVEPOINT`)).rows[0].savepoint as string;
    const atStop = await total();

    await c.query("SET 'parallelism.default' = '3'");
    await c.query(`SET 'execution.savepoint.path' = '${savepoint}'`);
    const second = await start(JOB);
    await c.query("RESET 'execution.savepoint.path'");
    await eventually(total, (n) => n >= atStop + 500, 'rows counted at parallelism 3');
    await c.query(`STOP JOB '${second}'`);

    // The jobs read the first N generated rows exactly once: per key, the count and maximum of those rows.
    const counted = await total();
    await c.query(`CREATE TABLE bounded (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '${counted}', ${options})`);
    const expected = await lines(c, 'SELECT k, COUNT(*), MAX(v) FROM bounded GROUP BY k');
    expect(await lines(c, 'SELECT k, n, hi FROM counts')).toEqual(expected);
    await c.end();
  }, 180_000);
});
