/**
 * Decodes bind parameters from their wire form (text or binary) into values
 * of the statement's parameter types. Bad input is 22P02 / 22P03 with the
 * parameter's number, never a crash.
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { parseValue } from '../values/text-parse.ts';
import { decodeBinary } from '../values/binary.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeParams(
  params: readonly (Uint8Array | null)[],
  formats: readonly number[],
  types: readonly SqlType[],
  timeZone: string,
): Value[] {
  if (params.length !== types.length && types.length > 0) {
    throw new SqlError(
      SqlState.PROTOCOL_VIOLATION,
      `bind message supplies ${params.length} parameters, but prepared statement requires ${types.length}`,
    );
  }
  const out: Value[] = new Array<Value>(params.length);
  for (let i = 0; i < params.length; i++) {
    const raw = params[i];
    if (raw === null || raw === undefined) {
      out[i] = null;
      continue;
    }
    const type = types[i] ?? ({ kind: 'VARCHAR', length: 2147483647 } as const);
    const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
    try {
      if (format === 1) out[i] = decodeBinary(raw, type);
      else out[i] = parseValue(decoder.decode(raw), type, { timeZone });
    } catch (err) {
      if (err instanceof SqlError) {
        throw new SqlError(err.code, `${err.message} (parameter $${i + 1})`);
      }
      throw new SqlError(
        format === 1 ? SqlState.INVALID_BINARY_REPRESENTATION : SqlState.INVALID_TEXT_REPRESENTATION,
        `invalid value for parameter $${i + 1}`,
      );
    }
  }
  return out;
}
