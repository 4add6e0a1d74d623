/**
 * `SET 'table.exec.state.ttl'` end to end: materialized views over stored
 * tables, maintained by dataflows whose unwindowed aggregation and join state
 * expires after the TTL unwritten (wall clock), against the same views in a
 * session without the setting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../../src/database.ts';
import { runSql } from '../harness/session-sql.ts';
import type { Session } from '../../src/session/api.ts';
import { canon } from '../../src/streaming/streaming.test-helpers.ts';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const run = runSql;

async function openDb(): Promise<Database> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-ttl-'));
  dirs.push(dir);
  const db = await Database.open(dir, new Map());
  dbs.push(db);
  return db;
}

const session = (db: Database): Session => db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));

async function open(): Promise<Session> {
  return session(await openDb());
}

const TTL_MS = 1000;

describe('table.exec.state.ttl', () => {
  it('expires aggregation groups and join rows not written for the TTL', async () => {
    const s = await open();
    await run(s, 'CREATE TABLE a (k INT, v INT); CREATE TABLE b (k INT, w INT)');
    await run(s, `SET 'table.exec.state.ttl' = '${TTL_MS} ms'`);
    await run(s, 'CREATE MATERIALIZED VIEW per_key_ttl AS SELECT k, count(*) AS n FROM a GROUP BY k');
    await run(s, 'CREATE MATERIALIZED VIEW joined_ttl AS SELECT a.k, a.v, b.w FROM a JOIN b ON a.k = b.k');
    await run(s, "SET 'table.exec.state.ttl' = '0'");
    await run(s, 'CREATE MATERIALIZED VIEW per_key AS SELECT k, count(*) AS n FROM a GROUP BY k');
    await run(s, 'CREATE MATERIALIZED VIEW joined AS SELECT a.k, a.v, b.w FROM a JOIN b ON a.k = b.k');

    await run(s, 'INSERT INTO a VALUES (1, 10)');
    expect(canon(await run(s, 'SELECT * FROM per_key_ttl'))).toEqual(canon([[1, 1n]]));
    await sleep(TTL_MS * 1.3);
    await run(s, 'INSERT INTO a VALUES (1, 20)');
    await run(s, 'INSERT INTO b VALUES (1, 100)');
    // The expired group started over (+I again, next to its stale row); the first a-row no longer joins.
    expect(canon(await run(s, 'SELECT * FROM per_key_ttl'))).toEqual(canon([[1, 1n], [1, 1n]]));
    expect(canon(await run(s, 'SELECT * FROM joined_ttl'))).toEqual(canon([[1, 20, 100]]));
    // Without the setting nothing expires.
    expect(canon(await run(s, 'SELECT * FROM per_key'))).toEqual(canon([[1, 2n]]));
    expect(canon(await run(s, 'SELECT * FROM joined'))).toEqual(canon([[1, 10, 100], [1, 20, 100]]));
  });

  it('SUBSCRIBE: a DISTINCT key that expired is inserted again, a retraction of it is ignored', async () => {
    const db = await openDb();
    const s = session(db);
    const w = session(db);
    await run(s, 'CREATE TABLE a (k INT, v INT)');
    await run(s, `SET 'table.exec.state.ttl' = '${TTL_MS} ms'`);
    const [stmt] = s.prepareScript('SUBSCRIBE TO (SELECT DISTINCT k FROM a)');
    const cursor = await s.execute(stmt!, [], [], new AbortController().signal);
    // The next `n` changes (a subscription's cursor waits for rows).
    const changes = async (n: number): Promise<string[]> => {
      const out: string[] = [];
      while (out.length < n) for (const r of await cursor.next(n - out.length)) out.push(r.map(String).join(' '));
      return out;
    };
    try {
      await run(w, 'INSERT INTO a VALUES (1, 10), (2, 20)');
      expect(await changes(2)).toEqual(['+I 1', '+I 2']);
      await sleep(TTL_MS * 1.3);
      await run(w, 'INSERT INTO a VALUES (1, 11)');
      await run(w, 'DELETE FROM a WHERE k = 2');
      await run(w, 'INSERT INTO a VALUES (3, 30)');
      // Without the TTL: '-D 2' and nothing for k = 1 (its row count goes to 2).
      expect(await changes(2)).toEqual(['+I 1', '+I 3']);
    } finally {
      cursor.close();
      s.close();
      w.close();
    }
  });

  it('expires state restored at a restart a TTL later, also when its keys are never read again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-ttl-'));
    dirs.push(dir);
    let db = await Database.open(dir, new Map());
    let s = session(db);
    await run(s, 'CREATE TABLE a (k INT, v INT); CREATE TABLE b (k INT, w INT)');
    await run(s, `SET 'table.exec.state.ttl' = '${TTL_MS} ms'`);
    await run(s, 'CREATE MATERIALIZED VIEW per_key_ttl AS SELECT k, count(*) AS n, count(DISTINCT v) AS d FROM a GROUP BY k');
    await run(s, 'CREATE MATERIALIZED VIEW joined_ttl AS SELECT a.k, a.v, b.w FROM a JOIN b ON a.k = b.k');
    await run(s, 'INSERT INTO a VALUES (1, 10), (2, 20)');
    s.close();
    await db.close();

    db = await Database.open(dir, new Map());
    dbs.push(db);
    s = session(db);
    // The first change after the restart starts the TTL of every restored group and bucket.
    await run(s, 'INSERT INTO a VALUES (3, 30)');
    await sleep(TTL_MS * 1.3);
    await run(s, 'INSERT INTO a VALUES (4, 40)');
    await run(s, 'INSERT INTO a VALUES (1, 11)');
    await run(s, 'INSERT INTO b VALUES (2, 200)');
    // Group 1 expired unread: it starts over (+I next to its stale row) instead of counting 2.
    expect(canon(await run(s, 'SELECT * FROM per_key_ttl WHERE k = 1'))).toEqual(canon([[1, 1n, 1n], [1, 1n, 1n]]));
    // The restored left row of key 2 expired too: the new right row finds no partner.
    expect(canon(await run(s, 'SELECT * FROM joined_ttl'))).toEqual([]);
  });

  it('refuses an unreadable TTL with 22023 when a dataflow starts', async () => {
    const s = await open();
    await run(s, 'CREATE TABLE a (k INT, v INT)');
    await run(s, "SET 'table.exec.state.ttl' = 'soon'");
    await expect(run(s, 'CREATE MATERIALIZED VIEW v AS SELECT k, count(*) AS n FROM a GROUP BY k')).rejects.toMatchObject({ code: '22023' });
  });
});
