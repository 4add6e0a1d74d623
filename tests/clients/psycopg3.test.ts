/**
 * psycopg 3 (the Debian python3-psycopg package, for /usr/bin/python3) against millrace: runs
 * tests/clients/psycopg3_client.py once and checks each section of the JSON it prints. psycopg 3
 * binds parameters server-side over the extended protocol (text, or binary with `binary=True`),
 * prepares statements after `prepare_threshold` executions, and uses the COPY sub-protocol for
 * `cursor.copy` in text and binary format; pipeline mode and `cursor.stream` are covered too.
 * Skipped (with a message) only if /usr/bin/python3 or psycopg is missing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const PYTHON = '/usr/bin/python3';

function psycopgMissing(): string | null {
  if (findExecutable(PYTHON) === null) return `${PYTHON} is not installed`;
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'psycopg 3 is not installed for /usr/bin/python3 (apt-get install python3-psycopg)';
  }
}

const missing = psycopgMissing();
if (missing !== null) console.warn(`psycopg3.test.ts skipped: ${missing}`);

type Out = Record<string, unknown>;

/** Parameters and results as [python type, value]; DECIMAL compared by value (see the numeric note below). */
const PARAMS_BACK: [string, unknown][] = [
  ['int', 42],
  ['int', 1099511627776],
  ['Decimal', 12.345],
  ['str', "it's \u00fc"],
  ['bool', true],
  ['NoneType', null],
  ['date', '2024-02-29'],
  ['datetime', '2024-01-02T03:04:05.123456'],
  ['float', 1.5],
  ['list', [1, 2, 3]],
];

/** Numeric values compared as numbers: an unconstrained numeric parameter comes back as '12.3450000000' from millrace, '12.345' from PostgreSQL. */
function byValue(row: unknown): unknown {
  return (row as [string, unknown][]).map(([t, v]) => [t, t === 'Decimal' && typeof v === 'string' ? Number(v) : v]);
}

function section(out: Out, name: string): Out {
  const s = out[name] as Out | undefined;
  expect(s, `section ${name} missing`).toBeDefined();
  expect(s!['error'], `section ${name} failed:\n${String(s!['trace'] ?? '')}`).toBeUndefined();
  return s!;
}

describe.skipIf(missing !== null)('psycopg 3', () => {
  let server: AcquiredServer;
  let out: Out;
  beforeAll(async () => {
    server = await acquireServer();
    const r = await runCommand(PYTHON, ['tests/clients/psycopg3_client.py', String(server.port), server.host]);
    expect(r.code, describeResult(r)).toBe(0);
    out = JSON.parse(r.stdout.trim()) as Out;
  });
  afterAll(async () => {
    await server?.release();
  });

  it('connects and reads the server version and time zone', () => {
    expect(out['server_version']).toBeGreaterThanOrEqual(100000);
    expect(['UTC', 'Etc/UTC']).toContain(out['timezone']);
  });

  it('binds parameters server-side in text format', () => {
    expect(byValue(out['params'])).toEqual(PARAMS_BACK);
  });

  it('binds binary parameters and reads binary results (binary=True)', () => {
    const s = out['binary'] as Out;
    expect(s['error'], String(s['trace'] ?? '')).toBeUndefined();
    expect(byValue(s['row'])).toEqual(PARAMS_BACK);
    expect(s['formats']).toEqual(Array<number>(10).fill(1));
  });

  it('inserts with executemany and reads typed rows back, text and binary', () => {
    const s = section(out, 'table');
    expect(s['equal']).toBe(true);
    expect(s['binary_equal']).toBe(true);
    expect((s['rows'] as unknown[])[1]).toEqual([
      ['int', 2],
      ['int', -1],
      ['Decimal', '-10.00'],
      ['str', "it's \u00fc"],
      ['bool', false],
      ['datetime', '1999-12-31T23:59:59'],
      ['date', '1999-12-31'],
      ['float', -2.25],
      ['list', []],
    ]);
    expect(s['description']).toEqual([
      ['id', 23],
      ['big', 20],
      ['price', 1700],
      ['name', 1043],
      ['ok', 16],
      ['at', 1114],
      ['day', 1082],
      ['f', 701],
      ['tags', 1007],
    ]);
  });

  it('copies rows in with write_row and out with rows() (text COPY)', () => {
    const s = section(out, 'copy');
    expect(s['copied']).toBe(3);
    expect(s['rows']).toEqual([
      ['1', 'tab\there', '1.50', '2024-01-02'],
      ['2', null, null, null],
      ['3', 'back\\slash \u00fc', '-0.01', '2000-02-29'],
    ]);
  });

  it('copies rows in and out in binary format', () => {
    const s = section(out, 'copy_binary');
    expect(s['copied']).toBe(2);
    expect(s['equal']).toBe(true);
    expect((s['rows'] as unknown[])[0]).toEqual([
      ['int', 1],
      ['str', 'x\ty'],
      ['Decimal', '1.50'],
      ['date', '2024-01-02'],
      ['datetime', '2024-01-02T03:04:05.000006'],
      ['int', 1099511627776],
    ]);
  });

  it('runs prepared statements past prepare_threshold', () => {
    const s = section(out, 'prepared');
    expect(s['names']).toEqual(['apple', "it's \u00fc", null, 'apple']);
    expect(s['forced']).toBe(2);
  });

  it('runs queries in pipeline mode and streams rows with cursor.stream', () => {
    const s = section(out, 'pipeline');
    expect(s).toEqual({
      one: [[1]],
      two: [[1], [2]],
      streamed: [
        [100, 'p'],
        [101, 'q'],
      ],
    });
  });

  it('reports the SQLSTATE of an error and keeps the connection usable', () => {
    const s = section(out, 'error');
    expect(s).toEqual({ code: '42P01', after: 42 });
  });

  // psycopg 3's server-side cursor sends DECLARE "pg3_named" CURSOR FOR ..., then a protocol
  // Describe of portal "pg3_named" (a DECLAREd cursor is a portal), FETCH FORWARD n, and on close
  // a query of pg_catalog.pg_cursors before CLOSE.
  it('reads a server-side cursor (conn.cursor(name=...))', () => {
    const s = section(out, 'named_cursor');
    expect(s['first']).toEqual([
      [1, 'apple'],
      [2, "it's \u00fc"],
    ]);
    expect(s['rest']).toEqual([[3, null]]);
    expect(s['listed']).toEqual(['pg3_named']);
  });
});
