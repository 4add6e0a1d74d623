/**
 * psql against millrace: runs tests/clients/setup.sql with ON_ERROR_STOP, then the meta-commands
 * \dt, \d orders, \d+ of a keyed table and of a view, \d of an index, \sf, \dv, \df, \dTS, \du, \l
 * and \dn, which send psql's own pg_catalog queries, and the queries psql 15's tab completion sends
 * (captured from psql talking to PostgreSQL 15). psql's warning about the server version on stderr
 * is expected and ignored.
 * Skipped (with a message) only if psql is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const psql = findExecutable('psql');
if (psql === null) console.warn('psql.test.ts skipped: psql is not installed (apt-get install postgresql-client)');

describe.skipIf(psql === null)('psql', () => {
  let server: AcquiredServer;
  beforeAll(async () => {
    server = await acquireServer();
  });
  afterAll(async () => {
    await server?.release();
  });

  const run = (...args: string[]) =>
    runCommand(psql ?? 'psql', ['-X', '-h', server.host, '-p', String(server.port), '-U', 'tester', '-d', 'millrace', '-v', 'ON_ERROR_STOP=1', ...args]);

  it('runs setup.sql', async () => {
    const r = await run('-f', 'tests/clients/setup.sql');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toContain('CREATE TABLE');
    expect(r.stdout).toContain('INSERT 0 3');
    expect(r.stdout).toMatch(/customer\s*\|\s*orders\s*\|\s*total/);
    expect(r.stdout).toMatch(/ann\s*\|\s*2\s*\|\s*42\.50/);
    expect(r.stdout).toMatch(/bob\s*\|\s*1\s*\|\s*7\.25/);
    expect(r.stdout).toContain('(2 rows)');
  });

  it('lists tables with \\dt', async () => {
    const r = await run('-c', '\\dt');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/\|\s*orders\s*\|\s*table\s*\|/);
  });

  it('describes a table with \\d orders', async () => {
    const r = await run('-c', '\\d orders');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/Table "\w+\.orders"/);
    expect(r.stdout).toMatch(/order_id\s*\|\s*integer/);
    expect(r.stdout).toMatch(/customer\s*\|\s*character varying\(20\)/);
    expect(r.stdout).toMatch(/amount\s*\|\s*numeric\(10,2\)/);
    expect(r.stdout).toMatch(/placed_at\s*\|\s*timestamp\(3\) without time zone/);
  });

  it('lists databases with \\l', async () => {
    const r = await run('-c', '\\l');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/^\s*millrace\s*\|/m);
  });

  it('lists schemas with \\dn', async () => {
    const r = await run('-c', '\\dn');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/^\s*public\s*\|/m);
  });

  it('creates a keyed table and a view', async () => {
    const r = await run(
      // Flink SQL requires NOT ENFORCED, PostgreSQL (when validating this test) rejects it.
      '-c', 'DROP VIEW IF EXISTS dmeta_view',
      '-c', 'DROP TABLE IF EXISTS dmeta_keyed',
      '-c', `CREATE TABLE dmeta_keyed (id INT, tag TEXT, PRIMARY KEY (id)${server.external ? '' : ' NOT ENFORCED'})`,
      '-c', 'CREATE VIEW dmeta_view AS SELECT order_id, customer FROM orders',
    );
    expect(r.code, describeResult(r)).toBe(0);
  });

  it('describes a keyed table with \\d+, listing its primary key index', async () => {
    const r = await run('-c', '\\d+ dmeta_keyed');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/Table "public\.dmeta_keyed"/);
    expect(r.stdout).toMatch(/Column\s*\|\s*Type\s*\|\s*Collation\s*\|\s*Nullable\s*\|\s*Default\s*\|\s*Storage/);
    expect(r.stdout).toMatch(/id\s*\|\s*integer\s*\|\s*\|\s*not null\s*\|\s*\|\s*plain/);
    expect(r.stdout).toMatch(/tag\s*\|\s*text\s*\|\s*\|\s*\|\s*\|\s*extended/);
    expect(r.stdout).toMatch(/Indexes:\s*\n\s*"dmeta_keyed_pkey" PRIMARY KEY, btree \(id\)/);
    const plain = await run('-c', '\\d orders');
    expect(plain.stdout).not.toContain('Indexes:');
  });

  it('describes a view with \\d+ and an index with \\d', async () => {
    const view = await run('-c', '\\d+ dmeta_view');
    expect(view.code, describeResult(view)).toBe(0);
    expect(view.stdout).toMatch(/View "public\.dmeta_view"/);
    expect(view.stdout).toMatch(/customer\s*\|\s*character varying\(20\)/);
    expect(view.stdout).toMatch(/View definition:\s*\n.*order_id/);
    const index = await run('-c', '\\d dmeta_keyed_pkey');
    expect(index.code, describeResult(index)).toBe(0);
    expect(index.stdout).toMatch(/Index "public\.dmeta_keyed_pkey"/);
    expect(index.stdout).toMatch(/id\s*\|\s*integer\s*\|\s*yes\s*\|\s*id/);
    expect(index.stdout).toContain('primary key, btree, for table "public.dmeta_keyed"');
  });

  it('prints a function definition with \\sf', async () => {
    const r = await run('-c', '\\sf upper(text)');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toContain('CREATE OR REPLACE FUNCTION pg_catalog.upper(text)\n RETURNS text\n LANGUAGE internal\n');
  });

  it('lists views with \\dv', async () => {
    const r = await run('-c', '\\dv');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/public\s*\|\s*dmeta_view\s*\|\s*view\s*\|/);
    expect(r.stdout).not.toMatch(/\|\s*orders\s*\|/);
  });

  it('shows result and argument types with \\df upper', async () => {
    const r = await run('-c', '\\df upper');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/Result data type\s*\|\s*Argument data types/);
    expect(r.stdout).toMatch(/pg_catalog\s*\|\s*upper\s*\|\s*text\s*\|\s*text\s*\|\s*func/);
  });

  it('lists data types with \\dT and \\dTS', async () => {
    const user = await run('-c', '\\dT');
    expect(user.code, describeResult(user)).toBe(0);
    expect(user.stdout).toContain('(0 rows)');
    const r = await run('-c', '\\dTS integer');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/pg_catalog\s*\|\s*integer\s*\|/);
    expect(r.stdout).toContain('(1 row)');
  });

  it('lists roles with \\du', async () => {
    const r = await run('-c', '\\du');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/^\s*tester\s*\|\s*Superuser.*\|\s*\{\}/m);
  });

  // The SQL psql 15 sends on <tab> after `SELECT * FROM dmeta_`, `... WHERE t`, `\d dmeta_`,
  // `\df upp`, `\dT int` and `SET search`; each result line is one completion candidate.
  const tabCompletions: readonly (readonly [string, string, 'exact' | 'includes'])[] = [
    [
      `SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'dmeta\\_%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'dmeta\\_%' AND n.nspname NOT LIKE E'pg\\\\_%'
LIMIT 1000`,
      'dmeta_keyed|\ndmeta_view|',
      'exact',
    ],
    [
      `SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 't%' AND c.relname = 'dmeta_keyed' AND pg_catalog.pg_table_is_visible(c.oid)
LIMIT 1000`,
      'tag|',
      'exact',
    ],
    [
      `SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE (c.relname) LIKE 'dmeta\\_%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'dmeta\\_%' AND n.nspname NOT LIKE E'pg\\\\_%'
LIMIT 1000`,
      'dmeta_keyed_pkey|\ndmeta_keyed|\ndmeta_view|',
      'exact',
    ],
    [
      `SELECT p.proname, NULL::pg_catalog.text FROM pg_catalog.pg_proc p WHERE (p.proname) LIKE 'upp%' AND pg_catalog.pg_function_is_visible(p.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'upp%' AND n.nspname NOT LIKE E'pg\\\\_%'
LIMIT 1000`,
      'upper|',
      'includes',
    ],
    [
      `SELECT t.typname, NULL::pg_catalog.text FROM pg_catalog.pg_type t WHERE (t.typrelid = 0  OR (SELECT c.relkind = 'c'     FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND t.typname !~ '^_' AND (t.typname) LIKE 'int%' AND pg_catalog.pg_type_is_visible(t.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'int%' AND n.nspname NOT LIKE E'pg\\\\_%'
LIMIT 1000`,
      'int2vector|\nint2|\nint4|\nint8|\ninterval|',
      'includes',
    ],
    [
      `SELECT pg_catalog.lower(name) FROM pg_catalog.pg_settings  WHERE context IN ('user', 'superuser')    AND pg_catalog.lower(name) LIKE pg_catalog.lower('search%')
LIMIT 1000`,
      'search_path',
      'exact',
    ],
  ];

  it('answers the queries of tab completion', async () => {
    for (const [sql, expected, match] of tabCompletions) {
      const r = await run('-A', '-t', '-c', sql);
      expect(r.code, describeResult(r)).toBe(0);
      const got = [...new Set(r.stdout.trim().split('\n'))].sort();
      // PostgreSQL has more functions and types (ranges, overloads) than millrace.
      if (match === 'exact') expect(got.join('\n'), sql).toBe(expected);
      else expect(got, sql).toEqual(expect.arrayContaining(expected.split('\n')));
    }
  });

  it('drops the view and the keyed table', async () => {
    const r = await run('-c', 'DROP VIEW dmeta_view', '-c', 'DROP TABLE dmeta_keyed');
    expect(r.code, describeResult(r)).toBe(0);
  });

  it('reports a failing statement with its SQLSTATE and a non-zero exit', async () => {
    const r = await run('-c', 'SELECT * FROM no_such_table');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no_such_table/);
  });
});
