/**
 * Sink connectors over the wire (node-postgres): INSERT INTO a print,
 * blackhole or filesystem table, bounded (written and committed before
 * CommandComplete) and as a job (committed at checkpoints); the errors for
 * reading a sink, UPDATE / DELETE on it, writing a source, and an updating
 * job into files; and exactly-once into files across SIGKILL and restart:
 * the committed files hold exactly the first N generated rows, in order.
 * Datagen rows are a pure function of their position, so an unpaced
 * bounded copy of the source gives the expected rows.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient } from '../harness/pg-client.ts';
import { eventually } from '../harness/eventually.ts';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';
import { startServer, type RunningServer } from '../harness/server-process.ts';
import { runSql } from '../harness/session-sql.ts';
import { Database } from '../../src/database.ts';
import { Store } from '../../src/storage/store.ts';
import { decodeCheckpoint, jobKey } from '../../src/jobs/checkpoints.ts';
import { jobOwner } from '../../src/jobs/jobs.ts';
import { builtinConnectors } from '../../connectors/index.ts';
import { builtinSinks } from '../../connectors/sinks.ts';

const dirs: string[] = [];

async function outputDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'millrace-sink-out-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function fileNumber(name: string): number {
  return Number(/-(\d+)\.[a-z]+$/.exec(name)?.[1] ?? -1);
}

/** Visible (final) files of `dir`, in the order they were written. */
async function finalFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => !n.startsWith('.')).sort((a, b) => a.localeCompare(b) || fileNumber(a) - fileNumber(b));
}

async function hiddenFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('.'));
}

/** The lines of the final files of writer `writer` (a job id), in file order. */
async function committedLines(dir: string, writer?: string): Promise<string[]> {
  const names = (await finalFiles(dir).catch(() => [] as string[]))
    .filter((n) => writer === undefined || n.startsWith(`part-${writer}-`))
    .sort((a, b) => fileNumber(a) - fileNumber(b));
  const out: string[] = [];
  for (const n of names) out.push(...(await readFile(path.join(dir, n), 'utf8')).split('\n').filter((l) => l !== ''));
  return out;
}

async function sqlState(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
  return 'ok';
}

async function startJob(client: pg.Client, sql: string): Promise<string> {
  const notices: string[] = [];
  let listening = true;
  client.on('notice', (n) => {
    if (listening) notices.push(n.message ?? '');
  });
  await client.query(sql);
  await eventually(async () => notices.length, (n) => n > 0, 'the job notice', 10_000);
  listening = false;
  const id = /job (job-\d+)/.exec(notices[0]!)?.[1];
  if (id === undefined) throw new Error(`no job id in ${notices[0]}`);
  return id;
}

const GEN_OPTIONS = `'fields.k.min' = '1', 'fields.k.max' = '50', 'fields.v.min' = '0', 'fields.v.max' = '100000'`;

describe('sinks (in-process server)', () => {
  let server: InProcessServer;
  let client: pg.Client;

  beforeAll(async () => {
    server = await startInProcessServer();
    client = await connectClient({ host: '127.0.0.1', port: server.port });
  });

  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a bounded INSERT into a filesystem csv table writes one final file with exactly its rows', async () => {
    const dir = await outputDir();
    await client.query(`CREATE TABLE out_csv (item STRING, n BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
    const r = await client.query(
      "INSERT INTO out_csv VALUES ('apple', 3, TIMESTAMP '2024-05-01 10:00:00.123'), ('pear, green', NULL, NULL), ('plum', 7, TIMESTAMP '2024-05-01 10:00:01')",
    );
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(3);
    const files = await finalFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^part-[0-9a-f-]+-0\.csv$/);
    expect(await hiddenFiles(dir)).toEqual([]);
    expect(await committedLines(dir)).toEqual(['apple,3,2024-05-01 10:00:00.123', '"pear, green",,', 'plum,7,2024-05-01 10:00:01']);

    // An INSERT ... SELECT from a bounded query; each INSERT adds files of its own.
    const s = await client.query("INSERT INTO out_csv SELECT 'x' || CAST(g AS VARCHAR), g, NULL FROM generate_series(1, 1000) AS t (g)");
    expect(s.rowCount).toBe(1000);
    expect(await finalFiles(dir)).toHaveLength(2);
    expect((await committedLines(dir)).length).toBe(1003);

    // The same table reads the files back through the filesystem source.
    const back = await client.query("SELECT item, n FROM out_csv WHERE item NOT LIKE 'x%' ORDER BY item");
    expect(back.rows).toEqual([
      { item: 'apple', n: '3' },
      { item: 'pear, green', n: null },
      { item: 'plum', n: '7' },
    ]);
  });

  it('print writes +I lines, prefixed by print-identifier, and shows the changes of an updating job', async () => {
    const lines: string[] = [];
    const real = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.includes('> ') && /[+-][IUD]\[/.test(text)) {
        lines.push(...text.split('\n').filter((l) => l !== ''));
        return true;
      }
      return (real as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
    await client.query("CREATE TABLE out_print (item STRING, n BIGINT, ok BOOLEAN) WITH ('connector' = 'print', 'print-identifier' = 'shop')");
    const r = await client.query("INSERT INTO out_print VALUES ('apple', 3, true), ('pear', NULL, false)");
    expect(r.rowCount).toBe(2);
    expect(lines).toEqual(['shop> +I[apple, 3, true]', 'shop> +I[pear, null, false]']);

    lines.length = 0;
    await client.query(`CREATE TABLE gen_print (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.k.min' = '1', 'fields.k.max' = '3')`);
    await client.query("CREATE TABLE per_key (k INT, n BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'keys')");
    const id = await startJob(client, 'INSERT INTO per_key SELECT k, COUNT(*) FROM gen_print GROUP BY k');
    await eventually(async () => lines.filter((l) => l.startsWith('keys> +U[')).length, (n) => n >= 3, 'updates printed', 15_000);
    await client.query(`STOP JOB '${id}'`);
    expect(lines.filter((l) => /^keys> \+I\[[123], \d+\]$/.test(l))).toHaveLength(3);
    expect(lines.some((l) => /^keys> -U\[[123], \d+\]$/.test(l))).toBe(true);
  });

  it('a blackhole table takes every row and keeps none', async () => {
    await client.query("CREATE TABLE nowhere (n INT) WITH ('connector' = 'blackhole')");
    const r = await client.query('INSERT INTO nowhere SELECT g FROM generate_series(1, 500) AS t (g)');
    expect(r.rowCount).toBe(500);
    expect(await sqlState(client, 'SELECT * FROM nowhere')).toBe('42809');
  });

  it('refuses reading a sink, UPDATE / DELETE on connector tables, writing a source, an updating job into files, and bad options', async () => {
    const dir = await outputDir();
    await client.query("CREATE TABLE p_err (n INT) WITH ('connector' = 'print')");
    await client.query(`CREATE TABLE f_err (k INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
    await client.query(`CREATE TABLE gen_err (k INT, v INT) WITH ('connector' = 'datagen', ${GEN_OPTIONS})`);
    expect(await sqlState(client, 'SELECT * FROM p_err')).toBe('42809');
    expect(await sqlState(client, 'SELECT count(*) FROM p_err')).toBe('42809');
    expect(await sqlState(client, 'UPDATE f_err SET n = 1')).toBe('42809');
    expect(await sqlState(client, 'DELETE FROM p_err')).toBe('42809');
    expect(await sqlState(client, 'INSERT INTO gen_err VALUES (1, 2)')).toBe('42809');
    expect(await sqlState(client, 'INSERT INTO f_err SELECT k, COUNT(*) FROM gen_err GROUP BY k')).toBe('0A000');
    expect(await sqlState(client, "CREATE TABLE bad1 (n INT) WITH ('connector' = 'print', 'path' = '/tmp')")).toBe('22023');
    expect(await sqlState(client, "CREATE TABLE bad2 (n INT) WITH ('connector' = 'filesystem', 'format' = 'csv')")).toBe('22023');
    expect(await sqlState(client, `CREATE TABLE bad3 (n INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'sink.rolling-policy.file-size' = 'huge')`)).toBe('22023');
    expect(await sqlState(client, "CREATE TABLE bad4 (n INT) WITH ('connector' = 'nosuch')")).toBe('0A000');
    const shown = await client.query('SHOW JOBS');
    expect(shown.rows.filter((r: Record<string, string>) => r['job name'] === 'insert-into_f_err')).toEqual([]);
  });

  it('a job into a filesystem table commits files at checkpoints; STOP JOB leaves only final files', async () => {
    const dir = await outputDir();
    await client.query(`CREATE TABLE gen_files (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '500', ${GEN_OPTIONS})`);
    await client.query(`CREATE TABLE gen_files_fast (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '20000', ${GEN_OPTIONS})`);
    await client.query(`CREATE TABLE out_json (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
    const id = await startJob(client, 'INSERT INTO out_json SELECT k, v FROM gen_files WHERE v < 50000');
    await eventually(async () => (await finalFiles(dir)).length, (n) => n >= 2, 'two committed files', 15_000);
    for (const name of await finalFiles(dir)) expect(name).toMatch(new RegExp(`^part-${id}-\\d+\\.json$`));
    await client.query(`STOP JOB '${id}'`);
    await eventually(() => hiddenFiles(dir), (h) => h.length === 0, 'in-progress files removed', 5_000);
    const lines = await committedLines(dir, id);
    expect(lines.length).toBeGreaterThan(0);
    const expected = await client.query(`SELECT k, v FROM gen_files_fast WHERE v < 50000 LIMIT ${lines.length}`);
    expect(lines).toEqual(expected.rows.map((r: { k: string; v: string }) => `{"k":${r.k},"v":${r.v}}`));
    // Nothing more is committed after STOP JOB.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await committedLines(dir, id)).length).toBe(lines.length);
  });
});

describe('exactly-once into files across crashes (server process)', () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('after SIGKILL and restart every generated row is in the committed files exactly once, in order', async () => {
    const dir = await outputDir();
    server = await startServer({ args: ['--checkpoint-interval', '200'] });
    let client = await connectClient(server);
    await client.query(`CREATE TABLE gen (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '3000', ${GEN_OPTIONS})`);
    await client.query(`CREATE TABLE gen_fast (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '200000', ${GEN_OPTIONS})`);
    await client.query(`CREATE TABLE out_files (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'sink.rolling-policy.file-size' = '2kb')`);
    const id = await startJob(client, 'INSERT INTO out_files SELECT k, v FROM gen');
    let committed = 0;
    for (let crash = 0; crash < 3; crash++) {
      const before = committed;
      committed = (await eventually(() => committedLines(dir, id), (l) => l.length > before + 500, `rows committed before crash ${crash}`, 20_000)).length;
      await client.end().catch(() => undefined);
      await server.kill();
      server = await server.restart();
      client = await connectClient(server);
    }
    await eventually(() => committedLines(dir, id), (l) => l.length > committed + 500, 'rows committed after the last restart', 20_000);
    await client.query(`STOP JOB '${id}'`);
    const lines = await committedLines(dir, id);
    const expected = await client.query(`SELECT k, v FROM gen_fast LIMIT ${lines.length}`);
    expect(lines.length).toBe(expected.rows.length);
    expect(lines).toEqual(expected.rows.map((r: { k: string; v: string }) => `${r.k},${r.v}`));
    await client.end();
  }, 120_000);
});

describe('a damaged last checkpoint of a job into files', () => {
  it('falls back to the one before: the damaged checkpoint\'s files go, the replay writes them again, no row twice or lost', async () => {
    const dataDir = await outputDir();
    const dir = await outputDir();
    const open = async () => {
      const db = await Database.open(dataDir, builtinConnectors, { checkpointIntervalMs: 0 }, builtinSinks);
      return { db, s: db.openSession(new Map([['user', 'test'], ['database', 'millrace']])) };
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let { db, s } = await open();
    await runSql(s, `CREATE TABLE gen (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000', ${GEN_OPTIONS})`);
    await runSql(s, `CREATE TABLE out_files (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
    await runSql(s, 'INSERT INTO out_files SELECT k, v FROM gen');
    for (let i = 0; i < 3; i++) {
      await sleep(80);
      await db.jobs.running('job-0001').checkpoint('checkpoint');
    }
    await sleep(80);
    const before = await finalFiles(dir);
    s.close();
    await db.close(); // the shutdown checkpoint n commits the last rows: its record is damaged below
    const filesOfN = (await finalFiles(dir)).filter((f) => !before.includes(f));
    const store = await Store.open(dataDir);
    const key = jobKey(jobOwner(1), 'checkpoint');
    const bytes = (await store.get(key))!.slice();
    const damaged = decodeCheckpoint(bytes, 'x').id;
    bytes[bytes.length - 2]! ^= 0x01;
    await store.write([{ type: 'put', key, value: bytes }]);
    await store.close();

    ({ db, s } = await open());
    expect(db.jobs.running('job-0001').lastCheckpoint).toBe(damaged - 1);
    expect((await finalFiles(dir)).filter((f) => filesOfN.includes(f))).toEqual([]);
    for (let i = 0; i < 2; i++) {
      await sleep(80);
      await db.jobs.running('job-0001').checkpoint('checkpoint');
    }
    s.close();
    await db.close();

    ({ db, s } = await open());
    try {
      const position = decodeCheckpoint((await db.store.get(key))!, 'x').sources[0]!.position;
      const rows = 'offset' in position ? position.offset : -1;
      expect(rows).toBeGreaterThan(0);
      await runSql(s, `CREATE TABLE gen_fast (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '${rows}', ${GEN_OPTIONS})`);
      const expected = (await runSql(s, 'SELECT k, v FROM gen_fast')).map((r) => `${String(r[0])},${String(r[1])}`);
      expect(await committedLines(dir, 'job-0001')).toEqual(expected);
    } finally {
      s.close();
      await db.close();
    }
  }, 60_000);
});
