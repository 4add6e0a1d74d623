/**
 * Transaction block state of a session, as ReadyForQuery reports it, and the
 * block's uncommitted writes.
 *
 * Follows PostgreSQL: outside a block every statement commits by itself
 * (status I). BEGIN opens a block (T) with an empty WriteSet; writes to
 * stored tables are staged there and become visible to other sessions,
 * materialized views and subscriptions only at COMMIT. An error inside a
 * block fails it (E): statements are refused with 25P02 until COMMIT (which
 * then rolls back), ROLLBACK, or ROLLBACK TO a savepoint taken before the
 * error. ROLLBACK, or the end of the session, discards the WriteSet.
 *
 * Several statements in one simple Query message run as one implicit block
 * (PostgreSQL's implicit transaction): `beginImplicit` before each statement
 * while none is open, `endImplicit` after the last (or the failed) one, which
 * stores the writes or discards them. The status reads I meanwhile; BEGIN
 * inside it turns it into an ordinary block, COMMIT / ROLLBACK end it early.
 *
 * Savepoints: a stack of (name, WriteSet mark). ROLLBACK TO name undoes the
 * writes after the most recent savepoint of that name and keeps it; RELEASE
 * name drops it and every later one, keeping their writes.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { TransactionStatus } from './api.ts';
import { WriteSet } from '../storage/write-set.ts';

/** PostgreSQL's invalid_savepoint_specification. */
const INVALID_SAVEPOINT_SPECIFICATION = '3B001';

interface Savepoint {
  readonly name: string;
  readonly mark: number;
}

export class TransactionState {
  #status: TransactionStatus = 'I';
  #writes: WriteSet | null = null;
  /** The open block is the implicit one of a multi-statement Query. */
  #implicit = false;
  readonly #savepoints: Savepoint[] = [];

  get status(): TransactionStatus {
    return this.#implicit ? 'I' : this.#status;
  }

  /** Whether the open block is a multi-statement Query's implicit one. */
  get implicit(): boolean {
    return this.#implicit;
  }

  /** Opens the implicit block of a multi-statement Query unless a block is open. */
  beginImplicit(): void {
    if (this.#status !== 'I') return;
    this.#status = 'T';
    this.#writes = new WriteSet();
    this.#implicit = true;
  }

  /**
   * Ends the implicit block, if one is open: its writes to store (null when
   * it failed or wrote nothing to keep).
   */
  endImplicit(failed: boolean): WriteSet | null {
    if (!this.#implicit) return null;
    const writes = failed || this.#status === 'E' ? null : this.#writes;
    this.#end();
    return writes;
  }

  /** The open block's writes; null outside a block. */
  get writes(): WriteSet | null {
    return this.#writes;
  }

  /** Throws 25P02 when the block has failed and `action` is not one that ends it. */
  checkAllowed(endsBlock: boolean): void {
    if (this.#status === 'E' && !endsBlock) {
      throw new SqlError(
        SqlState.IN_FAILED_SQL_TRANSACTION,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
  }

  /** Returns a warning message when BEGIN is issued inside a block (as Postgres warns). */
  begin(): string | undefined {
    if (this.#implicit) {
      // BEGIN inside a multi-statement Query: its block goes on as an ordinary one.
      this.#implicit = false;
      return undefined;
    }
    if (this.#status !== 'I') return 'there is already a transaction in progress';
    this.#status = 'T';
    this.#writes = new WriteSet();
    return undefined;
  }

  /**
   * Ends the block. Returns the tag Postgres gives (COMMIT of a failed block
   * is ROLLBACK), a warning outside a block, and the writes to store (null
   * when there is nothing to commit). The block is over either way: if
   * storing the writes fails, they are lost, as a failed COMMIT rolls back.
   */
  commit(): { tag: string; warning?: string; writes: WriteSet | null } {
    if (this.#status === 'I') return { tag: 'COMMIT', warning: 'there is no transaction in progress', writes: null };
    const failed = this.#status === 'E';
    const writes = this.#writes;
    // Inside a multi-statement Query's implicit block PostgreSQL warns, and still commits what came before.
    const implicit = this.#implicit;
    this.#end();
    if (failed) return { tag: 'ROLLBACK', writes: null };
    return implicit ? { tag: 'COMMIT', warning: 'there is no transaction in progress', writes } : { tag: 'COMMIT', writes };
  }

  rollback(): { tag: string; warning?: string } {
    if (this.#status === 'I') return { tag: 'ROLLBACK', warning: 'there is no transaction in progress' };
    const implicit = this.#implicit;
    this.#end();
    return implicit ? { tag: 'ROLLBACK', warning: 'there is no transaction in progress' } : { tag: 'ROLLBACK' };
  }

  /** An error happened while running a statement. */
  fail(): void {
    if (this.#status === 'T') this.#status = 'E';
  }

  /** SAVEPOINT name. */
  savepoint(name: string): void {
    this.#requireBlock('SAVEPOINT');
    this.#savepoints.push({ name, mark: this.#writes!.mark() });
  }

  /** ROLLBACK TO [SAVEPOINT] name: undoes the writes since, and clears a failure. */
  rollbackTo(name: string): void {
    this.#requireBlock('ROLLBACK TO SAVEPOINT');
    const i = this.#find(name);
    const sp = this.#savepoints[i]!;
    this.#savepoints.length = i + 1;
    this.#writes!.rollbackTo(sp.mark);
    this.#status = 'T';
  }

  /** RELEASE [SAVEPOINT] name. */
  release(name: string): void {
    this.#requireBlock('RELEASE SAVEPOINT');
    const i = this.#find(name);
    this.#writes!.release(this.#savepoints[i]!.mark);
    this.#savepoints.length = i;
  }

  #find(name: string): number {
    for (let i = this.#savepoints.length - 1; i >= 0; i--) if (this.#savepoints[i]!.name === name) return i;
    throw new SqlError(INVALID_SAVEPOINT_SPECIFICATION, `savepoint "${name}" does not exist`);
  }

  #requireBlock(what: string): void {
    if (this.#status === 'I' || this.#implicit) {
      throw new SqlError(SqlState.NO_ACTIVE_SQL_TRANSACTION, `${what} can only be used in transaction blocks`);
    }
  }

  #end(): void {
    this.#implicit = false;
    this.#status = 'I';
    this.#writes = null;
    this.#savepoints.length = 0;
  }
}
