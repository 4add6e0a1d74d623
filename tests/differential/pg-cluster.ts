/**
 * A throwaway PostgreSQL 15 cluster for the differential test.
 *
 * Contract: `findPostgres()` returns the directory holding `initdb` and `pg_ctl`, or undefined when
 * they are not installed (the caller skips). `startPgCluster()` runs `initdb` into a fresh temporary
 * directory (C.UTF-8 locale, so text sorts by code point as in millrace, UTF8 encoding, trust
 * authentication) and `pg_ctl start` on a free loopback port with its socket in that directory, then
 * creates database `millrace` and superuser `tester` (the names tests/harness/pg-client.ts uses).
 * Both binaries refuse to run as root, so when the test runs as root they run as the `postgres` OS
 * user and the directory is handed to that user. `stop()` stops the server (immediate mode: the data
 * is thrown away) and removes the directory; it is safe to call twice. Should the test process exit
 * without calling it (a timed-out hook), an exit handler kills the postmaster and removes the
 * directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Target } from '../harness/pg-client.ts';

const CANDIDATE_BIN_DIRS = ['/usr/lib/postgresql/15/bin'];

export interface PgCluster extends Target {
  readonly dir: string;
  stop(): Promise<void>;
}

export function findPostgres(): string | undefined {
  const fromEnv = process.env['MILLRACE_PG_BIN'];
  const dirs = fromEnv !== undefined ? [fromEnv] : CANDIDATE_BIN_DIRS;
  return dirs.find((d) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl')));
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

function postgresUser(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(bin: string, args: readonly string[], as: RunAs, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...as, cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-8000)));
    child.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} exited with ${code}:\n${out}`))));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPgCluster(binDir: string): Promise<PgCluster> {
  const as = postgresUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-pgdiff-'));
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
  const dataDir = path.join(dir, 'db');
  const port = await freePort();
  let started = false;
  const onExit = (): void => {
    try {
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    if (started) {
      started = false;
      await run(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], as, dir).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(path.join(binDir, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8'], as, dir);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC`;
    started = true;
    await run(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start'], as, dir);
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query('CREATE USER tester SUPERUSER');
      await admin.query('CREATE DATABASE millrace OWNER tester');
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: '127.0.0.1', port, dir, stop };
}
