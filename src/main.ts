/**
 * The composition root: `npm start -- [--port N] [--host H] [--data-dir DIR]
 * [--users FILE] [--auth METHOD] [--tls-cert FILE --tls-key FILE] [--tls-required]
 * [--checkpoint-interval MS] [--state-memory MB] [--http-port N] [--http-host H] [--no-http]`.
 * Reads the users file and the TLS PEM files (the server itself reads no
 * files), opens the database under the data directory, serves the Postgres protocol,
 * prints `millrace listening on HOST:PORT` once ready, and shuts down cleanly
 * on SIGTERM / SIGINT. Beside it, unless --no-http, the HTTP API, web page
 * and Prometheus metrics (src/http/), announced as `millrace http on URL`.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { Database, DEFAULT_CHECKPOINT_INTERVAL_MS } from './database.ts';
import { PgServer, type PgServerOptions } from './server/server.ts';
import { buildAuthPolicy, parseUsersFile } from './auth/auth-config.ts';
import { builtinConnectors } from '../connectors/index.ts';
import { HttpServer } from './http/http-server.ts';
import { SessionCounters } from './http/session-counters.ts';
import { builtinSinks } from '../connectors/sinks.ts';

export const DEFAULT_PORT = 5488;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = 'data';
export const DEFAULT_HTTP_PORT = 8488;

const USAGE = `usage: npm start -- [--port N] [--host H] [--data-dir DIR] [--users FILE] [--auth METHOD]
                      [--tls-cert FILE --tls-key FILE] [--tls-required]
                      [--checkpoint-interval MS] [--state-memory MB]
                      [--http-port N] [--http-host H] [--no-http]

  --port N          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H          address to listen on (default ${DEFAULT_HOST})
  --data-dir DIR    where millrace keeps its data (default ./${DEFAULT_DATA_DIR})
  --users FILE      users and passwords, one "name:password" (or name:SCRAM-SHA-256$... verifier) a line
  --auth METHOD     trust, password, md5 or scram (default: trust without --users, else scram)
  --tls-cert FILE   PEM certificate: enables TLS (with --tls-key)
  --tls-key FILE    PEM private key of the certificate
  --tls-required    refuse connections that do not use TLS
  --checkpoint-interval MS
                    milliseconds between checkpoints of materialized views and jobs
                    (default ${DEFAULT_CHECKPOINT_INTERVAL_MS}; 0: only when their input ends)
  --state-memory MB operator state kept in memory before cold entries are read from disk (default 1024)
  --http-port N     port of the HTTP API, web page and /metrics (default ${DEFAULT_HTTP_PORT}, or a free
                    one when --port is 0; 0 picks a free one)
  --http-host H     address of the HTTP listener (default: the --host address)
  --no-http         no HTTP listener
`;

/** The security options from the flags; throws an Error whose message is shown to the operator. */
function securityOptions(values: {
  users?: string | undefined;
  auth?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  'tls-required'?: boolean | undefined;
}): Pick<PgServerOptions, 'auth' | 'tls' | 'tlsRequired'> {
  let users;
  if (values.users !== undefined) {
    const file = path.resolve(values.users);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --users file: ${(err as Error).message}`);
    }
    users = parseUsersFile(text, file);
  }
  const auth = buildAuthPolicy({ ...(values.auth !== undefined ? { method: values.auth } : {}), ...(users !== undefined ? { users } : {}) });
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('--tls-cert and --tls-key go together');
  const tlsRequired = values['tls-required'] === true;
  if (tlsRequired && certFile === undefined) throw new Error('--tls-required needs --tls-cert and --tls-key');
  if (certFile === undefined || keyFile === undefined) return { auth };
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(path.resolve(file));
    } catch (err) {
      throw new Error(`cannot read ${flag} file: ${(err as Error).message}`);
    }
  };
  const pem = { cert: read('--tls-cert', certFile), key: read('--tls-key', keyFile) };
  try {
    tls.createSecureContext(pem);
  } catch (err) {
    throw new Error(`invalid --tls-cert / --tls-key: ${(err as Error).message}`);
  }
  return { auth, tls: pem, tlsRequired };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        users: { type: 'string' },
        auth: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-required': { type: 'boolean' },
        'checkpoint-interval': { type: 'string' },
        'state-memory': { type: 'string' },
        'http-port': { type: 'string' },
        'http-host': { type: 'string' },
        'no-http': { type: 'boolean' },
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
  const httpPortGiven = values['http-port'] !== undefined;
  const httpPort = httpPortGiven ? Number(values['http-port']) : port === 0 ? 0 : DEFAULT_HTTP_PORT;
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
    process.stderr.write(`invalid --http-port "${values['http-port']}": expected a number from 0 to 65535 (--no-http turns HTTP off)\n`);
    process.exit(2);
  }
  if (values['no-http'] === true && (httpPortGiven || values['http-host'] !== undefined)) {
    process.stderr.write('--no-http cannot go with --http-port or --http-host\n');
    process.exit(2);
  }
  const httpHost = values['http-host'] ?? host;
  const dataDir = path.resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  let security: Pick<PgServerOptions, 'auth' | 'tls' | 'tlsRequired'>;
  try {
    security = securityOptions(values);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }

  const checkpointIntervalMs = values['checkpoint-interval'] === undefined ? DEFAULT_CHECKPOINT_INTERVAL_MS : Number(values['checkpoint-interval']);
  if (!Number.isSafeInteger(checkpointIntervalMs) || checkpointIntervalMs < 0) {
    process.stderr.write(`invalid --checkpoint-interval "${values['checkpoint-interval']}": expected milliseconds (0 or more)\n`);
    process.exit(2);
  }
  const stateMemoryMb = values['state-memory'] === undefined ? 1024 : Number(values['state-memory']);
  if (!Number.isFinite(stateMemoryMb) || stateMemoryMb <= 0) {
    process.stderr.write(`invalid --state-memory "${values['state-memory']}": expected megabytes (more than 0)\n`);
    process.exit(2);
  }

  const db = await Database.open(dataDir, builtinConnectors, { checkpointIntervalMs, stateMemoryBytes: Math.round(stateMemoryMb * 1024 * 1024) }, builtinSinks);
  const sessionCounters = new SessionCounters();
  const server = new PgServer({ sessions: sessionCounters.instrument(db), host, port, log: (msg: string) => process.stderr.write(`${msg}\n`), ...security });
  const address = await server.start();
  let http: HttpServer | undefined;
  let httpUrl: string | undefined;
  if (values['no-http'] !== true) {
    const candidate = new HttpServer({ db, sessions: sessionCounters, host: httpHost, port: httpPort, log: (msg: string) => process.stderr.write(`${msg}\n`) });
    try {
      const at = await candidate.start();
      http = candidate;
      httpUrl = `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}/`;
    } catch (err) {
      // The default port may be taken (another server on this machine): SQL is served without HTTP then.
      if (httpPortGiven || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new Error(`cannot serve HTTP on ${httpHost}:${httpPort}: ${(err as Error).message}`);
      process.stderr.write(`warning: HTTP port ${httpPort} is in use; serving no HTTP API (see --http-port)\n`);
    }
  }
  process.stdout.write(`millrace listening on ${address.host}:${address.port}\n`);
  if (httpUrl !== undefined) process.stdout.write(`millrace http on ${httpUrl}\n`);
  if (http !== undefined && !isLoopback(httpHost)) {
    process.stderr.write(`warning: the HTTP API on ${httpHost} has no authentication: anyone who can reach it can read job statements and stop jobs\n`);
  }
  if (security.auth?.method === 'trust' && !isLoopback(host)) {
    process.stderr.write(`warning: listening on ${host} with trust authentication: anyone who can reach it connects as any user (see --users)\n`);
  }
  process.stderr.write(`data directory: ${dataDir}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    try {
      await http?.stop();
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
