/**
 * Reading a format's WITH options ('csv.field-delimiter', 'json.fail-on-missing-field', ...):
 * every problem is SqlError 22023 with a hint, raised when the table is created.
 */
import { SqlError, SqlState } from '../../src/errors.ts';

/** The formats millrace has, by the 'format' option's value. */
export const FORMAT_NAMES = ['csv', 'json'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export function invalidOption(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message, hint !== undefined ? { hint } : {});
}

/**
 * Refuses options of the format `name` other than `known`, and options of the
 * other formats (`json.*` on a csv table). Options without a format prefix
 * belong to the connector and are not looked at.
 */
export function checkFormatOptions(name: FormatName, known: readonly string[], options: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(options)) {
    const prefix = key.slice(0, key.indexOf('.') + 1);
    if (prefix === `${name}.`) {
      if (!known.includes(key)) {
        throw invalidOption(`unsupported option '${key}' for format '${name}'`, `Supported options of format '${name}': ${known.join(', ')}.`);
      }
    } else if (FORMAT_NAMES.some((f) => prefix === `${f}.`)) {
      throw invalidOption(`option '${key}' belongs to format '${prefix.slice(0, -1)}', but the table's format is '${name}'`, `Remove it, or set 'format' = '${prefix.slice(0, -1)}'.`);
    }
  }
}

/** A 'true' / 'false' option (case-insensitive). */
export function booleanOption(options: Readonly<Record<string, string>>, key: string, fallback: boolean): boolean {
  const text = options[key];
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw invalidOption(`invalid value '${text}' for option '${key}': expected 'true' or 'false'`, `Write '${key}' = 'true' or '${key}' = 'false'.`);
}

/**
 * A one-character option ('csv.field-delimiter'): a single character, or `\t`
 * written as backslash and t (as Flink accepts it), or `\uXXXX`.
 */
export function charOption(options: Readonly<Record<string, string>>, key: string, fallback: string | undefined): string | undefined {
  const text = options[key];
  if (text === undefined) return fallback;
  let c = text;
  if (text === '\\t') c = '\t';
  else if (/^\\u[0-9a-fA-F]{4}$/.test(text)) c = String.fromCharCode(parseInt(text.slice(2), 16));
  if (c.length !== 1) {
    throw invalidOption(`invalid value '${text}' for option '${key}': expected a single character`, `Write a tab as '\\t' and other characters as '\\uXXXX'.`);
  }
  if (c === '\n' || c === '\r') throw invalidOption(`invalid value for option '${key}': a line break cannot be used`, 'Rows are lines: choose another character.');
  return c;
}
