/**
 * Binary COPY through psql's \copy: `COPY ... TO STDOUT (FORMAT binary)` must give the same bytes
 * PostgreSQL 15 gives for the same table and rows (the expected file below was written by
 * PostgreSQL 15), and `COPY ... FROM STDIN (FORMAT binary)` must read that file back into equal
 * rows; malformed files fail with PostgreSQL's errors and CONTEXT lines. Covers int2/4/8, float4/8,
 * numeric, varchar, text, bool, date, timestamp, int[] and NULLs.
 * With MILLRACE_CLIENT_TARGET set to a PostgreSQL server the same checks validate the expectations.
 * Skipped (with a message) only if psql is not installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const psql = findExecutable('psql');
if (psql === null) console.warn('copy-binary.test.ts skipped: psql is not installed (apt-get install postgresql-client)');

const COLUMNS =
  'i INT, s SMALLINT, b BIGINT, f DOUBLE PRECISION, r REAL, d DECIMAL(12, 3), v VARCHAR(10), t TEXT, ok BOOLEAN, day DATE, at TIMESTAMP(6), tags INT[]';

const SETUP = `
DROP TABLE IF EXISTS cb;
DROP TABLE IF EXISTS cb2;
CREATE TABLE cb (${COLUMNS});
CREATE TABLE cb2 (${COLUMNS});
INSERT INTO cb VALUES (1, -2, 1099511627776, 1.5, 0.25, 12.345, 'it''s', 'ü', true, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456', ARRAY[1, 2, 3]),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 32767, -9223372036854775808, -0.0, 3.5, -0.001, '', E'a\\tb\\\\c', false, DATE '1999-12-31', TIMESTAMP '1970-01-01 00:00:00', ARRAY[-7]);
`;

/** `\copy (SELECT * FROM cb ORDER BY i) TO file WITH (FORMAT binary)` from PostgreSQL 15, as hex. */
const POSTGRES_FILE =
  '5047434f50590aff0d0a000000000000000000000c000000040000000100000002fffe00000008000001000000000000' +
  '0000083ff8000000000000000000043e8000000000000c0002000000000003000c0d7a000000046974277300000002c3' +
  'bc00000001010000000400002279000000080002b0ec8517d5800000002c000000010000000000000017000000030000' +
  '0001000000040000000100000004000000020000000400000003000c0000000400000002ffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff000c0000000400000003000000027fff' +
  '00000008800000000000000000000008000000000000000000000004406000000000000a0001ffff40000003000a0000' +
  '0000000000056109625c63000000010000000004ffffffff00000008fffca2fec4c820000000001c0000000100000000' +
  '00000017000000010000000100000004fffffff9ffff';

describe.skipIf(psql === null)('binary COPY (psql \\copy)', () => {
  let server: AcquiredServer;
  let dir: string;
  beforeAll(async () => {
    server = await acquireServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-copy-binary-'));
    writeFileSync(path.join(dir, 'setup.sql'), SETUP);
    const r = await run('-q', '-f', path.join(dir, 'setup.sql'));
    expect(r.code, describeResult(r)).toBe(0);
  });
  afterAll(async () => {
    await server?.release();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    runCommand(psql ?? 'psql', ['-X', '-h', server.host, '-p', String(server.port), '-U', 'tester', '-d', 'millrace', '-v', 'ON_ERROR_STOP=1', ...args]);

  it('writes the bytes PostgreSQL writes, for a query and for a table', async () => {
    const file = path.join(dir, 'query.bin');
    const r = await run('-c', `\\copy (SELECT * FROM cb ORDER BY i) TO '${file}' WITH (FORMAT binary)`);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout.trim()).toBe('COPY 3');
    expect(readFileSync(file).toString('hex')).toBe(POSTGRES_FILE);

    // A table's rows come in storage order: compare the set of tuples.
    const whole = path.join(dir, 'table.bin');
    const t = await run('-c', `\\copy cb TO '${whole}' (FORMAT binary)`);
    expect(t.code, describeResult(t)).toBe(0);
    const bytes = readFileSync(whole);
    expect(bytes.length).toBe(POSTGRES_FILE.length / 2);
    expect(bytes.subarray(0, 19).toString('hex')).toBe(POSTGRES_FILE.slice(0, 38));
    expect(bytes.subarray(bytes.length - 2).toString('hex')).toBe('ffff');
  });

  it('writes header and trailer for an empty result', async () => {
    const file = path.join(dir, 'empty.bin');
    const r = await run('-c', `\\copy (SELECT i, t FROM cb WHERE i > 100) TO '${file}' WITH (FORMAT binary)`);
    expect(r.code, describeResult(r)).toBe(0);
    expect(readFileSync(file).toString('hex')).toBe('5047434f50590aff0d0a00' + '00000000' + '00000000' + 'ffff');
  });

  it('reads PostgreSQL\'s file back into the same rows', async () => {
    const file = path.join(dir, 'from-postgres.bin');
    writeFileSync(file, Buffer.from(POSTGRES_FILE, 'hex'));
    const r = await run('-c', `\\copy cb2 FROM '${file}' WITH (FORMAT binary)`);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout.trim()).toBe('COPY 3');
    const q = await run('-A', '-t', '-F', '|', '-c', 'SELECT * FROM cb2 ORDER BY i');
    expect(q.code, describeResult(q)).toBe(0);
    expect(q.stdout.trim().split('\n')).toEqual([
      '1|-2|1099511627776|1.5|0.25|12.345|it\'s|ü|t|2024-02-29|2024-01-02 03:04:05.123456|{1,2,3}',
      '2|||||||||||',
      '3|32767|-9223372036854775808|0|3.5|-0.001||a\tb\\c|f|1999-12-31|1970-01-01 00:00:00|{-7}',
    ]);
  });

  it('round-trips a column list through its own binary output', async () => {
    const file = path.join(dir, 'cols.bin');
    const out = await run('-c', `\\copy (SELECT t, i FROM cb WHERE i <> 2) TO '${file}' WITH (FORMAT binary)`);
    expect(out.code, describeResult(out)).toBe(0);
    const inn = await run('-c', 'DROP TABLE IF EXISTS cb4', '-c', 'CREATE TABLE cb4 (i INT, t TEXT, x INT)', '-c', `\\copy cb4 (t, i) FROM '${file}' WITH (FORMAT binary)`);
    expect(inn.code, describeResult(inn)).toBe(0);
    const q = await run('-A', '-t', '-c', 'SELECT i, t, x IS NULL FROM cb4 ORDER BY i');
    expect(q.stdout.trim().split('\n')).toEqual(['1|ü|t', '3|a\tb\\c|t']);
  });

  it('rejects malformed files with PostgreSQL\'s errors and stores nothing', async () => {
    const cases: [Buffer, string, string | null][] = [
      [Buffer.from('1\t2\n'), 'COPY file signature not recognized', null],
      [Buffer.from('5047434f50590aff0d0a0000000000000000000001000000036162630000', 'hex'), 'row field count is 1, expected 12', 'COPY cb2, line 1'],
    ];
    for (const [bytes, message, context] of cases) {
      const file = path.join(dir, 'bad.bin');
      writeFileSync(file, bytes);
      const r = await run('-c', `\\copy cb2 FROM '${file}' WITH (FORMAT binary)`);
      expect(r.code, describeResult(r)).not.toBe(0);
      expect(r.stderr).toContain(`ERROR:  ${message}`);
      if (context === null) expect(r.stderr).not.toContain('CONTEXT:');
      else expect(r.stderr).toContain(`CONTEXT:  ${context}`);
    }
    const tooLong = path.join(dir, 'long.bin');
    writeFileSync(tooLong, Buffer.from('5047434f50590aff0d0a000000000000000000000100000003616263ffff', 'hex'));
    const r = await run('-c', 'DROP TABLE IF EXISTS cb3', '-c', 'CREATE TABLE cb3 (v VARCHAR(2))', '-c', `\\copy cb3 FROM '${tooLong}' WITH (FORMAT binary)`);
    expect(r.stderr).toContain('ERROR:  value too long for type character varying(2)');
    expect(r.stderr).toContain('CONTEXT:  COPY cb3, line 1, column v');
    const count = await run('-A', '-t', '-c', 'SELECT (SELECT COUNT(*) FROM cb2) + (SELECT COUNT(*) FROM cb3)');
    expect(count.stdout.trim()).toBe('3');
  });
});
