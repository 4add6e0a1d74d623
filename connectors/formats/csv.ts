/**
 * Flink's 'csv' format: one row per line, fields separated by
 * 'csv.field-delimiter', RFC 4180 quoting within the line.
 *
 * Options (all optional):
 * - 'csv.field-delimiter' (`,`), 'csv.quote-character' (`"`),
 *   'csv.disable-quote-character' (false), 'csv.escape-character' (none):
 *   inside or outside quotes the escape character takes the next character
 *   literally; inside quotes a doubled quote is one quote;
 * - 'csv.allow-comments' (false): lines starting with `#` are skipped;
 * - 'csv.ignore-parse-errors' (false): the reader skips lines it cannot read;
 * - 'csv.null-literal' (none): an unquoted field written exactly as it (escape
 *   characters included: `\N` with escape character `\`) is NULL;
 * - 'csv.array-element-delimiter' (`;`): separates the elements of an ARRAY field.
 *
 * NULL and empty strings (the choice for string columns): an unquoted empty
 * field is NULL for every type, a quoted empty field `""` is the empty string
 * (or empty BYTES, or the empty ARRAY), as in PostgreSQL's COPY ... CSV. With
 * 'csv.null-literal' set, the literal (unquoted) is NULL and an unquoted empty
 * field is the empty value of string, BYTES and ARRAY columns (still NULL for
 * other types). The writer writes NULL as the literal (or nothing) and quotes
 * an empty value, so reading gives the row back; with
 * 'csv.disable-quote-character' only a null literal tells NULL from empty.
 *
 * ARRAY fields: an empty field `""` is the empty array (so an array of one
 * NULL without a null literal reads back as the empty array).
 *
 * A line must hold exactly one field per physical column; values are read
 * as scalar-text.ts describes. The writer quotes a field when it holds the
 * delimiter, the quote or escape character, a line break, when it is the
 * empty string or the null literal, and the first field when it starts with
 * `#` and comments are allowed. A value with a line break is written quoted
 * (as Flink does) but a line-oriented reader cannot read it back.
 */
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { isCharacter, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import { booleanOption, charOption, checkFormatOptions, invalidOption } from './format-options.ts';
import type { LineRowFormat } from './index.ts';
import { FormatError } from './row-format.ts';
import { textDecoder, textEncoder, type TextDecode, type TextEncode } from './scalar-text.ts';

export const CSV_OPTIONS = [
  'csv.field-delimiter',
  'csv.quote-character',
  'csv.disable-quote-character',
  'csv.escape-character',
  'csv.allow-comments',
  'csv.ignore-parse-errors',
  'csv.null-literal',
  'csv.array-element-delimiter',
] as const;

interface CsvConfig {
  readonly delimiter: string;
  readonly quote: string | undefined;
  readonly escape: string | undefined;
  readonly allowComments: boolean;
  readonly nullLiteral: string | undefined;
  readonly arrayDelimiter: string;
}

function csvConfig(options: Readonly<Record<string, string>>): CsvConfig & { ignoreParseErrors: boolean } {
  checkFormatOptions('csv', CSV_OPTIONS, options);
  const delimiter = charOption(options, 'csv.field-delimiter', ',')!;
  const disableQuote = booleanOption(options, 'csv.disable-quote-character', false);
  if (disableQuote && options['csv.quote-character'] !== undefined) {
    throw invalidOption("options 'csv.quote-character' and 'csv.disable-quote-character' cannot both be set", 'Remove one of them.');
  }
  const quote = disableQuote ? undefined : charOption(options, 'csv.quote-character', '"');
  const escape = charOption(options, 'csv.escape-character', undefined);
  if (quote === delimiter || escape === delimiter || (escape !== undefined && escape === quote)) {
    throw invalidOption('the csv field delimiter, quote character and escape character must differ', "Defaults: 'csv.field-delimiter' ',', 'csv.quote-character' '\"', no escape character.");
  }
  const arrayDelimiter = options['csv.array-element-delimiter'] ?? ';';
  if (arrayDelimiter.length === 0) {
    throw invalidOption("invalid value '' for option 'csv.array-element-delimiter': expected a non-empty text", "The default is ';'.");
  }
  return {
    delimiter,
    quote,
    escape,
    allowComments: booleanOption(options, 'csv.allow-comments', false),
    ignoreParseErrors: booleanOption(options, 'csv.ignore-parse-errors', false),
    nullLiteral: options['csv.null-literal'],
    arrayDelimiter,
  };
}

export function csvFormat(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): LineRowFormat {
  const config = csvConfig(options);
  const n = columns.length;
  const decoders: TextDecode[] = columns.map((c) => fieldDecoder(c.type, config));
  const encoders: TextEncode[] = columns.map((c) => fieldEncoder(c.type, config));
  /** Empty values of the columns whose type has one (read from an unquoted empty field when a null literal is set). */
  const emptyValue: (() => Value)[] = columns.map((c) => emptyOf(c.type));
  const fields: string[] = [];
  /** Per field: its text as written when unquoted (escapes kept), undefined when quoted. */
  const raw: (string | undefined)[] = [];

  return {
    name: 'csv',
    extension: 'csv',
    ignoreParseErrors: config.ignoreParseErrors,
    skips(line) {
      return (config.allowComments && line.charCodeAt(0) === 35) || line.trim().length === 0;
    },
    decode(line) {
      const count = splitFields(line, config, fields, raw);
      if (count !== n) throw new FormatError(`expected ${n} field${n === 1 ? '' : 's'}, found ${count}`);
      const row: Row = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const text = fields[i]!;
        const column = columns[i]!;
        let value: Value;
        const unquoted = raw[i];
        if (unquoted !== undefined && unquoted === config.nullLiteral) value = null;
        else if (unquoted !== undefined && unquoted.length === 0) value = config.nullLiteral !== undefined ? emptyValue[i]!() : null;
        else {
          try {
            value = decoders[i]!(text);
          } catch (err) {
            if (err instanceof FormatError) throw new FormatError(`column "${column.name}": ${err.message}`);
            throw err;
          }
        }
        if (value === null && !column.nullable) throw new FormatError(`column "${column.name}": NULL in a NOT NULL column`);
        row[i] = value;
      }
      return row;
    },
    encode(row) {
      let line = '';
      for (let i = 0; i < n; i++) {
        if (i > 0) line += config.delimiter;
        const v = row[i] ?? null;
        if (v === null) {
          line += config.nullLiteral ?? '';
          continue;
        }
        const text = encoders[i]!(v);
        const comment = i === 0 && config.allowComments && text.charCodeAt(0) === 35;
        const quote = comment || text.length === 0 || text === config.nullLiteral || needsQuoting(text, config);
        line += quote ? quoteField(text, config, comment) : text;
      }
      return line;
    },
  };
}

function emptyOf(type: SqlType): () => Value {
  if (isCharacter(type)) return () => '';
  if (type.kind === 'ARRAY') return () => [];
  if (type.kind === 'BYTES') return () => new Uint8Array(0);
  return () => null;
}

/** Splits `line` into `fields` (and `raw`: see csvFormat); returns the field count. */
function splitFields(line: string, config: CsvConfig, fields: string[], raw: (string | undefined)[]): number {
  const { delimiter, quote, escape } = config;
  let count = 0;
  let i = 0;
  const len = line.length;
  for (;;) {
    let text = '';
    let rawText: string | undefined;
    if (quote !== undefined && line[i] === quote) {
      i++;
      for (;;) {
        if (i >= len) throw new FormatError(`field ${count + 1}: unterminated quoted field`);
        const c = line[i]!;
        if (c === escape) {
          if (i + 1 >= len) throw new FormatError(`field ${count + 1}: escape character at the end of the line`);
          text += line[i + 1];
          i += 2;
        } else if (c === quote) {
          if (line[i + 1] === quote) {
            text += quote;
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          text += c;
          i++;
        }
      }
      if (i < len && line[i] !== delimiter) {
        throw new FormatError(`field ${count + 1}: unexpected character '${line[i]}' after the closing quote`);
      }
    } else {
      const start = i;
      let plain = true;
      while (i < len) {
        const c = line[i]!;
        if (c === delimiter) break;
        if (c === escape) {
          if (plain) {
            text = line.slice(start, i);
            plain = false;
          }
          if (i + 1 >= len) throw new FormatError(`field ${count + 1}: escape character at the end of the line`);
          text += line[i + 1];
          i += 2;
          continue;
        }
        if (!plain) text += c;
        i++;
      }
      rawText = line.slice(start, i);
      if (plain) text = rawText;
    }
    fields[count] = text;
    raw[count] = rawText;
    count++;
    if (i >= len) return count;
    i++; // the delimiter
  }
}

function needsQuoting(text: string, config: CsvConfig): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === config.delimiter || c === config.quote || c === config.escape || c === '\n' || c === '\r') return true;
  }
  return false;
}

/** `text` quoted (or, without a quote character, escaped); `comment`: it starts a line with `#`. */
function quoteField(text: string, config: CsvConfig, comment: boolean): string {
  const { quote, escape } = config;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined && c === quote) out += quote + quote;
    else if (c === escape) out += escape + c;
    else if (quote === undefined && escape !== undefined && (c === config.delimiter || c === '\n' || c === '\r')) out += escape + c;
    else out += c;
  }
  if (quote !== undefined) return quote + out + quote;
  // No quoting: a value written like the null literal, or a first field that would read as a
  // comment, is told apart by escaping its first character.
  if (escape !== undefined && out.length > 0 && (comment || out === config.nullLiteral)) return escape + out;
  return out;
}

/** ARRAY fields hold their elements separated by 'csv.array-element-delimiter'; an empty element is NULL. */
function fieldDecoder(type: SqlType, config: CsvConfig): TextDecode {
  if (type.kind !== 'ARRAY') return textDecoder(type);
  const element = textDecoder(type.element);
  return (text) => {
    if (text.length === 0) return [];
    const parts = text.split(config.arrayDelimiter);
    const out: Value[] = new Array<Value>(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      out[i] = p.length === 0 || p === config.nullLiteral ? null : element(p);
    }
    return out;
  };
}

function fieldEncoder(type: SqlType, config: CsvConfig): TextEncode {
  if (type.kind !== 'ARRAY') return textEncoder(type, 'SQL');
  const element = textEncoder(type.element, 'SQL');
  return (v) => {
    const values = v as readonly Value[];
    let out = '';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) out += config.arrayDelimiter;
      const e = values[i] ?? null;
      out += e === null ? (config.nullLiteral ?? '') : element(e);
    }
    return out;
  };
}
