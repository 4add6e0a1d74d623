/**
 * Joins: INNER, LEFT, RIGHT, FULL, SEMI, ANTI.
 *
 * The right input is materialised first. With equi-keys it is hashed on them
 * (rows with a NULL key never match, but still come out unmatched for
 * RIGHT/FULL); without equi-keys every right row is a candidate (nested loop).
 * The left input then streams: for each left row the candidates are tested
 * with the residual `condition` over left ++ right columns, evaluated on one
 * reused scratch row (copied only when emitted).
 * - INNER: left ++ right for each match; LEFT adds left ++ NULLs when none;
 *   RIGHT/FULL also emit NULLs ++ right for right rows never matched, at the end.
 * - SEMI: the left row once if any candidate matches; ANTI: if none.
 * Row kinds: insert-only.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import { KeyTable } from '../dataflow/key-table.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { CompiledExpr, EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

export interface JoinSpec {
  readonly joinType: JoinType;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly leftKeys: readonly EvalFn[];
  readonly rightKeys: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  readonly prepareLeftKeys: PrepareFn | undefined;
  readonly prepareRightKeys: PrepareFn | undefined;
  readonly condition: CompiledExpr | undefined;
}

interface Bucket {
  readonly key: Row;
  /** Indices into the materialised right rows. */
  readonly rows: number[];
}

export async function* joinOperator(spec: JoinSpec, left: ChunkStream, right: ChunkStream): ChunkStream {
  const { joinType, leftWidth, rightWidth } = spec;
  const nk = spec.leftKeys.length;
  const rights: Row[] = [];
  const table = new KeyTable<Bucket>(spec.keyTypes);
  const keyScratch: Value[] = new Array<Value>(nk).fill(null);

  for await (const chunk of right) {
    assertInsertOnly(chunk, 'join');
    if (spec.prepareRightKeys !== undefined) await spec.prepareRightKeys(chunk.rows);
    for (const row of chunk.rows) {
      const idx = rights.length;
      rights.push(row);
      if (nk === 0) continue;
      if (!evalKey(spec.rightKeys, row, keyScratch)) continue;
      const h = table.hash(keyScratch);
      const b = table.find(keyScratch, h);
      if (b !== undefined) b.rows.push(idx);
      else table.insert({ key: keyScratch.slice(), rows: [idx] }, h);
    }
  }

  const allRows: number[] = [];
  if (nk === 0) for (let i = 0; i < rights.length; i++) allRows.push(i);
  const matched = joinType === 'RIGHT' || joinType === 'FULL' ? new Uint8Array(rights.length) : null;
  const emitsPairs = joinType === 'INNER' || joinType === 'LEFT' || joinType === 'RIGHT' || joinType === 'FULL';
  const padsLeft = joinType === 'LEFT' || joinType === 'FULL';
  const cond = spec.condition;
  const combined: Row = new Array<Value>(leftWidth + rightWidth).fill(null);
  const out = new ChunkBuilder();

  for await (const chunk of left) {
    assertInsertOnly(chunk, 'join');
    if (spec.prepareLeftKeys !== undefined) await spec.prepareLeftKeys(chunk.rows);
    for (const lrow of chunk.rows) {
      let candidates: readonly number[] | undefined;
      if (nk === 0) candidates = allRows;
      else if (evalKey(spec.leftKeys, lrow, keyScratch)) candidates = table.find(keyScratch, table.hash(keyScratch))?.rows;
      let any = false;
      if (candidates !== undefined && candidates.length > 0) {
        for (let i = 0; i < leftWidth; i++) combined[i] = lrow[i] ?? null;
        for (let c = 0; c < candidates.length; c++) {
          const ri = candidates[c]!;
          const rrow = rights[ri]!;
          for (let i = 0; i < rightWidth; i++) combined[leftWidth + i] = rrow[i] ?? null;
          if (cond !== undefined) {
            if (cond.prepare !== undefined) await cond.prepare([combined]);
            if (cond.eval(combined) !== true) continue;
          }
          any = true;
          if (matched !== null) matched[ri] = 1;
          if (emitsPairs) {
            if (out.push(combined.slice())) yield out.take();
          } else {
            break;
          }
        }
      }
      if (joinType === 'SEMI' ? any : joinType === 'ANTI' ? !any : padsLeft && !any) {
        if (out.push(joinType === 'SEMI' || joinType === 'ANTI' ? lrow : padRight(lrow, leftWidth, rightWidth))) {
          yield out.take();
        }
      }
    }
  }

  if (matched !== null) {
    for (let ri = 0; ri < rights.length; ri++) {
      if (matched[ri] === 1) continue;
      const row: Row = new Array<Value>(leftWidth + rightWidth).fill(null);
      const rrow = rights[ri]!;
      for (let i = 0; i < rightWidth; i++) row[leftWidth + i] = rrow[i] ?? null;
      if (out.push(row)) yield out.take();
    }
  }
  if (out.length > 0) yield out.take();
}

/** Evaluates the key into `into`; false when a key value is NULL (such rows never match). */
function evalKey(keys: readonly EvalFn[], row: Row, into: Value[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const v = keys[i]!(row);
    if (v === null) return false;
    into[i] = v;
  }
  return true;
}

function padRight(lrow: Row, leftWidth: number, rightWidth: number): Row {
  const row: Row = new Array<Value>(leftWidth + rightWidth).fill(null);
  for (let i = 0; i < leftWidth; i++) row[i] = lrow[i] ?? null;
  return row;
}
