/**
 * One client connection: reads frames, runs them strictly in order, and owns
 * the session, the prepared statements and portals, and the AbortController
 * of the statement running now.
 *
 * Reading never stops while a statement runs (so a disconnect is noticed and
 * aborts it); frames queue up and the socket is paused only when too many
 * wait. Phases: 'startup' (SSLRequest answered 'S' and the socket upgraded
 * to TLS when the server has a certificate, else 'N'; GSSENCRequest answered
 * 'N'; CancelRequest served and closed; a StartupMessage starts
 * authentication), 'auth' (only PasswordMessage-family 'p' messages until
 * the Authenticator is done; then the session opens), then 'ready' (tagged
 * messages). A broken framing, an unknown message type, a failed
 * authentication or a failed startup ends the connection with a FATAL
 * ErrorResponse.
 *
 * TLS upgrade: the SSLRequest must be the last thing the client sent before
 * reading the answer; bytes already received after it would be plaintext
 * smuggled into the encrypted session, so they end the connection (08P01),
 * as in PostgreSQL. The 'S' is written and the socket wrapped in the same
 * tick, so the ClientHello always reaches the TLS layer.
 *
 * A client must be authenticated within `authenticationTimeoutMs` of
 * connecting: before its StartupMessage the socket is just closed, during
 * authentication it gets FATAL 57014 (as PostgreSQL's authentication_timeout).
 *
 * Teardown (client gone, Terminate, FATAL error, server stop) aborts the
 * running statement and every portal, then closes the session; it happens
 * once.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { AuthPolicy } from '../auth/auth-policy.ts';
import { Authenticator, type AuthStep } from '../auth/authenticator.ts';
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
  readonly auth: AuthPolicy;
  /** Set when TLS is enabled: SSLRequest is accepted. */
  readonly tls: SecureContext | null;
  /** StartupMessages on unencrypted connections are refused. */
  readonly tlsRequired: boolean;
  /** From accept to authenticated: silent close before the StartupMessage, FATAL 57014 during authentication. */
  readonly authenticationTimeoutMs: number;
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
const YES = 0x53; // 'S'
/** How long stop() lets a client take its final ErrorResponse before the socket is destroyed. */
const SHUTDOWN_GRACE_MS = 1000;

const QUIET_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export class Connection implements QueryContext {
  /** The client's socket; replaced by its TLSSocket after an SSLRequest was accepted. */
  #socket: Socket;
  #encrypted = false;
  readonly #host: ConnectionHost;
  readonly #decoder: FrameDecoder;
  #writer: MessageWriter;
  /** Set between the StartupMessage and the end of authentication. */
  #auth: { readonly authenticator: Authenticator; readonly request: StartupRequest } | null = null;
  readonly #onDataListener = (chunk: Buffer): void => this.#onData(chunk);
  #authTimer: NodeJS.Timeout | null;
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
  /** Wakes nextMessage() when a frame arrives or the connection ends. */
  #wake: (() => void) | null = null;
  #paused = false;
  #closed = false;
  readonly #done: Promise<void>;
  #resolveDone: () => void = () => {};

  constructor(socket: Socket, host: ConnectionHost) {
    this.#socket = socket;
    this.#host = host;
    this.#decoder = new FrameDecoder(host.maxMessageBytes);
    this.#writer = new MessageWriter(socket);
    this.#extended = new ExtendedQuery(this);
    this.#done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', this.#onDataListener);
    this.#watch(socket);
    this.#authTimer = setTimeout(() => this.#authTimedOut(), host.authenticationTimeoutMs);
    this.#authTimer.unref();
  }

  #authTimedOut(): void {
    this.#authTimer = null;
    if (this.#closed || this.#session !== null) return;
    if (this.#auth === null) {
      this.#teardown();
      this.#socket.destroy();
      return;
    }
    void this.#fatal(new SqlError(SqlState.QUERY_CANCELED, 'canceling authentication due to timeout', { severity: 'FATAL' }));
  }

  #clearAuthTimer(): void {
    if (this.#authTimer === null) return;
    clearTimeout(this.#authTimer);
    this.#authTimer = null;
  }

  /** Teardown on error / close of `socket` (the raw socket, later also its TLSSocket). */
  #watch(socket: Socket): void {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === undefined || !QUIET_SOCKET_ERRORS.has(err.code)) this.#host.log(`connection error: ${err.message}`);
      this.#teardown();
    });
    socket.on('close', () => {
      this.#teardown();
      this.#resolveDone();
    });
  }

  /** The writer of the current socket. */
  get writer(): MessageWriter {
    return this.#writer;
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

  deallocate(name: string | null): boolean {
    return this.#extended.deallocate(name);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** statement_timeout of the running statement. */
  #deadline: NodeJS.Timeout | undefined;

  beginStatement(controller: AbortController): void {
    this.#running = controller;
    const timeout = this.#session?.statementTimeoutMs?.() ?? 0;
    if (timeout > 0) {
      this.#deadline = setTimeout(() => controller.abort(new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to statement timeout')), timeout);
    }
  }

  endStatement(): void {
    this.#running = null;
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
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

  async nextMessage(signal?: AbortSignal): Promise<{ readonly type: number; readonly body: Buffer } | null> {
    for (;;) {
      if (this.#closed || signal?.aborted === true) return null;
      const frame = this.#takeFrame();
      if (frame?.kind === 'message') return frame;
      if (frame !== undefined) {
        await this.#fatal(frame.kind === 'broken' ? frame.error : new SqlError(SqlState.PROTOCOL_VIOLATION, 'unexpected startup message'));
        return null;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
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
    this.#wakeReader();
    void this.#pump();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #takeFrame(): Frame | undefined {
    const frame = this.#queue.shift();
    if (this.#paused && this.#queue.length < MAX_QUEUED_FRAMES / 2) {
      this.#paused = false;
      this.#socket.resume();
    }
    return frame;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed) {
        const frame = this.#takeFrame();
        if (frame === undefined) break;
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
    if (code === StartupCode.SSL_REQUEST && this.#host.tls !== null && !this.#encrypted) {
      return this.#startTls(this.#host.tls);
    }
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
    let request: StartupRequest;
    let authenticator: Authenticator;
    let step: AuthStep;
    try {
      request = parseStartupMessage(code, body);
      if (this.#host.tlsRequired && !this.#encrypted) throw noEncryption(this.#socket, request);
      authenticator = new Authenticator(this.#host.auth, request.params.get('user') ?? '');
      step = authenticator.begin();
    } catch (err) {
      return this.#fatal(toSqlError(err));
    }
    this.#auth = { authenticator, request };
    return this.#authStep(step);
  }

  /** A PasswordMessage-family message during authentication. */
  async #authMessage(type: number, body: Buffer): Promise<void> {
    const { authenticator } = this.#auth!;
    if (type !== Frontend.PASSWORD) {
      return this.#fatal(
        new SqlError(SqlState.PROTOCOL_VIOLATION, `expected ${authenticator.expecting} response, got message type ${type}`),
      );
    }
    let step: AuthStep;
    try {
      step = authenticator.respond(body);
    } catch (err) {
      const error = toSqlError(err);
      const user = this.#auth!.request.params.get('user') ?? '';
      this.#host.log(`authentication of user "${user}" from ${this.#socket.remoteAddress ?? 'unknown'} failed: ${error.message}`);
      return this.#fatal(error);
    }
    return this.#authStep(step);
  }

  async #authStep(step: AuthStep): Promise<void> {
    for (const m of step.send) this.writer.authentication(m.code, m.payload ?? undefined);
    if (!step.done) return this.writer.flush();
    const request = this.#auth!.request;
    this.#auth = null;
    return this.#open(request);
  }

  /** Authenticated: opens the session and sends AuthenticationOk .. ReadyForQuery. */
  async #open(request: StartupRequest): Promise<void> {
    let session: Session;
    try {
      session = this.#host.sessions.openSession(request.params);
    } catch (err) {
      return this.#fatal(toSqlError(err));
    }
    this.#session = session;
    this.#clearAuthTimer();
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
    if (this.#auth !== null) return this.#authMessage(type, body);
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
        // Outside COPY (copy-protocol.ts reads them during one) these are ignored, as PostgreSQL does.
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

  // ------------------------------------------------------------ TLS

  /** Answers 'S' and wraps the socket; the handshake follows on the TLSSocket. */
  async #startTls(context: SecureContext): Promise<void> {
    if (this.#queue.length > 0 || this.#decoder.bufferedBytes > 0) {
      return this.#fatal(new SqlError(SqlState.PROTOCOL_VIOLATION, 'received unencrypted data after SSL request'));
    }
    const raw = this.#socket;
    raw.off('data', this.#onDataListener);
    this.writer.rawByte(YES);
    void this.writer.flush();
    const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
    this.#socket = secure;
    this.#encrypted = true;
    this.#writer = new MessageWriter(secure);
    secure.on('data', this.#onDataListener);
    this.#watch(secure);
    if (this.#paused) secure.pause();
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
    this.#clearAuthTimer();
    this.#queue.length = 0;
    this.#wakeReader();
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

/** FATAL 28000 for a StartupMessage on a plaintext connection when TLS is required. */
function noEncryption(socket: Socket, request: StartupRequest): SqlError {
  const host = socket.remoteAddress ?? 'unknown';
  const user = request.params.get('user') ?? '';
  const database = request.params.get('database') ?? '';
  return new SqlError(
    SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
    `no encryption: host "${host}", user "${user}", database "${database}" must connect with SSL`,
    { severity: 'FATAL', hint: 'This server requires TLS (--tls-required); connect with sslmode=require.' },
  );
}
