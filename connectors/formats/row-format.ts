/**
 * The contract of a row format (Flink's 'format' option: 'csv', 'json'): how
 * one row of a table's physical columns is read from and written to one line
 * of text. The filesystem source decodes lines; sinks encode rows.
 *
 * - `decode` gets one line without its line break and returns the row (one
 *   value per physical column, in order, typed as the column); it throws
 *   FormatError for a line it cannot read, and the caller applies the
 *   table's policy (fail, or skip and count with '<format>.ignore-parse-errors').
 * - `encode` returns one line without a line break; decode(encode(row))
 *   gives the row back.
 * - `rowFormat` (formats/index.ts) builds a format from the table's columns
 *   and WITH options, and throws SqlError 22023 for an unknown format or an
 *   option it does not understand, so a bad table is never created.
 */
import type { Row } from '../../catalog/types.ts';

export interface RowFormat {
  /** The 'format' option's value: 'csv', 'json'. */
  readonly name: string;
  /** File name extension for files written in this format, without the dot. */
  readonly extension: string;
  /** Whether the format skips lines it cannot read ('<format>.ignore-parse-errors' = 'true'). */
  readonly ignoreParseErrors: boolean;
  decode(line: string): Row;
  encode(row: Row): string;
}

/** A line a format cannot read: the message says what is wrong with it (the caller adds where). */
export class FormatError extends Error {}
