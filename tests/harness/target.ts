/**
 * The server a client test talks to: a fresh millrace started through the harness, or, when
 * MILLRACE_CLIENT_TARGET=host:port is set, that already running server (used to validate the client
 * programs against PostgreSQL). Starting millrace never falls back to skipping: if it cannot start,
 * `acquireServer` rejects and the test fails with the server's stderr.
 */
import { parseTarget, type Target } from './pg-client.ts';
import { startServer } from './server-process.ts';

export interface AcquiredServer extends Target {
  /** True when this is an external server given by MILLRACE_CLIENT_TARGET. */
  readonly external: boolean;
  release(): Promise<void>;
}

export function externalTarget(): Target | null {
  const env = process.env['MILLRACE_CLIENT_TARGET'];
  return env === undefined || env === '' ? null : parseTarget(env);
}

export async function acquireServer(): Promise<AcquiredServer> {
  const ext = externalTarget();
  if (ext !== null) return { host: ext.host, port: ext.port, external: true, release: async () => undefined };
  const server = await startServer();
  return { host: server.host, port: server.port, external: false, release: () => server.stop() };
}
