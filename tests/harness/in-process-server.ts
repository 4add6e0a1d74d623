/**
 * A server inside the test process, on a loopback port, over a fresh data directory: for tests that
 * need to look at what the server holds (its Database) while real clients talk to it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/database.ts';
import { PgServer } from '../../src/server/server.ts';
import { builtinConnectors } from '../../connectors/index.ts';

export interface InProcessServer {
  readonly db: Database;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startInProcessServer(): Promise<InProcessServer> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-in-process-'));
  const db = await Database.open(dir, builtinConnectors);
  const server = new PgServer({ sessions: db, host: '127.0.0.1', port: 0 });
  const { port } = await server.start();
  return {
    db,
    port,
    async stop() {
      await server.stop();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
