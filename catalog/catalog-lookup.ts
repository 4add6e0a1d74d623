/**
 * The catalog look-ups running expressions need (regclass / regtype /
 * regproc casts and output, format_type, parameter types by oid), over the
 * live catalog and the type and function tables of pg-catalog/.
 *
 * Names: relation names are matched exactly after case-folding unquoted
 * parts (as the parser does) and resolved as Catalog.lookup resolves them;
 * type names accept SQL spellings, typnames, `pg_catalog.` prefixes, type
 * modifiers and `[]`.
 */
import type { CatalogLookup } from '../src/functions/eval-context.ts';
import type { Catalog } from './catalog.ts';
import { formatPgType, pgTypeByOid, pgTypeOidByName } from './pg-catalog/type-table.ts';
import { pgProcByOid, pgProcOidByName } from './pg-catalog/proc-table.ts';
import type { RelationDefinition } from './relation.ts';

export function catalogLookup(catalog: Catalog): CatalogLookup {
  return {
    relationById(oid: number): RelationDefinition | undefined {
      const entry = catalog.byId(oid);
      if (entry === undefined) return undefined;
      if (entry.kind !== 'system') return entry;
      // System relations are shown to introspection functions as views without a query.
      return { kind: 'view', id: entry.id, name: entry.name, schema: entry.schema, columns: entry.columns, query: '' };
    },
    relationOidByName(name: string): number | undefined {
      const parts = splitQualifiedName(name);
      if (parts === undefined) return undefined;
      return catalog.lookup(parts)?.id;
    },
    typeNameByOid(oid: number, typmod: number): string | undefined {
      return formatPgType(oid, typmod);
    },
    typeOidByName(name: string): number | undefined {
      return pgTypeOidByName(name);
    },
    functionNameByOid(oid: number): string | undefined {
      return pgProcByOid(oid)?.name;
    },
    functionOidByName(name: string): number | undefined {
      return pgProcOidByName(name);
    },
    sqlTypeByOid(oid: number) {
      return pgTypeByOid(oid)?.sqlType;
    },
  };
}

/**
 * Splits `a.b.c` into parts, lower-casing unquoted parts and unescaping
 * quoted ones (`"My Table"` stays `My Table`). Undefined when malformed.
 */
export function splitQualifiedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i <= s.length) {
    let part = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += s[i++];
      }
    } else {
      const start = i;
      while (i < s.length && s[i] !== '.') i++;
      part = s.slice(start, i).trim().toLowerCase();
      if (part === '') return undefined;
    }
    parts.push(part);
    if (i >= s.length) break;
    if (s[i] !== '.') return undefined;
    i++;
  }
  return parts.length === 0 ? undefined : parts;
}
