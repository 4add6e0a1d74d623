/**
 * ODBC against millrace: psqlODBC's "PostgreSQL Unicode" driver (Debian's odbc-postgresql, as
 * registered in /etc/odbcinst.ini) through pyodbc (python3-pyodbc, for /usr/bin/python3), with a
 * DSN-less connection string. Runs tests/clients/odbc_client.py with client-side parameter
 * substitution (UseServerSidePrepare=0) and with the driver's default server-side prepares, and
 * checks queries, ? parameters, and the catalog functions SQLTables / SQLColumns / SQLPrimaryKeys.
 * Skipped (with a message) only if python3, pyodbc or the driver is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const PYTHON = '/usr/bin/python3';

function odbcMissing(): string | null {
  if (findExecutable(PYTHON) === null) return `${PYTHON} is not installed`;
  if (!existsSync('/etc/odbcinst.ini') || !readFileSync('/etc/odbcinst.ini', 'utf8').includes('[PostgreSQL Unicode]')) {
    return 'the psqlODBC driver is not registered (apt-get install odbc-postgresql unixodbc)';
  }
  try {
    execFileSync(PYTHON, ['-c', 'import pyodbc'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'pyodbc is not installed for /usr/bin/python3 (apt-get install python3-pyodbc)';
  }
}

const missing = odbcMissing();
if (missing !== null) console.warn(`odbc.test.ts skipped: ${missing}`);

type Out = Record<string, unknown>;

function section(out: Out, name: string): unknown {
  const s = out[name];
  expect(s, `section ${name} missing`).toBeDefined();
  if (typeof s === 'object' && s !== null && 'error' in s) {
    const e = s as { error: string; trace?: string };
    expect.fail(`section ${name} failed: ${e.error}\n${e.trace ?? ''}`);
  }
  return s;
}


const SELECTED = {
  one: [[1, "it's \u00fc", '1.50', '2024-01-02T03:04:05', '2024-01-02']],
  all: [
    [1, "it's \u00fc"],
    [2, null],
  ],
  description: [
    ['id', 'int'],
    ['name', 'str'],
  ],
};

describe.skipIf(missing !== null)('ODBC (psqlODBC + pyodbc)', () => {
  let server: AcquiredServer;
  let clientSide: Out;
  let serverSide: Out;
  const run = async (extra: string): Promise<Out> => {
    const r = await runCommand(PYTHON, ['tests/clients/odbc_client.py', String(server.port), server.host, extra]);
    expect(r.code, describeResult(r)).toBe(0);
    return JSON.parse(r.stdout.trim()) as Out;
  };
  beforeAll(async () => {
    server = await acquireServer();
    clientSide = await run('UseServerSidePrepare=0;');
    serverSide = await run('');
  }, 60_000);
  afterAll(async () => {
    await server?.release();
  });

  it('connects and runs a query', () => {
    expect(section(clientSide, 'query')).toEqual([[1, 'x', '2.5']]);
    expect(section(serverSide, 'query')).toEqual([[1, 'x', '2.5']]);
  });

  it('binds ? parameters (client-side substitution)', () => {
    expect(section(clientSide, 'setup')).toBe(true);
    expect(section(clientSide, 'insert')).toEqual([1, 1]);
    expect(section(clientSide, 'select')).toEqual(SELECTED);
  });

  it('binds ? parameters through a server-side prepared statement', () => {
    expect(section(serverSide, 'insert')).toEqual([1, 1]);
  });

  // With server-side prepares psqlODBC parses each statement as "_PLAN0x<handle address>", runs it,
  // then sends the simple query `DEALLOCATE "_PLAN0x..."` and parses the next statement under the
  // same name: SQL DEALLOCATE must drop the protocol-level statement.
  it('runs different parameterized statements one after another with server-side prepares', () => {
    expect(section(serverSide, 'select')).toEqual(SELECTED);
  });

  it('lists the table with SQLTables and its columns with SQLColumns', () => {
    for (const out of [clientSide, serverSide]) {
      expect(section(out, 'tables')).toEqual([['millrace', 'public', 'odbc_items', 'TABLE']]);
      expect(section(out, 'columns')).toEqual([
        ['id', 4, 'int4', 10, 0],
        ['name', -9, 'varchar', 20, 1],
        ['price', 2, 'numeric', 10, 1],
        ['at', 93, 'timestamp', 26, 1],
        ['day', 91, 'date', 10, 1],
        ['ok', 12, 'bool', 5, 1],
      ]);
    }
  });

  // SQLPrimaryKeys joins `ta.attnum = i.indkey[ia.attnum-1]`: pg_index.indkey subscripts from 0.
  it('finds the primary key with SQLPrimaryKeys', () => {
    expect(section(clientSide, 'primary_keys')).toEqual([['millrace', 'public', 'odbc_items', 'id', 1, 'odbc_items_pkey']]);
  });
});
