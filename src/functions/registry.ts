/**
 * The scalar overload registry: every family file registers its overloads
 * here; `functions.ts` resolves and instantiates through it.
 *
 * An overload either has fixed parameter types (`fixed`) or a resolver of its
 * own (`generic`, for operators over "any comparable type", arrays, ...).
 * Resolution is Postgres-like: each overload that accepts the argument types
 * gets a cost (0 per argument of the parameter's own kind, 1 per implicit
 * coercion, 2 for a coercion across categories such as text from a number);
 * the cheapest wins, the first registered on a tie. Parameter types match by
 * kind: a DECIMAL parameter takes any DECIMAL(p, s) as it is, a VARCHAR
 * parameter any string kind.
 */
import { asDecimal } from './coercion.ts';
import { coercion } from './coercion.ts';
import { isCharacter, isIntegral, type SqlType, type Value } from '../../catalog/types.ts';
import type { EvalContext } from './eval-context.ts';
import type { ScalarImpl } from './signatures.ts';

export interface Match {
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
  readonly cost: number;
}

export interface Overload {
  /** Unique id: stored in BoundCall.fn. */
  readonly id: string;
  readonly name: string;
  readonly strict: boolean;
  readonly volatile: boolean;
  match(argTypes: readonly SqlType[]): Match | undefined;
  make(argTypes: readonly SqlType[], returnType: SqlType): ScalarImpl;
}

const byName = new Map<string, Overload[]>();
const byId = new Map<string, Overload>();

export function register(o: Overload): void {
  if (byId.has(o.id)) throw new Error(`duplicate function overload id ${o.id}`);
  byId.set(o.id, o);
  let list = byName.get(o.name);
  if (list === undefined) byName.set(o.name, (list = []));
  list.push(o);
}

/** The names of every registered function (operators, which are not words, left out). */
export function functionNames(): string[] {
  return [...byName.keys()].filter((n) => /^[a-z_][a-z0-9_]*$/.test(n));
}

export function overloadsOf(name: string): readonly Overload[] | undefined {
  return byName.get(name);
}

export function overloadById(id: string): Overload | undefined {
  return byId.get(id);
}

/** Cost of using `from` where `param` is expected, and the type to cast to; undefined if impossible. */
export function paramCost(from: SqlType, param: SqlType): { cost: number; target: SqlType } | undefined {
  if (from.kind === 'NULL') return { cost: 1, target: param };
  if (from.kind === param.kind) {
    if (from.kind === 'ARRAY' && param.kind === 'ARRAY') {
      const el = paramCost(from.element, param.element);
      return el === undefined ? undefined : { cost: el.cost, target: el.cost === 0 ? from : param };
    }
    return { cost: 0, target: param.kind === 'VARCHAR' || param.kind === 'DECIMAL' || param.kind === 'TIMESTAMP' || param.kind === 'TIMESTAMP_LTZ' || param.kind === 'TIME' ? from : param };
  }
  if (param.kind === 'DECIMAL' && isIntegral(from)) return { cost: 1, target: asDecimal(from) };
  if (isCharacter(from) && isCharacter(param)) return { cost: 1, target: param };
  if (coercion.canImplicitlyCast(from, param)) return { cost: 1, target: param };
  return undefined;
}

export interface FixedSpec {
  readonly name: string | readonly string[];
  readonly params: readonly SqlType[];
  /** Repeats the last parameter any number of times (at least `params.length - 1` arguments). */
  readonly variadic?: boolean;
  readonly returns: SqlType | ((argTypes: readonly SqlType[]) => SqlType);
  readonly strict?: boolean;
  readonly volatile?: boolean;
  readonly id?: string;
  readonly make: (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl;
}

function typeTag(t: SqlType): string {
  return t.kind === 'ARRAY' ? `${typeTag(t.element)}[]` : t.kind;
}

/** Registers an overload with fixed parameter types under one or more names. */
export function fixed(spec: FixedSpec): void {
  const names = typeof spec.name === 'string' ? [spec.name] : spec.name;
  for (const name of names) {
    const id = spec.id !== undefined ? (names.length > 1 ? `${name}:${spec.id}` : spec.id) : `${name}(${spec.params.map(typeTag).join(',')}${spec.variadic === true ? '...' : ''})`;
    register({
      id,
      name,
      strict: spec.strict ?? true,
      volatile: spec.volatile ?? false,
      match(argTypes) {
        const n = spec.params.length;
        if (spec.variadic === true ? argTypes.length < n - 1 : argTypes.length !== n) return undefined;
        const targets: SqlType[] = [];
        let cost = 0;
        for (let i = 0; i < argTypes.length; i++) {
          const p = spec.params[Math.min(i, n - 1)]!;
          const c = paramCost(argTypes[i]!, p);
          if (c === undefined) return undefined;
          cost += c.cost;
          targets.push(c.target);
        }
        const returnType = typeof spec.returns === 'function' ? spec.returns(targets) : spec.returns;
        return { argTypes: targets, returnType, cost };
      },
      make: spec.make,
    });
  }
}

export interface GenericSpec {
  readonly name: string | readonly string[];
  readonly id: string;
  readonly strict?: boolean;
  readonly volatile?: boolean;
  readonly match: (argTypes: readonly SqlType[]) => Match | undefined;
  readonly make: (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl;
}

/** Registers an overload that resolves its own argument types. */
export function generic(spec: GenericSpec): void {
  const names = typeof spec.name === 'string' ? [spec.name] : spec.name;
  for (const name of names) {
    register({
      id: names.length > 1 ? `${name}:${spec.id}` : spec.id,
      name,
      strict: spec.strict ?? true,
      volatile: spec.volatile ?? false,
      match: spec.match,
      make: spec.make,
    });
  }
}

/** A ScalarImpl of a function of the arguments only. */
export function pure(f: (args: readonly Value[]) => Value): (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl {
  return () => (args) => f(args);
}

/** A ScalarImpl that reads the context. */
export function withCtx(f: (args: readonly Value[], ctx: EvalContext) => Value): (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl {
  return () => f;
}
