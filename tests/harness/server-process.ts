/**
 * Starts a millrace server as a child process for end-to-end tests.
 *
 * Contract: `startServer()` spawns `node --import tsx src/main.ts --port 0 --data-dir DIR` from the
 * repository root and resolves once the child prints `millrace listening on HOST:PORT`. It rejects
 * (with the child's stderr in the message) if that line does not appear within 30 s or the child exits
 * first. Without `dataDir`, a temporary directory under os.tmpdir() is created and removed when the
 * test process exits (not at stop()/kill(), so that `restart()` can follow either); a directory
 * passed in is never removed. `restart()` stops the server if it still runs (SIGTERM) and starts a new
 * one on the same data directory (with the same `args`). `args` are extra command-line flags appended
 * after `--port 0 --data-dir DIR` (e.g. `--users FILE`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cleanups to run when the test process exits: one 'exit' listener for every server started. */
const exitCleanups = new Set<() => void>();
let exitHooked = false;

function atProcessExit(cleanup: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => exitCleanups.forEach((c) => c()));
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const READY_PREFIX = 'millrace listening on ';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Sends SIGTERM and waits for the process to exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
  /** Sends SIGKILL and waits for the process to exit: a crash, as far as the data dir can tell. */
  kill(): Promise<void>;
  /** Starts a new server on the same data directory; call after stop() or kill(). */
  restart(): Promise<RunningServer>;
  /** True while the child process has not exited. */
  isAlive(): boolean;
}

export interface StartOptions {
  readonly dataDir?: string;
  /** Extra flags for src/main.ts. */
  readonly args?: readonly string[];
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'millrace-test-'));
  try {
    return await spawnServer(dataDir, ownsDir, opts.args ?? []);
  } catch (err) {
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

function spawnServer(dataDir: string, ownsDir: boolean, args: readonly string[]): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let stderr = '';
  let stdout = '';
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Keep the tail only: a long-running server may log a lot.
    stderr = (stderr + chunk).slice(-20_000);
  });

  return new Promise<RunningServer>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!exited) child.kill('SIGKILL');
      reject(new Error(`millrace server did not start: ${why}\n--- server stderr ---\n${stderr}\n--- server stdout ---\n${stdout}`));
    };
    const timer = setTimeout(() => fail(`no "${READY_PREFIX}HOST:PORT" line within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(`spawn failed: ${err.message}`));
    child.once('exit', (code, signal) => fail(`process exited early (code ${code}, signal ${signal})`));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      if (settled) return;
      const line = stdout.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (line === undefined) return;
      const address = line.slice(READY_PREFIX.length).trim();
      const colon = address.lastIndexOf(':');
      const host = address.slice(0, colon);
      const port = Number(address.slice(colon + 1));
      if (colon < 0 || !Number.isInteger(port) || port <= 0) {
        fail(`cannot parse address from "${line}"`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(makeHandle(child, exitPromise, () => exited, { host, port, dataDir, ownsDir, args }));
    });
  });
}

function makeHandle(
  child: ChildProcess,
  exitPromise: Promise<void>,
  hasExited: () => boolean,
  info: { host: string; port: number; dataDir: string; ownsDir: boolean; args: readonly string[] },
): RunningServer {
  let cleanedUp = false;
  let restarted = false;
  const cleanup = () => {
    if (cleanedUp || restarted) return;
    cleanedUp = true;
    if (info.ownsDir) rmSync(info.dataDir, { recursive: true, force: true });
  };
  const terminate = async (signal: NodeJS.Signals, removeDir: boolean) => {
    if (!hasExited()) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    if (removeDir) cleanup();
  };
  // The data dir is kept until the test is done with it: restart() may follow stop()/kill().
  // It is removed at process exit if the test never restarts.
  const forgetCleanup = atProcessExit(cleanup);
  return {
    host: info.host,
    port: info.port,
    dataDir: info.dataDir,
    stop: () => terminate('SIGTERM', false),
    kill: () => terminate('SIGKILL', false),
    isAlive: () => !hasExited(),
    restart: async () => {
      await terminate('SIGTERM', false);
      restarted = true;
      forgetCleanup();
      return spawnServer(info.dataDir, info.ownsDir, info.args);
    },
  };
}
