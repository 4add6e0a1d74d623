/**
 * Incremental filter (WHERE over a changelog). Stateless.
 *
 * Rule per row kind, with p(row) = "predicate is TRUE" (NULL and FALSE drop):
 * - +I, -D: kept with their kind when p holds, dropped otherwise.
 * - update pair (-U old, +U new, adjacent in the chunk):
 *     p(old) and p(new)  -> -U old, +U new
 *     p(old) only        -> -D old
 *     p(new) only        -> +I new
 *     neither            -> nothing
 * - a lone -U (its +U not next to it) reads as -D, a lone +U as +I.
 * - watermark: forwarded unchanged (no `watermark` hook).
 */
import type { Row } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { FilterNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { ChangelogBuilder, kindAt, type IncrementalOperator } from './changelog.ts';

export class IncrementalFilter implements IncrementalOperator {
  readonly #predicate: EvalFn;
  readonly #out = new ChangelogBuilder();

  constructor(predicate: EvalFn) {
    this.#predicate = predicate;
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    try {
      return this.#filter(chunk);
    } catch (err) {
      this.#out.discard();
      throw err;
    }
  }

  #filter(chunk: Chunk): Chunk[] {
    const p = this.#predicate;
    const rows = chunk.rows;
    const out = this.#out;
    if (chunk.kinds === null) {
      for (let i = 0; i < rows.length; i++) if (p(rows[i]!) === true) out.emit(RowKind.INSERT, rows[i]!);
      return out.take();
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kindAt(chunk, i);
      if (kind === RowKind.UPDATE_BEFORE && i + 1 < rows.length && kindAt(chunk, i + 1) === RowKind.UPDATE_AFTER) {
        const after: Row = rows[i + 1]!;
        const keepBefore = p(row) === true;
        const keepAfter = p(after) === true;
        if (keepBefore && keepAfter) out.update(row, after);
        else if (keepBefore) out.emit(RowKind.DELETE, row);
        else if (keepAfter) out.emit(RowKind.INSERT, after);
        i++;
        continue;
      }
      if (p(row) !== true) continue;
      if (kind === RowKind.UPDATE_BEFORE) out.emit(RowKind.DELETE, row);
      else if (kind === RowKind.UPDATE_AFTER) out.emit(RowKind.INSERT, row);
      else out.emit(kind, row);
    }
    return out.take();
  }
}

/** The filter of a logical plan node (expressions without subqueries). */
export function incrementalFilterOf(node: FilterNode, env: ExecEnv): IncrementalFilter {
  return new IncrementalFilter(compileExpr(node.predicate, env));
}
