/**
 * Cursor implementations handed to the protocol layer.
 *
 * - `staticCursor`: rows computed up front (DDL, SHOW, EXPLAIN, DML tags).
 * - `streamCursor`: rows pulled from a running query's batch iterator; keeps
 *   the unread tail of a batch for the next `next(max)` call, so a client's
 *   row limit never loses rows. `next(max, waitMs)` gives up waiting after
 *   `waitMs` (FETCH ... WITH (timeout)); the read it was waiting for is kept
 *   for the next call, so no batch is lost either.
 */
import type { Row } from '../../catalog/types.ts';
import type { Cursor, ResultColumn } from './api.ts';

export function staticCursor(columns: readonly ResultColumn[] | null, rows: Row[], tag: string): Cursor {
  let offset = 0;
  return {
    columns,
    next(max: number): Promise<Row[]> {
      const out = rows.slice(offset, offset + max);
      offset += out.length;
      return Promise.resolve(out);
    },
    tag: () => tag,
    close() {
      offset = rows.length;
    },
  };
}

/**
 * A cursor over an async iterator of row batches. `command` is the tag's verb
 * ('SELECT', 'FETCH'); the tag carries the number of rows delivered.
 */
export function streamCursor(
  columns: readonly ResultColumn[],
  batches: AsyncIterator<Row[]>,
  command = 'SELECT',
  onClose?: () => void,
): Cursor {
  let pending: Row[] = [];
  let inflight: Promise<IteratorResult<Row[]>> | undefined;
  let pendingOffset = 0;
  let delivered = 0;
  let done = false;
  let closed = false;

  return {
    columns,
    async next(max: number, waitMs?: number): Promise<Row[]> {
      const out: Row[] = [];
      while (out.length < max) {
        if (pendingOffset < pending.length) {
          const take = Math.min(max - out.length, pending.length - pendingOffset);
          for (let i = 0; i < take; i++) out.push(pending[pendingOffset + i]!);
          pendingOffset += take;
          continue;
        }
        if (done || closed) break;
        // A continuous query may wait here; hand back what we have first.
        if (out.length > 0 && pendingOffset >= pending.length && !done) {
          // Only block for more rows when nothing is ready to return.
          break;
        }
        inflight ??= batches.next();
        const r = waitMs === undefined ? await inflight : await withTimeout(inflight, waitMs);
        if (r === undefined) break;
        inflight = undefined;
        if (r.done === true) {
          done = true;
          break;
        }
        pending = r.value;
        pendingOffset = 0;
      }
      delivered += out.length;
      return out;
    },
    tag: () => `${command} ${delivered}`,
    close() {
      if (closed) return;
      closed = true;
      if (!done) void batches.return?.();
      onClose?.();
    },
  };
}

/** The promise's value, or undefined when `ms` pass first. */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
