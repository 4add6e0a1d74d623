/**
 * COPY over the wire against a fresh millrace: psql's \copy both ways and `COPY ... FROM STDIN`
 * with piped input, psycopg2's copy_expert both ways, and the raw protocol for what clients
 * rarely exercise: rows split across CopyData messages, CopyFail, a bad row, an unexpected
 * message during copy-in, and COPY inside the extended protocol. Every failed COPY must leave the
 * table as it was. The psql and psycopg2 parts are skipped (with a message) when the client is
 * not installed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, externalTarget, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand, type CommandResult } from '../harness/run-command.ts';
import { REPO_ROOT } from '../harness/server-process.ts';
import { dataRow, fields, msg, tagged, types, WireClient, type BackendMessage } from '../../src/server/wire-client.test-helpers.ts';

const psql = findExecutable('psql');
const PYTHON = '/usr/bin/python3';

function psycopg2Available(): boolean {
  if (findExecutable(PYTHON) === null) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const havePsycopg2 = psycopg2Available();
if (psql === null) console.warn('copy.test.ts: psql parts skipped (psql is not installed)');
if (!havePsycopg2) console.warn('copy.test.ts: psycopg2 parts skipped (psycopg2 is not installed for /usr/bin/python3)');

/** Runs a command with `input` on its stdin. */
function runWithInput(cmd: string, args: readonly string[], input: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const copyData = (s: string): Buffer => tagged('d', Buffer.from(s, 'utf8'));
const copyDone = (): Buffer => tagged('c');
const copyFail = (m: string): Buffer => tagged('f', Buffer.from(`${m}\0`, 'utf8'));

describe('COPY', () => {
  let server: AcquiredServer;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'millrace-copy-'));

  beforeAll(async () => {
    server = await acquireServer();
  });
  afterAll(async () => {
    await server?.release();
  });

  async function client(): Promise<WireClient> {
    return (await WireClient.ready(server.port)).client;
  }

  /** Runs a simple query and returns its messages up to ReadyForQuery. */
  async function query(c: WireClient, sql: string): Promise<BackendMessage[]> {
    c.send(msg.query(sql));
    return c.readUntil('Z');
  }

  async function rows(sql: string): Promise<(string | null)[][]> {
    const c = await client();
    const out = (await query(c, sql)).filter((m) => m.type === 'D').map(dataRow);
    c.close();
    return out;
  }

  const psqlArgs = (): string[] => ['-X', '-h', server.host, '-p', String(server.port), '-U', 'tester', '-d', 'millrace', '-v', 'ON_ERROR_STOP=1'];

  describe.skipIf(psql === null)('psql', () => {
    it("loads a CSV file with \\copy ... csv header and writes CSV with \\copy (select ...) to stdout", async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS psql_items');
      await query(c, 'CREATE TABLE psql_items (id INT NOT NULL, name VARCHAR(20), price DECIMAL(10,2))');
      c.close();
      const file = path.join(tmp, 'items.csv');
      writeFileSync(file, 'id,name,price\n1,apple,1.25\n2,"comma, ""quoted""",10\n3,,\n');
      const load = await runCommand(psql!, [...psqlArgs(), '-c', `\\copy psql_items from '${file}' csv header`]);
      expect(load.code, describeResult(load)).toBe(0);
      expect(load.stdout).toContain('COPY 3');
      expect(await rows('SELECT id, name, price FROM psql_items ORDER BY id')).toEqual([
        ['1', 'apple', '1.25'],
        ['2', 'comma, "quoted"', '10.00'],
        ['3', null, null],
      ]);
      const out = await runCommand(psql!, [...psqlArgs(), '-c', '\\copy (select id, name from psql_items where id > 1 order by id) to stdout csv header']);
      expect(out.code, describeResult(out)).toBe(0);
      expect(out.stdout).toBe('id,name\n2,"comma, ""quoted"""\n3,\n');
    });

    it('pipes stdin into COPY ... FROM STDIN and prints COPY ... TO STDOUT', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS psql_piped');
      await query(c, 'CREATE TABLE psql_piped (a INT, b VARCHAR(10))');
      c.close();
      const load = await runWithInput(psql!, [...psqlArgs(), '-c', 'COPY psql_piped FROM STDIN'], '1\tone\n2\t\\N\n3\ttab\\there\n');
      expect(load.code, describeResult(load)).toBe(0);
      expect(load.stdout).toContain('COPY 3');
      const out = await runCommand(psql!, [...psqlArgs(), '-c', 'COPY psql_piped TO STDOUT']);
      expect(out.code, describeResult(out)).toBe(0);
      expect(out.stdout.split('\n').filter((l) => l !== '').sort()).toEqual(['1\tone', '2\t\\N', '3\ttab\\there']);
    });
  });

  describe.skipIf(!havePsycopg2)('psycopg2', () => {
    it('copy_expert loads and dumps CSV', async () => {
      const script = `
import io, json, sys, psycopg2
conn = psycopg2.connect(host=sys.argv[2], port=int(sys.argv[1]), user='tester', dbname='millrace')
conn.autocommit = True
cur = conn.cursor()
cur.execute('DROP TABLE IF EXISTS py_copy')
cur.execute('CREATE TABLE py_copy (id INT, note VARCHAR(30), ok BOOLEAN)')
cur.copy_expert("COPY py_copy FROM STDIN WITH (FORMAT csv, HEADER true)", io.StringIO('id,note,ok\\n1,"multi\\nline",true\\n2,,f\\n'))
loaded = cur.rowcount
out = io.StringIO()
cur.copy_expert("COPY (SELECT id, note, ok FROM py_copy ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", out)
cur.copy_from(io.StringIO('3\\tplain\\tt\\n'), 'py_copy', columns=('id', 'note', 'ok'))
cur.execute('SELECT count(*) FROM py_copy')
print(json.dumps({'loaded': loaded, 'dump': out.getvalue(), 'count': cur.fetchone()[0]}))
`;
      const r = await runCommand(PYTHON, ['-c', script, String(server.port), server.host]);
      expect(r.code, describeResult(r)).toBe(0);
      const res = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
      expect(res['loaded']).toBe(2);
      expect(res['dump']).toBe('id,note,ok\n1,"multi\nline",t\n2,,f\n');
      expect(res['count']).toBe(3);
    });
  });

  describe('protocol', () => {
    it('reads rows split across CopyData messages and answers COPY n', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_split');
      await query(c, 'CREATE TABLE wire_split (a INT, b VARCHAR(20))');
      c.send(msg.query('COPY wire_split FROM STDIN (FORMAT csv)'));
      const [response] = [await c.next()];
      expect(response?.type).toBe('G');
      expect(response!.body.readInt8(0)).toBe(0);
      expect(response!.body.readInt16BE(1)).toBe(2);
      c.send(copyData('1,"hel'), copyData('lo\n"'), copyData('\n2'), copyData(',wor'), copyData('ld\n'), copyDone());
      const done = await c.readUntil('Z');
      expect(types(done)).toBe('CZ');
      expect(done[0]!.body.toString('utf8', 0, done[0]!.body.length - 1)).toBe('COPY 2');
      expect((await query(c, 'SELECT a, b FROM wire_split ORDER BY a')).filter((m) => m.type === 'D').map(dataRow)).toEqual([
        ['1', 'hello\n'],
        ['2', 'world'],
      ]);
      c.close();
    });

    it('CopyFail stores nothing and reports 57014', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_fail');
      await query(c, 'CREATE TABLE wire_fail (a INT)');
      c.send(msg.query('COPY wire_fail FROM STDIN'));
      expect((await c.next())?.type).toBe('G');
      c.send(copyData('1\n2\n'), copyFail('client gave up'));
      const out = await c.readUntil('Z');
      expect(types(out)).toBe('EZ');
      expect(fields(out[0]!)['C']).toBe('57014');
      expect(fields(out[0]!)['M']).toBe('COPY from stdin failed: client gave up');
      expect(await rows('SELECT count(*) FROM wire_fail')).toEqual([['0']]);
      c.close();
    });

    it('a bad row stores nothing and names the line and column', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_bad');
      await query(c, 'CREATE TABLE wire_bad (a INT, b INT)');
      c.send(msg.query('COPY wire_bad FROM STDIN'));
      expect((await c.next())?.type).toBe('G');
      c.send(copyData('1\t2\n3\t4\n5\tx\n'), copyDone());
      const out = await c.readUntil('Z');
      expect(types(out)).toBe('EZ');
      expect(fields(out[0]!)['C']).toBe('22P02');
      expect(fields(out[0]!)['M']).toBe('invalid input syntax for type integer: "x"');
      expect(fields(out[0]!)['W']).toBe('COPY wire_bad, line 3, column b: "x"');
      // The connection stays usable, and the COPY left nothing behind.
      expect((await query(c, 'SELECT count(*) FROM wire_bad')).filter((m) => m.type === 'D').map(dataRow)).toEqual([['0']]);
      c.close();
    });

    it('reports missing and extra columns as 22P04', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_cols');
      await query(c, 'CREATE TABLE wire_cols (a INT, b INT)');
      for (const [input, message] of [
        ['1\n', 'missing data for column "b"'],
        ['1\t2\t3\n', 'extra data after last expected column'],
      ] as const) {
        c.send(msg.query('COPY wire_cols FROM STDIN'));
        expect((await c.next())?.type).toBe('G');
        c.send(copyData(input), copyDone());
        const out = await c.readUntil('Z');
        expect(fields(out[0]!)['C']).toBe('22P04');
        expect(fields(out[0]!)['M']).toBe(message);
        expect(fields(out[0]!)['W']).toBe(`COPY wire_cols, line 1: "${input.slice(0, -1)}"`);
      }
      c.close();
    });

    // PostgreSQL notices a cancel during copy-in only when the next message arrives; millrace at once.
    it.skipIf(externalTarget() !== null)('a CancelRequest while the server waits for CopyData cancels the COPY', async () => {
      const { client: c, startup } = await WireClient.ready(server.port);
      const key = startup.find((m) => m.type === 'K')!;
      await query(c, 'DROP TABLE IF EXISTS wire_cancel');
      await query(c, 'CREATE TABLE wire_cancel (a INT)');
      c.send(msg.query('COPY wire_cancel FROM STDIN'));
      expect((await c.next())?.type).toBe('G');
      c.send(copyData('1\n'));
      await new Promise((r) => setTimeout(r, 100));
      const canceller = await WireClient.connect(server.port);
      canceller.send(msg.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
      const out = await c.readUntil('Z');
      canceller.close();
      expect(types(out)).toBe('EZ');
      expect(fields(out[0]!)['C']).toBe('57014');
      c.send(copyData('2\n'), copyDone());
      expect((await query(c, 'SELECT count(*) FROM wire_cancel')).filter((m) => m.type === 'D').map(dataRow)).toEqual([['0']]);
      c.close();
    });

    it('an unexpected message during copy-in is 08P01', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_unexpected');
      await query(c, 'CREATE TABLE wire_unexpected (a INT)');
      c.send(msg.query('COPY wire_unexpected FROM STDIN'));
      expect((await c.next())?.type).toBe('G');
      c.send(copyData('1\n'), msg.query('SELECT 1'));
      // millrace answers ReadyForQuery; PostgreSQL also ends the connection afterwards.
      const out: BackendMessage[] = [];
      for (let m = await c.next(); m !== null; m = m.type === 'Z' ? null : await c.next()) out.push(m);
      expect(out[0]?.type).toBe('E');
      expect(fields(out[0]!)['C']).toBe('08P01');
      expect(fields(out[0]!)['M']).toBe('unexpected message type 0x51 during COPY from stdin');
      expect(await rows('SELECT count(*) FROM wire_unexpected')).toEqual([['0']]);
      c.close();
    });

    it('copies out with CopyOutResponse, one CopyData per row and CopyDone', async () => {
      const c = await client();
      const out = await query(c, "COPY (SELECT * FROM (VALUES (1, 'a\tb'), (2, NULL)) AS v(x, y)) TO STDOUT WITH (FORMAT text, HEADER)");
      expect(types(out)).toBe('HdddcCZ');
      expect(out[0]!.body.readInt16BE(1)).toBe(2);
      expect(out.filter((m) => m.type === 'd').map((m) => m.body.toString('utf8'))).toEqual(['x\ty\n', '1\ta\\tb\n', '2\t\\N\n']);
      expect(out[5]!.body.toString('utf8', 0, out[5]!.body.length - 1)).toBe('COPY 2');
      c.close();
    });

    it('runs COPY in the extended protocol', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_ext');
      await query(c, 'CREATE TABLE wire_ext (a INT)');
      c.send(msg.parse('', 'COPY wire_ext FROM STDIN'), msg.bind('', ''), msg.describe('P', ''), msg.execute(''), msg.sync());
      const head = [await c.next(), await c.next(), await c.next(), await c.next()];
      expect(head.map((m) => m?.type).join('')).toBe('12nG');
      c.send(copyData('7\n8\n'), copyDone(), msg.sync());
      const out = await c.readUntil('Z');
      expect(types(out)).toBe('CZ');
      expect(out[0]!.body.toString('utf8', 0, out[0]!.body.length - 1)).toBe('COPY 2');
      c.send(msg.parse('', 'COPY wire_ext TO STDOUT'), msg.bind('', ''), msg.execute(''), msg.sync());
      const dump = await c.readUntil('Z');
      expect(types(dump)).toBe('12HddcCZ');
      expect(dump.filter((m) => m.type === 'd').map((m) => m.body.toString('utf8')).sort()).toEqual(['7\n', '8\n']);
      c.close();
    });

    it('refuses files, unknown options and bad option values', async () => {
      const c = await client();
      await query(c, 'DROP TABLE IF EXISTS wire_opts');
      await query(c, 'CREATE TABLE wire_opts (a INT)');
      const cases: [string, string, string][] = [
        // PostgreSQL lets a superuser read server files; millrace never does.
        ...(server.external ? [] : ([
          ["COPY wire_opts FROM '/etc/passwd'", '0A000', 'COPY from a file is not supported'],
          ["COPY wire_opts TO '/tmp/x'", '0A000', 'COPY to a file is not supported'],
        ] as [string, string, string][])),
        ['COPY wire_opts FROM STDIN (FORMAT xml)', '22023', 'COPY format "xml" not recognized'],
        ['COPY wire_opts FROM STDIN (BOGUS 1)', '42601', 'option "bogus" not recognized'],
        ["COPY wire_opts FROM STDIN (DELIMITER 'ab')", '0A000', 'COPY delimiter must be a single one-byte character'],
        ["COPY wire_opts FROM STDIN (QUOTE '\"')", '0A000', 'COPY quote available only in CSV mode'],
        ['COPY wire_opts FROM STDIN (FORMAT csv, FORMAT text)', '42601', 'conflicting or redundant options'],
        ['COPY nope FROM STDIN', '42P01', 'relation "nope" does not exist'],
      ];
      for (const [sql, code, message] of cases) {
        const out = await query(c, sql);
        expect(types(out), sql).toBe('EZ');
        expect([fields(out[0]!)['C'], fields(out[0]!)['M']], sql).toEqual([code, message]);
      }
      c.close();
    });
  });
});
