/**
 * node-postgres helpers for end-to-end tests.
 *
 * `rawTextTypes` makes every column come back as the server's wire text (no parsing into JS numbers,
 * Dates or booleans), so results compare exactly as psql would print them. `connectClient` opens a
 * client to a target with database `millrace` and a throwaway user name (the server trusts loopback).
 */
import pg from 'pg';

export interface Target {
  readonly host: string;
  readonly port: number;
}

export const DATABASE = 'millrace';
export const USER = 'tester';

/** A pg `types` override that returns every value as its raw text (NULL stays null). */
export const rawTextTypes: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as pg.CustomTypesConfig['getTypeParser'],
};

export interface ConnectOptions {
  /** Return raw wire text for every column (default true). */
  readonly rawText?: boolean;
  readonly user?: string;
  readonly database?: string;
}

export async function connectClient(target: Target, opts: ConnectOptions = {}): Promise<pg.Client> {
  const config: pg.ClientConfig = {
    host: target.host,
    port: target.port,
    user: opts.user ?? USER,
    database: opts.database ?? DATABASE,
    connectionTimeoutMillis: 10_000,
  };
  if (opts.rawText ?? true) config.types = rawTextTypes;
  const client = new pg.Client(config);
  await client.connect();
  return client;
}

/** Parses `host:port` (as in MILLRACE_SLT_TARGET); throws on anything else. */
export function parseTarget(text: string): Target {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`invalid target "${text}": expected host:port`);
  }
  return { host: text.slice(0, colon), port };
}

/** Runs `fn` with a fresh client and always closes it. */
export async function withClient<T>(target: Target, fn: (client: pg.Client) => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  const client = await connectClient(target, opts);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
