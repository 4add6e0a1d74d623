/**
 * A damaged last checkpoint falls back to the one before (issue #4): the
 * record of checkpoint n is damaged on disk while the server is down; at the
 * next start the dataflow undoes n's state writes (and a job's sink undoes
 * n's output), resumes from n-1 and replays its inputs from there. The
 * result must equal a run without damage: no row lost, none twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/database.ts';
import { Store } from '../../src/storage/store.ts';
import type { Session } from '../../src/session/api.ts';
import { runSql as run } from '../harness/session-sql.ts';
import { eventually } from '../harness/eventually.ts';
import { builtinConnectors } from '../../connectors/index.ts';
import { decodeCheckpoint, jobKey, previousCheckpointKey } from '../../src/jobs/checkpoints.ts';
import { jobOwner } from '../../src/jobs/jobs.ts';
import { canon } from '../../src/streaming/streaming.test-helpers.ts';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-fallback-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, checkpointIntervalMs: number): Promise<{ db: Database; s: Session }> {
  const db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs });
  dbs.push(db);
  return { db, s: db.openSession(new Map([['user', 'test'], ['database', 'millrace']])) };
}

async function close(db: Database, s: Session): Promise<void> {
  s.close();
  await db.close();
  dbs.splice(dbs.indexOf(db), 1);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Flips a byte of the checkpoint record of `owner`; returns the id the record had. */
async function damageRecord(dir: string, owner: number): Promise<number> {
  const store = await Store.open(dir);
  try {
    const key = jobKey(owner, 'checkpoint');
    const bytes = (await store.get(key))!.slice();
    const id = decodeCheckpoint(bytes, 'x').id;
    bytes[bytes.length - 2]! ^= 0x01;
    await store.write([{ type: 'put', key, value: bytes }]);
    return id;
  } finally {
    await store.close();
  }
}

async function recordOf(db: Database, owner: number): Promise<{ id: number; offset: number }> {
  const record = decodeCheckpoint((await db.store.get(jobKey(owner, 'checkpoint')))!, 'x');
  const position = record.sources[0]!.position;
  return { id: record.id, offset: 'offset' in position ? position.offset : -1 };
}

const GEN = `CREATE TABLE gen (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000',
  'fields.k.min' = '1', 'fields.k.max' = '7', 'fields.v.min' = '0', 'fields.v.max' = '99')`;

/** The first `rows` rows of `gen` (datagen rows depend only on column and row position), unpaced. */
function genPrefix(name: string, rows: number): string {
  return `CREATE TABLE ${name} (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '10000000', 'number-of-rows' = '${rows}',
    'fields.k.min' = '1', 'fields.k.max' = '7', 'fields.v.min' = '0', 'fields.v.max' = '99')`;
}

describe('a damaged last checkpoint', () => {
  it('of jobs with table sinks: they resume from the one before, and their tables get no row twice and lose none', async () => {
    const dir = await tempDir();
    let { db, s } = await open(dir, 0);
    await run(s, GEN);
    await run(s, 'CREATE TABLE totals (k INT PRIMARY KEY NOT ENFORCED, n BIGINT, total BIGINT)');
    await run(s, 'CREATE TABLE picked (k INT, v INT)');
    await run(s, 'INSERT INTO totals SELECT k, COUNT(*), CAST(SUM(v) AS BIGINT) FROM gen GROUP BY k');
    await run(s, 'INSERT INTO picked SELECT k, v FROM gen WHERE v < 50');
    const jobs = ['job-0001', 'job-0002'] as const;
    for (let i = 0; i < 3; i++) {
      await sleep(80);
      for (const id of jobs) await db.jobs.running(id).checkpoint('checkpoint');
    }
    await sleep(80);
    // The shutdown checkpoint (n) holds the output of the last 80 ms: the one damaged below.
    await close(db, s);
    const damaged = [await damageRecord(dir, jobOwner(1)), await damageRecord(dir, jobOwner(2))];

    ({ db, s } = await open(dir, 0));
    for (let j = 0; j < 2; j++) {
      const durable = db.jobs.running(jobs[j]!);
      expect(durable.restored).toBe(true);
      expect(durable.lastCheckpoint).toBe(damaged[j]! - 1);
      expect((await recordOf(db, jobOwner(j + 1))).id).toBe(damaged[j]! - 1);
      expect(await db.store.get(previousCheckpointKey(jobOwner(j + 1)))).toBeUndefined();
    }
    // The first checkpoint after the fall-back undoes n's output and writes what was replayed.
    for (let i = 0; i < 2; i++) {
      await sleep(80);
      for (const id of jobs) await db.jobs.running(id).checkpoint('checkpoint');
    }
    await close(db, s);

    // Checkpoints only at shutdown: the tables stay as of the records on disk while they are compared.
    ({ db, s } = await open(dir, 0));
    const a = await recordOf(db, jobOwner(1));
    const b = await recordOf(db, jobOwner(2));
    expect(a.offset).toBeGreaterThan(0);
    await run(s, genPrefix('gen_a', a.offset));
    await run(s, genPrefix('gen_b', b.offset));
    expect(canon(await run(s, 'SELECT * FROM totals'))).toEqual(canon(await run(s, 'SELECT k, COUNT(*), CAST(SUM(v) AS BIGINT) FROM gen_a GROUP BY k')));
    const picked = await run(s, 'SELECT * FROM picked');
    expect(picked.length).toBeGreaterThan(0);
    expect(canon(picked)).toEqual(canon(await run(s, 'SELECT k, v FROM gen_b WHERE v < 50')));
  }, 60_000);

  it('of materialized views (grouped and windowed over stored tables): they resume from the one before and match views without damage', async () => {
    const dir = await tempDir();
    let { db, s } = await open(dir, 40);
    await run(s, 'CREATE TABLE t (k INT, v INT)');
    await run(s, "CREATE TABLE ev (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)");
    const grouped = 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k';
    const windowed = "SELECT window_start, k, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k";
    for (const suffix of ['', '_ref']) {
      await run(s, `CREATE MATERIALIZED VIEW per_k${suffix} AS ${grouped}`);
      await run(s, `CREATE MATERIALIZED VIEW windows${suffix} AS ${windowed}`);
    }
    const owners = [db.catalog.lookup(['per_k'])!.id, db.catalog.lookup(['windows'])!.id];
    const completed = (owner: number): number => Math.max(0, ...db.checkpoints.list().filter((c) => c.dataflow === `mv-${owner}` && c.status === 'COMPLETED').map((c) => c.id));
    const batch = async (b: number): Promise<void> => {
      await run(s, `INSERT INTO t VALUES (${b % 4}, ${b}), (${(b + 1) % 4}, ${b * 10}), (9, ${b})`);
      if (b % 3 === 2) await run(s, `DELETE FROM t WHERE k = ${b % 4} AND v = ${b}`);
      if (b % 4 === 3) await run(s, `UPDATE t SET v = v + 1 WHERE k = ${(b + 1) % 4}`);
      await run(s, `INSERT INTO ev VALUES (${b % 3}, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL '${b * 4}' SECOND), (1, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL '${b * 4 + 1}' SECOND)`);
    };
    for (let b = 0; b < 8; b++) {
      await batch(b);
      const before = owners.map(completed);
      await eventually(async () => owners.map(completed), (n) => n.every((c, i) => c > before[i]!), 'a checkpoint of each view');
    }
    await batch(8);
    await close(db, s);
    const damaged = [await damageRecord(dir, owners[0]!), await damageRecord(dir, owners[1]!)];

    ({ db, s } = await open(dir, 0));
    for (let i = 0; i < 2; i++) {
      // A start from the inputs would have taken checkpoint 1 at once; the fall-back keeps n-1.
      expect(damaged[i]).toBeGreaterThan(2);
      expect((await recordOf(db, owners[i]!)).id).toBe(damaged[i]! - 1);
    }
    const check = async (): Promise<void> => {
      expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(canon(await run(s, grouped)));
      expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(canon(await run(s, 'SELECT * FROM per_k_ref')));
      const windows = await run(s, 'SELECT * FROM windows');
      expect(windows.length).toBeGreaterThan(0);
      expect(canon(windows)).toEqual(canon(await run(s, 'SELECT * FROM windows_ref')));
    };
    await check();
    for (let b = 9; b < 12; b++) await batch(b);
    await check();
  }, 60_000);

  it('with the record before it damaged too: the view starts over from its inputs and still answers right', async () => {
    const dir = await tempDir();
    let { db, s } = await open(dir, 40);
    await run(s, 'CREATE TABLE t (k INT, v INT)');
    await run(s, 'CREATE MATERIALIZED VIEW per_k AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k');
    const owner = db.catalog.lookup(['per_k'])!.id;
    for (let b = 0; b < 3; b++) {
      await run(s, `INSERT INTO t VALUES (${b}, ${b}), (1, ${b})`);
      const last = (): number => Math.max(0, ...db.checkpoints.list().filter((c) => c.dataflow === `mv-${owner}`).map((c) => c.id));
      const before = last();
      await eventually(async () => last(), (n) => n > before, 'a checkpoint');
    }
    await close(db, s);
    await damageRecord(dir, owner);
    const store = await Store.open(dir);
    const previous = (await store.get(previousCheckpointKey(owner)))!.slice();
    previous[previous.length - 2]! ^= 0x01;
    await store.write([{ type: 'put', key: previousCheckpointKey(owner), value: previous }]);
    await store.close();

    ({ db, s } = await open(dir, 0));
    expect((await recordOf(db, owner)).id).toBe(1);
    expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(canon(await run(s, 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k')));
  }, 30_000);
});
