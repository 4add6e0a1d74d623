/**
 * Incremental project (the SELECT list over a changelog). Stateless, one
 * output row per input row.
 *
 * Rule per row kind (Flink's Calc): every kind passes through unchanged, so
 * update pairs stay adjacent pairs. In the retract reading this is right
 * whatever the projection does to keys: -U/+U still retract one row and add
 * another. Whether the output is still an upsert stream on some key (it is not
 * when the key columns are projected away or rewritten) is a plan property
 * decided by src/planner/changelog-mode.ts, not here.
 * - watermark: forwarded unchanged (no `watermark` hook).
 */
import type { Row } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { ProjectNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import type { IncrementalOperator } from './changelog.ts';

export class IncrementalProject implements IncrementalOperator {
  readonly #exprs: readonly EvalFn[];

  constructor(exprs: readonly EvalFn[]) {
    this.#exprs = exprs;
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    const exprs = this.#exprs;
    const n = exprs.length;
    const rows = chunk.rows;
    const out: Row[] = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const r: Row = new Array(n);
      for (let c = 0; c < n; c++) r[c] = exprs[c]!(row);
      out[i] = r;
    }
    return [{ rows: out, kinds: chunk.kinds }];
  }
}

/** The projection of a logical plan node (expressions without subqueries). */
export function incrementalProjectOf(node: ProjectNode, env: ExecEnv): IncrementalProject {
  return new IncrementalProject(node.exprs.map((e) => compileExpr(e, env)));
}
