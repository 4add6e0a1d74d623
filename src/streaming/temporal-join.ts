/**
 * Event-time temporal join (Flink's versioned-table join):
 * `FROM o [LEFT] JOIN r FOR SYSTEM_TIME AS OF o.rowtime AS r ON o.k = r.pk`.
 * Input 0 is the probe side (left), input 1 the versioned table (right):
 * a changelog keyed by its PRIMARY KEY whose rows carry their own rowtime,
 * the time from which each version is valid. Each left row joins the version
 * of its key valid at the left row's time: the right row of that key with the
 * greatest rowtime <= the left time, unless that entry is a deletion. Output
 * rows are the left columns followed by the right columns.
 *
 * A left row is emitted when the merged watermark (the minimum of both
 * inputs) reaches its time: then every version that can be valid at it has
 * arrived. Results are final (append-only output, +I only) and are never
 * revised when the versioned table changes later.
 *
 * State: `probes`: encoded left time -> the left rows with that time still
 * waiting for the watermark, in arrival order; `versions`: encoded primary
 * key -> that key's versions [time, row or null for a deletion], ascending by
 * time; `cleanup`: encoded (version time, primary key) -> the primary key,
 * a timer per version: when the watermark passes it, the key's versions
 * older than the newest one at or before the watermark are dropped (they can
 * no longer be valid for any row still to come); a deletion that is the
 * newest such entry is dropped too.
 *
 * Rule per row kind, left (probe) side:
 * - +I / +U: kept in `probes` until the watermark reaches its time. A row at
 *   or behind the current watermark, or without a time, is late: dropped and
 *   counted in `lateRows` (the versions it needs may be gone).
 * - -D / -U: the row's result has not been emitted yet when its time is
 *   ahead of the watermark: the equal pending row is taken out of `probes`
 *   (it must be there: a retraction of a row never added is an internal
 *   error). At or behind the watermark the result was final already: the
 *   retraction is dropped and counted as late.
 * Right (versioned) side, read the upsert way:
 * - +I / +U: the version of its key from its rowtime on (replacing a version
 *   of the same key and time).
 * - -U directly followed by its +U: ignored (the +U carries the new version).
 * - -D, or a lone -U: a deletion of the key from the deleted row's rowtime.
 * - A row without a key or time is no version and is ignored. A version at or
 *   behind the watermark is still taken (rows still pending may use it) but
 *   pruned at once like the older ones.
 * - watermark(wm): pending left rows with time <= wm are joined, in time
 *   order (arrival order within a time), then the timers <= wm prune versions.
 *   INNER emits +I (left, version) when a version exists and the residual
 *   condition is TRUE; LEFT emits +I (left, NULLs) otherwise.
 *
 * Key groups (key-groups.ts): a row's key group is that of its encoded
 * primary key (left: the expressions equated with it; NULL parts included),
 * so a left row meets the versions of its key in one instance. Every state
 * key starts with that group's byte: `versions` keys are group + primary key,
 * `probes` keys group + time, `cleanup` keys group + time + primary key. A
 * watermark visits only the owned groups holding something due (`GroupTimes`)
 * and merges their due left rows into time order; each pending row carries
 * its arrival number (`seq`, kept in state), which orders rows of equal time
 * across groups as they arrived.
 */
import { BOOLEAN, timestamp, typesEqual, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { mapColumns, shiftColumns } from '../binder/expr-utils.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import type { JoinNode, LogicalPlan } from '../planner/logical-plan.ts';
import { InternalError, SqlError, SqlState, notSupported } from '../errors.ts';
import { compareKeys, encodeKey } from '../values/key-codec.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import { concatKeys, type StateTable } from './state-table.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { bytesCodec, memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import { isRowtime } from './interval-join.ts';
import { GroupTimes, timeOfKey } from './group-times.ts';
import { groupedKey } from './incremental-join.ts';
import { ALL_KEY_GROUPS, inKeyGroup, keyGroupOf, keyGroupRange, scanKeyGroups, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import type { StreamInputs } from './stream-sources.ts';

export interface TemporalJoinSpec {
  readonly joinType: 'INNER' | 'LEFT';
  /** The left expressions equated with the right table's primary key columns, in key order. */
  readonly leftKey: readonly EvalFn[];
  /** The primary key of a right row (the same columns, cast to the left types). */
  readonly rightKey: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  /** Event time (µs) of a left row / of a right row (its version's start). */
  readonly leftTime: EvalFn;
  readonly rightTime: EvalFn;
  /**
   * Equalities of the condition beyond the primary key (left / right
   * expressions, the right cast to the left's type): SQL `=`, NULL never matches.
   */
  readonly extraLeft: readonly EvalFn[];
  readonly extraRight: readonly EvalFn[];
  readonly extraTypes: readonly SqlType[];
  /** Residual predicate over left ++ right columns, or undefined. */
  readonly condition: EvalFn | undefined;
  /** Types of the left columns (to find a retracted pending row). */
  readonly leftTypes: readonly SqlType[];
  readonly rightWidth: number;
  /** Width of an output row: right rows may carry more columns (lifted filters) that the output drops. */
  readonly outputWidth: number;
}

/** One version of a key: from `time` on, `row` (null: the key is deleted). */
export interface Version {
  readonly time: number;
  readonly row: Row | null;
}

/** A left row waiting for the watermark, and its arrival number in the operator. */
export interface PendingProbe {
  readonly seq: number;
  readonly row: Row;
}

export interface TemporalJoinState {
  readonly probes: StateTable<PendingProbe[]>;
  readonly versions: StateTable<Version[]>;
  readonly cleanup: StateTable<Uint8Array>;
  /** The key groups the instance owns (absent: all). */
  readonly keyGroups?: KeyGroupRange;
}

/** Pending left rows at a checkpoint: [seq, row] per row, in arrival order. */
export const probeRowsCodec: StateCodec<PendingProbe[]> = {
  encode: (probes) => encodeStateValue(probes.map((p): StateValue => [p.seq, p.row])),
  decode: (bytes) =>
    stateArray(decodeStateValue(bytes), 'temporal join probes').map((saved): PendingProbe => {
      const [seq, row] = stateArray(saved, 'temporal join probe', 2);
      return { seq: stateNumber(seq, 'temporal join probe number'), row: stateRow(row, 'temporal join probe row') };
    }),
};

/** A key's versions at a checkpoint: [time, row or null] per version, ascending by time. */
export const versionsCodec: StateCodec<Version[]> = {
  encode: (versions) => encodeStateValue(versions.map((v): StateValue => [v.time, v.row])),
  decode: (bytes) =>
    stateArray(decodeStateValue(bytes), 'temporal join versions').map((saved): Version => {
      const [time, row] = stateArray(saved, 'temporal join version', 2);
      return { time: stateNumber(time, 'temporal join version time'), row: row === null ? null : stateRow(row, 'temporal join version row') };
    }),
};

/** The temporal join's tables from `state`: roles `probes`, `versions`, `cleanup`; and the key groups it owns. */
export function temporalJoinStateTables(state: StateProvider): TemporalJoinState {
  return {
    probes: state.table('probes', probeRowsCodec),
    versions: state.table('versions', versionsCodec),
    cleanup: state.table('cleanup', bytesCodec),
    keyGroups: ownedKeyGroups(state),
  };
}

const LEFT = 0;
const RIGHT = 1;
const TIME_TYPES: readonly SqlType[] = [timestamp(6)];

export class TemporalJoin implements KeyedOperator {
  readonly #spec: TemporalJoinSpec;
  readonly #probes: StateTable<PendingProbe[]>;
  readonly #versions: StateTable<Version[]>;
  readonly #cleanup: StateTable<Uint8Array>;
  readonly #keyGroups: KeyGroupRange;
  /** Per owned key group, the pending times of `probes` and the timers of `cleanup`. */
  readonly #probeTimes: GroupTimes;
  readonly #cleanupTimes: GroupTimes;
  readonly #keyScratch: Value[];
  /** Whether the key `#encodedKey` encoded last has no NULL part. */
  #keyed = false;
  readonly #timeScratch: Value[] = [null];
  readonly #rightNulls: Row;
  readonly #out = new ChangelogBuilder();
  /** The next left row's arrival number; NaN until read from the pending rows (which may be restored). */
  #seq = NaN;
  #wm = -Infinity;
  #late = 0;

  constructor(spec: TemporalJoinSpec, state?: TemporalJoinState) {
    this.#spec = spec;
    const tables = state ?? temporalJoinStateTables(memoryStateProvider);
    this.#probes = tables.probes;
    this.#versions = tables.versions;
    this.#cleanup = tables.cleanup;
    this.#keyGroups = tables.keyGroups ?? ALL_KEY_GROUPS;
    this.#probeTimes = new GroupTimes(tables.probes, this.#keyGroups, timeOfKey);
    this.#cleanupTimes = new GroupTimes(tables.cleanup, this.#keyGroups, timeOfKey);
    this.#keyScratch = new Array<Value>(spec.keyTypes.length).fill(null);
    this.#rightNulls = new Array<Value>(spec.rightWidth).fill(null);
  }

  /** Left rows (and retractions) dropped because they came at or behind the watermark. */
  get lateRows(): number {
    return this.#late;
  }

  /** Pending left rows plus stored versions (for tests: it scans the state). */
  get stateSize(): number {
    let n = 0;
    for (const [, , probes] of scanKeyGroups(this.#probes, this.#keyGroups)) n += probes.length;
    for (const [, , versions] of scanKeyGroups(this.#versions, this.#keyGroups)) n += versions.length;
    return n;
  }

  /** The key group of the row's primary key (left: the expressions equated with it; NULL parts included). */
  keyGroupOf(input: number, row: Row): number {
    return keyGroupOf(this.#encodedKey(row, input === LEFT ? this.#spec.leftKey : this.#spec.rightKey));
  }

  push(input: number, chunk: Chunk): Chunk[] {
    try {
      if (input === LEFT) this.#pushLeft(chunk);
      else if (input === RIGHT) this.#pushRight(chunk);
      else throw new InternalError(`temporal join has two inputs, got input ${input}`);
    } catch (err) {
      this.#out.discard();
      throw err;
    }
    return this.#out.take();
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#wm) return [];
    this.#wm = wm;
    this.#fire(wm);
    this.#prune(wm);
    return this.#out.take();
  }

  /** The key-codec encoding of `row`'s key by `keys` (NULL parts included); `#keyed` says whether none was NULL. */
  #encodedKey(row: Row, keys: readonly EvalFn[]): Uint8Array {
    let keyed = true;
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k]!(row);
      this.#keyScratch[k] = v;
      if (v === null) keyed = false;
    }
    this.#keyed = keyed;
    return encodeKey(this.#keyScratch, this.#spec.keyTypes);
  }

  #timeKey(t: number): Uint8Array {
    this.#timeScratch[0] = t;
    return encodeKey(this.#timeScratch, TIME_TYPES);
  }

  #pushLeft(chunk: Chunk): void {
    const rows = chunk.rows;
    const time = this.#spec.leftTime;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const t = time(row);
      if (typeof t !== 'number' || t <= this.#wm) {
        this.#late++;
        continue;
      }
      const group = keyGroupOf(this.#encodedKey(row, this.#spec.leftKey));
      const tk = inKeyGroup(group, this.#timeKey(t));
      const pending = this.#probes.get(tk);
      if (isAddition(kindAt(chunk, i))) {
        const probe: PendingProbe = { seq: this.#nextSeq(), row };
        if (pending === undefined) {
          this.#probes.put(tk, [probe]);
          this.#probeTimes.added(group, t);
        } else {
          pending.push(probe);
          this.#probes.put(tk, pending);
        }
      } else {
        this.#withdraw(group, tk, pending, row);
      }
    }
  }

  /** The arrival number of a new pending row: after every pending row's (read from them after a restore). */
  #nextSeq(): number {
    if (Number.isNaN(this.#seq)) {
      let next = 0;
      for (const [, , probes] of scanKeyGroups(this.#probes, this.#keyGroups)) for (const p of probes) if (p.seq >= next) next = p.seq + 1;
      this.#seq = next;
    }
    return this.#seq++;
  }

  /** Takes a retracted left row out of the rows pending at its time (slow path: compares encodings). */
  #withdraw(group: number, tk: Uint8Array, pending: PendingProbe[] | undefined, row: Row): void {
    const types = this.#spec.leftTypes;
    const want = encodeKey(row, types);
    const at = pending === undefined ? -1 : pending.findIndex((p) => compareKeys(encodeKey(p.row, types), want) === 0);
    if (pending === undefined || at < 0) throw new InternalError('temporal join: retraction of a left row that is not pending');
    pending.splice(at, 1);
    if (pending.length === 0) {
      this.#probes.delete(tk);
      this.#probeTimes.removed(group);
    } else this.#probes.put(tk, pending);
  }

  #pushRight(chunk: Chunk): void {
    const rows = chunk.rows;
    const { rightKey, rightTime } = this.#spec;
    for (let i = 0; i < rows.length; i++) {
      const kind = kindAt(chunk, i);
      // The +U after a -U carries the new version; the -U itself changes nothing.
      if (kind === RowKind.UPDATE_BEFORE && i + 1 < rows.length && kindAt(chunk, i + 1) === RowKind.UPDATE_AFTER) continue;
      const row = rows[i]!;
      const t = rightTime(row);
      if (typeof t !== 'number') continue;
      const encoded = this.#encodedKey(row, rightKey);
      if (!this.#keyed) continue;
      this.#addVersion(keyGroupOf(encoded), encoded, { time: t, row: isAddition(kind) ? row : null });
    }
  }

  /** Adds version `v` of the primary key `encoded` (in key group `group`). */
  #addVersion(group: number, encoded: Uint8Array, v: Version): void {
    const key = inKeyGroup(group, encoded);
    const versions = this.#versions.get(key) ?? [];
    let at = versions.length;
    while (at > 0 && versions[at - 1]!.time > v.time) at--;
    if (at > 0 && versions[at - 1]!.time === v.time) versions[at - 1] = v;
    else versions.splice(at, 0, v);
    if (v.time <= this.#wm) {
      // Behind the watermark: only the newest version at or before it can still be valid.
      this.#pruneKey(key, versions, this.#wm);
      return;
    }
    this.#versions.put(key, versions);
    const timer = inKeyGroup(group, concatKeys(this.#timeKey(v.time), encoded));
    const fresh = this.#cleanup.get(timer) === undefined;
    this.#cleanup.put(timer, key);
    if (fresh) this.#cleanupTimes.added(group, v.time);
  }

  /** Joins and emits the pending left rows with time <= wm, in time order (arrival order within a time). */
  #fire(wm: number): void {
    const times = this.#probeTimes;
    if (times.lowest() > wm) return;
    const due: [number, PendingProbe][] = [];
    const emptied: Uint8Array[] = [];
    let groups = 0;
    const { first, last } = this.#keyGroups;
    for (let g = first; g <= last; g++) {
      if (times.first(g) > wm) continue;
      groups++;
      let next = Infinity;
      for (const [tk, probes] of this.#probes.scan(keyGroupRange(g))) {
        const t = timeOfKey(tk.subarray(1));
        if (t > wm) {
          next = t;
          break;
        }
        emptied.push(tk);
        for (let i = 0; i < probes.length; i++) due.push([t, probes[i]!]);
      }
      for (const tk of emptied) {
        this.#probes.delete(tk);
        times.removed(g);
      }
      emptied.length = 0;
      times.raise(g, next);
    }
    times.settle();
    // Each group's rows are in time order already; rows of several groups are merged.
    if (groups > 1) due.sort((a, b) => a[0] - b[0] || a[1].seq - b[1].seq);
    for (let i = 0; i < due.length; i++) this.#emit(due[i]![1].row);
  }

  #emit(row: Row): void {
    const { leftKey, leftTime, condition, joinType } = this.#spec;
    let version: Row | null = null;
    const encoded = this.#encodedKey(row, leftKey);
    if (this.#keyed) {
      const versions = this.#versions.get(groupedKey(encoded));
      if (versions !== undefined) version = validAt(versions, leftTime(row) as number);
    }
    if (version !== null && this.#extraKeysMatch(row, version)) {
      const joined = row.concat(version);
      if (condition === undefined || condition(joined) === true) {
        if (joined.length > this.#spec.outputWidth) joined.length = this.#spec.outputWidth;
        this.#out.emit(RowKind.INSERT, joined);
        return;
      }
    }
    if (joinType === 'LEFT') this.#out.emit(RowKind.INSERT, row.concat(this.#rightNulls));
  }

  /** The equalities beyond the primary key (slow path: rare, compares encodings). */
  #extraKeysMatch(row: Row, version: Row): boolean {
    const { extraLeft, extraRight, extraTypes } = this.#spec;
    for (let k = 0; k < extraLeft.length; k++) {
      const l = extraLeft[k]!(row);
      const r = extraRight[k]!(version);
      if (l === null || r === null) return false;
      const type = [extraTypes[k]!];
      if (compareKeys(encodeKey([l], type), encodeKey([r], type)) !== 0) return false;
    }
    return true;
  }

  /** Runs the cleanup timers <= wm of the owned key groups. */
  #prune(wm: number): void {
    const times = this.#cleanupTimes;
    if (times.lowest() > wm) return;
    const due: [Uint8Array, Uint8Array][] = [];
    const { first, last } = this.#keyGroups;
    for (let g = first; g <= last; g++) {
      if (times.first(g) > wm) continue;
      let next = Infinity;
      for (const [timer, key] of this.#cleanup.scan(keyGroupRange(g))) {
        const t = timeOfKey(timer.subarray(1));
        if (t > wm) {
          next = t;
          break;
        }
        due.push([timer, key]);
      }
      for (const [timer, key] of due) {
        this.#cleanup.delete(timer);
        times.removed(g);
        const versions = this.#versions.get(key);
        if (versions !== undefined) this.#pruneKey(key, versions, wm);
      }
      due.length = 0;
      times.raise(g, next);
    }
    times.settle();
  }

  /** Drops the versions of `key` before the newest one at or before `wm` (and that one if it is a deletion). */
  #pruneKey(key: Uint8Array, versions: Version[], wm: number): void {
    let base = -1;
    for (let i = 0; i < versions.length && versions[i]!.time <= wm; i++) base = i;
    if (base >= 0 && versions[base]!.row === null) base++;
    if (base > 0) versions.splice(0, base);
    if (versions.length === 0) this.#versions.delete(key);
    else this.#versions.put(key, versions);
  }
}

/** The row valid at `t`: the newest version with time <= t, unless it is a deletion. */
function validAt(versions: readonly Version[], t: number): Row | null {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (versions[mid]!.time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : versions[lo - 1]!.row;
}

// ---------------------------------------------------------------------------
// From a plan node.

/** A column reference, looking through casts (the binder may cast a time to a common type). */
function columnIndex(e: BoundExpr): number | undefined {
  if (e.kind === 'column') return e.index;
  if (e.kind === 'cast') return columnIndex(e.operand);
  return undefined;
}

function conjunctsOf(e: BoundExpr | undefined, out: BoundExpr[]): BoundExpr[] {
  if (e === undefined) return out;
  if (e.kind === 'and') for (const a of e.args) conjunctsOf(a, out);
  else out.push(e);
  return out;
}

/**
 * The time columns of an event-time temporal join: the binder adds the
 * conjunct `r.rowtime <= o.time` to the condition (true of the version valid
 * at o.time), which also keeps both columns through projection pruning.
 */
export function temporalTimes(node: JoinNode): { left: number; right: number } | undefined {
  const lw = node.left.schema.length;
  for (const c of conjunctsOf(node.condition, [])) {
    if (c.kind !== 'call' || c.name !== '<=' || c.args.length !== 2) continue;
    const r = columnIndex(c.args[0]!);
    const l = columnIndex(c.args[1]!);
    if (r === undefined || l === undefined || r < lw || l >= lw) continue;
    if (isRowtime(node.right, r - lw)) return { left: l, right: r - lw };
  }
  return undefined;
}

/** The name of the table column behind output column `index` of a scan / filter / project chain. */
function tableColumn(plan: LogicalPlan, index: number, inputs: StreamInputs): string | undefined {
  switch (plan.kind) {
    case 'filter':
      return tableColumn(plan.input, index, inputs);
    case 'project': {
      const e = plan.exprs[index];
      return e?.kind === 'column' ? tableColumn(plan.input, e.index, inputs) : undefined;
    }
    case 'scan': {
      const rel = inputs.relation(plan.relationId);
      const physical = plan.columns[index];
      if (rel === undefined || physical === undefined) return undefined;
      return rel.columns.filter((c) => c.kind === 'physical')[physical]?.name;
    }
    default:
      return undefined;
  }
}

function primaryKeyOf(plan: LogicalPlan, inputs: StreamInputs): readonly string[] {
  switch (plan.kind) {
    case 'filter':
    case 'project':
      return primaryKeyOf(plan.input, inputs);
    case 'scan': {
      const rel = inputs.relation(plan.relationId);
      return rel !== undefined && (rel.kind === 'table' || rel.kind === 'materialized-view') ? rel.primaryKey : [];
    }
    default:
      return [];
  }
}

/**
 * The versioned side without the filters predicate pushdown moved into it,
 * and those filters over its new output: filtering the versions before
 * picking the one valid at a time would make an older version valid again, so
 * they are evaluated on the joined row instead. The new side outputs the old
 * side's columns, then, when a projection stood over a filter, one more
 * BOOLEAN column: the filters below that projection (whose columns it may not
 * output).
 */
export function liftFilters(plan: LogicalPlan): { plan: LogicalPlan; filters: BoundExpr[] } {
  switch (plan.kind) {
    case 'scan': {
      if (plan.filter === undefined) return { plan, filters: [] };
      const { filter, ...rest } = plan;
      return { plan: rest, filters: [filter] };
    }
    case 'filter': {
      const inner = liftFilters(plan.input);
      return { plan: inner.plan, filters: [...inner.filters, plan.predicate] };
    }
    case 'project': {
      const inner = liftFilters(plan.input);
      if (inner.filters.length === 0) return { plan, filters: [] };
      const passes: BoundExpr = inner.filters.length === 1 ? inner.filters[0]! : { kind: 'and', type: BOOLEAN, args: inner.filters };
      const width = plan.exprs.length;
      return {
        plan: {
          ...plan,
          input: inner.plan,
          exprs: [...plan.exprs, passes],
          schema: [...plan.schema, { name: 'passes_filter', type: BOOLEAN, nullable: true }],
        },
        filters: [{ kind: 'column', type: BOOLEAN, index: width }],
      };
    }
    default:
      return { plan, filters: [] };
  }
}

/** The operator of an event-time temporal join and the versioned side's plan to compile (its filters lifted). */
export function temporalJoinOf(
  node: JoinNode,
  env: ExecEnv,
  inputs: StreamInputs,
  state: StateProvider = memoryStateProvider,
): { readonly operator: TemporalJoin; readonly right: LogicalPlan } {
  if (node.joinType !== 'INNER' && node.joinType !== 'LEFT') throw notSupported(`FOR SYSTEM_TIME AS OF in a ${node.joinType} join`);
  const times = temporalTimes(node);
  if (times === undefined) throw new InternalError('event-time temporal join without its time columns');
  const lifted = liftFilters(node.right);
  const lw = node.left.schema.length;
  const pk = primaryKeyOf(node.right, inputs);
  const keyPairs: { left: BoundExpr; right: BoundExpr }[] = [];
  const residual: BoundExpr[] = [];
  for (const name of pk) {
    const k = node.equiKeys.find((e) => e.right.kind === 'column' && tableColumn(node.right, e.right.index, inputs) === name);
    if (k === undefined) {
      throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `the join condition of an event-time temporal join must equate the primary key column "${name}" of the versioned table`);
    }
    keyPairs.push(k);
  }
  const extra = node.equiKeys.filter((k) => !keyPairs.includes(k));
  for (const f of lifted.filters) residual.push(shiftColumns(f, lw));
  if (node.condition !== undefined) residual.push(node.condition);
  const condition: BoundExpr | undefined = residual.length === 0 ? undefined : residual.length === 1 ? residual[0] : { kind: 'and', type: BOOLEAN, args: residual };
  const keyTypes = keyPairs.map((k) => k.left.type);
  const asLeft = (k: { left: BoundExpr; right: BoundExpr }): BoundExpr =>
    typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false };
  const { left: lt, right: rt } = times;
  const operator = new TemporalJoin(
    {
      joinType: node.joinType,
      leftKey: keyPairs.map((k) => compileExpr(k.left, env)),
      rightKey: keyPairs.map((k) => compileExpr(asLeft(k), env)),
      keyTypes,
      extraLeft: extra.map((k) => compileExpr(k.left, env)),
      extraRight: extra.map((k) => compileExpr(asLeft(k), env)),
      extraTypes: extra.map((k) => k.left.type),
      leftTime: (row) => row[lt] ?? null,
      rightTime: (row) => row[rt] ?? null,
      condition: condition === undefined ? undefined : compileExpr(condition, env),
      leftTypes: node.left.schema.map((c) => c.type),
      rightWidth: node.right.schema.length,
      outputWidth: lw + node.right.schema.length,
    },
    temporalJoinStateTables(state),
  );
  return { operator, right: lifted.plan };
}
