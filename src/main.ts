/**
 * The composition root: `npm start -- [--port N] [--host H] [--data-dir DIR]`.
 * Opens the database under the data directory, serves the Postgres protocol,
 * prints `millrace listening on HOST:PORT` once ready, and shuts down cleanly
 * on SIGTERM / SIGINT.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { Database } from './database.ts';
import { PgServer } from './server/server.ts';
import { builtinConnectors } from '../connectors/index.ts';

export const DEFAULT_PORT = 5488;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = 'data';

const USAGE = `usage: npm start -- [--port N] [--host H] [--data-dir DIR]

  --port N        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H        address to listen on (default ${DEFAULT_HOST})
  --data-dir DIR  where millrace keeps its data (default ./${DEFAULT_DATA_DIR})
`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port "${values.port}": expected a number from 0 to 65535\n`);
    process.exit(2);
  }
  const host = values.host ?? DEFAULT_HOST;
  const dataDir = path.resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);

  const db = await Database.open(dataDir, builtinConnectors);
  const server = new PgServer({ sessions: db, host, port, log: (msg: string) => process.stderr.write(`${msg}\n`) });
  const address = await server.start();
  process.stdout.write(`millrace listening on ${address.host}:${address.port}\n`);
  process.stderr.write(`data directory: ${dataDir}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    try {
      await server.stop();
      await db.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`millrace failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
