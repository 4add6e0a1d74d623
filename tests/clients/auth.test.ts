/**
 * `--users`, `--auth`, `--tls-cert` / `--tls-key` / `--tls-required` of src/main.ts, end to end:
 * a millrace started by the harness with a users file (a plain password and a verifier pasted from
 * pg_authid) and a throwaway self-signed certificate, reached by node-postgres, psql, pgjdbc and
 * psycopg2 (each skipped when missing).
 * Always runs against millrace (the flags are its own). TLS parts are skipped without openssl.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';
import { REPO_ROOT, startServer, type RunningServer } from '../harness/server-process.ts';

const OPENSSL = findExecutable('openssl');
if (OPENSSL === null) console.warn('auth.test.ts skipped: openssl is not installed (needed for the test certificate)');
const PSQL = findExecutable('psql');
const PYTHON = '/usr/bin/python3';
const PSYCOPG2 = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** PostgreSQL 15's verifier for password 'pencil' (CREATE ROLE ... PASSWORD 'pencil'). */
const PG_VERIFIER =
  'SCRAM-SHA-256$4096:iO+2Kaw/vV41GpbrsvVmqA==$2v3bfqU0l4aj49oIZLDO/fPAGUn5YX+mhvcu1CQefOs=:1NXJDP81PC24sfgw4usssCimSepgBCWfdTgYdI2ZVS0=';

describe.skipIf(OPENSSL === null)('--users and TLS', () => {
  let dir = '';
  let server: RunningServer | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-auth-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const made = await runCommand(OPENSSL!, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert,
    ]);
    expect(made.code, describeResult(made)).toBe(0);
    const users = path.join(dir, 'users');
    writeFileSync(users, `# millrace users\nalice:wonder land\npat:${PG_VERIFIER}\n`);
    server = await startServer({ args: ['--users', users, '--tls-cert', cert, '--tls-key', key, '--tls-required'] });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (user: string, password: string): Promise<pg.Client> => {
    const client = new pg.Client({
      host: server!.host,
      port: server!.port,
      database: 'millrace',
      user,
      password,
      ssl: { rejectUnauthorized: false },
    });
    await client.connect();
    return client;
  };

  it('lets node-postgres in over TLS with SCRAM', async () => {
    for (const [user, password] of [['alice', 'wonder land'], ['pat', 'pencil']] as const) {
      const client = await connect(user, password);
      expect((client as unknown as { connection: { stream: unknown } }).connection.stream).toBeInstanceOf(tls.TLSSocket);
      expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
      await client.end();
    }
  });

  it('refuses a wrong password and an unknown user with 28P01', async () => {
    for (const user of ['alice', 'nobody']) {
      const err = await connect(user, 'guess').then(
        async (c) => {
          await c.end();
          return null;
        },
        (e: { code?: string; message: string }) => e,
      );
      expect(err).toMatchObject({ code: '28P01', message: `password authentication failed for user "${user}"` });
    }
  });

  it.skipIf(PSQL === null)('serves psql with PGPASSWORD and sslmode=require, refuses sslmode=disable', async () => {
    const env = { ...process.env, PGPASSWORD: 'pencil', PGCONNECT_TIMEOUT: '10' };
    const info = `host=${server!.host} port=${server!.port} dbname=millrace user=pat`;
    const ok = await runCommand(PSQL!, [`${info} sslmode=require`, '-X', '-A', '-t', '-c', 'SELECT 40 + 2'], { env });
    expect(ok.code, describeResult(ok)).toBe(0);
    expect(ok.stdout.trim()).toBe('42');
    const plain = await runCommand(PSQL!, [`${info} sslmode=disable`, '-X', '-A', '-t', '-c', 'SELECT 1'], { env });
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('must connect with SSL');
  });

  it.skipIf(!JDBC)('lets pgjdbc in with SCRAM over TLS', async () => {
    const source = path.join(dir, 'AuthProbe.java');
    writeFileSync(source, JDBC_PROBE);
    const r = await runCommand(JAVA!, ['-cp', JDBC_JAR, source, server!.host, String(server!.port)], { timeoutMs: 120_000 });
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['ok 42', '28P01']);
  }, 150_000);

  it.skipIf(!PSYCOPG2)('lets psycopg2 in with a password', async () => {
    const script = [
      'import psycopg2, sys',
      'c = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), dbname="millrace", user="alice", password="wonder land", sslmode="require")',
      'cur = c.cursor(); cur.execute("SELECT 6 * 7"); print(cur.fetchone()[0])',
    ].join('\n');
    const r = await runCommand(PYTHON, ['-c', script, server!.host, String(server!.port)]);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout.trim()).toBe('42');
  });
});

const JDBC_JAR = '/usr/share/java/postgresql.jar';
const JAVA = findExecutable('java');
const JDBC = JAVA !== null && existsSync(JDBC_JAR);

/** A single-file Java program (run without javac): SCRAM over TLS, then a wrong password. */
const JDBC_PROBE = `
import java.sql.*;
import java.util.Properties;
public class AuthProbe {
  public static void main(String[] a) throws Exception {
    for (String password : new String[] {"pencil", "guess"}) {
      Properties p = new Properties();
      p.setProperty("user", "pat");
      p.setProperty("password", password);
      p.setProperty("sslmode", "require");
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + a[0] + ":" + a[1] + "/millrace", p);
           Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 6 * 7")) {
        rs.next();
        System.out.println("ok " + rs.getInt(1));
      } catch (SQLException e) {
        System.out.println(e.getSQLState());
      }
    }
  }
}
`;

describe('security flags', () => {
  const runMain = (...args: string[]) =>
    runCommand(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', path.join(os.tmpdir(), 'millrace-never'), ...args], {
      cwd: REPO_ROOT,
      timeoutMs: 120_000,
    });

  it('refuses inconsistent flags before opening anything', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-flags-'));
    try {
      const garbage = path.join(dir, 'garbage.pem');
      writeFileSync(garbage, 'not a certificate\n');
      const users = path.join(dir, 'users');
      writeFileSync(users, 'alice\n');
      const cases: [string[], string][] = [
        [['--auth', 'md5'], '--auth md5 needs --users FILE'],
        [['--users', users], `${users}:1: expected "name:password"`],
        [['--tls-cert', garbage], '--tls-cert and --tls-key go together'],
        [['--tls-cert', garbage, '--tls-key', garbage], 'invalid --tls-cert / --tls-key'],
      ];
      const results = await Promise.all(cases.map(([args]) => runMain(...args)));
      results.forEach((r, i) => {
        expect(r.code, describeResult(r)).toBe(2);
        expect(r.stderr).toContain(cases[i]![1]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
