/**
 * Hash aggregate (GROUP BY): groups rows by their key values (NULLs group
 * together) and feeds each aggregate's accumulator. Output, after the input
 * ends: one row per group, group keys then aggregate results, groups in order
 * of first appearance. Without keys, empty input still gives one row.
 *
 * Per aggregate call: FILTER (WHERE) rows not TRUE are skipped; strict
 * aggregates skip rows whose (first) argument is NULL; DISTINCT keeps a hash
 * set of argument tuples per group; ORDER BY buffers (arguments, sort keys)
 * per group and feeds them sorted (stable) when the group is finished.
 * An accumulator receives one Value per row: the argument, `true` for
 * count(*), or an array of the arguments when there are several
 * (string_agg(value, delimiter)).
 * Row kinds: insert-only (retracting aggregates are a streaming variant).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import { KeyTable } from '../dataflow/key-table.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';
import type { Accumulator } from '../compiler/exec-context.ts';
import type { KeyComparator } from '../compiler/sort-keys.ts';

export interface AggregateCallSpec {
  readonly factory: () => Accumulator;
  readonly args: readonly EvalFn[];
  readonly argTypes: readonly SqlType[];
  readonly filter: EvalFn | undefined;
  readonly distinct: boolean;
  /** Rows whose first argument is NULL are not fed (all but count(*), array_agg, first_value, last_value). */
  readonly skipNulls: boolean;
  /** ORDER BY inside the call: key expressions and their comparator, or null. */
  readonly order: { readonly keys: readonly EvalFn[]; readonly compare: KeyComparator } | null;
}

export interface AggregateSpec {
  readonly keys: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  readonly calls: readonly AggregateCallSpec[];
  readonly prepare: PrepareFn | undefined;
}

interface Group {
  readonly key: Row;
  readonly accs: Accumulator[];
  /** Per call: the argument tuples seen, for DISTINCT calls. */
  readonly seen: (KeyTable<{ key: Row }> | null)[];
  /** Per call: buffered [value, sortKeys] pairs, for ordered calls. */
  readonly buffered: ({ value: Value; keys: Value[] }[] | null)[];
}

/** Evaluates a call's argument for `row` as the accumulator receives it. */
export function aggregateArgument(args: readonly EvalFn[], row: Row): Value {
  if (args.length === 0) return true;
  if (args.length === 1) return args[0]!(row);
  const vs: Value[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) vs[i] = args[i]!(row);
  return vs;
}

/** The first argument's value of an accumulator input (for NULL skipping). */
export function firstArgument(v: Value, argCount: number): Value {
  return argCount > 1 ? ((v as readonly Value[])[0] ?? null) : v;
}

export async function* hashAggregateOperator(spec: AggregateSpec, input: ChunkStream): ChunkStream {
  const { keys, calls } = spec;
  const nk = keys.length;
  const nc = calls.length;
  const groups = new KeyTable<Group>(spec.keyTypes);
  const scratch: Value[] = new Array<Value>(nk).fill(null);
  const distinctScratch: Value[][] = calls.map((c) => new Array<Value>(Math.max(c.args.length, 1)).fill(null));

  const newGroup = (key: Row): Group => ({
    key,
    accs: calls.map((c) => c.factory()),
    seen: calls.map((c) => (c.distinct ? new KeyTable<{ key: Row }>(c.args.length > 0 ? c.argTypes : [{ kind: 'BOOLEAN' }]) : null)),
    buffered: calls.map((c) => (c.order !== null ? [] : null)),
  });

  for await (const chunk of input) {
    assertInsertOnly(chunk, 'aggregate');
    if (spec.prepare !== undefined) await spec.prepare(chunk.rows);
    for (const row of chunk.rows) {
      for (let i = 0; i < nk; i++) scratch[i] = keys[i]!(row);
      const h = groups.hash(scratch);
      let g = groups.find(scratch, h);
      if (g === undefined) {
        g = newGroup(scratch.slice());
        groups.insert(g, h);
      }
      for (let c = 0; c < nc; c++) {
        const call = calls[c]!;
        if (call.filter !== undefined && call.filter(row) !== true) continue;
        const value = aggregateArgument(call.args, row);
        if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
        const seen = g.seen[c];
        if (seen != null) {
          const ds = distinctScratch[c]!;
          if (call.args.length > 1) for (let i = 0; i < ds.length; i++) ds[i] = (value as readonly Value[])[i] ?? null;
          else ds[0] = value;
          const dh = seen.hash(ds);
          if (seen.find(ds, dh) !== undefined) continue;
          seen.insert({ key: ds.slice() }, dh);
        }
        const buffer = g.buffered[c];
        if (buffer != null) {
          const order = call.order!;
          const kv: Value[] = new Array(order.keys.length);
          for (let i = 0; i < kv.length; i++) kv[i] = order.keys[i]!(row);
          buffer.push({ value, keys: kv });
          continue;
        }
        g.accs[c]!.add(value);
      }
    }
  }

  if (nk === 0 && groups.size === 0) {
    const g = newGroup([]);
    groups.insert(g, groups.hash(g.key));
  }
  const out = new ChunkBuilder();
  for (const g of groups.entries) {
    const row: Row = new Array(nk + nc);
    for (let i = 0; i < nk; i++) row[i] = g.key[i] ?? null;
    for (let c = 0; c < nc; c++) {
      const buffer = g.buffered[c];
      const acc = g.accs[c]!;
      if (buffer != null) {
        const compare = calls[c]!.order!.compare;
        const sorted = buffer.map((b, i) => ({ b, i })).sort((x, y) => compare(x.b.keys, y.b.keys) || x.i - y.i);
        for (const s of sorted) acc.add(s.b.value);
      }
      row[nk + c] = acc.result();
    }
    if (out.push(row)) yield out.take();
  }
  if (out.length > 0) yield out.take();
}
