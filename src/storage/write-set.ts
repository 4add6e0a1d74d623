/**
 * The uncommitted writes of one transaction block, per stored table.
 *
 * Contract:
 * - Holds, per table and per storage key, the row the transaction last wrote
 *   under that key, or a deletion (row null). Only the net effect is kept: a
 *   row inserted and updated in the same block is one staged row.
 * - Each staged key remembers the stored value it replaced the first time the
 *   block touched it (`before`: the encoded row, or null when the key held
 *   nothing). At COMMIT, TableStore compares it with what is stored then: a
 *   difference means another session committed to the same row meanwhile
 *   (a write conflict, 40001).
 * - Savepoints: `mark()` starts recording an undo journal; `rollbackTo(mark)`
 *   restores every staged key to its state at the mark; `release(mark)` keeps
 *   the changes. The journal is only recorded while a mark is open, so blocks
 *   without savepoints pay nothing for it.
 * - Nothing here touches storage: TableStore stages into it, reads through it
 *   (`scanIn`) and commits it (`commitWriteSet`).
 */
import type { Row } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';

/** One key's staged state. */
export interface StagedRow {
  readonly key: Uint8Array;
  /** The row written under the key; null: deleted. */
  readonly row: Row | null;
  /** The stored value when the block first touched the key; null: none was stored. */
  readonly before: Uint8Array | null;
}

/** A table's staged rows, by the latin1 form of their storage key. */
export class StagedTable {
  readonly table: TableDefinition;
  readonly rows = new Map<string, StagedRow>();
  /** Staged rows sorted by key, for scans; dropped whenever `rows` changes. */
  sorted: StagedRow[] | null = null;

  constructor(table: TableDefinition) {
    this.table = table;
  }
}

/** One journal entry: what `id` of table `tableId` held before a write (undefined: nothing staged). */
interface UndoEntry {
  readonly tableId: number;
  readonly id: string;
  readonly previous: StagedRow | undefined;
}

export class WriteSet {
  readonly #tables = new Map<number, StagedTable>();
  readonly #journal: UndoEntry[] = [];
  /** Journal lengths at the open marks, innermost last. */
  readonly #marks: number[] = [];

  /** The tables with staged rows, in no particular order. */
  tables(): IterableIterator<StagedTable> {
    return this.#tables.values();
  }

  table(tableId: number): StagedTable | undefined {
    return this.#tables.get(tableId);
  }

  /** Whether nothing is staged. */
  get empty(): boolean {
    for (const t of this.#tables.values()) if (t.rows.size > 0) return false;
    return true;
  }

  get(tableId: number, id: string): StagedRow | undefined {
    return this.#tables.get(tableId)?.rows.get(id);
  }

  /** Stages `row` (null: a deletion) under `key`; `before` is used when the key was not staged yet. */
  stage(table: TableDefinition, id: string, key: Uint8Array, row: Row | null, before: Uint8Array | null): void {
    let staged = this.#tables.get(table.id);
    if (staged === undefined) this.#tables.set(table.id, (staged = new StagedTable(table)));
    const previous = staged.rows.get(id);
    if (this.#marks.length > 0) this.#journal.push({ tableId: table.id, id, previous });
    staged.rows.set(id, { key, row, before: previous === undefined ? before : previous.before });
    staged.sorted = null;
  }

  /** Forgets a table's staged rows (the table was dropped). */
  forget(tableId: number): void {
    this.#tables.delete(tableId);
  }

  /** Opens a savepoint; returns its mark. */
  mark(): number {
    this.#marks.push(this.#journal.length);
    return this.#marks.length - 1;
  }

  /** Undoes every write since `mark`, which stays open (ROLLBACK TO keeps the savepoint). */
  rollbackTo(mark: number): void {
    const at = this.#marks[mark];
    if (at === undefined) return;
    for (let i = this.#journal.length - 1; i >= at; i--) {
      const e = this.#journal[i]!;
      const staged = this.#tables.get(e.tableId);
      if (staged === undefined) continue;
      if (e.previous === undefined) staged.rows.delete(e.id);
      else staged.rows.set(e.id, e.previous);
      staged.sorted = null;
    }
    this.#journal.length = at;
    this.#marks.length = mark + 1;
  }

  /** Closes `mark` and every later one, keeping their writes. */
  release(mark: number): void {
    if (mark >= this.#marks.length) return;
    this.#marks.length = mark;
    if (mark === 0) this.#journal.length = 0;
  }

  /** The table's staged rows in key order (bytewise, as LevelDB orders keys). */
  sortedRows(staged: StagedTable): readonly StagedRow[] {
    if (staged.sorted === null) staged.sorted = [...staged.rows.values()].sort((a, b) => compareKeys(a.key, b.key));
    return staged.sorted;
  }
}

export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
