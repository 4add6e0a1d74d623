/**
 * Cursors declared with SQL (`DECLARE c CURSOR FOR ...`, then `FETCH n FROM c`),
 * as psycopg2's and psycopg 3's named cursors and older psql use them.
 *
 * In PostgreSQL a SQL cursor is a portal of its session: the protocol layer
 * Describes and Executes it by name (Session.sqlCursor), and pg_cursors lists
 * it. The registry belongs to the session's statement runner.
 *
 * Lifetime: a cursor declared inside a transaction block without WITH HOLD
 * closes at COMMIT or ROLLBACK, as in PostgreSQL. PostgreSQL refuses DECLARE
 * without WITH HOLD outside a block (25P01); millrace accepts it and keeps the
 * cursor until CLOSE, as if it were WITH HOLD, because SUBSCRIBE cursors are
 * commonly declared that way (and Materialize-style clients poll them).
 */
import type { SqlCursorInfo } from '../../catalog/relation.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Cursor } from './api.ts';

/** One SQL cursor, with what pg_cursors shows of it. */
export interface SqlCursorEntry extends SqlCursorInfo {
  readonly cursor: Cursor;
  /** Declared inside a transaction block: closed when it rolls back, and at COMMIT too unless WITH HOLD. */
  readonly inBlock: boolean;
}

export class CursorRegistry {
  readonly #cursors = new Map<string, SqlCursorEntry>();

  /** Adds a cursor; `statement` is the text that declared it (pg_cursors shows it). */
  declare(name: string, cursor: Cursor, holdable = false, statement = '', inBlock = false): void {
    if (this.#cursors.has(name)) {
      cursor.close();
      throw new SqlError(SqlState.DUPLICATE_CURSOR, `cursor "${name}" already exists`);
    }
    this.#cursors.set(name, {
      name,
      cursor,
      statement,
      holdable,
      inBlock,
      creationTime: Date.now() * 1000,
    });
  }

  get(name: string): Cursor | undefined {
    return this.#cursors.get(name)?.cursor;
  }

  /** Every open cursor, in declaration order. */
  list(): readonly SqlCursorEntry[] {
    return [...this.#cursors.values()];
  }

  close(name: string): boolean {
    const c = this.#cursors.get(name);
    if (c === undefined) return false;
    c.cursor.close();
    this.#cursors.delete(name);
    return true;
  }

  /**
   * COMMIT or ROLLBACK: closes the cursors declared in the block without
   * WITH HOLD, and on ROLLBACK the holdable ones too, as PostgreSQL does.
   * Cursors declared outside a block stay open until CLOSE (see the header).
   */
  closeAtBlockEnd(rolledBack: boolean): void {
    for (const [name, c] of this.#cursors) {
      if (!c.inBlock) continue;
      if (c.holdable && !rolledBack) {
        // Committed: the holdable cursor outlives its block, like one declared outside any.
        this.#cursors.set(name, { ...c, inBlock: false });
        continue;
      }
      c.cursor.close();
      this.#cursors.delete(name);
    }
  }

  closeAll(): void {
    for (const c of this.#cursors.values()) c.cursor.close();
    this.#cursors.clear();
  }
}
