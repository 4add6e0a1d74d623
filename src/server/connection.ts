/**
 * One client connection: reads frames, runs them strictly in order, and owns
 * the session, the prepared statements and portals, and the AbortController
 * of the statement running now.
 *
 * Reading never stops while a statement runs (so a disconnect is noticed and
 * aborts it); frames queue up and the socket is paused only when too many
 * wait. Phases: 'startup' (SSLRequest / GSSENCRequest answered 'N',
 * CancelRequest served and closed, StartupMessage opens the session), then
 * 'ready' (tagged messages). A broken framing, an unknown message type or a
 * failed startup ends the connection with a FATAL ErrorResponse.
 *
 * Teardown (client gone, Terminate, FATAL error, server stop) aborts the
 * running statement and every portal, then closes the session; it happens
 * once.
 */
import type { Socket } from 'node:net';
import { SqlError, SqlState, toSqlError, unreachable } from '../errors.ts';
import type { Session, SessionFactory } from '../session/api.ts';
import type { FormatContext } from '../values/text-format.ts';
import { writeError, writeNotice } from './error-response.ts';
import { ExtendedQuery } from './extended-query.ts';
import { FrameDecoder, type Frame } from './framing.ts';
import { MessageReader } from './message-reader.ts';
import { MessageWriter } from './message-writer.ts';
import { Frontend, StartupCode } from './protocol-codes.ts';
import type { QueryContext } from './query-context.ts';
import { runSimpleQuery } from './simple-query.ts';
import { parseStartupMessage, writeStartupReply, type StartupRequest } from './startup.ts';

/** The connection-independent services a connection uses, provided by PgServer. */
export interface ConnectionHost {
  readonly sessions: SessionFactory;
  readonly maxMessageBytes: number;
  log(msg: string): void;
  /** Makes the connection reachable by CancelRequest; returns its key (pid = `preferredPid` when free). */
  register(conn: Connection, preferredPid: number | undefined): { readonly pid: number; readonly secret: number };
  unregister(conn: Connection): void;
  /** Serves a CancelRequest that arrived on some connection. */
  cancel(pid: number, secret: number): void;
}

/** Frames waiting beyond this pause the socket until the queue is worked off. */
const MAX_QUEUED_FRAMES = 256;
const NO = 0x4e; // 'N'
/** How long stop() lets a client take its final ErrorResponse before the socket is destroyed. */
const SHUTDOWN_GRACE_MS = 1000;

const QUIET_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export class Connection implements QueryContext {
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #decoder: FrameDecoder;
  readonly writer: MessageWriter;
  readonly #extended: ExtendedQuery;
  readonly #queue: Frame[] = [];
  readonly #format: { timeZone: string; objectName: NonNullable<FormatContext['objectName']> } = {
    timeZone: 'UTC',
    objectName: (type, oid) => this.#session?.objectName?.(type, oid),
  };
  #reported = new Map<string, string>();
  #session: Session | null = null;
  #running: AbortController | null = null;
  #key: { readonly pid: number; readonly secret: number } | null = null;
  #pumping = false;
  #paused = false;
  #closed = false;
  readonly #done: Promise<void>;
  #resolveDone: () => void = () => {};

  constructor(socket: Socket, host: ConnectionHost) {
    this.#socket = socket;
    this.#host = host;
    this.#decoder = new FrameDecoder(host.maxMessageBytes);
    this.writer = new MessageWriter(socket);
    this.#extended = new ExtendedQuery(this);
    this.#done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === undefined || !QUIET_SOCKET_ERRORS.has(err.code)) host.log(`connection error: ${err.message}`);
      this.#teardown();
    });
    socket.on('close', () => {
      this.#teardown();
      this.#resolveDone();
    });
  }

  /** The BackendKeyData of this connection, once started. */
  get key(): { readonly pid: number; readonly secret: number } | null {
    return this.#key;
  }

  /** Resolves when the socket has closed. */
  get done(): Promise<void> {
    return this.#done;
  }

  // ------------------------------------------------------------ QueryContext

  get session(): Session {
    const session = this.#session;
    if (session === null) throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'no session yet');
    return session;
  }

  get formatContext(): FormatContext {
    return this.#format;
  }

  get closed(): boolean {
    return this.#closed;
  }

  beginStatement(controller: AbortController): void {
    this.#running = controller;
  }

  endStatement(): void {
    this.#running = null;
  }

  sendNotices(): void {
    if (this.#session === null || this.#closed) return;
    for (const notice of this.#session.takeNotices()) writeNotice(this.writer, notice);
  }

  reportChangedParameters(): void {
    if (this.#session === null || this.#closed) return;
    const now = this.#session.reportedParameters();
    for (const [name, value] of now) {
      if (this.#reported.get(name) !== value) this.writer.parameterStatus(name, value);
    }
    this.#snapshot(now);
  }

  terminate(error: SqlError): Promise<void> {
    return this.#fatal(error);
  }

  // ------------------------------------------------------------ control from the server

  /** CancelRequest: aborts the statement running now, if any. */
  cancel(): void {
    this.#running?.abort(new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request'));
  }

  /** Server stop: tells the client (57P01 FATAL) and closes. */
  shutdown(): void {
    if (this.#closed) {
      this.#socket.destroy();
      return;
    }
    const error = new SqlError(SqlState.ADMIN_SHUTDOWN, 'terminating connection due to administrator command', {
      severity: 'FATAL',
    });
    this.#teardown();
    writeError(this.writer, error);
    void this.writer.flush();
    this.#endSocket();
    setTimeout(() => this.#socket.destroy(), SHUTDOWN_GRACE_MS).unref();
  }

  // ------------------------------------------------------------ input

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#decoder.push(chunk, (frame) => this.#queue.push(frame));
    if (this.#queue.length > MAX_QUEUED_FRAMES && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed) {
        const frame = this.#queue.shift();
        if (frame === undefined) break;
        if (this.#paused && this.#queue.length < MAX_QUEUED_FRAMES / 2) {
          this.#paused = false;
          this.#socket.resume();
        }
        await this.#handle(frame);
      }
    } catch (err) {
      const error = toSqlError(err);
      this.#host.log(`connection failed: ${error.message}`);
      await this.#fatal(error);
    } finally {
      this.#pumping = false;
    }
  }

  async #handle(frame: Frame): Promise<void> {
    switch (frame.kind) {
      case 'broken':
        return this.#fatal(frame.error);
      case 'startup':
        return this.#startup(frame.code, frame.body);
      case 'message':
        return this.#message(frame.type, frame.body);
      default:
        return unreachable(frame);
    }
  }

  async #startup(code: number, body: Buffer): Promise<void> {
    if (code === StartupCode.SSL_REQUEST || code === StartupCode.GSSENC_REQUEST) {
      this.writer.rawByte(NO);
      return this.writer.flush();
    }
    if (code === StartupCode.CANCEL_REQUEST) {
      if (body.length === 8) this.#host.cancel(body.readInt32BE(0), body.readInt32BE(4));
      this.#teardown();
      this.#endSocket();
      return;
    }
    let session: Session;
    let request: StartupRequest;
    try {
      request = parseStartupMessage(code, body);
      session = this.#host.sessions.openSession(request.params);
    } catch (err) {
      return this.#fatal(toSqlError(err));
    }
    this.#session = session;
    if (this.#closed) {
      session.close();
      return;
    }
    this.#key = this.#host.register(this, sessionPid(session));
    writeStartupReply(this.writer, request, session, this.#key);
    this.#snapshot(session.reportedParameters());
    await this.writer.flush();
  }

  async #message(type: number, body: Buffer): Promise<void> {
    if (this.#session === null) {
      return this.#fatal(new SqlError(SqlState.PROTOCOL_VIOLATION, `invalid frontend message type ${type}`));
    }
    if (ExtendedQuery.handles(type)) return this.#extended.handle(type, body);
    switch (type) {
      case Frontend.QUERY:
        return this.#query(body);
      case Frontend.TERMINATE:
        this.#teardown();
        this.#endSocket();
        return;
      case Frontend.FUNCTION_CALL:
        if (this.#extended.skipping) return;
        writeError(this.writer, new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'function call message is not supported'));
        this.writer.readyForQuery(this.session.transactionStatus());
        return this.writer.flush();
      case Frontend.COPY_DATA:
      case Frontend.COPY_DONE:
      case Frontend.COPY_FAIL:
        // Outside COPY these are ignored, as PostgreSQL does.
        return;
      default:
        return this.#fatal(new SqlError(SqlState.PROTOCOL_VIOLATION, `invalid frontend message type ${type}`));
    }
  }

  async #query(body: Buffer): Promise<void> {
    if (this.#extended.skipping) return;
    let sql: string;
    try {
      const r = new MessageReader(body);
      sql = r.cstring();
      r.end();
    } catch (err) {
      writeError(this.writer, toSqlError(err));
      this.writer.readyForQuery(this.session.transactionStatus());
      return this.writer.flush();
    }
    this.#extended.beforeSimpleQuery();
    await runSimpleQuery(this, sql);
    this.#extended.afterTransactionEnd();
  }

  // ------------------------------------------------------------ ending

  /** Sends a FATAL ErrorResponse and closes. */
  async #fatal(err: SqlError): Promise<void> {
    const fatal =
      err.severity === 'FATAL'
        ? err
        : new SqlError(err.code, err.message, {
            ...(err.detail !== undefined ? { detail: err.detail } : {}),
            ...(err.hint !== undefined ? { hint: err.hint } : {}),
            severity: 'FATAL',
          });
    this.#teardown();
    writeError(this.writer, fatal);
    await this.writer.flush();
    this.#endSocket();
  }

  /** Ends the socket after pending output is written; destroys it once written. */
  #endSocket(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.end(() => socket.destroy());
  }

  /** Aborts what runs, frees the session; idempotent. Output built later is dropped by the socket. */
  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    if (this.#key !== null) this.#host.unregister(this);
    this.cancel();
    this.#extended.closeAll();
    const session = this.#session;
    if (session !== null) {
      try {
        session.close();
      } catch (err) {
        this.#host.log(`session close failed: ${toSqlError(err).message}`);
      }
    }
  }

  #snapshot(params: ReadonlyMap<string, string>): void {
    this.#reported = new Map(params);
    const zone = params.get('TimeZone');
    if (zone !== undefined) this.#format.timeZone = zone;
  }
}

/**
 * The session's backend pid, when the session has one: the Session contract
 * has no pid, but an engine session that answers pg_backend_pid() exposes it
 * as `pid`, and BackendKeyData must report the same number.
 */
function sessionPid(session: Session): number | undefined {
  const pid: unknown = (session as { readonly pid?: unknown }).pid;
  return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && pid <= 0x7fffffff ? pid : undefined;
}
