/**
 * Differential test: the same tables and the same seeded queries on millrace and on a throwaway
 * PostgreSQL 15; every answer must agree value for value as wire text (multisets unless ORDER BY is
 * total) and every error by SQLSTATE class. Deliberate differences are kept out of the generated
 * queries (known-differences.ts). Skips when PostgreSQL 15's initdb/pg_ctl are not installed.
 *
 * MILLRACE_DIFF_SEED / MILLRACE_DIFF_COUNT override the seed and number of queries;
 * MILLRACE_DIFF_ROWS the rows per table; MILLRACE_DIFF_TARGET=host:port uses a running millrace
 * instead of starting one (its tables t1 and t2 are dropped and recreated).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectClient, parseTarget, type Target } from '../harness/pg-client.ts';
import { startServer, type RunningServer } from '../harness/server-process.ts';
import { compareOutcomes, runQuery } from './compare.ts';
import { datasetStatements } from './dataset.ts';
import { findPostgres, startPgCluster, type PgCluster } from './pg-cluster.ts';
import { generateQueries } from './query-generator.ts';

const SEED = Number(process.env['MILLRACE_DIFF_SEED'] ?? 20261126);
const COUNT = Number(process.env['MILLRACE_DIFF_COUNT'] ?? 400);
const ROWS = Number(process.env['MILLRACE_DIFF_ROWS'] ?? 30);
const MAX_REPORTED = 15;

const pgBin = findPostgres();
if (pgBin === undefined) {
  console.warn('differential test skipped: PostgreSQL 15 initdb/pg_ctl not found (apt-get install postgresql-15, or set MILLRACE_PG_BIN)');
}

describe.skipIf(pgBin === undefined)('answers match PostgreSQL 15', () => {
  let cluster: PgCluster | undefined;
  let server: RunningServer | undefined;
  let pgClient: pg.Client | undefined;
  let mrClient: pg.Client | undefined;

  beforeAll(async () => {
    const target = process.env['MILLRACE_DIFF_TARGET'];
    const startMillrace = async (): Promise<Target> => {
      if (target !== undefined) return parseTarget(target);
      server = await startServer();
      return server;
    };
    // Both start at once; whichever started is kept for afterAll even when the other fails.
    const [c, m] = await Promise.allSettled([startPgCluster(pgBin!), startMillrace()]);
    if (c.status === 'fulfilled') cluster = c.value;
    if (c.status === 'rejected') throw c.reason;
    if (m.status === 'rejected') throw m.reason;
    const millrace = m.value;
    [pgClient, mrClient] = await Promise.all([connectClient(c.value), connectClient(millrace)]);
    if (target !== undefined) {
      await mrClient.query('DROP TABLE IF EXISTS t1');
      await mrClient.query('DROP TABLE IF EXISTS t2');
    }
    for (const stmt of datasetStatements(SEED, ROWS)) {
      await pgClient.query(stmt);
      await mrClient.query(stmt);
    }
  }, 120_000);

  afterAll(async () => {
    await pgClient?.end().catch(() => undefined);
    await mrClient?.end().catch(() => undefined);
    await server?.stop();
    await cluster?.stop();
  }, 60_000);

  test('the tables hold the same rows', async () => {
    for (const t of ['t1', 't2']) {
      const sql = `SELECT * FROM ${t} ORDER BY id`;
      const diff = compareOutcomes(await runQuery(mrClient!, sql), await runQuery(pgClient!, sql), true);
      expect(diff, sql).toBeUndefined();
    }
  });

  test(`${COUNT} generated queries (seed ${SEED})`, async () => {
    const mismatches: string[] = [];
    let errors = 0;
    const queries = generateQueries(SEED, COUNT);
    for (const [k, q] of queries.entries()) {
      const p = await runQuery(pgClient!, q.sql);
      const m = await runQuery(mrClient!, q.sql);
      if (p.kind === 'error') errors++;
      const diff = compareOutcomes(m, p, q.ordered);
      if (diff !== undefined) mismatches.push(`#${k}: ${q.sql}\n  ${diff.replaceAll('\n', '\n  ')}`);
    }
    // Most queries must return rows, or the comparison says little.
    expect(errors).toBeLessThan(queries.length / 4);
    expect(mismatches.length, `${mismatches.length} of ${queries.length} queries differ:\n\n${mismatches.slice(0, MAX_REPORTED).join('\n\n')}`).toBe(0);
  }, 180_000);
});
