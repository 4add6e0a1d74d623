/**
 * Authentication and TLS of PgServer, with real clients (node-postgres, psql,
 * psycopg2) and raw protocol checks, against fake sessions. TLS tests need
 * openssl for a throwaway self-signed certificate and are skipped without it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthPolicy, parseUsersFile } from '../auth/auth-config.ts';
import { md5PasswordHash } from '../auth/md5.ts';
import { formatScramVerifier, ScramClient, scramVerifierFromPassword } from '../auth/scram.ts';
import { fakeSessions } from './fake-session.test-helpers.ts';
import { PgServer, type PgServerOptions } from './server.ts';
import { fields, msg, tagged, types, WireClient } from './wire-client.test-helpers.ts';

const run = promisify(execFile);

const USERS = parseUsersFile(
  [
    '# test users',
    'alice:secret',
    `bob:${md5PasswordHash('bob', 'hunter2')}`,
    `carol:${formatScramVerifier(scramVerifierFromPassword('pa:ss w0rd'))}`,
    '',
  ].join('\n'),
  'users',
);

function whichOrNull(name: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const OPENSSL = whichOrNull('openssl');
if (OPENSSL === null) console.warn('server-auth.test.ts: TLS tests skipped: openssl is not installed');
const PSQL = whichOrNull('psql');
if (PSQL === null) console.warn('server-auth.test.ts: psql tests skipped: psql is not installed');
const PYTHON = '/usr/bin/python3';
const PSYCOPG2 = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('server-auth.test.ts: psycopg2 test skipped: no psycopg2 for /usr/bin/python3');
    return false;
  }
})();

async function startServer(options: Partial<PgServerOptions>): Promise<{ server: PgServer; port: number }> {
  const server = new PgServer({ sessions: fakeSessions().factory, host: '127.0.0.1', port: 0, ...options });
  const { port } = await server.start();
  return { server, port };
}

async function pgConnect(port: number, user: string, password: string, ssl?: pg.ClientConfig['ssl']): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'millrace', ...(ssl !== undefined ? { ssl } : {}) });
  await client.connect();
  return client;
}

async function pgError(port: number, user: string, password: string): Promise<{ code: string; message: string }> {
  try {
    const client = await pgConnect(port, user, password);
    await client.end();
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { code: e.code ?? '', message: e.message };
  }
  throw new Error('connection succeeded');
}

async function psql(port: number, conninfo: string, password: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(PSQL!, [`host=127.0.0.1 port=${port} dbname=millrace ${conninfo}`, '-X', '-A', '-t', '-c', 'SELECT 2'], {
      env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
    });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout: string; stderr: string };
    return { ok: false, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('SCRAM-SHA-256 authentication', () => {
  let server: PgServer;
  let port = 0;
  const logs: string[] = [];
  beforeAll(async () => {
    ({ server, port } = await startServer({ auth: buildAuthPolicy({ users: USERS }), log: (m) => logs.push(m) }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lets node-postgres in with the right password', async () => {
    const client = await pgConnect(port, 'alice', 'secret');
    expect((await client.query('SELECT 2')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    await client.end();
    const carol = await pgConnect(port, 'carol', 'pa:ss w0rd');
    await carol.end();
  });

  it('refuses a wrong password and an unknown user alike with 28P01', async () => {
    expect(await pgError(port, 'alice', 'Secret')).toEqual({
      code: '28P01',
      message: 'password authentication failed for user "alice"',
    });
    expect(await pgError(port, 'mallory', 'secret')).toEqual({
      code: '28P01',
      message: 'password authentication failed for user "mallory"',
    });
    // bob has only an md5 hash: SCRAM cannot succeed for him.
    expect((await pgError(port, 'bob', 'hunter2')).code).toBe('28P01');
    expect(logs).toContain('authentication of user "mallory" from 127.0.0.1 failed: password authentication failed for user "mallory"');
  });

  it('runs the SASL exchange message by message', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'alice', database: 'millrace' }));
    const sasl = await client.next();
    expect(sasl?.type).toBe('R');
    expect(sasl!.body.readInt32BE(0)).toBe(10);
    expect(sasl!.body.subarray(4).toString('latin1')).toBe('SCRAM-SHA-256\0\0');

    const scram = new ScramClient('secret');
    const first = Buffer.from(scram.first());
    client.send(tagged('p', Buffer.from('SCRAM-SHA-256\0'), msg.int32(first.length), first));
    const cont = await client.next();
    expect(cont!.body.readInt32BE(0)).toBe(11);
    const serverFirst = cont!.body.subarray(4).toString('utf8');
    client.send(tagged('p', Buffer.from(scram.final(serverFirst))));
    const final = await client.next();
    expect(final!.body.readInt32BE(0)).toBe(12);
    expect(final!.body.subarray(4).toString('utf8')).toBe(scram.expectedServerFinal);
    const rest = await client.readUntil('Z');
    expect(rest[0]!.type).toBe('R');
    expect(rest[0]!.body.readInt32BE(0)).toBe(0);
    expect(types(rest)).toMatch(/^RS+KZ$/);
    client.close();
  });

  it('asks for the client-first-message when the SASLInitialResponse carries none', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'carol', database: 'millrace' }));
    await client.next();
    client.send(tagged('p', Buffer.from('SCRAM-SHA-256\0'), msg.int32(-1)));
    const empty = await client.next();
    expect(empty!.body.readInt32BE(0)).toBe(11);
    expect(empty!.body.length).toBe(4);
    const scram = new ScramClient('pa:ss w0rd');
    client.send(tagged('p', Buffer.from(scram.first())));
    const cont = await client.next();
    expect(cont!.body.readInt32BE(0)).toBe(11);
    client.send(tagged('p', Buffer.from(scram.final(cont!.body.subarray(4).toString('utf8')))));
    expect(types(await client.readUntil('Z'))).toMatch(/^RRS+KZ$/);
    client.close();
  });

  it('ends a client that cannot do SCRAM with a clean FATAL', async () => {
    const password = await WireClient.connect(port);
    password.send(msg.startup({ user: 'alice', database: 'millrace' }));
    await password.next();
    password.send(tagged('p', Buffer.from('secret\0')));
    const out = await password.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '08P01' });

    const query = await WireClient.connect(port);
    query.send(msg.startup({ user: 'alice', database: 'millrace' }));
    await query.next();
    query.send(msg.query('SELECT 1'));
    const answer = await query.readToEnd();
    expect(fields(answer[0]!)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'expected SASL response, got message type 81' });
  });

  it('refuses channel binding (p= flag)', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'alice', database: 'millrace' }));
    await client.next();
    const first = Buffer.from('p=tls-server-end-point,,n=,r=abcdef');
    client.send(tagged('p', Buffer.from('SCRAM-SHA-256\0'), msg.int32(first.length), first));
    const out = await client.readToEnd();
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'malformed SCRAM message' });
  });

  it.skipIf(PSQL === null)('lets psql in with PGPASSWORD and refuses a wrong one', async () => {
    const ok = await psql(port, 'user=alice', 'secret');
    expect(ok.stdout.trim().split('\n')).toEqual(['1', '2']);
    const bad = await psql(port, 'user=alice', 'nope');
    expect(bad.ok).toBe(false);
    expect(bad.stderr).toContain('password authentication failed for user "alice"');
  });

  it.skipIf(!PSYCOPG2)('lets psycopg2 in with a password', async () => {
    const script = [
      'import psycopg2, sys',
      'c = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), dbname="millrace", user="carol", password=sys.argv[2])',
      'c.autocommit = True',
      'cur = c.cursor(); cur.execute("SELECT 3"); print([r[0] for r in cur.fetchall()])',
      'try:',
      '    psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), dbname="millrace", user="carol", password="x")',
      'except psycopg2.OperationalError as e:',
      '    print("refused" if "password authentication failed" in str(e) else str(e))',
    ].join('\n');
    const { stdout } = await run(PYTHON, ['-c', script, String(port), 'pa:ss w0rd']);
    expect(stdout.trim().split('\n')).toEqual(['[1, 2, 3]', 'refused']);
  });
});

describe('md5 and cleartext password authentication', () => {
  let md5Server: PgServer;
  let md5Port = 0;
  let clearServer: PgServer;
  let clearPort = 0;
  beforeAll(async () => {
    ({ server: md5Server, port: md5Port } = await startServer({ auth: buildAuthPolicy({ method: 'md5', users: USERS }) }));
    ({ server: clearServer, port: clearPort } = await startServer({ auth: buildAuthPolicy({ method: 'password', users: USERS }) }));
  });
  afterAll(async () => {
    await md5Server.stop();
    await clearServer.stop();
  });

  it('sends an md5 challenge with a 4-byte salt', async () => {
    const client = await WireClient.connect(md5Port);
    client.send(msg.startup({ user: 'bob', database: 'millrace' }));
    const r = await client.next();
    expect(r!.body.readInt32BE(0)).toBe(5);
    expect(r!.body.length).toBe(8);
    client.close();
  });

  it('accepts md5 users (and SCRAM-only users through SCRAM), refuses wrong passwords', async () => {
    for (const [user, password] of [['alice', 'secret'], ['bob', 'hunter2'], ['carol', 'pa:ss w0rd']] as const) {
      const client = await pgConnect(md5Port, user, password);
      expect((await client.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
      await client.end();
    }
    expect(await pgError(md5Port, 'bob', 'hunter3')).toEqual({
      code: '28P01',
      message: 'password authentication failed for user "bob"',
    });
    expect((await pgError(md5Port, 'nobody', 'x')).code).toBe('28P01');
  });

  it('checks cleartext passwords against verifiers and hashes', async () => {
    for (const [user, password] of [['alice', 'secret'], ['bob', 'hunter2'], ['carol', 'pa:ss w0rd']] as const) {
      const client = await pgConnect(clearPort, user, password);
      await client.end();
    }
    expect((await pgError(clearPort, 'carol', 'pa:ss w0rd ')).code).toBe('28P01');
    expect((await pgError(clearPort, 'nobody', 'x')).code).toBe('28P01');
  });

  it.skipIf(PSQL === null)('lets psql in with md5', async () => {
    expect((await psql(md5Port, 'user=bob', 'hunter2')).stdout.trim()).toBe('1\n2');
  });
});

describe.skipIf(OPENSSL === null)('TLS', () => {
  let dir = '';
  let cert = '';
  let key = '';
  let server: PgServer;
  let port = 0;
  let strict: PgServer;
  let strictPort = 0;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-tls-'));
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    await run(OPENSSL!, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
      '-keyout', keyFile, '-out', certFile,
    ]);
    cert = readFileSync(certFile, 'utf8');
    key = readFileSync(keyFile, 'utf8');
    ({ server, port } = await startServer({ auth: buildAuthPolicy({ users: USERS }), tls: { cert, key } }));
    ({ server: strict, port: strictPort } = await startServer({ tls: { cert, key }, tlsRequired: true }));
  });
  afterAll(async () => {
    await server?.stop();
    await strict?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('answers SSLRequest with S and speaks TLS to node-postgres', async () => {
    const client = await pgConnect(port, 'alice', 'secret', { rejectUnauthorized: false });
    const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream;
    expect(stream).toBeInstanceOf(tls.TLSSocket);
    expect((await client.query('SELECT 2')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    await client.end();
    expect((await pgError(port, 'alice', 'wrong')).code).toBe('28P01');
  });

  it('verifies against the certificate when the client trusts it', async () => {
    const client = await pgConnect(port, 'alice', 'secret', { ca: cert, servername: 'localhost' });
    await client.end();
  });

  it.skipIf(PSQL === null)('serves psql with sslmode=require', async () => {
    const r = await psql(port, 'user=alice sslmode=require', 'secret');
    expect(r.stdout.trim()).toBe('1\n2');
    const s = await psql(port, 'user=alice sslmode=require', 'secret');
    expect(s.ok).toBe(true);
  });

  it('refuses plaintext bytes sent after SSLRequest', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.sslRequest(), msg.startup({ user: 'alice', database: 'millrace' }));
    // No 'S': the answer is the ErrorResponse itself (libpq reads an 'E' in place of 'S'/'N' as one).
    const out = await client.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'received unencrypted data after SSL request' });
  });

  it('with tlsRequired refuses plaintext connections (28000) and trusts TLS ones', async () => {
    const plain = await WireClient.connect(strictPort);
    plain.send(msg.startup({ user: 'alice', database: 'millrace' }));
    const out = await plain.readToEnd();
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '28000' });
    const client = await pgConnect(strictPort, 'anyone', '', { rejectUnauthorized: false });
    await client.end();
    if (PSQL !== null) {
      const r = await psql(strictPort, 'user=x sslmode=disable', '');
      expect(r.ok).toBe(false);
      expect(r.stderr).toContain('must connect with SSL');
    }
  });

  it('rejects tlsRequired without a certificate', () => {
    expect(() => new PgServer({ sessions: fakeSessions().factory, host: '127.0.0.1', port: 0, tlsRequired: true })).toThrow(
      /tlsRequired/,
    );
  });
});

describe('authentication timeout', () => {
  let server: PgServer;
  let port = 0;
  beforeAll(async () => {
    ({ server, port } = await startServer({ auth: buildAuthPolicy({ users: USERS }), authenticationTimeoutMs: 300 }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('closes a client that never sends its StartupMessage', async () => {
    const client = await WireClient.connect(port);
    expect(await client.readToEnd()).toEqual([]);
  });

  it('ends an unfinished exchange with FATAL 57014', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'alice', database: 'millrace' }));
    const out = await client.readToEnd();
    expect(types(out)).toBe('RE');
    expect(fields(out[1]!)).toMatchObject({ S: 'FATAL', C: '57014', M: 'canceling authentication due to timeout' });
  });

  it('leaves authenticated connections alone', async () => {
    const client = await pgConnect(port, 'alice', 'secret');
    await new Promise((r) => setTimeout(r, 500));
    expect((await client.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await client.end();
  });
});
