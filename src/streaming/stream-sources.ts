/**
 * Where a continuous query's chunks come from: one source per scan.
 *
 * - connector tables: the connector's batches, as +I chunks; bounded
 *   connectors end with the final watermark;
 * - stored tables and materialized views, read two ways:
 *   'snapshot' (a plain SELECT): their current rows, then the end, as a
 *   bounded input; 'changelog' (SUBSCRIBE, materialized views, jobs): their
 *   current rows as +I, then every committed change, forever;
 * - system relations and VALUES: their rows, then the end.
 *
 * Per source, the WATERMARK strategy (scan.watermark, evaluated on the full
 * physical row) gives the watermark: the greatest value seen so far, pushed
 * after the chunk that advanced it. A source silent for the idle timeout is
 * marked idle so that a join or union does not wait for it.
 *
 * Positions (checkpoints, ARCHITECTURE decision 6): a source that can be
 * rewound reports how far it has delivered (`position()`): a connector the
 * rows read from its start, a stored table's changelog the position of the
 * last change delivered, any source that ended `ended`. Started `from` a
 * position, a source first restores its watermark, then continues right
 * after it (an ended source only ends again). A source that cannot be
 * rewound yet (while a snapshot is being read, a materialized view's
 * changes) reports undefined, and no checkpoint is taken then.
 */
import type { Row } from '../../catalog/types.ts';
import type { CatalogEntry } from '../../catalog/relation.ts';
import { CHUNK_SIZE, type Chunk } from '../dataflow/chunk.ts';
import type { ScanNode } from '../planner/logical-plan.ts';
import type { ConnectorRegistry } from '../connectors/source-connector.ts';
import { sinkOnlyTable } from '../connectors/sink-connector.ts';
import type { TableChangeListener, TableSubscription } from '../storage/table-store.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { SqlError, SqlState, notSupported } from '../errors.ts';
import { isAddition } from './changelog.ts';
import { MAX_WATERMARK, type Port } from './dataflow.ts';

/** How continuous queries reach relations (implemented by the database). */
export interface StreamInputs {
  relation(id: number): CatalogEntry | undefined;
  readonly connectors: ConnectorRegistry;
  /**
   * A stored table's or materialized view's current rows and the changes after them (full physical rows);
   * with `from`, no rows but every change after that changelog position (stored tables only).
   */
  subscribe(rel: CatalogEntry, listener: TableChangeListener, options?: { readonly from?: number; readonly durableReader?: string }): Promise<TableSubscription>;
  /** The durable reader `reader` of table `rel` has checkpointed its changelog up to `position`. */
  releaseChangelog(rel: CatalogEntry, reader: string, position: number): void;
  /** The current rows of a stored table or materialized view (full physical rows). */
  snapshot(rel: CatalogEntry): AsyncIterable<Row[]>;
  /** The rows of a system relation. */
  systemRows(rel: CatalogEntry): readonly Row[];
}

/** What a source gets from the running dataflow. */
export interface SourceContext {
  readonly signal: AbortSignal;
  /** Resolves when the sink can take more (backpressure); awaited between batches. */
  ready(): Promise<void> | undefined;
  /** Milliseconds of silence after which the source counts as idle (0: never). */
  readonly idleTimeoutMs: number;
  /** Fails the whole dataflow (an error while pushing a change outside the source's own loop). */
  fail(err: unknown): void;
  /** The source has delivered the rows that existed when it started (changelog reads). */
  caughtUp(): void;
  /** Where to start: a checkpoint's position of this source (default: the beginning). */
  readonly from?: SourceCheckpoint;
  /** Names this dataflow to stored tables as a reader that checkpoints (their changelog is kept for it). */
  readonly durableReader?: string;
}

/** How far a source has delivered: rows / changelog position, or the end. */
export type SourcePosition = { readonly offset: number } | { readonly ended: true };

/** What a checkpoint records per source. */
export interface SourceCheckpoint {
  readonly position: SourcePosition;
  /** The watermark the source had sent (-Infinity: none yet). */
  readonly watermark: number;
}

export interface StreamSource {
  /** Pushes into `port` until the input ends or the dataflow stops. */
  run(port: Port, cx: SourceContext): Promise<void>;
  /** How far the source has delivered, or undefined while it cannot be rewound to here. */
  position(): SourcePosition | undefined;
  /** A checkpoint recording `position` for this source is durable. */
  committed?(position: SourcePosition): void;
}

const ENDED: SourcePosition = { ended: true };

/** Whether a restored source had already ended. */
function endedAt(from: SourceCheckpoint | undefined): boolean {
  return from !== undefined && 'ended' in from.position;
}

/** Tracks a watermark strategy over rows: the greatest value so far. */
class WatermarkTracker {
  readonly #expr: EvalFn | undefined;
  #max = -Infinity;
  #sent = -Infinity;

  constructor(expr: EvalFn | undefined) {
    this.#expr = expr;
  }

  /** The watermark sent so far (-Infinity: none). */
  get sent(): number {
    return this.#sent;
  }

  /** Continues from a checkpoint's watermark (already sent before the checkpoint). */
  restore(wm: number): void {
    this.#max = wm;
    this.#sent = wm;
  }

  observe(row: Row): void {
    if (this.#expr === undefined) return;
    const v = this.#expr(row);
    if (typeof v === 'number' && v > this.#max) this.#max = v;
  }

  /** The watermark to push, when it advanced since the last call. */
  advanced(): number | undefined {
    if (this.#max <= this.#sent) return undefined;
    this.#sent = this.#max;
    return this.#max;
  }
}

/** Shapes full physical rows into the scan's output: pushed-down filter, narrowed columns, watermark. */
class ScanShaper {
  readonly #columns: readonly number[];
  /** The scan keeps every column in order: a full row of that width is its output row as it is (rows are never mutated). */
  readonly #identity: boolean;
  readonly #filter: EvalFn | undefined;
  readonly watermarks: WatermarkTracker;

  constructor(scan: ScanNode, env: ExecEnv) {
    this.#columns = scan.columns;
    this.#identity = scan.columns.every((c, i) => c === i);
    this.#filter = scan.filter === undefined ? undefined : compileExpr(scan.filter, env);
    this.watermarks = new WatermarkTracker(scan.watermark === undefined ? undefined : compileExpr(scan.watermark, env));
  }

  /** Output rows (and kinds) for full rows; observes the watermark on additions. */
  shape(rows: readonly Row[], kinds: Uint8Array | null): Chunk {
    const cols = this.#columns;
    const n = cols.length;
    const out: Row[] = [];
    const outKinds: number[] | null = kinds === null ? null : [];
    const filter = this.#filter;
    const identity = this.#identity;
    for (let i = 0; i < rows.length; i++) {
      const full = rows[i]!;
      const kind = kinds === null ? 0 : kinds[i]!;
      if (isAddition(kind)) this.watermarks.observe(full);
      let r: Row = full;
      if (!identity || full.length !== n) {
        r = new Array(n);
        for (let c = 0; c < n; c++) r[c] = full[cols[c]!] ?? null;
      }
      if (filter !== undefined && filter(r) !== true) continue;
      out.push(r);
      outKinds?.push(kind);
    }
    return { rows: out, kinds: outKinds === null ? null : Uint8Array.from(outKinds) };
  }
}

/** How long a source may keep the thread before it lets timers run (checkpoints, idle timeouts, clocks). */
const TIMER_SLICE_MS = 10;

/**
 * A source reading as fast as it can only awaits promises that are already
 * resolved, which never lets a timer run; this hands the thread to the event
 * loop once per TIMER_SLICE_MS of work.
 */
class TimerYield {
  #since = performance.now();

  async maybe(): Promise<void> {
    const now = performance.now();
    if (now - this.#since < TIMER_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}

/** Pushes a chunk and the watermark it advanced to; marks the input active again. */
function deliver(port: Port, chunk: Chunk, shaper: ScanShaper, idle: IdleTimer): void {
  idle.activity();
  if (chunk.rows.length > 0) port.chunk(chunk);
  const wm = shaper.watermarks.advanced();
  if (wm !== undefined) port.watermark(wm);
}

/** Marks a port idle after `ms` without data; `activity()` re-arms it. */
class IdleTimer {
  readonly #port: Port;
  readonly #ms: number;
  #timer: NodeJS.Timeout | undefined;
  #idle = false;

  constructor(port: Port, ms: number) {
    this.#port = port;
    this.#ms = ms;
    this.#arm();
  }

  activity(): void {
    if (this.#idle) {
      this.#idle = false;
      this.#port.idle(false);
    }
    this.#arm();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#ms <= 0) return;
    if (this.#timer !== undefined) this.#timer.refresh();
    else {
      this.#timer = setTimeout(() => {
        this.#idle = true;
        this.#port.idle(true);
      }, this.#ms);
      this.#timer.unref();
    }
  }
}

function canceled(): SqlError {
  return new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
}

/** The source of one scan node. */
export function scanSource(scan: ScanNode, env: ExecEnv, inputs: StreamInputs, storedReading: 'snapshot' | 'changelog'): StreamSource {
  const rel = inputs.relation(scan.relationId);
  if (rel === undefined) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${scan.relationName}" does not exist`);
  const shaper = new ScanShaper(scan, env);
  if (rel.kind === 'system') {
    return bounded(async function* () {
      const rows = inputs.systemRows(rel);
      for (let i = 0; i < rows.length; i += CHUNK_SIZE) yield rows.slice(i, i + CHUNK_SIZE);
    }, shaper);
  }
  const name = rel.kind === 'table' ? rel.options['connector'] : undefined;
  if (rel.kind === 'table' && name !== undefined) {
    const connector = inputs.connectors.get(name);
    if (connector === undefined) throw sinkOnlyTable(rel.name, name);
    const physical = rel.columns.filter((c) => c.kind === 'physical');
    let offset = 0;
    let ended = false;
    return {
      position: () => (ended ? ENDED : { offset }),
      async run(port, cx) {
        if (restore(port, cx, shaper)) {
          ended = true;
          return;
        }
        const from = cx.from?.position;
        offset = from !== undefined && 'offset' in from ? from.offset : 0;
        const idle = new IdleTimer(port, cx.idleTimeoutMs);
        const timers = new TimerYield();
        cx.caughtUp();
        try {
          for await (const batch of connector.read(physical, rel.options, cx.signal, offset)) {
            if (cx.signal.aborted) return;
            offset += batch.length;
            deliver(port, shaper.shape(batch, null), shaper, idle);
            await cx.ready();
            await timers.maybe();
          }
        } finally {
          idle.stop();
        }
        if (cx.signal.aborted) return;
        ended = true;
        port.watermark(MAX_WATERMARK);
        port.end();
      },
    };
  }
  if (rel.kind === 'view') throw notSupported(`reading view "${rel.name}" as a stream`);
  if (storedReading === 'snapshot') return bounded(() => inputs.snapshot(rel), shaper);
  return changelogSource(rel, shaper, inputs);
}

/**
 * Starts a source from its checkpoint: restores the watermark it had sent
 * and, when it had ended, ends it again; true when nothing is left to read.
 */
function restore(port: Port, cx: SourceContext, shaper: ScanShaper | undefined): boolean {
  const from = cx.from;
  if (from === undefined) return false;
  if (endedAt(from)) {
    cx.caughtUp();
    port.watermark(MAX_WATERMARK);
    port.end();
    return true;
  }
  if (from.watermark > -Infinity) {
    shaper?.watermarks.restore(from.watermark);
    port.watermark(from.watermark);
  }
  return false;
}

/** Reads `rows()` as +I chunks, then the final watermark and the end. */
function bounded(rows: () => AsyncIterable<Row[]>, shaper: ScanShaper): StreamSource {
  let ended = false;
  return {
    position: () => (ended ? ENDED : undefined),
    async run(port, cx) {
      if (restore(port, cx, shaper)) {
        ended = true;
        return;
      }
      const idle = new IdleTimer(port, 0);
      const timers = new TimerYield();
      for await (const batch of rows()) {
        if (cx.signal.aborted) throw canceled();
        deliver(port, shaper.shape(batch, null), shaper, idle);
        await cx.ready();
        await timers.maybe();
      }
      cx.caughtUp();
      ended = true;
      port.watermark(MAX_WATERMARK);
      port.end();
    },
  };
}

/** The current rows of a stored relation, then its changes as they commit; ends only when stopped. */
function changelogSource(rel: CatalogEntry, shaper: ScanShaper, inputs: StreamInputs): StreamSource {
  // Only stored tables keep a changelog with positions; a materialized view's changes cannot be replayed.
  const rewindable = rel.kind === 'table';
  let delivered: number | undefined;
  let reader: string | undefined;
  return {
    position: () => (rewindable && delivered !== undefined ? { offset: delivered } : undefined),
    committed(position) {
      if (reader !== undefined && 'offset' in position) inputs.releaseChangelog(rel, reader, position.offset);
    },
    async run(port, cx) {
      reader = rewindable ? cx.durableReader : undefined;
      let idle: IdleTimer | undefined;
      let live = false;
      const pending: { chunk: Chunk; position: number | undefined }[] = [];
      let dropped: (() => void) | undefined;
      const droppedPromise = new Promise<void>((resolve) => (dropped = resolve));
      const from = cx.from?.position;
      restore(port, cx, shaper);
      const subscribeOptions = {
        ...(from !== undefined && 'offset' in from ? { from: from.offset } : {}),
        ...(rewindable && cx.durableReader !== undefined ? { durableReader: cx.durableReader } : {}),
      };
      const sub = await inputs.subscribe(
        rel,
        {
          changes(c, position?: number) {
            if (cx.signal.aborted) return;
            if (!live) {
              pending.push({ chunk: c, position });
              return;
            }
            try {
              deliver(port, shaper.shape(c.rows, c.kinds), shaper, idle!);
              delivered = position;
            } catch (err) {
              cx.fail(err);
            }
          },
          dropped() {
            cx.fail(new SqlError(SqlState.UNDEFINED_TABLE, `relation "${rel.name}" was dropped while a continuous query read it`));
            dropped?.();
          },
        },
        subscribeOptions,
      );
      const stopped = new Promise<void>((resolve) => cx.signal.addEventListener('abort', () => resolve(), { once: true }));
      try {
        idle = new IdleTimer(port, cx.idleTimeoutMs);
        for await (const batch of sub.snapshot) {
          if (cx.signal.aborted) return;
          deliver(port, shaper.shape(batch, null), shaper, idle);
          await cx.ready();
        }
        delivered = sub.position;
        for (let i = 0; i < pending.length; i++) {
          const { chunk, position } = pending[i]!;
          deliver(port, shaper.shape(chunk.rows, chunk.kinds), shaper, idle);
          delivered = position;
        }
        pending.length = 0;
        live = true;
        cx.caughtUp();
        await Promise.race([stopped, droppedPromise]);
      } finally {
        idle?.stop();
        sub.unsubscribe();
      }
    },
  };
}

/** VALUES as a bounded source: its rows, the final watermark, the end. */
export function rowsSource(rows: readonly Row[]): StreamSource {
  let ended = false;
  return {
    position: () => (ended ? ENDED : undefined),
    async run(port, cx) {
      ended = true;
      if (restore(port, cx, undefined)) return;
      for (let i = 0; i < rows.length; i += CHUNK_SIZE) port.chunk({ rows: rows.slice(i, i + CHUNK_SIZE), kinds: null });
      cx.caughtUp();
      port.watermark(MAX_WATERMARK);
      port.end();
    },
  };
}

