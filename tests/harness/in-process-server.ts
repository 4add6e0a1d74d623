/**
 * A server inside the test process, on a loopback port, over a fresh data directory: for tests that
 * need to look at what the server holds (its Database) while real clients talk to it.
 * With `{ http: true }` the HTTP API listens too (on a free port, `httpPort`), its session and
 * statement counters fed by the Postgres listener, as src/main.ts wires them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/database.ts';
import { PgServer } from '../../src/server/server.ts';
import { HttpServer } from '../../src/http/http-server.ts';
import { SessionCounters } from '../../src/http/session-counters.ts';
import { builtinConnectors } from '../../connectors/index.ts';
import { builtinSinks } from '../../connectors/sinks.ts';

export interface InProcessServer {
  readonly db: Database;
  readonly port: number;
  /** The HTTP API's port (only with `http: true`). */
  readonly httpPort?: number;
  stop(): Promise<void>;
}

export interface InProcessOptions {
  /** Also start the HTTP API (default false). */
  readonly http?: boolean;
}

export async function startInProcessServer(options: InProcessOptions = {}): Promise<InProcessServer> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-in-process-'));
  const db = await Database.open(dir, builtinConnectors, {}, builtinSinks);
  const counters = options.http === true ? new SessionCounters() : undefined;
  const server = new PgServer({ sessions: counters === undefined ? db : counters.instrument(db), host: '127.0.0.1', port: 0 });
  const { port } = await server.start();
  const http = counters === undefined ? undefined : new HttpServer({ db, sessions: counters, host: '127.0.0.1', port: 0 });
  const httpPort = http === undefined ? undefined : (await http.start()).port;
  return {
    db,
    port,
    ...(httpPort !== undefined ? { httpPort } : {}),
    async stop() {
      await http?.stop();
      await server.stop();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
