/**
 * A hash table of entries keyed by a row of values, with SQL grouping
 * equality (NULL equals NULL, see values/compare.ts). Buckets are arrays of
 * entries under a 32-bit hash; lookups build no strings and allocate nothing.
 * Entries keep insertion order in `entries` so outputs are deterministic.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import { hashRow, rowsEqual } from '../values/compare.ts';

export interface KeyedEntry {
  readonly key: Row;
}

export class KeyTable<E extends KeyedEntry> {
  readonly #types: readonly SqlType[];
  readonly #buckets = new Map<number, E | E[]>();
  /** All entries, in insertion order. */
  readonly entries: E[] = [];

  constructor(keyTypes: readonly SqlType[]) {
    this.#types = keyTypes;
  }

  hash(key: Row): number {
    return hashRow(key, this.#types);
  }

  /** The entry whose key equals `key` (with `hash` from `hash(key)`), or undefined. */
  find(key: Row, hash: number): E | undefined {
    const b = this.#buckets.get(hash);
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return rowsEqual((b as E).key, key, this.#types) ? (b as E) : undefined;
    for (let i = 0; i < b.length; i++) {
      const e = b[i]!;
      if (rowsEqual(e.key, key, this.#types)) return e;
    }
    return undefined;
  }

  /** Adds an entry whose key is not in the table yet. */
  insert(entry: E, hash: number): void {
    const b = this.#buckets.get(hash);
    if (b === undefined) this.#buckets.set(hash, entry);
    else if (Array.isArray(b)) b.push(entry);
    else this.#buckets.set(hash, [b as E, entry]);
    this.entries.push(entry);
  }

  get size(): number {
    return this.entries.length;
  }
}
