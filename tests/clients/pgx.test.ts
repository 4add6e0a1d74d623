/**
 * Go's pgx (v4, Debian's golang-github-jackc-pgx-v4-dev) against millrace: builds
 * tests/clients/pgx/main.go offline in GOPATH mode (GO111MODULE=off, GOPATH=/usr/share/gocode), runs
 * it once and checks each section of the JSON it prints. pgx prepares every statement (Parse +
 * Describe), checks the argument count against the ParameterDescription, sends parameters in binary
 * for the types it knows and asks for binary results for them; the same values are also sent as text
 * with text results, and through the simple protocol. The catalog section asks what pgx's LoadType
 * asks (a type name through `$1::text::regtype`, typtype, typelem); the streaming sections read a
 * SUBSCRIBE through DECLARE / FETCH and as a plain query whose rows arrive one by one.
 * Skipped (with a message) only if `go` or the pgx sources are missing; .ci/run installs both.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const GOPATH = '/usr/share/gocode';

function pgxMissing(): string | null {
  if (findExecutable('go') === null) return 'go is not installed (apt-get install golang-go)';
  if (!existsSync(path.join(GOPATH, 'src/github.com/jackc/pgx/v4/conn.go'))) {
    return 'the pgx v4 sources are not installed (apt-get install golang-github-jackc-pgx-v4-dev)';
  }
  return null;
}

const missing = pgxMissing();
if (missing !== null) console.warn(`pgx.test.ts skipped: ${missing}`);

type Out = Record<string, unknown>;

function section(out: Out, name: string): Out {
  const s = out[name] as Out | undefined;
  expect(s, `section ${name} missing`).toBeDefined();
  expect(s!['error'], `section ${name} failed`).toBeUndefined();
  return s!;
}

/**
 * Each type's value as pgx's own text encoder prints what it decoded. Numerics print as pgx
 * writes them (integer digits and a base-10 exponent), so `-123456789e-4` is -12345.6789.
 */
const TYPES: Record<string, [oid: number, text: string, binary: boolean]> = {
  int2: [21, '-12345', true],
  int4: [23, '2147483647', true],
  int8: [20, '-9007199254740993', true],
  float4: [700, '1.5', true],
  float8: [701, '3.141592653589793', true],
  numeric: [1700, '-123456789e-4', true],
  bool: [16, 't', true],
  text: [25, "it's \u00fc \u2603", false],
  varchar: [1043, 'tab\there', false],
  bytea: [17, '\\x00017fff', true],
  date: [1082, '2024-02-29', true],
  timestamp: [1114, '2024-01-02 03:04:05.123456', true],
  timestamptz: [1184, '2024-01-02 03:04:05.123456Z', true],
  interval: [1186, '5 day 01:02:03.000004', true],
  interval_ym: [1186, '14 mon 00:00:00.000000', true],
  uuid: [2950, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true],
  json: [114, '{"a": [1, 2.5, "x"]}', false],
  'int4[]': [1007, '{1,-2,3}', true],
  'int8[]': [1016, '{10000000000,0}', true],
  'text[]': [1009, '{a,b c,"","q\\"uote"}', true],
  'float8[]': [1022, '{1.25,-0.5}', true],
  'bool[]': [1000, '{t,f}', true],
};

describe.skipIf(missing !== null)('Go pgx v4', () => {
  let server: AcquiredServer;
  let out: Out;
  beforeAll(async () => {
    const bin = path.join(mkdtempSync(path.join(tmpdir(), 'millrace-pgx-')), 'pgx-client');
    const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOCACHE: process.env['GOCACHE'] ?? path.join(tmpdir(), 'millrace-go-cache') };
    const build = await runCommand('go', ['build', '-o', bin, '.'], { cwd: path.resolve('tests/clients/pgx'), env, timeoutMs: 180_000 });
    expect(build.code, describeResult(build)).toBe(0);
    server = await acquireServer();
    // The streaming sections need SUBSCRIBE, which PostgreSQL does not have.
    const r = await runCommand(bin, [server.host, String(server.port), ...(server.external ? [] : ['streaming'])], { timeoutMs: 90_000 });
    expect(r.code, describeResult(r)).toBe(0);
    out = JSON.parse(r.stdout.trim()) as Out;
  }, 300_000);
  afterAll(async () => {
    await server?.release();
  });

  it('connects with the parameters pgx requires and pings', () => {
    const s = section(out, 'connect');
    expect(s['one']).toBe(1);
    expect(s['client_encoding']).toBe('UTF8');
    expect(s['standard_conforming_strings']).toBe('on');
    expect(s['pid_nonzero']).toBe(true);
    expect(String(s['server_version'])).toMatch(/^1[0-9]\./);
  });

  it('round-trips every common type: binary params and results, text params and results, simple protocol', () => {
    const s = section(out, 'types');
    for (const [name, [oid, text, binary]] of Object.entries(TYPES)) {
      expect(s[name], name).toEqual({
        oid,
        binary: text,
        binary_format: binary ? 1 : 0,
        text,
        text_format: 0,
        simple: text,
      });
    }
  });

  it('creates a table, inserts with parameters and reads typed rows back', () => {
    const s = section(out, 'table');
    expect(s['inserted']).toBe(3);
    expect(s['fields']).toEqual([
      ['id', 23, 1],
      ['name', 1043, 0],
      ['price', 1700, 1],
      ['qty', 20, 1],
      ['ok', 16, 1],
      ['day', 1082, 1],
      ['at', 1114, 1],
      ['f', 701, 1],
      ['tags', 1009, 1],
    ]);
    expect(s['rows']).toEqual([
      [1, 'apple', '1999e-2', 3, true, '2024-05-01', '2024-05-01 12:30:00.25', 0.5, '{red,x y}'],
      [2, "it's \u00fc", '-50e-2', -7, false, '2024-05-02', '2024-05-01 13:30:00.25', -1.25, '{}'],
      [3, null, null, null, null, null, null, null, null],
    ]);
    expect(s['like']).toBe("it's \u00fc");
  });

  it('queues several statements in one batch', () => {
    expect(out['batch']).toEqual([3, 'apple', 42]);
  });

  it('reports the SQLSTATE of an error and keeps the connection usable', () => {
    expect(section(out, 'error')).toEqual({ code: '42P01', after: 42 });
  });

  it('loads array types as pgx LoadType does, through $1::text::regtype', () => {
    const s = section(out, 'load_type');
    expect(s['_int4']).toEqual([1007, 'b', 0, 23]);
    expect(s['int4[]']).toEqual([1007, 'b', 0, 23]);
    expect(s['_numeric']).toEqual([1231, 'b', 0, 1700]);
    expect(s['varchar']).toEqual([1043, 'b', 0, 0]);
    expect(s['decoded']).toBe('{150e-2,-225e-2}');
  });

  it('introspects columns through information_schema and pg_attribute with a regclass parameter', () => {
    const s = section(out, 'catalog');
    expect(s['columns']).toEqual([
      ['id', 'integer', 'int4', 'NO'],
      ['name', 'character varying', 'varchar', 'YES'],
      ['price', 'numeric', 'numeric', 'YES'],
      ['qty', 'bigint', 'int8', 'YES'],
      ['ok', 'boolean', 'bool', 'YES'],
      ['day', 'date', 'date', 'YES'],
      ['at', 'timestamp without time zone', 'timestamp', 'YES'],
      ['f', 'double precision', 'float8', 'YES'],
      ['tags', 'ARRAY', '_text', 'YES'],
    ]);
    expect(s['attributes']).toEqual([
      ['id', 23, 'int4'],
      ['name', 1043, 'varchar'],
      ['price', 1700, 'numeric'],
      ['qty', 20, 'int8'],
      ['ok', 16, 'bool'],
      ['day', 1082, 'date'],
      ['at', 1114, 'timestamp'],
      ['f', 701, 'float8'],
      ['tags', 1009, '_text'],
    ]);
  });

  // Known gap: millrace describes no parameters for UPDATE / DELETE statements it has not been told
  // the types of (src/session/statement-runner.ts, #dmlParamTypes), and pgx refuses to bind
  // ("expected 0 arguments, got 2"). PostgreSQL infers them from the columns they meet.
  it('runs UPDATE and DELETE with parameters (pgx checks the described parameter count)', () => {
    expect(section(out, 'update')).toEqual({ updated: 1, deleted: 1, qty: 13 });
  });

  it.skipIf(missing !== null || process.env['MILLRACE_CLIENT_TARGET'])('reads a SUBSCRIBE through DECLARE / FETCH while another connection commits', () => {
    const s = section(out, 'cursor');
    expect({ ...s, snapshot: [...(s['snapshot'] as string[][])].sort((a, b) => String(a[1]).localeCompare(String(b[1]))) }).toEqual({
      snapshot: [
        ['+I', 'a', 1],
        ['+I', 'b', 2],
      ],
      changes: [
        ['-U', 'a', 1],
        ['+U', 'a', 11],
      ],
      quiet: [],
    });
  });

  it.skipIf(missing !== null || process.env['MILLRACE_CLIENT_TARGET'])('reads a SUBSCRIBE row by row as changes arrive, and cancels it', () => {
    const s = section(out, 'stream');
    expect(s['rows']).toEqual([
      ['+I', 's0', 100],
      ['+I', 's1', 101],
    ]);
    // pgx v4 ends a query whose context is cancelled by closing the connection.
    expect(s['end']).not.toBe('');
  });
});
