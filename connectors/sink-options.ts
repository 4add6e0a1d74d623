/**
 * Checking a sink's WITH options at CREATE TABLE: an option the sink does
 * not know is SqlError 22023 naming the options it does know, as Flink's
 * factories refuse unsupported options. 'connector' is everyone's; keys with
 * a prefix in `foreignPrefixes` belong to someone else (the same connector's
 * source side, a format) and are checked there.
 */
import { SqlError, SqlState } from '../src/errors.ts';

export function checkSinkOptions(
  connector: string,
  known: readonly string[],
  options: Readonly<Record<string, string>>,
  foreignPrefixes: readonly string[] = [],
): void {
  for (const key of Object.keys(options)) {
    if (key === 'connector' || known.includes(key)) continue;
    if (foreignPrefixes.some((p) => key.startsWith(p))) continue;
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unsupported option '${key}' for connector '${connector}'`, {
      hint: known.length === 0 ? `Connector '${connector}' takes no options besides 'connector'.` : `Supported options: ${known.join(', ')}.`,
    });
  }
}

/** A 'true' / 'false' option (case-insensitive); 22023 for anything else. */
export function sinkBooleanOption(options: Readonly<Record<string, string>>, key: string, fallback: boolean): boolean {
  const text = options[key];
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value '${text}' for option '${key}': expected 'true' or 'false'`);
}
