/**
 * The options of a SUBSCRIBE, checked and resolved against their defaults.
 *
 * Contract:
 * - `SNAPSHOT` (default true): whether the subscription starts with the current
 *   rows as insertions before the changes that follow.
 * - `PROGRESS` (default false): whether progress messages (the frontier having
 *   advanced with no change) are emitted.
 * - Values are booleans the Postgres way (defGetBoolean): TRUE/FALSE/ON/OFF
 *   words or strings, 1/0, or a bare key for true.
 * - An unknown option is 42601 `option "x" not recognized`, a repeated one 42601
 *   `conflicting or redundant options`, a non-boolean value 22023
 *   `snapshot requires a Boolean value`; each points at the option.
 */
import type { Subscribe, SubscribeOption } from './ast.ts';
import { SqlError, SqlState } from '../src/errors.ts';

export interface SubscribeSettings {
  readonly snapshot: boolean;
  readonly progress: boolean;
}

const DEFAULTS: SubscribeSettings = { snapshot: true, progress: false };

const BOOLEAN_TEXT: ReadonlyMap<string, boolean> = new Map([
  ['true', true], ['false', false], ['on', true], ['off', false], ['1', true], ['0', false],
]);

function booleanValue(o: SubscribeOption): boolean {
  if (typeof o.value === 'boolean') return o.value;
  const b = BOOLEAN_TEXT.get(o.value.toLowerCase());
  if (b === undefined) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${o.key} requires a Boolean value`, { position: o.pos });
  return b;
}

/** Resolves `s.options` over the defaults. */
export function subscribeSettings(s: Subscribe): SubscribeSettings {
  const out: { -readonly [K in keyof SubscribeSettings]: SubscribeSettings[K] } = { ...DEFAULTS };
  const seen = new Set<string>();
  for (const o of s.options) {
    if (!Object.hasOwn(DEFAULTS, o.key)) throw new SqlError(SqlState.SYNTAX_ERROR, `option "${o.key}" not recognized`, { position: o.pos });
    if (seen.has(o.key)) throw new SqlError(SqlState.SYNTAX_ERROR, 'conflicting or redundant options', { position: o.pos });
    seen.add(o.key);
    out[o.key as keyof SubscribeSettings] = booleanValue(o);
  }
  return out;
}
