/**
 * The Postgres protocol listener. Accepts connections, gives each a unique
 * BackendKeyData (pid, random secret) and routes CancelRequests to the
 * connection they name; the cancel socket itself gets no reply. The pid is the
 * session's own `pid` when it has one (what pg_backend_pid() returns) and no
 * other connection uses it; otherwise the server picks one.
 *
 * stop() closes the listener and every connection (each told 57P01 FATAL,
 * its running statement aborted and its session closed).
 *
 * Security options: `auth` (default: trust everyone) is checked by every
 * connection after its StartupMessage; `tls` (PEM certificate and key) makes
 * SSLRequest answered 'S' and the socket upgraded; `tlsRequired` refuses
 * StartupMessages on unencrypted connections (FATAL 28000), as a pg_hba
 * `hostssl`-only configuration does. The server reads no files: the caller
 * passes the PEM text and the users' secrets.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { TRUST_ALL, type AuthPolicy } from '../auth/auth-policy.ts';
import type { SessionFactory } from '../session/api.ts';
import { Connection, type ConnectionHost } from './connection.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol-codes.ts';

export interface PgServerOptions {
  sessions: SessionFactory;
  host: string;
  port: number;
  log?: (msg: string) => void;
  /** Largest frontend message accepted (54000 and close above it); default 64 MiB. */
  maxMessageBytes?: number;
  /** Who may connect and how they prove it; default trust. */
  auth?: AuthPolicy;
  /** PEM certificate (chain) and private key: enables TLS. */
  tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Refuse connections that did not negotiate TLS (needs `tls`). */
  tlsRequired?: boolean;
  /** Time a client has from connecting to being authenticated (PostgreSQL's authentication_timeout); default 60 s. */
  authenticationTimeoutMs?: number;
}

const DEFAULT_AUTHENTICATION_TIMEOUT_MS = 60_000;

const FIRST_PID = 10_000;
const MAX_PID = 0x7fffffff;

export class PgServer {
  readonly #options: PgServerOptions;
  readonly #host: ConnectionHost;
  readonly #connections = new Set<Connection>();
  readonly #byPid = new Map<number, { readonly conn: Connection; readonly secret: number }>();
  #listener: net.Server | null = null;
  #nextPid = FIRST_PID;

  constructor(o: PgServerOptions) {
    this.#options = o;
    const log = o.log ?? (() => {});
    if (o.tlsRequired === true && o.tls === undefined) throw new Error('tlsRequired needs a TLS certificate and key');
    this.#host = {
      auth: o.auth ?? TRUST_ALL,
      tls: o.tls === undefined ? null : tls.createSecureContext({ cert: o.tls.cert, key: o.tls.key }),
      tlsRequired: o.tlsRequired ?? false,
      authenticationTimeoutMs: o.authenticationTimeoutMs ?? DEFAULT_AUTHENTICATION_TIMEOUT_MS,
      sessions: o.sessions,
      maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      log,
      register: (conn, preferredPid) => this.#register(conn, preferredPid),
      unregister: (conn) => this.#unregister(conn),
      cancel: (pid, secret) => this.#cancel(pid, secret),
    };
  }

  start(): Promise<{ host: string; port: number }> {
    if (this.#listener !== null) return Promise.reject(new Error('server already started'));
    const listener = net.createServer((socket) => this.#accept(socket));
    this.#listener = listener;
    listener.on('error', (err) => this.#host.log(`listener error: ${err.message}`));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#listener = null;
        reject(err);
      };
      listener.once('error', onError);
      listener.listen(this.#options.port, this.#options.host, () => {
        listener.off('error', onError);
        const address = listener.address();
        if (address === null || typeof address === 'string') {
          resolve({ host: this.#options.host, port: this.#options.port });
        } else {
          resolve({ host: address.address, port: address.port });
        }
      });
    });
  }

  async stop(): Promise<void> {
    const listener = this.#listener;
    this.#listener = null;
    const closed = listener === null
      ? Promise.resolve()
      : new Promise<void>((resolve) => listener.close(() => resolve()));
    const connections = [...this.#connections];
    for (const conn of connections) conn.shutdown();
    await Promise.all(connections.map((c) => c.done));
    await closed;
  }

  #accept(socket: net.Socket): void {
    if (this.#listener === null) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this.#host);
    this.#connections.add(conn);
    void conn.done.then(() => this.#connections.delete(conn));
  }

  #register(conn: Connection, preferredPid: number | undefined): { pid: number; secret: number } {
    let pid: number;
    if (preferredPid !== undefined && !this.#byPid.has(preferredPid)) {
      pid = preferredPid;
    } else {
      pid = this.#nextPid;
      while (this.#byPid.has(pid)) pid = pid >= MAX_PID ? FIRST_PID : pid + 1;
      this.#nextPid = pid >= MAX_PID ? FIRST_PID : pid + 1;
    }
    const secret = randomBytes(4).readInt32BE(0);
    this.#byPid.set(pid, { conn, secret });
    return { pid, secret };
  }

  #unregister(conn: Connection): void {
    const key = conn.key;
    if (key !== null && this.#byPid.get(key.pid)?.conn === conn) this.#byPid.delete(key.pid);
  }

  #cancel(pid: number, secret: number): void {
    const entry = this.#byPid.get(pid);
    if (entry !== undefined && entry.secret === secret) entry.conn.cancel();
  }
}
