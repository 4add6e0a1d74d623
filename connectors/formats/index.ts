/**
 * Row formats by the 'format' option: `rowFormat(columns, options)` builds the
 * format of a table (its physical columns, its WITH options) and throws
 * SqlError 22023 for a missing or unknown format and for an option of the
 * format it does not understand, so a bad table is never created.
 *
 * The formats returned are LineRowFormats: beyond the RowFormat contract
 * (row-format.ts) they tell a line reader which lines hold no row at all
 * (blank lines; `#` comments with 'csv.allow-comments'): such lines are
 * neither rows nor errors.
 */
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { csvFormat } from './csv.ts';
import { FORMAT_NAMES, invalidOption } from './format-options.ts';
import { jsonFormat } from './json.ts';
import type { RowFormat } from './row-format.ts';

export { FormatError, type RowFormat } from './row-format.ts';

export interface LineRowFormat extends RowFormat {
  /** True for a line that holds no row (blank, or a comment): readers skip it without counting it. */
  skips(line: string): boolean;
}

export function rowFormat(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): LineRowFormat {
  const name = options['format'];
  if (name === undefined) {
    throw invalidOption("option 'format' is required", `Add 'format' = 'csv' or 'format' = 'json' to the WITH options.`);
  }
  switch (name.trim().toLowerCase()) {
    case 'csv':
      return csvFormat(columns, options);
    case 'json':
      return jsonFormat(columns, options);
    default:
      throw invalidOption(`unsupported format '${name}'`, `Supported formats: ${FORMAT_NAMES.join(', ')}.`);
  }
}
