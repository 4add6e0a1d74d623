/**
 * Materialized views stay equal to their query: random sequences of INSERT,
 * UPDATE and DELETE into stored tables (with and without a primary key);
 * after every step each view (including a view on a view) holds exactly what
 * the same query returns as a batch SELECT over the tables' current rows.
 * Also across a restart, which rebuilds the views from the stored tables.
 * Some seeds run every keyed operator as several instances
 * (`parallelism.default`, ARCHITECTURE decision 8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/database.ts';
import type { Session } from '../../src/session/api.ts';
import { runSql } from '../harness/session-sql.ts';
import type { Row } from '../../catalog/types.ts';
import { canon, prng } from '../../src/streaming/streaming.test-helpers.ts';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const run = runSql;

const VIEWS: Record<string, string> = {
  per_key: 'SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, avg(v) AS mean FROM a GROUP BY k',
  joined: 'SELECT a.k, a.v, b.w FROM a JOIN b ON a.k = b.k',
  left_joined: 'SELECT a.k, a.v, b.w FROM a LEFT JOIN b ON a.k = b.k WHERE a.v > 3',
  overall: 'SELECT count(*) AS n, sum(v) AS s, max(v) AS hi FROM a',
  keys: 'SELECT DISTINCT k FROM a',
  distinct_values: 'SELECT k, count(DISTINCT v) AS dv, string_agg(DISTINCT CAST(v AS VARCHAR), \',\') IS NOT NULL AS any_v FROM a GROUP BY k',
  unioned: 'SELECT k, v FROM a WHERE v % 2 = 0 UNION ALL SELECT k, w FROM b',
  big_groups: 'SELECT k, n FROM per_key WHERE n >= 2',
  repeated: 'SELECT k, sum(v) AS s FROM a GROUP BY k HAVING count(*) > 1',
  semi: 'SELECT k, v FROM a WHERE k IN (SELECT k FROM b WHERE w > 10)',
  anti: 'SELECT k, v FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.w > a.v * 3)',
  not_in: 'SELECT k, v FROM a WHERE v NOT IN (SELECT CASE WHEN w % 7 = 0 THEN NULL ELSE w % 10 END FROM b WHERE b.k <> a.k)',
  top_two: 'SELECT k, v, rn FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM a) WHERE rn <= 2',
  lowest: 'SELECT k, v FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn FROM a) WHERE rn = 1',
  top_b: 'SELECT k, w FROM (SELECT k, w, ROW_NUMBER() OVER (ORDER BY w DESC, k) AS rn FROM b) WHERE rn < 3',
  common: 'SELECT k, v % 5 AS m FROM a INTERSECT ALL SELECT k, w % 5 FROM b',
  only_a: 'SELECT k FROM a EXCEPT SELECT k FROM b WHERE w > 20',
};

async function checkAll(s: Session, step: string): Promise<void> {
  for (const [name, query] of Object.entries(VIEWS)) {
    const view = canon(await run(s, `SELECT * FROM ${name}`));
    const batch = canon(await run(s, query));
    expect(view, `${name} after ${step}`).toEqual(batch);
  }
}

describe('materialized views equal their query after every change', () => {
  for (const [seed, parallelism] of [[1, 1], [2, 1], [3, 1], [4, 3], [5, 8]] as const) {
    it(`seed ${seed}, parallelism ${parallelism}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'millrace-mv-'));
      dirs.push(dir);
      let db = await Database.open(dir, new Map());
      dbs.push(db);
      let s = db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
      await run(s, 'CREATE TABLE a (k INT, v INT); CREATE TABLE b (k INT, w INT, PRIMARY KEY (k) NOT ENFORCED)');
      await run(s, 'INSERT INTO a VALUES (1, 1), (2, 4), (2, 6); INSERT INTO b VALUES (2, 20)');
      await run(s, `SET 'parallelism.default' = '${parallelism}'`);
      for (const [name, query] of Object.entries(VIEWS)) await run(s, `CREATE MATERIALIZED VIEW ${name} AS ${query}`);
      await checkAll(s, 'create');
      const r = prng(seed);
      for (let step = 0; step < 40; step++) {
        let sql: string;
        switch (r(7)) {
          case 0:
          case 1: {
            const n = 1 + r(4);
            const rows = Array.from({ length: n }, () => `(${r(6)}, ${r(10)})`);
            sql = `INSERT INTO a VALUES ${rows.join(', ')}`;
            break;
          }
          case 2:
            sql = `INSERT INTO b VALUES (${r(6)}, ${r(50)}), (${r(6)}, ${r(50)})`;
            break;
          case 3:
            sql = `UPDATE a SET v = v + ${1 + r(3)} WHERE k = ${r(6)}`;
            break;
          case 4:
            sql = `DELETE FROM a WHERE v = ${r(10)}`;
            break;
          case 5:
            sql = `UPDATE b SET ${r(2) === 0 ? `w = w + 1 WHERE k = ${r(6)}` : `k = ${r(6)} WHERE k = ${r(6)}`}`;
            break;
          default:
            sql = `DELETE FROM b WHERE k = ${r(6)}`;
            break;
        }
        await run(s, sql);
        await checkAll(s, `step ${step}: ${sql}`);
      }
      s.close();
      await db.close();
      db = await Database.open(dir, new Map());
      dbs.push(db);
      s = db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
      await checkAll(s, 'restart');
      await run(s, 'INSERT INTO a VALUES (5, 5), (5, 6)');
      await checkAll(s, 'insert after restart');
      await run(s, 'DROP MATERIALIZED VIEW big_groups');
      await run(s, 'DROP MATERIALIZED VIEW per_key');
      expect(db.views.size).toBe(Object.keys(VIEWS).length - 2);
    });
  }
});
