/**
 * Cursor implementations handed to the protocol layer.
 *
 * - `staticCursor`: rows computed up front (DDL, SHOW, EXPLAIN, DML tags).
 * - `streamCursor`: rows pulled from a running query's batch iterator; keeps
 *   the unread tail of a batch for the next `next(max)` call, so a client's
 *   row limit never loses rows. `next(max, waitMs)` gives up waiting after
 *   `waitMs` (FETCH ... WITH (timeout)) and stops waiting when `signal`
 *   aborts (Ctrl-C, statement_timeout on a FETCH); the read it was waiting
 *   for is kept for the next call, so no batch is lost either, and `unread`
 *   gives back rows a FETCH had taken before it was interrupted.
 */
import type { Row } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
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
    async next(max: number, waitMs?: number, signal?: AbortSignal): Promise<Row[]> {
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
        const r = await waitFor(inflight, waitMs, signal);
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
    unread(rows: readonly Row[]): void {
      if (rows.length === 0) return;
      pending = [...rows, ...pending.slice(pendingOffset)];
      pendingOffset = 0;
      delivered -= rows.length;
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

/**
 * The promise's value; undefined when `ms` (if given) pass first; throws the
 * abort's reason (a SqlError such as a statement timeout, else 57014) when
 * `signal` aborts first. The promise itself is left running for a later call.
 */
async function waitFor<T>(p: Promise<T>, ms: number | undefined, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (ms === undefined && signal === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const racers: Promise<T | undefined>[] = [p];
  if (ms !== undefined) racers.push(new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms)))));
  if (signal !== undefined) {
    racers.push(
      new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(signal));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
  try {
    return await Promise.race(racers);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

function abortError(signal: AbortSignal): SqlError {
  const reason: unknown = signal.reason;
  return reason instanceof SqlError ? reason : new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
}
