/**
 * State layout versions: a checkpoint record names the layout its state was
 * written in; a record of another version (or of none, from before versions)
 * is treated as absent. The view starts over from its inputs with a log line
 * and answers right; the old state is deleted, never decoded.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/database.ts';
import { Store } from '../../src/storage/store.ts';
import type { Session } from '../../src/session/api.ts';
import { runSql } from '../harness/session-sql.ts';
import { builtinConnectors } from '../../connectors/index.ts';
import { crc32, currentLayout, decodeCheckpoint, encodeCheckpoint, jobKey, previousCheckpointKey, STATE_LAYOUT_VERSION } from '../../src/jobs/checkpoints.ts';
import { KeyPrefix, objectKey, objectPrefix, prefixRange } from '../../src/storage/key-space.ts';
import { canon } from '../../src/streaming/streaming.test-helpers.ts';
import { eventually } from '../harness/eventually.ts';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const Q = 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k';

async function open(dir: string): Promise<{ db: Database; s: Session }> {
  const db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs: 50 });
  dbs.push(db);
  return { db, s: db.openSession(new Map([['user', 'test'], ['database', 'millrace']])) };
}

/** A record as a build before layout versions wrote it (no `layout` field). */
function unversionedRecord(id: number, offset: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ id, time: Date.now(), sources: [{ offset, watermark: null }] }));
  const out = new Uint8Array(4 + json.length);
  new DataView(out.buffer).setUint32(0, crc32(json));
  out.set(json, 4);
  return out;
}

describe('checkpoint state layout version', () => {
  it('is written with every record and read back (1 when a record has none)', () => {
    const record = { id: 3, time: 1_700_000_000_000, sources: [] };
    const decoded = decodeCheckpoint(encodeCheckpoint(record), 'x');
    expect(decoded.layout).toBe(STATE_LAYOUT_VERSION);
    expect(currentLayout(decoded)).toBe(true);
    const old = decodeCheckpoint(unversionedRecord(3, 0), 'x');
    expect(old.layout).toBe(1);
    expect(currentLayout(old)).toBe(false);
    expect(currentLayout(decodeCheckpoint(encodeCheckpoint({ ...record, layout: STATE_LAYOUT_VERSION + 1 }), 'x'))).toBe(false);
  });

  for (const layout of [undefined, STATE_LAYOUT_VERSION + 1]) {
    it(`treats a checkpoint of layout ${layout ?? '(none)'} as absent: the view starts over from its inputs and the old state is never read`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'millrace-layout-'));
      dirs.push(dir);
      let { db, s } = await open(dir);
      await runSql(s, 'CREATE TABLE t (k INT, v INT)');
      await runSql(s, 'CREATE MATERIALIZED VIEW per_k AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k');
      await runSql(s, 'INSERT INTO t VALUES (1, 10), (2, 20), (1, 5)');
      const owner = db.catalog.lookup(['per_k'])!.id;
      await eventually(async () => db.checkpoints.list().filter((c) => c.dataflow === `mv-${owner}` && c.entries > 0).length, (n) => n > 0, 'a checkpoint with state');
      s.close();
      await db.close();

      // Another layout: a record of that version, and state no decoder of this build could read.
      const store = await Store.open(dir);
      const current = decodeCheckpoint((await store.get(jobKey(owner, 'checkpoint')))!, 'x');
      const offset = 'offset' in current.sources[0]!.position ? current.sources[0]!.position.offset : 0;
      const record = layout === undefined ? unversionedRecord(current.id, offset) : encodeCheckpoint({ ...current, layout });
      const garbage: Uint8Array[] = [];
      const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
      for await (const batch of store.keys(prefixRange(objectPrefix(KeyPrefix.STATE, owner)))) {
        for (const key of batch) {
          garbage.push(key.slice());
          ops.push({ type: 'put', key: key.slice(), value: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) });
        }
      }
      expect(ops.length).toBeGreaterThan(0);
      const stray = objectKey(KeyPrefix.STATE, owner, new Uint8Array([0x7a, 0x00, 0x01]));
      ops.push({ type: 'put', key: stray, value: new Uint8Array([1]) });
      ops.push({ type: 'put', key: jobKey(owner, 'checkpoint'), value: record });
      await store.write([...ops, { type: 'del', key: previousCheckpointKey(owner) }]);
      await store.close();

      const log: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        log.push(String(chunk));
        return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      });
      ({ db, s } = await open(dir));
      expect(log.join('')).toMatch(new RegExp(`holds state in layout version ${layout ?? 1}.*starts over from its inputs`));
      expect(canon(await runSql(s, 'SELECT * FROM per_k'))).toEqual(canon(await runSql(s, Q)));
      expect(await db.store.get(stray)).toBeUndefined();
      await runSql(s, 'INSERT INTO t VALUES (2, 1)');
      await eventually(async () => [canon(await runSql(s, 'SELECT * FROM per_k')).join(), canon(await runSql(s, Q)).join()], ([got, want]) => got === want, 'the view follows its input');
      const reread = decodeCheckpoint((await db.store.get(jobKey(owner, 'checkpoint')))!, 'x');
      expect(reread.layout).toBe(STATE_LAYOUT_VERSION);
    });
  }

  it('refuses to start a query from a savepoint of another layout, with 55000', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-layout-'));
    dirs.push(dir);
    let { db, s } = await open(dir);
    await runSql(s, "CREATE TABLE gen (k INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.k.min' = '1', 'fields.k.max' = '5')");
    await runSql(s, 'CREATE TABLE totals (k INT PRIMARY KEY NOT ENFORCED, n BIGINT)');
    const JOB = 'INSERT INTO totals SELECT k, COUNT(*) FROM gen GROUP BY k';
    await runSql(s, JOB);
    await eventually(async () => (await runSql(s, 'SELECT COUNT(*) FROM totals'))[0]![0], (n) => Number(n) > 0, 'the job writing');
    const [[savepoint]] = (await runSql(s, "STOP JOB 'job-0001' WITH SAVEPOINT")) as [[string]];
    s.close();
    await db.close();

    // The savepoint as a build of another layout took it.
    const store = await Store.open(dir);
    const key = objectKey(KeyPrefix.SAVEPOINT, Number(savepoint.slice(3)), new Uint8Array([0]));
    const stored = JSON.parse(new TextDecoder().decode((await store.get(key))!)) as { checkpointRecord: string };
    const record = decodeCheckpoint(Buffer.from(stored.checkpointRecord, 'base64'), savepoint);
    stored.checkpointRecord = Buffer.from(encodeCheckpoint({ ...record, layout: STATE_LAYOUT_VERSION - 1 })).toString('base64');
    await store.write([{ type: 'put', key, value: new TextEncoder().encode(JSON.stringify(stored)) }]);
    await store.close();

    ({ db, s } = await open(dir));
    await runSql(s, `SET 'execution.savepoint.path' = '${savepoint}'`);
    await expect(runSql(s, JOB)).rejects.toMatchObject({ code: '55000', message: expect.stringMatching(/older layout/) });
  });
});

