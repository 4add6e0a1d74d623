/**
 * Incremental equi-join (regular join over two changelogs): INNER and LEFT
 * OUTER. Input 0 is the left side, input 1 the right side. Output rows are the
 * left columns followed by the right columns.
 *
 * State, one state table per side: encoded join key -> the side's rows with
 * that key, each as { row, count } (equal rows share an entry), plus, on the
 * left side of a LEFT join, `matches`: how many right rows (with multiplicity)
 * currently join with the entry. Keys compare with SQL `=`: a key with a NULL
 * part is stored (so it can be retracted) but joins with nothing. A residual
 * `condition` (the non-equi conjuncts) must be TRUE for a pair to join.
 *
 * Rule per row kind. Additions (+I, +U) emit +I for every pair they create;
 * retractions (-U, -D) emit -D for every pair they remove (update pairs of
 * the input become retract/insert changes of the output: one input row may
 * join with any number of rows). Retracting a row the side does not hold is a
 * broken changelog: internal error. LEFT join, on top:
 * - a left row with no match emits +I (left, NULLs) on arrival, -D of it on
 *   retraction;
 * - a right row that gives a left row its first match retracts the padded row
 *   (-D (left, NULLs)) before +I (left, right);
 * - retracting a left row's last match emits -D (left, right) and then
 *   re-emits +I (left, NULLs).
 * - watermark: forwarded unchanged (no `watermark` hook; state is kept until
 *   its rows are retracted, state TTL is later work).
 */
import { typesEqual, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { InternalError, notSupported } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { rowsEqual } from '../values/compare.ts';
import { ChangelogBuilder, isAddition, kindAt, type IncrementalOperator } from './changelog.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';

export interface JoinSideSpec {
  readonly keys: readonly EvalFn[];
  /** The side's column types (for row equality in state). */
  readonly types: readonly SqlType[];
}

export interface IncrementalJoinSpec {
  readonly joinType: 'INNER' | 'LEFT';
  readonly left: JoinSideSpec;
  readonly right: JoinSideSpec;
  /** Types of the join keys (both sides' key expressions have these types). */
  readonly keyTypes: readonly SqlType[];
  /** Residual predicate over left ++ right columns, or undefined. */
  readonly condition: EvalFn | undefined;
}

export interface JoinEntry {
  readonly row: Row;
  count: number;
  matches: number;
}

export type JoinBucket = JoinEntry[];

export interface JoinStateTables {
  readonly left: StateTable<JoinBucket>;
  readonly right: StateTable<JoinBucket>;
}

const LEFT = 0;
const RIGHT = 1;

export class IncrementalJoin implements IncrementalOperator {
  readonly #spec: IncrementalJoinSpec;
  readonly #state: readonly [StateTable<JoinBucket>, StateTable<JoinBucket>];
  readonly #keyScratch: Value[];
  readonly #rightNulls: Row;
  readonly #out = new ChangelogBuilder();

  constructor(spec: IncrementalJoinSpec, state?: JoinStateTables) {
    this.#spec = spec;
    this.#state = [state?.left ?? new MemoryStateTable<JoinBucket>(), state?.right ?? new MemoryStateTable<JoinBucket>()];
    this.#keyScratch = new Array<Value>(spec.keyTypes.length).fill(null);
    this.#rightNulls = new Array<Value>(spec.right.types.length).fill(null);
  }

  push(input: number, chunk: Chunk): Chunk[] {
    if (input !== LEFT && input !== RIGHT) throw new InternalError(`join has two inputs, got input ${input}`);
    try {
      this.#apply(input, chunk);
    } catch (err) {
      this.#out.discard();
      throw err;
    }
    return this.#out.take();
  }

  #apply(input: 0 | 1, chunk: Chunk): void {
    const side = input === LEFT ? this.#spec.left : this.#spec.right;
    const own = this.#state[input]!;
    const other = this.#state[1 - input]!;
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      let joinable = true;
      for (let k = 0; k < side.keys.length; k++) {
        const v = side.keys[k]!(row);
        this.#keyScratch[k] = v;
        if (v === null) joinable = false;
      }
      const key = encodeKey(this.#keyScratch, this.#spec.keyTypes);
      const add = isAddition(kindAt(chunk, i));
      const entry = this.#update(own, key, row, side.types, add);
      const partners = joinable ? other.get(key) : undefined;
      if (input === LEFT) this.#leftChanged(entry, add, partners);
      else this.#rightChanged(row, add, partners);
      if (partners !== undefined && input === RIGHT && this.#spec.joinType === 'LEFT') other.put(key, partners);
    }
  }

  /** Adds or removes one copy of `row` in its bucket; returns its entry. */
  #update(table: StateTable<JoinBucket>, key: Uint8Array, row: Row, types: readonly SqlType[], add: boolean): JoinEntry {
    let bucket = table.get(key);
    let index = -1;
    if (bucket !== undefined) {
      for (let j = 0; j < bucket.length; j++) {
        if (rowsEqual(bucket[j]!.row, row, types)) {
          index = j;
          break;
        }
      }
    }
    if (add) {
      if (index >= 0) {
        const e = bucket![index]!;
        e.count++;
        table.put(key, bucket!);
        return e;
      }
      const e: JoinEntry = { row, count: 1, matches: 0 };
      if (bucket === undefined) bucket = [];
      bucket.push(e);
      table.put(key, bucket);
      return e;
    }
    if (index < 0) throw new InternalError('join received a retraction of a row it does not hold');
    const e = bucket![index]!;
    e.count--;
    if (e.count === 0) bucket!.splice(index, 1);
    if (bucket!.length === 0) table.delete(key);
    else table.put(key, bucket!);
    return e;
  }

  #leftChanged(entry: JoinEntry, add: boolean, partners: JoinBucket | undefined): void {
    const out = this.#out;
    const kind = add ? RowKind.INSERT : RowKind.DELETE;
    const l = entry.row;
    let matches = 0;
    if (partners !== undefined) {
      for (const r of partners) {
        const joined = this.#joined(l, r.row);
        if (joined === null) continue;
        matches += r.count;
        for (let c = 0; c < r.count; c++) out.emit(kind, c === 0 ? joined : joined.slice());
      }
    }
    if (this.#spec.joinType === 'LEFT') {
      entry.matches = matches;
      if (matches === 0) out.emit(kind, this.#padded(l));
    }
  }

  #rightChanged(r: Row, add: boolean, partners: JoinBucket | undefined): void {
    if (partners === undefined) return;
    const out = this.#out;
    const outer = this.#spec.joinType === 'LEFT';
    for (const l of partners) {
      const joined = this.#joined(l.row, r);
      if (joined === null) continue;
      if (add) {
        if (outer && l.matches++ === 0) for (let c = 0; c < l.count; c++) out.emit(RowKind.DELETE, this.#padded(l.row));
        for (let c = 0; c < l.count; c++) out.emit(RowKind.INSERT, c === 0 ? joined : joined.slice());
      } else {
        for (let c = 0; c < l.count; c++) out.emit(RowKind.DELETE, c === 0 ? joined : joined.slice());
        if (outer && --l.matches === 0) for (let c = 0; c < l.count; c++) out.emit(RowKind.INSERT, this.#padded(l.row));
      }
    }
  }

  /** left ++ right when the residual condition holds, else null. */
  #joined(l: Row, r: Row): Row | null {
    const row = l.concat(r);
    const cond = this.#spec.condition;
    return cond === undefined || cond(row) === true ? row : null;
  }

  #padded(l: Row): Row {
    return l.concat(this.#rightNulls);
  }
}

/** The join of a logical plan node: INNER or LEFT with at least one equi-key (no subqueries). */
export function incrementalJoinOf(node: JoinNode, env: ExecEnv, state?: JoinStateTables): IncrementalJoin {
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') throw notSupported(`${node.joinType} JOIN over changing inputs`);
  if (node.equiKeys.length === 0) throw notSupported('a join over changing inputs without an equality condition', undefined, 'Join on at least one column equality, e.g. ON a.id = b.id.');
  // Keys encode under the left key's type; a right key of another type is cast to it (as in the batch join).
  const keyTypes = node.equiKeys.map((k) => k.left.type);
  const rightKeys = node.equiKeys.map((k): BoundExpr =>
    typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false },
  );
  return new IncrementalJoin(
    {
      joinType: node.joinType,
      left: { keys: node.equiKeys.map((k) => compileExpr(k.left, env)), types: node.left.schema.map((c) => c.type) },
      right: { keys: rightKeys.map((e) => compileExpr(e, env)), types: node.right.schema.map((c) => c.type) },
      keyTypes,
      condition: node.condition === undefined ? undefined : compileExpr(node.condition, env),
    },
    state,
  );
}
