/**
 * The HTTP listener beside the Postgres one (node:http): routes requests to
 * the JSON API (jobs-api.ts), the Prometheus metrics (server-metrics.ts) and
 * the web page (page.ts).
 *
 * Routes: `GET /`, `GET /metrics`, `GET /api/health`, `GET /api/jobs`,
 * `GET /api/jobs/:id`, `POST /api/jobs/:id/stop`, `PATCH /api/jobs/:id`
 * (stop, as Flink's REST API cancels), `GET /api/checkpoints`. HEAD is
 * answered wherever GET is. A path that matches no route is 404, a route
 * asked with another method 405 with an `Allow` header; both with a JSON
 * error body `{ error }`.
 *
 * Guarantees: a request never crashes the process. A handler's exception is
 * answered 500 (`{ error }`, with the SQLSTATE when it is a SqlError) and
 * logged; a malformed request is answered 400 by the socket's error handler.
 * Request bodies are not read (no route takes one).
 *
 * Cross-site requests: the API has no authentication (bind it to a trusted
 * address). A request that changes something (POST, PATCH) and carries an
 * `Origin` header naming another host than its `Host` header is refused 403,
 * so a web page of another site cannot stop jobs through a browser; clients
 * such as curl send no Origin.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import { errorBody, health, jobDetail, listCheckpoints, listJobs, stopJob, type ApiResponse, type JobJson } from './jobs-api.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricRegistry } from './prometheus.ts';
import { serverMetrics } from './server-metrics.ts';
import type { SessionCounters } from './session-counters.ts';
import { PAGE_CSP, renderPage } from './page.ts';

export interface HttpServerOptions {
  readonly db: Database;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Session and statement counters of the Postgres listener (without them those metrics are left out). */
  readonly sessions?: SessionCounters;
  readonly log?: (msg: string) => void;
}

type Method = 'GET' | 'POST' | 'PATCH';

/** What a handler answers: JSON, or a body of its own type. */
type Reply = ApiResponse | { readonly status: number; readonly text: string; readonly contentType: string; readonly headers?: Readonly<Record<string, string>> };

type Handler = (params: readonly string[]) => Reply | Promise<Reply>;

interface Route {
  readonly path: RegExp;
  readonly methods: Partial<Record<Method, Handler>>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class HttpServer {
  readonly #options: HttpServerOptions;
  readonly #metrics: MetricRegistry;
  readonly #routes: readonly Route[];
  readonly #log: (msg: string) => void;
  #server: http.Server | null = null;

  constructor(options: HttpServerOptions) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
    const db = options.db;
    this.#metrics = serverMetrics(db, options.sessions);
    this.#routes = [
      { path: /^\/$/, methods: { GET: () => this.#page() } },
      { path: /^\/metrics$/, methods: { GET: () => ({ status: 200, text: this.#metrics.expose(), contentType: PROMETHEUS_CONTENT_TYPE }) } },
      { path: /^\/api\/health$/, methods: { GET: () => health(db) } },
      { path: /^\/api\/jobs$/, methods: { GET: () => listJobs(db) } },
      { path: /^\/api\/checkpoints$/, methods: { GET: () => listCheckpoints(db) } },
      { path: /^\/api\/jobs\/([^/]+)$/, methods: { GET: ([id]) => jobDetail(db, id!), PATCH: ([id]) => stopJob(db, id!) } },
      { path: /^\/api\/jobs\/([^/]+)\/stop$/, methods: { POST: ([id]) => stopJob(db, id!) } },
    ];
  }

  /** Starts listening; resolves with the address (rejects when the port cannot be bound). */
  start(): Promise<{ host: string; port: number }> {
    if (this.#server !== null) return Promise.reject(new Error('HTTP server already started'));
    const server = http.createServer((req, res) => this.#handle(req, res));
    this.#server = server;
    server.on('clientError', (err, socket) => {
      if (socket.writable && !socket.writableEnded) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
      this.#log(`http: bad request: ${err.message}`);
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', onError);
        server.on('error', (err) => this.#log(`http listener error: ${err.message}`));
        const address = server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    this.#route(req, res).catch((err: unknown) => {
      this.#log(`http: ${req.method ?? '?'} ${req.url ?? '?'} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = err instanceof SqlError ? errorBody(err.message, err.code) : errorBody('internal error');
      send(res, { status: err instanceof SqlError ? statusForSqlState(err.code) : 500, body });
    });
  }

  async #route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.#routes.find((r) => r.path.test(url.pathname));
    if (route === undefined) {
      send(res, { status: 404, body: errorBody(`no such resource: ${url.pathname}`) });
      return;
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const handler = route.methods[method as Method];
    if (handler === undefined) {
      const allowed = Object.keys(route.methods);
      if (allowed.includes('GET')) allowed.push('HEAD');
      send(res, { status: 405, body: errorBody(`method ${req.method ?? '?'} is not allowed on ${url.pathname}`) }, { Allow: allowed.join(', ') });
      return;
    }
    if (method !== 'GET' && crossOrigin(req)) {
      send(res, { status: 403, body: errorBody('cross-origin requests may not change anything') });
      return;
    }
    let params: string[];
    try {
      params = route.path.exec(url.pathname)!.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      send(res, { status: 400, body: errorBody(`malformed path: ${url.pathname}`) });
      return;
    }
    send(res, await handler(params));
  }

  #page(): Reply {
    const jobs = (listJobs(this.#options.db).body as { jobs: JobJson[] }).jobs;
    return { status: 200, text: renderPage(jobs), contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': PAGE_CSP } };
  }
}

function send(res: http.ServerResponse, reply: Reply, extra: Readonly<Record<string, string>> = {}): void {
  const [text, contentType, headers] = 'text' in reply ? [reply.text, reply.contentType, reply.headers ?? {}] : [`${JSON.stringify(reply.body, null, 2)}\n`, JSON_TYPE, {}];
  res.writeHead(reply.status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
    ...extra,
  });
  res.end(text);
}

/** Whether the request's Origin names another host than the one it was sent to. */
function crossOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** The HTTP status for an error a handler did not answer itself. */
export function statusForSqlState(code: string): number {
  switch (code) {
    case SqlState.UNDEFINED_OBJECT:
      return 404;
    case SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE:
    case SqlState.WRONG_OBJECT_TYPE:
      return 409;
    default:
      return 500;
  }
}
