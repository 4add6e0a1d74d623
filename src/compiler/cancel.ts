/** Statement cancellation: the 57014 error and the check operators make between chunks. */
import { SqlError, SqlState } from '../errors.ts';

export function cancelledError(): SqlError {
  return new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledError();
}
