/**
 * pgjdbc against millrace: compiles tests/clients/JdbcClient.java into a temporary directory and runs
 * it (connect, create, a PreparedStatement executed 8 times so pgjdbc switches to a server-prepared
 * statement with binary transfer, ResultSet getters, DatabaseMetaData getTables / getColumns /
 * getSchemas / getPrimaryKeys / getTypeInfo, ResultSetMetaData of a query, an error, then a query
 * on the same connection).
 * Skipped (with a message) only if javac/java or /usr/share/java/postgresql.jar is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const JDBC_JAR = '/usr/share/java/postgresql.jar';

function jdbcMissing(): string | null {
  if (findExecutable('javac') === null) return 'javac is not installed (apt-get install default-jdk-headless)';
  if (findExecutable('java') === null) return 'java is not installed (apt-get install default-jdk-headless)';
  if (!existsSync(JDBC_JAR)) return `${JDBC_JAR} is missing (apt-get install libpostgresql-jdbc-java)`;
  return null;
}

const missing = jdbcMissing();
if (missing !== null) console.warn(`pgjdbc.test.ts skipped: ${missing}`);

describe.skipIf(missing !== null)('pgjdbc', () => {
  let server: AcquiredServer;
  let classDir: string;
  beforeAll(async () => {
    classDir = mkdtempSync(path.join(os.tmpdir(), 'millrace-jdbc-'));
    const compiled = await runCommand('javac', ['-cp', JDBC_JAR, '-d', classDir, 'tests/clients/JdbcClient.java'], { timeoutMs: 120_000 });
    expect(compiled.code, describeResult(compiled)).toBe(0);
    server = await acquireServer();
  }, 180_000);
  afterAll(async () => {
    await server?.release();
    if (classDir !== undefined) rmSync(classDir, { recursive: true, force: true });
  });

  it('runs the JDBC client', async () => {
    const r = await runCommand('java', ['-Duser.timezone=UTC', '-cp', `${classDir}${path.delimiter}${JDBC_JAR}`, 'JdbcClient', String(server.port), server.host], {
      timeoutMs: 120_000,
    });
    expect(r.code, describeResult(r)).toBe(0);
    const out = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    const expectedRows =
      '6|item6|2024-01-02 03:04:06.5|6.25|60000000000|true;' +
      '7|item7|2024-01-02 03:04:07.5|7.25|70000000000|false;' +
      '8|item8|2024-01-02 03:04:08.5|8.25|80000000000|true;';
    expect(out.get('connected'), r.stdout).toBe('PostgreSQL');
    expect(out.get('inserted'), r.stdout).toBe('8');
    expect(out.get('numeric_param'), r.stdout).toBe('12.345|3.00;12.345|3.00;');
    expect(out.get('select0'), r.stdout).toBe(expectedRows);
    expect(out.get('select6'), r.stdout).toBe(expectedRows);
    expect(out.get('count'), r.stdout).toBe('8');
    expect(out.get('tables'), r.stdout).toBe('jdbc_items:TABLE;');
    // DatabaseMetaData and ResultSetMetaData: the same answers PostgreSQL 15 gives for these tables.
    expect(out.get('tables_public'), r.stdout).toBe('public.jdbc_items:TABLE;public.jdbc_keyed:TABLE;public.jdbc_view:VIEW;');
    expect(out.get('columns'), r.stdout).toBe(
      'id:4:int4:10:0:1:1;name:12:varchar:20:0:1:2;at:93:timestamp:26:3:1:3;price:2:numeric:10:2:1:4;big:-5:int8:19:0:1:5;ok:-7:bool:1:0:1:6;',
    );
    expect(out.get('keyed_columns'), r.stdout).toBe('k1:NO;k2:NO;');
    expect(out.get('schemas'), r.stdout).toBe('information_schema;pg_catalog;public;');
    // pgjdbc's query expands pg_index.indkey with information_schema._pg_expandarray in a select list.
    expect(out.get('primary_keys'), r.stdout).toBe('k1:1:jdbc_keyed_pkey;k2:2:jdbc_keyed_pkey;');
    expect(out.get('no_primary_keys'), r.stdout).toBe('true');
    expect(out.get('type_info'), r.stdout).toBe('bool:-7;numeric:2;int4:4;varchar:12;timestamp:93;');
    expect(out.get('type_info_many'), r.stdout).toBe('true');
    expect(out.get('rsmd'), r.stdout).toBe(
      'id:int4:4:10:0:1;name:varchar:12:20:0:1;price:numeric:2:10:2:1;at:timestamp:93:26:3:1;big:int8:-5:19:0:1;ok:bool:-7:1:0:1;d:float8:8:17:17:2;',
    );
    expect(out.get('rsmd_table'), r.stdout).toBe('jdbc_items::name');
    expect(out.get('error'), r.stdout).toBe('42P01');
    expect(out.get('after_error'), r.stdout).toBe('item1');
    // setAutoCommit(false): rollback to a savepoint, rollback, commit.
    expect(out.get('tx_inside'), r.stdout).toBe('1,2');
    expect(out.get('tx_rolled_back'), r.stdout).toBe('8');
    expect(out.get('tx_committed'), r.stdout).toBe('1');
  }, 180_000);
});
