/**
 * Test helpers for the function library: an EvalContext with a fixed clock and
 * a tiny catalog, and `run` which resolves, instantiates and calls a scalar
 * function the way the compiler does (strict functions skip NULL arguments),
 * printing the result in Postgres text form.
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import { castFunction } from '../values/cast.ts';
import { formatValue } from '../values/text-format.ts';
import type { EvalContext } from './eval-context.ts';
import { functions } from './functions.ts';

export function testContext(overrides: Partial<EvalContext> = {}): EvalContext {
  const settings: Record<string, string> = { search_path: '"$user", public', timezone: 'UTC', application_name: 'test' };
  return {
    user: 'alice',
    database: 'millrace',
    timeZone: 'UTC',
    // 2024-03-15 12:34:56.789 UTC
    statementTime: Date.UTC(2024, 2, 15, 12, 34, 56, 789) * 1000,
    setting: (name) => settings[name.toLowerCase()],
    backendPid: 4242,
    catalog: {
      relationById: (oid) =>
        oid === 16384
          ? {
              kind: 'table',
              id: 16384,
              name: 't',
              schema: 'public',
              comment: 'a table',
              columns: [
                { name: 'a', type: { kind: 'INT' }, nullable: false, kind: 'physical', comment: 'col a' },
                { name: 'b', type: { kind: 'VARCHAR', length: 10 }, nullable: true, kind: 'physical' },
              ],
              primaryKey: ['a'],
              partitionedBy: [],
              options: {},
            }
          : oid === 16390
            ? { kind: 'view', id: 16390, name: 'v', schema: 'public', columns: [], query: 'SELECT a FROM t' }
            : undefined,
      relationOidByName: (name) => (name === 't' || name === 'public.t' ? 16384 : name === 'v' ? 16390 : undefined),
      typeNameByOid: (oid, typmod) => (oid === 23 ? 'integer' : oid === 1043 ? (typmod > 0 ? `character varying(${typmod - 4})` : 'character varying') : undefined),
      typeOidByName: (name) => (name === 'int4' || name === 'integer' ? 23 : undefined),
      functionNameByOid: () => undefined,
      functionOidByName: () => undefined,
      sqlTypeByOid: () => undefined,
    },
    ...overrides,
  };
}

/** Resolves `name(types)`, casts the arguments like the binder, calls, and returns the raw value and its type. */
export function callRaw(name: string, types: readonly SqlType[], args: readonly Value[], ctx: EvalContext = testContext()): { value: Value; type: SqlType } {
  const res = functions.resolveScalar(name, types);
  if (res === undefined) throw new Error(`no function ${name}`);
  const cast = args.map((v, i) => {
    if (v === null) return null;
    const f = castFunction(types[i]!, res.argTypes[i]!);
    if (f === undefined) throw new Error(`binder cannot cast ${types[i]!.kind} to ${res.argTypes[i]!.kind}`);
    return f(v, ctx);
  });
  const impl = functions.instantiateScalar(res.id, res.argTypes, res.returnType);
  if (res.strict && cast.some((v) => v === null)) return { value: null, type: res.returnType };
  return { value: impl(cast, ctx), type: res.returnType };
}

/** Like callRaw, printed as Postgres text ('NULL' for NULL). */
export function run(name: string, types: readonly SqlType[], args: readonly Value[], ctx: EvalContext = testContext()): string {
  const { value, type } = callRaw(name, types, args, ctx);
  return value === null ? 'NULL' : formatValue(value, type, ctx);
}
