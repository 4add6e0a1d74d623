/**
 * The COPY sub-protocol (PostgreSQL manual, "COPY Operations"), for a cursor
 * whose `copy` field is set; used by the simple and the extended query
 * protocol alike. The caller sends CommandComplete with the cursor's tag.
 *
 * - Copy-out: CopyOutResponse ('H': int8 0 = text / 1 = binary, int16 n, int16
 *   format x n, all equal to the overall one), one
 *   CopyData ('d') per payload the session produces, CopyDone ('c'). Output is
 *   flushed after every batch, so a slow client stops production.
 * - Copy-in: CopyInResponse ('G', same layout), flushed; then frontend
 *   messages are read off the connection: CopyData goes to the session,
 *   CopyDone ends the COPY (the session stores the rows), CopyFail fails it
 *   (57014), a CancelRequest while waiting for data fails it (57014), Flush
 *   and Sync are ignored, anything else is 08P01
 *   `unexpected message type 0x.. during COPY from stdin`. After an error the
 *   client's remaining CopyData / CopyDone / CopyFail arrive outside COPY and
 *   are ignored by the connection, as PostgreSQL does.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { CopyIn, CopyOut } from '../session/api.ts';
import { isBinaryCopy } from '../session/copy-format.ts';
import { cancelAware } from './data-rows.ts';
import { MessageReader } from './message-reader.ts';
import { Backend, Frontend } from './protocol-codes.ts';
import type { QueryContext } from './query-context.ts';

/** CopyData payloads asked of the session at a time. */
const OUT_BATCH = 1024;

export async function runCopyTransfer(ctx: QueryContext, copy: CopyIn | CopyOut, signal: AbortSignal): Promise<void> {
  if (copy.direction === 'out') return copyOut(ctx, copy, signal);
  return copyIn(ctx, copy, signal);
}

async function copyOut(ctx: QueryContext, copy: CopyOut, signal: AbortSignal): Promise<void> {
  const w = ctx.writer;
  copyResponse(ctx, Backend.COPY_OUT_RESPONSE, copy);
  for (;;) {
    if (ctx.closed) return;
    if (signal.aborted) throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
    let payloads: Uint8Array[];
    try {
      payloads = await copy.next(OUT_BATCH);
    } catch (err) {
      throw cancelAware(err, signal);
    }
    if (payloads.length === 0) break;
    for (const p of payloads) w.copyData(p);
    await w.flush();
  }
  w.copyDone();
}

async function copyIn(ctx: QueryContext, copy: CopyIn, signal: AbortSignal): Promise<void> {
  copyResponse(ctx, Backend.COPY_IN_RESPONSE, copy);
  await ctx.writer.flush();
  for (;;) {
    const message = await ctx.nextMessage(signal);
    if (signal.aborted) {
      copy.fail('canceled');
      throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
    }
    if (message === null) {
      copy.fail('connection closed');
      return;
    }
    switch (message.type) {
      case Frontend.COPY_DATA:
        copy.write(message.body);
        break;
      case Frontend.COPY_DONE:
        try {
          await copy.end();
        } catch (err) {
          throw cancelAware(err, signal);
        }
        return;
      case Frontend.COPY_FAIL: {
        const r = new MessageReader(message.body);
        throw copy.fail(r.cstring());
      }
      case Frontend.FLUSH:
      case Frontend.SYNC:
        break;
      default:
        copy.fail('protocol violation');
        throw new SqlError(
          SqlState.PROTOCOL_VIOLATION,
          `unexpected message type 0x${message.type.toString(16).toUpperCase().padStart(2, '0')} during COPY from stdin`,
        );
    }
  }
}

/** CopyInResponse / CopyOutResponse with the COPY's format (binary: 1 overall and per column). */
function copyResponse(ctx: QueryContext, type: number, copy: CopyIn | CopyOut): void {
  if (!isBinaryCopy(copy)) {
    ctx.writer.copyResponse(type, copy.columnCount);
    return;
  }
  const w = ctx.writer;
  w.begin(type);
  w.int8(1);
  w.int16(copy.columnCount);
  for (let i = 0; i < copy.columnCount; i++) w.int16(1);
  w.end();
}
