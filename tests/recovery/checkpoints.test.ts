/**
 * Checkpoint faults, in process: a damaged checkpoint record is never
 * loaded (the view resumes from the checkpoint before it, see
 * checkpoint-fallback.test.ts, and still answers right); a checkpoint that
 * cannot be written fails the job or view with the reason in SHOW JOBS and
 * SHOW CHECKPOINTS, a view keeps answering its last good contents, and both
 * restart from their last checkpoint once writing works again.
 */
import { eventually } from '../harness/eventually.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/database.ts';
import { Store } from '../../src/storage/store.ts';
import type { Session } from '../../src/session/api.ts';
import { runSql } from '../harness/session-sql.ts';
import type { Row } from '../../catalog/types.ts';
import { builtinConnectors } from '../../connectors/index.ts';
import { decodeCheckpoint, encodeCheckpoint, jobKey, STATE_LAYOUT_VERSION } from '../../src/jobs/checkpoints.ts';
import { KeyPrefix, objectIdOf } from '../../src/storage/key-space.ts';
import { canon } from '../../src/streaming/streaming.test-helpers.ts';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const run = runSql;


async function open(dir: string): Promise<{ db: Database; s: Session }> {
  const db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs: 50 });
  dbs.push(db);
  return { db, s: db.openSession(new Map([['user', 'test'], ['database', 'millrace']])) };
}

describe('checkpoint records', () => {
  it('round-trip, and a flipped byte is detected', () => {
    const record = { id: 7, time: 1_700_000_000_000, sources: [{ position: { offset: 42 }, watermark: 1234 }, { position: { ended: true as const }, watermark: -Infinity }] };
    const bytes = encodeCheckpoint(record);
    expect(decodeCheckpoint(bytes, 'x')).toEqual({ ...record, layout: STATE_LAYOUT_VERSION });
    const damaged = bytes.slice();
    damaged[damaged.length - 3]! ^= 0x20;
    expect(() => decodeCheckpoint(damaged, 'mv-1')).toThrow(/checkpoint of mv-1 is damaged/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 3), 'mv-1')).toThrow(/damaged/);
  });
});

describe('checkpoint faults', () => {
  it('never loads a damaged checkpoint: the view resumes from the one before and answers right', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-cp-'));
    dirs.push(dir);
    let { db, s } = await open(dir);
    await run(s, 'CREATE TABLE t (k INT, v INT)');
    await run(s, 'CREATE MATERIALIZED VIEW per_k AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k');
    await run(s, 'INSERT INTO t VALUES (1, 10), (2, 20), (1, 5)');
    const owner = db.catalog.lookup(['per_k'])!.id;
    await eventually(async () => db.checkpoints.list().filter((c) => c.dataflow === `mv-${owner}` && c.entries > 0).length, (n) => n > 0, 'a checkpoint with state');
    s.close();
    await db.close();

    // Damage the view's checkpoint record on disk.
    const store = await Store.open(dir);
    const key = jobKey(owner, 'checkpoint');
    const bytes = (await store.get(key))!.slice();
    bytes[bytes.length - 2]! ^= 0x01;
    await store.write([{ type: 'put', key, value: bytes }]);
    await store.close();

    ({ db, s } = await open(dir));
    expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(canon(await run(s, 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k')));
    await run(s, 'INSERT INTO t VALUES (2, 1)');
    expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(canon(await run(s, 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k')));
  });

  it('takes a last checkpoint when the server shuts down cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-cp-'));
    dirs.push(dir);
    const db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs: 0 });
    const s = db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
    await run(s, 'CREATE TABLE t (k INT, v INT)');
    await run(s, 'CREATE MATERIALIZED VIEW per_k AS SELECT k, COUNT(*) AS n FROM t GROUP BY k');
    for (let i = 0; i < 3; i++) await run(s, `INSERT INTO t VALUES (${i}, ${i})`);
    const owner = db.catalog.lookup(['per_k'])!.id;
    s.close();
    await db.close();
    const store = await Store.open(dir);
    const record = decodeCheckpoint((await store.get(jobKey(owner, 'checkpoint')))!, 'per_k');
    await store.close();
    // Without periodic checkpoints only the one at CREATE would exist, at position 0 of t's changelog.
    expect(record.sources).toEqual([{ position: { offset: 3 }, watermark: -Infinity }]);
  });

  it('checkpoints a view over a view like any other and resumes it from its checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-cp-'));
    dirs.push(dir);
    let db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs: 0 });
    dbs.push(db);
    let s = db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
    await run(s, 'CREATE TABLE t (k INT, v INT)');
    await run(s, 'CREATE MATERIALIZED VIEW per_k AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k');
    await run(s, 'CREATE MATERIALIZED VIEW busy AS SELECT k, total FROM per_k WHERE n >= 2');
    for (const [k, v] of [[1, 10], [2, 20], [1, 5]]) await run(s, `INSERT INTO t VALUES (${k}, ${v})`);
    const busy = db.catalog.lookup(['busy'])!.id;
    s.close();
    await db.close();
    const store = await Store.open(dir);
    const record = decodeCheckpoint((await store.get(jobKey(busy, 'checkpoint')))!, 'busy');
    await store.close();
    // It reads t's changelog itself (per_k's query in its place) and recorded how far.
    expect(record.sources).toEqual([{ position: { offset: 3 }, watermark: -Infinity }]);
    db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs: 0 });
    dbs.push(db);
    s = db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
    expect(await run(s, 'SELECT k, total FROM busy')).toEqual([[1, 15]]);
    await run(s, 'INSERT INTO t VALUES (2, 1)');
    expect(canon(await run(s, 'SELECT k, total FROM busy'))).toEqual(canon([[1, 15], [2, 21]]));
  });

  it('restarts a view with the settings it was created with', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-cp-'));
    dirs.push(dir);
    let { db, s } = await open(dir);
    await run(s, "SET TIME ZONE 'Asia/Tokyo'");
    await run(s, 'CREATE TABLE t (ts TIMESTAMP_LTZ(3))');
    await run(s, 'CREATE MATERIALIZED VIEW local_times AS SELECT CAST(ts AS VARCHAR) AS local FROM t');
    s.close();
    await db.close();
    ({ db, s } = await open(dir));
    // This session is in UTC; the view still renders in the zone it was created in.
    await run(s, "INSERT INTO t VALUES (TO_TIMESTAMP_LTZ(0, 3))");
    expect(await run(s, 'SELECT local FROM local_times')).toEqual([['1970-01-01 09:00:00+09']]);
  });

  it('fails a job whose checkpoint cannot be written, shows why, and restarts it when writing works again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-cp-'));
    dirs.push(dir);
    const { db, s } = await open(dir);
    await run(s, "CREATE TABLE gen (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'fields.k.min' = '1', 'fields.k.max' = '5')");
    await run(s, 'CREATE TABLE totals (k INT PRIMARY KEY NOT ENFORCED, n BIGINT)');
    await run(s, 'INSERT INTO totals SELECT k, COUNT(*) FROM gen GROUP BY k');
    const status = async (): Promise<Row> => (await run(s, 'SHOW JOBS')).find((j) => j[0] === 'job-0001')!;
    await eventually(status, (j) => j[2] === 'RUNNING' && Number(j[4]) > 0, 'the job writing');

    const write = db.store.write.bind(db.store);
    db.store.write = () => Promise.reject(new Error('ENOSPC: no space left on device, write'));
    const failed = await eventually(status, (j) => j[2] === 'FAILED', 'the job to fail');
    expect(String(failed[6])).toMatch(/checkpoint \d+ of job-0001 could not be written: ENOSPC: no space left on device/);
    const checkpoints = await run(s, 'SHOW CHECKPOINTS');
    expect(checkpoints.some((c) => c[0] === 'job-0001' && c[3] === 'FAILED' && /ENOSPC/.test(String(c[8])))).toBe(true);

    db.store.write = write;
    await eventually(status, (j) => j[2] === 'RUNNING', 'the job to restart');
    const before = Number((await run(s, 'SELECT SUM(n) FROM totals'))[0]![0]);
    await eventually(async () => Number((await run(s, 'SELECT SUM(n) FROM totals'))[0]![0]), (n) => n > before, 'the restarted job writing');
  }, 60_000);

  it('fails a view whose checkpoint cannot be written, keeps answering its last contents, and restarts it when writing works again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-cp-'));
    dirs.push(dir);
    const { db, s } = await open(dir);
    const query = 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k';
    await run(s, 'CREATE TABLE t (k INT, v INT)');
    await run(s, `CREATE MATERIALIZED VIEW per_k AS ${query}`);
    // A view on the view follows per_k's changes, across its restart too.
    await run(s, 'CREATE MATERIALIZED VIEW overall AS SELECT SUM(n) AS n, SUM(total) AS total FROM per_k');
    await run(s, 'INSERT INTO t VALUES (1, 10), (2, 20), (1, 5)');
    const owner = db.catalog.lookup(['per_k'])!.id;
    const status = async (): Promise<Row> => (await run(s, 'SHOW JOBS')).find((j) => j[0] === `mv-${owner}`)!;
    const lastId = (): number => Math.max(0, ...db.checkpoints.list().filter((c) => c.dataflow === `mv-${owner}` && c.status === 'COMPLETED').map((c) => c.id));
    const before = lastId();
    await eventually(async () => lastId(), (n) => n > before, 'a checkpoint of the view');
    const contents = canon(await run(s, query));

    // Only the view's checkpoints fail (as when its state no longer fits): the table keeps taking writes.
    const write = db.store.write.bind(db.store);
    db.store.write = (ops, durable) =>
      ops.some((op) => op.key[0] === KeyPrefix.JOB && objectIdOf(op.key) === owner) ? Promise.reject(new Error('ENOSPC: no space left on device, write')) : write(ops, durable);
    const failed = await eventually(status, (j) => j[2] === 'FAILED', 'the view to fail');
    expect(String(failed[6])).toMatch(new RegExp(`checkpoint \\d+ of mv-${owner} could not be written: ENOSPC: no space left on device`));
    expect((await run(s, 'SHOW CHECKPOINTS')).some((c) => c[0] === `mv-${owner}` && c[3] === 'FAILED' && /ENOSPC/.test(String(c[8])))).toBe(true);
    // Meanwhile the view answers what it held, and the table's changes are kept for its restart.
    await run(s, 'INSERT INTO t VALUES (4, 40), (1, 1)');
    await run(s, 'DELETE FROM t WHERE k = 2');
    expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(contents);

    db.store.write = write;
    await eventually(status, (j) => j[2] === 'RUNNING', 'the view to restart');
    await run(s, 'INSERT INTO t VALUES (2, 1), (3, 7)');
    expect(canon(await run(s, 'SELECT * FROM per_k'))).toEqual(canon(await run(s, query)));
    expect(await run(s, 'SELECT * FROM overall')).toEqual(await run(s, 'SELECT SUM(n), SUM(total) FROM per_k'));
    // It resumed from its last checkpoint (a rebuild from its inputs would count from 1 again).
    const history = (): { id: number; status: string }[] => db.checkpoints.list().filter((c) => c.dataflow === `mv-${owner}`);
    const resumed = await eventually(
      async () => {
        const h = history();
        const lastFailed = h.map((c) => c.status).lastIndexOf('FAILED');
        return { failed: h[lastFailed]?.id, next: h.slice(lastFailed + 1).find((c) => c.status === 'COMPLETED')?.id };
      },
      (r) => r.next !== undefined,
      'the restarted view checkpointing',
    );
    expect(resumed.next).toBe(resumed.failed);
  }, 60_000);
});
