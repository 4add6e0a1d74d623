/**
 * Transaction block state of a session, as ReadyForQuery reports it.
 *
 * millrace applies every statement when it completes (autocommit); BEGIN /
 * COMMIT / ROLLBACK are accepted so that drivers which wrap statements in
 * transactions work, and the state machine below follows Postgres: an error
 * inside a block fails the block (E) until COMMIT or ROLLBACK ends it.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { TransactionStatus } from './api.ts';

export class TransactionState {
  #status: TransactionStatus = 'I';

  get status(): TransactionStatus {
    return this.#status;
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
    if (this.#status !== 'I') return 'there is already a transaction in progress';
    this.#status = 'T';
    return undefined;
  }

  /** Ends the block; returns the tag Postgres gives (COMMIT of a failed block is ROLLBACK) and a warning outside a block. */
  commit(): { tag: string; warning?: string } {
    if (this.#status === 'I') return { tag: 'COMMIT', warning: 'there is no transaction in progress' };
    const failed = this.#status === 'E';
    this.#status = 'I';
    return { tag: failed ? 'ROLLBACK' : 'COMMIT' };
  }

  rollback(): { tag: string; warning?: string } {
    if (this.#status === 'I') return { tag: 'ROLLBACK', warning: 'there is no transaction in progress' };
    this.#status = 'I';
    return { tag: 'ROLLBACK' };
  }

  /** An error happened while running a statement. */
  fail(): void {
    if (this.#status === 'T') this.#status = 'E';
  }
}
