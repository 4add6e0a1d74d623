/**
 * The `print` sink (Flink's): every row written becomes one line on the
 * server's standard output (or standard error), as Flink's print sink shows
 * it: its change kind and its values, `+I[apple, 3]`, `-U[apple, 3]`,
 * `+U[apple, 4]`, `-D[pear, 1]`, prefixed by `<print-identifier>> ` when
 * that option is set. NULL prints as `null`, booleans as `true` / `false`,
 * other values in their SQL text form (TIMESTAMP `2024-05-01 10:00:00.123`).
 *
 * Options: 'print-identifier' (a prefix), 'standard-error' ('true': write
 * to stderr; default 'false').
 *
 * Rows are printed as they are written, not at checkpoints: after a job
 * restarts from a checkpoint, what it printed since is printed again
 * (at-least-once, as in Flink). Every row kind is accepted.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import { ImmediateSinkWriter, type SinkConnector, type SinkContext } from '../../src/connectors/sink-connector.ts';
import { formatValue, type FormatContext } from '../../src/values/text-format.ts';
import { checkSinkOptions, sinkBooleanOption } from '../sink-options.ts';

const OPTIONS = ['print-identifier', 'standard-error'] as const;
const KIND_TEXT = ['+I', '-U', '+U', '-D'] as const;

/** Where printed lines go (the process's streams; tests pass their own). */
export interface PrintOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** One printed line for `row` of change kind `kind` (0..3, RowKind), without the line break. */
export function printLine(prefix: string, kind: number, row: Row, types: readonly SqlType[], ctx: FormatContext): string {
  let line = `${prefix}${KIND_TEXT[kind] ?? '+I'}[`;
  for (let i = 0; i < types.length; i++) {
    if (i > 0) line += ', ';
    const v = row[i] ?? null;
    const type = types[i]!;
    if (v === null) line += 'null';
    else if (type.kind === 'BOOLEAN') line += v ? 'true' : 'false';
    else line += formatValue(v, type, ctx);
  }
  return `${line}]`;
}

class PrintWriter extends ImmediateSinkWriter {
  readonly #out: { write(text: string): unknown };
  readonly #prefix: string;
  readonly #types: readonly SqlType[];
  readonly #ctx: FormatContext;

  constructor(out: { write(text: string): unknown }, prefix: string, types: readonly SqlType[], ctx: FormatContext) {
    super();
    this.#out = out;
    this.#prefix = prefix;
    this.#types = types;
    this.#ctx = ctx;
  }

  write(rows: readonly Row[], kinds: Uint8Array | null): void {
    if (rows.length === 0) return;
    let text = '';
    for (let i = 0; i < rows.length; i++) text += `${printLine(this.#prefix, kinds === null ? 0 : kinds[i]!, rows[i]!, this.#types, this.#ctx)}\n`;
    this.#out.write(text);
  }
}

/** A print sink writing to `output` (the server uses the process's stdout and stderr). */
export function printSinkTo(output: PrintOutput): SinkConnector {
  return {
    name: 'print',
    acceptsUpdates: true,
    validate(_columns, options) {
      checkSinkOptions('print', OPTIONS, options);
      sinkBooleanOption(options, 'standard-error', false);
    },
    open(columns, options, ctx: SinkContext) {
      const identifier = options['print-identifier'];
      const prefix = identifier === undefined || identifier === '' ? '' : `${identifier}> `;
      const out = sinkBooleanOption(options, 'standard-error', false) ? output.stderr : output.stdout;
      return new PrintWriter(out, prefix, columns.map((c) => c.type), { timeZone: ctx.timeZone });
    },
  };
}

export const printSink: SinkConnector = printSinkTo({
  stdout: { write: (text) => process.stdout.write(text) },
  stderr: { write: (text) => process.stderr.write(text) },
});
