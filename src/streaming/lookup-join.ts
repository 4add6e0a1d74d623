/**
 * Processing-time temporal join / lookup join:
 * `FROM o [LEFT] JOIN r FOR SYSTEM_TIME AS OF o.proctime AS r ON o.k = r.k`.
 * Input 0 is the probe side (left), input 1 the lookup table (right), read
 * as a changelog of its current rows. Each left row joins the rows the right
 * table holds when the left row is processed, by the equality key of the
 * condition; the result is never revised when the table changes afterwards.
 * Output rows are the left columns followed by the right columns.
 *
 * State: `lookup`: encoded equality key -> the right rows with that key (for
 * a key that is the table's primary key, at most one: a point lookup by the
 * key); `emitted` (only when the left input can retract): encoded left row
 * -> for each occurrence of that row, the rows emitted for it, so that its
 * retraction takes back exactly those, whatever the table holds by then.
 *
 * Rule per row kind, left side:
 * - +I / +U: joined with the current right rows of its key that pass the
 *   residual condition, +I for each; LEFT: +I (left, NULLs) when none does.
 *   A NULL key part joins nothing.
 * - -D / -U: -D for each row emitted for the latest occurrence of the equal
 *   left row (it must have been added: a retraction of a row never added is
 *   an internal error).
 * Right side: +I / +U add the row to its key, -U / -D take an equal row away;
 * nothing is emitted. Rows with a NULL key part are not kept.
 * Watermarks: the right side carries no event time here (see
 * `probeSideTime`); the operator has no watermark hook.
 * Output: insert-only over an insert-only left input, else +I and -D.
 *
 * Key groups (key-groups.ts): a row's key group is that of its encoded
 * equality key (NULL parts included), on both sides, so a left row meets the
 * right rows of its key in one instance. Every state key starts with that
 * group's byte: `lookup` keys with the equality key's group, `emitted` keys
 * (a left row) with the group of the left row's equality key.
 */
import { typesEqual, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { InternalError, SqlError, SqlState } from '../errors.ts';
import { compareKeys, encodeKey } from '../values/key-codec.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import type { StateTable } from './state-table.ts';
import type { Port } from './dataflow.ts';
import type { SourcePosition, StreamSource } from './stream-sources.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateRow, type StateProvider } from './state-provider.ts';
import { ALL_KEY_GROUPS, inKeyGroup, keyGroupOf, scanKeyGroups, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';

export interface LookupJoinSpec {
  readonly joinType: 'INNER' | 'LEFT';
  readonly leftKeys: readonly EvalFn[];
  /** The right side's key expressions, cast to the left key types. */
  readonly rightKeys: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  /** Residual predicate over left ++ right columns, or undefined. */
  readonly condition: EvalFn | undefined;
  /** Whether the left input can retract (then emitted rows are remembered per left row). */
  readonly leftRetracts: boolean;
  readonly leftTypes: readonly SqlType[];
  readonly rightTypes: readonly SqlType[];
}

export interface LookupJoinState {
  readonly lookup: StateTable<Row[]>;
  readonly emitted: StateTable<Row[][]>;
  /** The key groups the instance owns (absent: all). */
  readonly keyGroups?: KeyGroupRange;
}

/** Rows at a checkpoint (a key's right rows). */
export const lookupRowsCodec: StateCodec<Row[]> = {
  encode: (rows) => encodeStateValue(rows),
  decode: (bytes) => stateArray(decodeStateValue(bytes), 'lookup join rows').map((r) => stateRow(r, 'lookup join row')),
};

/** Per occurrence of a left row, the rows emitted for it. */
export const emittedCodec: StateCodec<Row[][]> = {
  encode: (occurrences) => encodeStateValue(occurrences),
  decode: (bytes) =>
    stateArray(decodeStateValue(bytes), 'lookup join emitted rows').map((o) =>
      stateArray(o, 'lookup join occurrence').map((r) => stateRow(r, 'lookup join emitted row')),
    ),
};

/** The lookup join's tables from `state`: roles `lookup`, `emitted`; and the key groups it owns. */
export function lookupJoinStateTables(state: StateProvider): LookupJoinState {
  return { lookup: state.table('lookup', lookupRowsCodec), emitted: state.table('emitted', emittedCodec), keyGroups: ownedKeyGroups(state) };
}

const LEFT = 0;
const RIGHT = 1;

export class LookupJoin implements KeyedOperator {
  readonly #spec: LookupJoinSpec;
  readonly #lookup: StateTable<Row[]>;
  readonly #emitted: StateTable<Row[][]>;
  readonly #keyGroups: KeyGroupRange;
  readonly #keyScratch: Value[];
  /** The key group of the key `#key` encoded last. */
  #group = 0;
  readonly #rightNulls: Row;
  readonly #out = new ChangelogBuilder();
  /** Rows emitted for the current left row (reused; copied only when the left input retracts). */
  readonly #current: Row[] = [];

  constructor(spec: LookupJoinSpec, state?: LookupJoinState) {
    this.#spec = spec;
    const tables = state ?? lookupJoinStateTables(memoryStateProvider);
    this.#lookup = tables.lookup;
    this.#emitted = tables.emitted;
    this.#keyGroups = tables.keyGroups ?? ALL_KEY_GROUPS;
    this.#keyScratch = new Array<Value>(spec.keyTypes.length).fill(null);
    this.#rightNulls = new Array<Value>(spec.rightTypes.length).fill(null);
  }

  /** Right rows held plus remembered left occurrences (for tests: it scans the state). */
  get stateSize(): number {
    let n = 0;
    for (const [, , rows] of scanKeyGroups(this.#lookup, this.#keyGroups)) n += rows.length;
    for (const [, , occurrences] of scanKeyGroups(this.#emitted, this.#keyGroups)) n += occurrences.length;
    return n;
  }

  /** The key group of the row's equality key (NULL parts included). */
  keyGroupOf(input: number, row: Row): number {
    const keys = input === LEFT ? this.#spec.leftKeys : this.#spec.rightKeys;
    for (let k = 0; k < keys.length; k++) this.#keyScratch[k] = keys[k]!(row);
    return keyGroupOf(encodeKey(this.#keyScratch, this.#spec.keyTypes));
  }

  push(input: number, chunk: Chunk): Chunk[] {
    try {
      if (input === LEFT) this.#pushLeft(chunk);
      else if (input === RIGHT) this.#pushRight(chunk);
      else throw new InternalError(`lookup join has two inputs, got input ${input}`);
    } catch (err) {
      this.#out.discard();
      throw err;
    }
    return this.#out.take();
  }

  /**
   * The state key of `row` by `keys` (its key group's byte, then the encoded
   * key), or undefined when a part is NULL; `#group` is then set all the same.
   */
  #key(row: Row, keys: readonly EvalFn[]): Uint8Array | undefined {
    let keyed = true;
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k]!(row);
      if (v === null) keyed = false;
      this.#keyScratch[k] = v;
    }
    const encoded = encodeKey(this.#keyScratch, this.#spec.keyTypes);
    const group = (this.#group = keyGroupOf(encoded));
    return keyed ? inKeyGroup(group, encoded) : undefined;
  }

  #pushRight(chunk: Chunk): void {
    const rows = chunk.rows;
    const types = this.#spec.rightTypes;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const key = this.#key(row, this.#spec.rightKeys);
      if (key === undefined) continue;
      const held = this.#lookup.get(key);
      if (isAddition(kindAt(chunk, i))) {
        if (held === undefined) this.#lookup.put(key, [row]);
        else {
          held.push(row);
          this.#lookup.put(key, held);
        }
        continue;
      }
      const want = encodeKey(row, types);
      const at = held === undefined ? -1 : held.findIndex((r) => compareKeys(encodeKey(r, types), want) === 0);
      if (held === undefined || at < 0) throw new InternalError('lookup join: retraction of a right row that was never added');
      held.splice(at, 1);
      if (held.length === 0) this.#lookup.delete(key);
      else this.#lookup.put(key, held);
    }
  }

  #pushLeft(chunk: Chunk): void {
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      if (isAddition(kindAt(chunk, i))) this.#probe(rows[i]!);
      else this.#retract(rows[i]!);
    }
  }

  #probe(row: Row): void {
    const { condition, joinType, leftRetracts } = this.#spec;
    const current = this.#current;
    current.length = 0;
    const key = this.#key(row, this.#spec.leftKeys);
    const partners = key === undefined ? undefined : this.#lookup.get(key);
    if (partners !== undefined) {
      for (let j = 0; j < partners.length; j++) {
        const joined = row.concat(partners[j]!);
        if (condition !== undefined && condition(joined) !== true) continue;
        current.push(joined);
      }
    }
    if (current.length === 0 && joinType === 'LEFT') current.push(row.concat(this.#rightNulls));
    for (let j = 0; j < current.length; j++) this.#out.emit(RowKind.INSERT, current[j]!);
    if (!leftRetracts) return;
    const lk = inKeyGroup(this.#group, encodeKey(row, this.#spec.leftTypes));
    const occurrences = this.#emitted.get(lk);
    if (occurrences === undefined) this.#emitted.put(lk, [current.slice()]);
    else {
      occurrences.push(current.slice());
      this.#emitted.put(lk, occurrences);
    }
  }

  #retract(row: Row): void {
    if (!this.#spec.leftRetracts) throw new InternalError('lookup join received a left retraction from an insert-only input');
    this.#key(row, this.#spec.leftKeys);
    const lk = inKeyGroup(this.#group, encodeKey(row, this.#spec.leftTypes));
    const occurrences = this.#emitted.get(lk);
    const last = occurrences?.pop();
    if (occurrences === undefined || last === undefined) throw new InternalError('lookup join: retraction of a left row that was never added');
    for (let j = 0; j < last.length; j++) this.#out.emit(RowKind.DELETE, last[j]!);
    if (occurrences.length === 0) this.#emitted.delete(lk);
    else this.#emitted.put(lk, occurrences);
  }
}

/**
 * Between the lookup side's stage and the join: the lookup table's rows carry
 * no event time for this join, so the side counts as idle from the start
 * (left out of the merged minimum) and its watermarks and idleness are
 * dropped: the join's watermark is the probe side's, and holds while the
 * probe side is idle.
 */
export function probeSideTime(port: Port): Port {
  port.idle(true);
  return {
    chunk: (c) => port.chunk(c),
    watermark: () => {},
    end: () => port.end(),
    idle: () => {},
    barrier: (id) => port.barrier(id),
  };
}

/**
 * Starts the probe side's sources only once every source of the lookup side
 * has delivered the rows its table held at the start (or stopped), so that
 * the first probe rows see the whole table, as a lookup into it would.
 * Replaces the entries of `sources` in the ranges given.
 */
export function lookupBeforeProbe(
  sources: { source: StreamSource; port: Port }[],
  probe: { readonly from: number; readonly to: number },
  lookup: { readonly from: number; readonly to: number },
): void {
  let behind = lookup.to - lookup.from;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  if (behind === 0) open();
  for (let i = lookup.from; i < lookup.to; i++) {
    const inner = sources[i]!.source;
    let done = false;
    const caughtUp = (): void => {
      if (done) return;
      done = true;
      if (--behind === 0) open();
    };
    sources[i] = {
      port: sources[i]!.port,
      source: {
        position: () => inner.position(),
        ...(inner.committed === undefined ? {} : { committed: (p: SourcePosition) => inner.committed!(p) }),
        run: (port, cx) =>
          inner
            .run(port, {
              ...cx,
              caughtUp: () => {
                cx.caughtUp();
                caughtUp();
              },
            })
            .finally(caughtUp),
      },
    };
  }
  for (let i = probe.from; i < probe.to; i++) {
    const inner = sources[i]!.source;
    sources[i] = {
      port: sources[i]!.port,
      source: {
        position: () => inner.position(),
        ...(inner.committed === undefined ? {} : { committed: (p: SourcePosition) => inner.committed!(p) }),
        run: async (port, cx) => {
          await opened;
          if (cx.signal.aborted) return;
          await inner.run(port, cx);
        },
      },
    };
  }
}

/** The operator of a processing-time temporal join (`leftRetracts`: the left input's changelog mode is retract). */
export function lookupJoinOf(node: JoinNode, env: ExecEnv, leftRetracts: boolean, state: StateProvider = memoryStateProvider): LookupJoin {
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `FOR SYSTEM_TIME AS OF is not supported in a ${node.joinType} join`);
  }
  if (node.equiKeys.length === 0) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'a processing-time temporal join needs an equality between the two sides');
  }
  const rightKeys = node.equiKeys.map((k): BoundExpr =>
    typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false },
  );
  return new LookupJoin(
    {
      joinType: node.joinType,
      leftKeys: node.equiKeys.map((k) => compileExpr(k.left, env)),
      rightKeys: rightKeys.map((e) => compileExpr(e, env)),
      keyTypes: node.equiKeys.map((k) => k.left.type),
      condition: node.condition === undefined ? undefined : compileExpr(node.condition, env),
      leftRetracts,
      leftTypes: node.left.schema.map((c) => c.type),
      rightTypes: node.right.schema.map((c) => c.type),
    },
    lookupJoinStateTables(state),
  );
}
