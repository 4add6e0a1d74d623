/**
 * SQLAlchemy 1.4 (psycopg2 dialect) and pandas (Debian's python3-sqlalchemy / python3-pandas, for
 * /usr/bin/python3) against millrace: runs tests/clients/sqlalchemy_client.py once and checks each
 * section of its JSON. Covers the dialect's first-connect queries, inspect(engine) reflection
 * (get_table_names, get_columns, has_table, get_pk_constraint), pandas.read_sql dtypes and values,
 * and DataFrame.to_sql both into an existing table and into one pandas creates.
 * Skipped (with a message) only if /usr/bin/python3, SQLAlchemy or pandas is missing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const PYTHON = '/usr/bin/python3';

function modulesMissing(): string | null {
  if (findExecutable(PYTHON) === null) return `${PYTHON} is not installed`;
  try {
    execFileSync(PYTHON, ['-c', 'import sqlalchemy, pandas, psycopg2'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'SQLAlchemy or pandas is not installed for /usr/bin/python3 (apt-get install python3-sqlalchemy python3-pandas)';
  }
}

const missing = modulesMissing();
if (missing !== null) console.warn(`sqlalchemy-pandas.test.ts skipped: ${missing}`);

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


describe.skipIf(missing !== null)('SQLAlchemy + pandas', () => {
  let server: AcquiredServer;
  let out: Out;
  beforeAll(async () => {
    server = await acquireServer();
    const r = await runCommand(PYTHON, ['tests/clients/sqlalchemy_client.py', String(server.port), server.host], { timeoutMs: 120_000 });
    expect(r.code, describeResult(r)).toBe(0);
    out = JSON.parse(r.stdout.trim()) as Out;
    expect(section(out, 'setup')).toBe(true);
  }, 130_000);
  afterAll(async () => {
    await server?.release();
  });

  it('initializes the dialect (version(), current_schema())', () => {
    expect(section(out, 'dialect')).toEqual({ version: [15], schema: 'public' });
  });

  it('reflects tables and columns with inspect(engine)', () => {
    expect(section(out, 'tables')).toBe(true);
    expect(section(out, 'has_table')).toEqual([true, false]);
    expect(section(out, 'columns')).toEqual([
      ['id', 'INTEGER()', false],
      ['name', 'VARCHAR(length=20)', true],
      ['price', 'NUMERIC(precision=10, scale=2)', true],
      ['at', 'TIMESTAMP(precision=6)', true],
      ['ok', 'BOOLEAN()', true],
    ]);
  });

  // get_pk_constraint sends `SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord
  // FROM pg_index ix ...`: two set-returning functions in lockstep.
  it('reflects the primary key with get_pk_constraint', () => {
    expect(section(out, 'pk')).toEqual(['id']);
  });

  it('reads a query into a DataFrame with pandas.read_sql', () => {
    expect(section(out, 'read_sql')).toEqual({
      dtypes: [
        ['id', 'int64'],
        ['name', 'object'],
        ['price', 'float64'],
        ['at', 'datetime64[ns]'],
        ['ok', 'object'],
      ],
      rows: [
        [1, 'a', 1.5, '2024-01-02T03:04:05', true],
        [2, null, null, null, null],
      ],
    });
  });

  it('appends a DataFrame with to_sql and reads it back with a bound parameter', () => {
    expect(section(out, 'to_sql_append')).toEqual({
      written: 2,
      dtypes: [
        ['id', 'int64'],
        ['name', 'object'],
        ['price', 'float64'],
        ['at', 'datetime64[ns]'],
        ['ok', 'bool'],
      ],
      rows: [
        [10, 'x', 2.5, '2024-05-06T07:08:09.500000', true],
        [11, null, null, null, false],
      ],
    });
  });

  it('creates a table from a DataFrame with to_sql', () => {
    const s = section(out, 'to_sql_new') as { columns: string[][]; rows: unknown[][] };
    expect(s.columns.slice(0, 2)).toEqual([
      ['k', 'BIGINT()'],
      ['label', 'TEXT()'],
    ]);
    expect(s.rows.map((r) => r.slice(0, 2))).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, null],
    ]);
  });

  // pandas writes float64 columns as FLOAT(53), which is DOUBLE PRECISION (FLOAT(p) with p > 24).
  it('keeps float64 columns from to_sql as DOUBLE PRECISION', () => {
    const s = section(out, 'to_sql_new') as { columns: string[][]; rows: unknown[][] };
    expect(s.columns[2]).toEqual(['x', 'DOUBLE_PRECISION(precision=53)']);
    expect(s.rows.map((r) => r[2])).toEqual([0.1, -1.25, 3]);
  });
});
