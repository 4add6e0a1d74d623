/**
 * What the query handlers (simple-query.ts, extended-query.ts) need from the
 * connection that runs them. The connection processes one message at a time,
 * so at most one statement runs per connection; `beginStatement` makes its
 * AbortController the one a CancelRequest aborts.
 */
import type { FormatContext } from '../values/text-format.ts';
import type { SqlError } from '../errors.ts';
import type { Session } from '../session/api.ts';
import type { MessageWriter } from './message-writer.ts';

export interface QueryContext {
  readonly session: Session;
  readonly writer: MessageWriter;
  /** Text-format settings (the session's TimeZone) for DataRow values. */
  readonly formatContext: FormatContext;
  /** Marks `controller` as the running statement's until endStatement(); CancelRequest aborts it. */
  beginStatement(controller: AbortController): void;
  endStatement(): void;
  /** Sends NoticeResponse for the session's pending notices. */
  sendNotices(): void;
  /** Sends ParameterStatus for every reported parameter that changed since the last report. */
  reportChangedParameters(): void;
  /** Sends a FATAL error and ends the connection (a statement failed with severity FATAL). */
  terminate(error: SqlError): Promise<void>;
  /**
   * The next frontend message, taken from the connection's queue while a
   * statement runs (COPY FROM STDIN reads its CopyData this way); null once the
   * connection is gone or `signal` fired (no message is taken then).
   */
  nextMessage(signal?: AbortSignal): Promise<{ readonly type: number; readonly body: Buffer } | null>;
  /** True once the client is gone or the server is stopping: stop producing output. */
  readonly closed: boolean;
  /** Drops a protocol-level prepared statement (null: all); false when `name` does not exist. */
  deallocate(name: string | null): boolean;
}
