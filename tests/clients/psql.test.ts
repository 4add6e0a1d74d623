/**
 * psql against millrace: runs tests/clients/setup.sql with ON_ERROR_STOP, then the meta-commands
 * \dt, \d orders, \l and \dn, which send psql's own pg_catalog queries. psql's warning about the server
 * version on stderr is expected and ignored. Skipped (with a message) only if psql is not installed.
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

  it('reports a failing statement with its SQLSTATE and a non-zero exit', async () => {
    const r = await run('-c', 'SELECT * FROM no_such_table');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no_such_table/);
  });
});
