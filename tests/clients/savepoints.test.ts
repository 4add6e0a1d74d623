/**
 * Savepoints over the wire: jobs stopped with a savepoint and started again
 * from it (SET 'execution.savepoint.path') continue where they stopped: an
 * append-only job's output is exactly the generated rows that pass its
 * filter, in order, each once (source positions), and a deduplicating job
 * never emits a key twice (operator state). SHOW SAVEPOINTS, SHOW
 * CHECKPOINTS, DROP SAVEPOINT and the errors.
 */
import { eventually as eventuallyWithin } from '../harness/eventually.ts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';

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


async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected an error');
}

const FOREVER_OPTIONS = "'fields.k.min' = '1', 'fields.k.max' = '5000', 'fields.v.min' = '0', 'fields.v.max' = '1000000'";
/** An append-only stateless job: only source positions matter. */
const PICK = 'INSERT INTO picked SELECT k, v FROM forever WHERE v < 100000';
/** An append-only job with state: the first row of every key (deduplication on processing time). */
const FIRSTS = 'INSERT INTO firsts SELECT k, v FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt) AS rn FROM forever) WHERE rn = 1';

async function rowsOf(c: pg.Client, sql: string): Promise<[number, number][]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => [Number(r[0]), Number(r[1])]);
}

describe('savepoints', () => {
  it('stop jobs with savepoints and start new ones from them: nothing repeated, nothing lost', async () => {
    const c = await connect();
    await c.query(`CREATE TABLE forever (k INT, v INT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '1000', ${FOREVER_OPTIONS})`);
    // The same rows unpaced (datagen rows depend only on column and row position), to check against.
    await c.query(`CREATE TABLE forever_fast (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '100000000', ${FOREVER_OPTIONS})`);
    await c.query('CREATE TABLE picked (k INT, v INT)');
    await c.query('CREATE TABLE firsts (k INT, v INT)');
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    const start = async (sql: string): Promise<string> => {
      notices.length = 0;
      await c.query(sql);
      return (await eventually(async () => /job (job-\d+)/.exec(notices.join(' '))?.[1], (id) => id !== undefined, 'the job id'))!;
    };
    const pick = await start(PICK);
    const firsts = await start(FIRSTS);
    await eventually(async () => Number((await c.query('SELECT COUNT(*) AS n FROM picked')).rows[0].n), (n) => n >= 20, 'rows picked');

    // Flink's form for one, ours (keep running, then stop) for the other.
    const stopped = await c.query(`STOP JOB '${pick}' WITH SAVEPOINT`);
    expect(stopped.command).toBe('STOP');
    const pickSavepoint = stopped.rows[0].savepoint as string;
    expect(pickSavepoint).toMatch(/^sp-\d{4}$/);
    const taken = await c.query(`CREATE SAVEPOINT FOR JOB '${firsts}'`);
    const firstsSavepoint = taken.rows[0].savepoint as string;
    await c.query(`STOP JOB '${firsts}'`);
    const listed = (await c.query('SHOW SAVEPOINTS')).rows;
    expect(listed.map((r) => [r.savepoint, r.dataflow])).toEqual([
      [pickSavepoint, pick],
      [firstsSavepoint, firsts],
    ]);
    expect(listed[0].statement).toBe(PICK);

    // A query with other state does not fit a savepoint.
    await c.query(`SET 'execution.savepoint.path' = '${firstsSavepoint}'`);
    expect((await errorOf(c.query(PICK))).code).toBe('55000');

    // The same queries continue from their savepoints.
    const firsts2 = await start(FIRSTS);
    await c.query(`SET 'execution.savepoint.path' = '${pickSavepoint}'`);
    const pick2 = await start(PICK);
    await c.query("RESET 'execution.savepoint.path'");
    const before = Number((await c.query('SELECT COUNT(*) AS n FROM picked')).rows[0].n);
    await eventually(async () => Number((await c.query('SELECT COUNT(*) AS n FROM picked')).rows[0].n), (n) => n >= before + 20, 'rows picked after the restart');
    await c.query(`STOP JOB '${pick2}'`);
    await c.query(`STOP JOB '${firsts2}'`);

    const picked = await rowsOf(c, 'SELECT k, v FROM picked');
    const generated = await rowsOf(c, `SELECT k, v FROM forever_fast LIMIT ${picked.length * 10 + 2000}`);
    expect(generated.filter(([, v]) => v < 100000).slice(0, picked.length)).toEqual(picked);

    const first = new Map<number, number>();
    for (const [k, v] of generated) if (!first.has(k)) first.set(k, v);
    const kept = await rowsOf(c, 'SELECT k, v FROM firsts');
    expect(new Set(kept.map(([k]) => k)).size).toBe(kept.length);
    expect(kept.length).toBeGreaterThan(100);
    for (const [k, v] of kept) if (first.has(k)) expect(v).toBe(first.get(k));

    const checkpoints = (await c.query('SHOW CHECKPOINTS')).rows;
    expect(checkpoints.some((k) => k.kind === 'savepoint' && k.status === 'COMPLETED')).toBe(true);

    // Errors, then DROP SAVEPOINT.
    expect((await errorOf(c.query("CREATE SAVEPOINT FOR JOB 'job-9999'"))).code).toBe('42704');
    expect((await errorOf(c.query(`CREATE SAVEPOINT FOR JOB '${pick2}'`))).code).toBe('55000');
    await c.query(`DROP SAVEPOINT '${pickSavepoint}'`);
    expect((await c.query('SHOW SAVEPOINTS')).rows).toHaveLength(1);
    expect((await errorOf(c.query(`DROP SAVEPOINT '${pickSavepoint}'`))).code).toBe('42704');
    await c.query("SET 'execution.savepoint.path' = 'sp-0042'");
    expect((await errorOf(c.query(PICK))).code).toBe('42704');
    await c.end();
  }, 120_000);
});
