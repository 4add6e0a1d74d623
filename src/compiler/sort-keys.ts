/**
 * Ordering of rows by SORT keys: compiled once into a comparator over
 * pre-evaluated key arrays. NULLs sort first or last per key as the binder
 * decided (Postgres: NULLS LAST for ASC, NULLS FIRST for DESC by default);
 * DESC reverses only the order of non-null values.
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import { compareValues } from '../values/compare.ts';

export interface SortSpec {
  readonly type: SqlType;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export type KeyComparator = (a: readonly Value[], b: readonly Value[]) => number;

export function keyComparator(specs: readonly SortSpec[]): KeyComparator {
  const n = specs.length;
  const types = specs.map((s) => s.type);
  const desc = specs.map((s) => s.desc);
  const nullsFirst = specs.map((s) => s.nullsFirst);
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === nullsFirst[i] ? -1 : 1;
      }
      const c = compareValues(x, y, types[i]!);
      if (c !== 0) return desc[i] ? -c : c;
    }
    return 0;
  };
}

/**
 * Comparator over keys stored flat (`keys[row * width + i]`), for operators
 * that evaluate the keys of many rows into one array instead of one array per row.
 */
export type FlatKeyComparator = (keys: readonly Value[], a: number, b: number) => number;

export function flatKeyComparator(specs: readonly SortSpec[]): FlatKeyComparator {
  const n = specs.length;
  const types = specs.map((s) => s.type);
  const desc = specs.map((s) => s.desc);
  const nullsFirst = specs.map((s) => s.nullsFirst);
  return (keys, a, b) => {
    const oa = a * n;
    const ob = b * n;
    for (let i = 0; i < n; i++) {
      const x = keys[oa + i] ?? null;
      const y = keys[ob + i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === nullsFirst[i] ? -1 : 1;
      }
      const c = compareValues(x, y, types[i]!);
      if (c !== 0) return desc[i] ? -c : c;
    }
    return 0;
  };
}
