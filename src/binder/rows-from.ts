/**
 * Several set-returning functions of one select list run in lockstep
 * (PostgreSQL 10+): one table-function plan node stands for all of them, its
 * `fn` naming each member with its argument count and column count, its args
 * being the members' arguments one after another. The logical plan has no
 * field for a list of functions, so the list travels in the name; only
 * `rowsFromName` builds such a name and only `parseRowsFrom` reads one.
 */

export interface RowsFromMember {
  readonly fn: string;
  /** How many of the node's args belong to this function. */
  readonly argc: number;
  /** How many output columns the function has. */
  readonly width: number;
}

const PREFIX = 'rows from(';

export function rowsFromName(members: readonly RowsFromMember[]): string {
  return `${PREFIX}${members.map((m) => `${m.fn}/${m.argc}/${m.width}`).join(', ')})`;
}

/** The members of a lockstep node's name, or undefined for a plain function name. */
export function parseRowsFrom(name: string): RowsFromMember[] | undefined {
  if (!name.startsWith(PREFIX) || !name.endsWith(')')) return undefined;
  return name
    .slice(PREFIX.length, -1)
    .split(', ')
    .map((part) => {
      const [fn, argc, width] = part.split('/');
      return { fn: fn!, argc: Number(argc), width: Number(width) };
    });
}
