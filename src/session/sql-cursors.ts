/**
 * Cursors declared with SQL (`DECLARE c CURSOR FOR ...`, then `FETCH n FROM c`),
 * as psycopg2's named cursors and older psql use them.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Cursor } from './api.ts';

export class CursorRegistry {
  readonly #cursors = new Map<string, Cursor>();

  declare(name: string, cursor: Cursor): void {
    if (this.#cursors.has(name)) {
      cursor.close();
      throw new SqlError(SqlState.DUPLICATE_CURSOR, `cursor "${name}" already exists`);
    }
    this.#cursors.set(name, cursor);
  }

  get(name: string): Cursor | undefined {
    return this.#cursors.get(name);
  }

  close(name: string): boolean {
    const c = this.#cursors.get(name);
    if (c === undefined) return false;
    c.close();
    this.#cursors.delete(name);
    return true;
  }

  closeAll(): void {
    for (const c of this.#cursors.values()) c.close();
    this.#cursors.clear();
  }
}
