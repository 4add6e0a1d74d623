/**
 * Set-returning functions in FROM (generate_series, unnest, ...).
 * Without input: the function runs once and its rows are the output. Lateral
 * (with input): it runs once per input row, each output row being the input
 * row followed by the function's columns. WITH ORDINALITY appends the 1-based
 * position of the row within one call.
 * Row kinds: insert-only.
 */
import type { Row, Value } from '../../catalog/types.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';
import { throwIfAborted } from '../compiler/cancel.ts';

export interface TableFunctionSpec {
  readonly impl: (args: readonly Value[], ctx: EvalContext) => Iterable<Value[]>;
  readonly args: readonly EvalFn[];
  readonly prepare: PrepareFn | undefined;
  /** Null without ordinality; otherwise whether the ordinality column is BIGINT (bigint values). */
  readonly ordinality: null | { readonly bigint: boolean };
  readonly ctx: EvalContext;
  readonly signal: AbortSignal;
}

const NO_COLUMNS: Row = [];

export async function* tableFunctionOperator(spec: TableFunctionSpec, input: ChunkStream | undefined): ChunkStream {
  const out = new ChunkBuilder();
  if (input === undefined) {
    if (spec.prepare !== undefined) await spec.prepare([NO_COLUMNS]);
    for (const row of expand(spec, NO_COLUMNS, out)) {
      if (row) yield out.take();
    }
  } else {
    for await (const chunk of input) {
      assertInsertOnly(chunk, 'table function');
      if (spec.prepare !== undefined) await spec.prepare(chunk.rows);
      for (const inRow of chunk.rows) {
        for (const full of expand(spec, inRow, out)) {
          if (full) yield out.take();
        }
      }
    }
  }
  if (out.length > 0) yield out.take();
}

/** Pushes the function's rows for one input row into `out`; yields true whenever `out` is full. */
function* expand(spec: TableFunctionSpec, inRow: Row, out: ChunkBuilder): Generator<boolean> {
  const n = spec.args.length;
  const args: Value[] = new Array(n);
  for (let i = 0; i < n; i++) args[i] = spec.args[i]!(inRow);
  const width = inRow.length;
  let ordinal = 0;
  for (const fnRow of spec.impl(args, spec.ctx)) {
    ordinal++;
    const row: Row = new Array(width + fnRow.length + (spec.ordinality === null ? 0 : 1));
    for (let i = 0; i < width; i++) row[i] = inRow[i] ?? null;
    for (let i = 0; i < fnRow.length; i++) row[width + i] = fnRow[i] ?? null;
    if (spec.ordinality !== null) row[row.length - 1] = spec.ordinality.bigint ? BigInt(ordinal) : ordinal;
    if (out.push(row)) {
      throwIfAborted(spec.signal);
      yield true;
    }
  }
}

type TableFunctionImpl = TableFunctionSpec['impl'];

export interface LockstepMember {
  readonly impl: TableFunctionImpl;
  readonly argc: number;
  readonly width: number;
}

/**
 * Several functions in lockstep (select-list set-returning functions, Postgres
 * 10+): the k-th row holds the k-th row of every function, NULLs for a
 * function already exhausted; rows continue until the last one ends. The
 * argument list is the members' arguments one after another.
 */
export function lockstepTableFunction(members: readonly LockstepMember[]): TableFunctionImpl {
  let total = 0;
  for (const m of members) total += m.width;
  return function* (args, ctx) {
    const iters: (Iterator<Value[]> | undefined)[] = [];
    let at = 0;
    for (const m of members) {
      iters.push(m.impl(args.slice(at, at + m.argc), ctx)[Symbol.iterator]());
      at += m.argc;
    }
    for (;;) {
      const row: Value[] = new Array<Value>(total).fill(null);
      let live = false;
      let col = 0;
      for (let k = 0; k < members.length; k++) {
        const it = iters[k];
        if (it !== undefined) {
          const step = it.next();
          if (step.done === true) iters[k] = undefined;
          else {
            live = true;
            const fnRow = step.value;
            for (let i = 0; i < fnRow.length; i++) row[col + i] = fnRow[i] ?? null;
          }
        }
        col += members[k]!.width;
      }
      if (!live) return;
      yield row;
    }
  };
}
