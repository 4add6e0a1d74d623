/**
 * pg_catalog.pg_settings: the server's settings with their default values
 * (a scan has no access to the session, so SET values are not reflected;
 * current_setting() and SHOW give the session's values).
 */
import type { Row } from '../types.ts';
import { BOOLEAN, INT, STRING, arrayOf } from '../types.ts';
import { SessionSettings } from '../../src/session/settings.ts';
import { systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

const BOOL_VALUES = new Set(['on', 'off']);

function vartype(value: string): string {
  if (BOOL_VALUES.has(value)) return 'bool';
  if (/^-?\d+$/.test(value)) return 'integer';
  return 'string';
}

export function pgSettings(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_settings,
    schema: 'pg_catalog',
    name: 'pg_settings',
    relkind: 'v',
    columns: [
      ['name', STRING],
      ['setting', STRING],
      ['unit', STRING],
      ['category', STRING],
      ['short_desc', STRING],
      ['extra_desc', STRING],
      ['context', STRING],
      ['vartype', STRING],
      ['source', STRING],
      ['min_val', STRING],
      ['max_val', STRING],
      ['enumvals', arrayOf(STRING)],
      ['boot_val', STRING],
      ['reset_val', STRING],
      ['sourcefile', STRING],
      ['sourceline', INT],
      ['pending_restart', BOOLEAN],
    ],
    rows: (ctx) =>
      new SessionSettings(ctx.user, new Map())
        .all()
        .filter(([name]) => !name.includes('.'))
        .map(([name, value, description]): Row => [
          name,
          value,
          null,
          'Client Connection Defaults',
          description,
          null,
          'user',
          vartype(value),
          'default',
          null,
          null,
          null,
          value,
          value,
          null,
          null,
          false,
        ]),
  });
}
