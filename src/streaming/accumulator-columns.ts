/**
 * Accumulators stored column-wise: one column holds one aggregate call's
 * accumulator state for many groups, a group being a slot number (0, 1, ...
 * in the order the groups were created). An operator that keeps its groups
 * in slots pays no object per group and per call for COUNT and for SUM / AVG
 * over numbers (plain number arrays); every other aggregate is kept as one
 * accumulator object per slot (ObjectColumn), with the same behaviour.
 *
 * A column's per-slot results and saved states are those of the accumulator
 * the call's factory makes (save / load are interchangeable between the two).
 */
import type { Value } from '../../catalog/types.ts';
import type { PersistentAccumulator } from '../compiler/exec-context.ts';
import type { StateValue } from '../state/state-codec.ts';
import { InternalError } from '../errors.ts';

export interface AccumulatorColumn {
  /** Appends the slot `length` with a fresh accumulator. */
  push(): void;
  add(slot: number, v: Value): void;
  remove(slot: number, v: Value): void;
  /** Makes the slot's accumulator fresh again (its group lost all its rows). */
  reset(slot: number): void;
  result(slot: number): Value;
  save(slot: number): StateValue;
  /** Restores a slot (already pushed) from `save` output. */
  load(slot: number, state: StateValue): void;
}

/** Makes an empty column. */
export type AccumulatorColumnFactory = () => AccumulatorColumn;

/** COUNT / COUNT(*): a number per slot (exact up to 2^53), a BIGINT result. */
export class CountColumn implements AccumulatorColumn {
  readonly #n: number[] = [];
  push(): void {
    this.#n.push(0);
  }
  add(slot: number): void {
    this.#n[slot]!++;
  }
  remove(slot: number): void {
    this.#n[slot]!--;
  }
  reset(slot: number): void {
    this.#n[slot] = 0;
  }
  result(slot: number): Value {
    return BigInt(this.#n[slot]!);
  }
  save(slot: number): StateValue {
    return this.#n[slot]!;
  }
  load(slot: number, state: StateValue): void {
    if (typeof state !== 'number') throw new InternalError('malformed count accumulator state');
    this.#n[slot] = state;
  }
}

/** SUM / AVG over numbers: a running total and a count of summed values per slot; NULL when nothing was summed. */
export class NumberSumColumn implements AccumulatorColumn {
  readonly #sum: number[] = [];
  readonly #n: number[] = [];
  readonly #avg: boolean;
  readonly #finish: (v: number) => number;

  constructor(avg: boolean, finish: (v: number) => number) {
    this.#avg = avg;
    this.#finish = finish;
  }
  push(): void {
    this.#sum.push(0);
    this.#n.push(0);
  }
  add(slot: number, v: Value): void {
    this.#sum[slot]! += v as number;
    this.#n[slot]!++;
  }
  remove(slot: number, v: Value): void {
    this.#sum[slot]! -= v as number;
    this.#n[slot]!--;
  }
  reset(slot: number): void {
    this.#sum[slot] = 0;
    this.#n[slot] = 0;
  }
  result(slot: number): Value {
    const n = this.#n[slot]!;
    if (n === 0) return null;
    const sum = this.#sum[slot]!;
    return this.#finish(this.#avg ? sum / n : sum);
  }
  save(slot: number): StateValue {
    return [this.#sum[slot]!, this.#n[slot]!];
  }
  load(slot: number, state: StateValue): void {
    if (!Array.isArray(state) || state.length !== 2 || typeof state[0] !== 'number' || typeof state[1] !== 'number') {
      throw new InternalError('malformed sum accumulator state');
    }
    this.#sum[slot] = state[0];
    this.#n[slot] = state[1];
  }
}

/** Any aggregate: one accumulator object of the call's factory per slot. */
export class ObjectColumn implements AccumulatorColumn {
  readonly #accs: PersistentAccumulator[] = [];
  readonly #factory: () => PersistentAccumulator;

  constructor(factory: () => PersistentAccumulator) {
    this.#factory = factory;
  }
  push(): void {
    this.#accs.push(this.#factory());
  }
  add(slot: number, v: Value): void {
    this.#accs[slot]!.add(v);
  }
  remove(slot: number, v: Value): void {
    const acc = this.#accs[slot]!;
    if (acc.remove === undefined) throw new InternalError('aggregate accumulator cannot retract');
    acc.remove(v);
  }
  reset(slot: number): void {
    this.#accs[slot] = this.#factory();
  }
  result(slot: number): Value {
    return this.#accs[slot]!.result();
  }
  save(slot: number): StateValue {
    return this.#accs[slot]!.save();
  }
  load(slot: number, state: StateValue): void {
    this.#accs[slot]!.load(state);
  }
}
