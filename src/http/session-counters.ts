/**
 * Counts client sessions and the statements they run, for `/metrics`.
 *
 * `instrument(factory)` returns a SessionFactory that opens sessions with
 * `factory` and counts: a session is open from a successful `openSession`
 * (after authentication) until its first `close`; a statement is counted when
 * the protocol layer starts it (`execute`: once per statement of a simple
 * Query, once per portal of the extended protocol), whether it then succeeds
 * or fails. Connections that never authenticate are not counted.
 */
import type { Cursor, PreparedStatement, Session, SessionFactory } from '../session/api.ts';

export class SessionCounters {
  /** Sessions open now. */
  open = 0;
  /** Sessions opened since the server started. */
  opened = 0;
  /** Statements started since the server started. */
  statements = 0;
  /** Statements whose start failed (a parse, bind or planning error, a refused statement). */
  failedStarts = 0;

  instrument(factory: SessionFactory): SessionFactory {
    return { openSession: (startup) => this.#count(factory.openSession(startup)) };
  }

  #count(session: Session): Session {
    this.opened++;
    this.open++;
    const execute = session.execute.bind(session);
    const close = session.close.bind(session);
    let closed = false;
    session.execute = (stmt: PreparedStatement, params: readonly (Uint8Array | null)[], formats: readonly number[], signal: AbortSignal): Promise<Cursor> => {
      this.statements++;
      const started = execute(stmt, params, formats, signal);
      started.catch(() => this.failedStarts++);
      return started;
    };
    session.close = () => {
      if (!closed) {
        closed = true;
        this.open--;
      }
      close();
    };
    return session;
  }
}
