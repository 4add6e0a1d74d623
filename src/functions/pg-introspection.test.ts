import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, NAME, OID, STRING, arrayOf, type SqlType } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { functions } from './functions.ts';
import { callRaw, run, testContext } from './test-helpers.ts';
import { sizePretty } from './pg-introspection.ts';

const S = STRING;

describe('session information', () => {
  it('version matches the client regexes', () => {
    const v = run('version', [], []);
    expect(v).toBe('PostgreSQL 15.0 (millrace 0.1.0) on x86_64-pc-linux-gnu');
    expect(/.*(?:PostgreSQL|EnterpriseDB) (\d+)\.?(\d+)?/.exec(v)?.[1]).toBe('15');
  });
  it('identity and schemas', () => {
    expect(callRaw('current_user', [], [])).toEqual({ value: 'alice', type: NAME });
    expect(run('session_user', [], [])).toBe('alice');
    expect(run('user', [], [])).toBe('alice');
    expect(run('current_database', [], [])).toBe('millrace');
    expect(run('current_catalog', [], [])).toBe('millrace');
    expect(run('current_schema', [], [])).toBe('public');
    expect(callRaw('current_schemas', [BOOLEAN], [true])).toEqual({ value: ['pg_catalog', 'public'], type: arrayOf(NAME) });
    expect(run('current_schemas', [BOOLEAN], [false])).toBe('{public}');
    expect(run('pg_backend_pid', [], [])).toBe('4242');
  });
  it('current_setting', () => {
    expect(run('current_setting', [S], ['search_path'])).toBe('"$user", public');
    expect(run('current_setting', [S, BOOLEAN], ['no_such', true])).toBe('NULL');
    let err: SqlError | undefined;
    try {
      run('current_setting', [S], ['no_such']);
    } catch (e) {
      err = e as SqlError;
    }
    expect(err?.code).toBe('42704');
    expect(err?.message).toBe('unrecognized configuration parameter "no_such"');
    expect(run('set_config', [S, S, BOOLEAN], ['a', 'b', false])).toBe('b');
  });
});

describe('catalog functions', () => {
  it('format_type uses the catalog and tolerates a NULL typmod', () => {
    expect(run('format_type', [OID, INT], [23, null])).toBe('integer');
    expect(run('format_type', [OID, INT], [1043, 14])).toBe('character varying(10)');
    expect(run('format_type', [OID, INT], [null, 1])).toBe('NULL');
    expect(run('format_type', [INT, INT], [23, -1])).toBe('integer');
  });
  it('descriptions come from relation and column comments', () => {
    expect(run('obj_description', [OID, S], [16384, 'pg_class'])).toBe('a table');
    expect(run('obj_description', [OID, S], [16384, 'pg_namespace'])).toBe('NULL');
    expect(run('col_description', [OID, INT], [16384, 1])).toBe('col a');
    expect(run('col_description', [OID, INT], [16384, 2])).toBe('NULL');
    expect(run('shobj_description', [OID, S], [1, 'pg_database'])).toBe('NULL');
  });
  it('definitions', () => {
    expect(run('pg_get_viewdef', [OID], [16390])).toBe('SELECT a FROM t;');
    expect(run('pg_get_viewdef', [OID, BOOLEAN], [16390, true])).toBe('SELECT a FROM t;');
    expect(run('pg_get_viewdef', [OID], [16384])).toBe('NULL');
    expect(run('pg_get_expr', [S, OID], ['nextval(1)', 16384])).toBe('nextval(1)');
    expect(run('pg_get_expr', [S, OID, BOOLEAN], ['x', 1, true])).toBe('x');
    // t (16384) is keyed on a: its index is 16385 and its constraint 16386.
    expect(run('pg_get_indexdef', [OID], [16385])).toBe('CREATE UNIQUE INDEX t_pkey ON public.t USING btree (a)');
    expect(run('pg_get_indexdef', [OID, INT, BOOLEAN], [16385, 0, true])).toBe('CREATE UNIQUE INDEX t_pkey ON public.t USING btree (a)');
    expect(run('pg_get_indexdef', [OID, INT, BOOLEAN], [16385, 1, false])).toBe('a');
    expect(run('pg_get_indexdef', [OID, INT, BOOLEAN], [16385, 2, false])).toBe('NULL');
    expect(run('pg_get_indexdef', [OID], [16384])).toBe('NULL');
    expect(run('pg_get_indexdef', [OID], [16391])).toBe('NULL');
    expect(run('pg_get_constraintdef', [OID], [16386])).toBe('PRIMARY KEY (a)');
    expect(run('pg_get_constraintdef', [OID, BOOLEAN], [16386, true])).toBe('PRIMARY KEY (a)');
    expect(run('pg_get_constraintdef', [OID], [16385])).toBe('NULL');
    expect(run('pg_get_constraintdef', [OID], [1])).toBe('NULL');
    // Function signatures come from pg_proc; int4out (43) is int4 -> cstring.
    expect(run('pg_get_function_arguments', [OID], [43])).toBe('integer');
    expect(run('pg_get_function_identity_arguments', [OID], [43])).toBe('integer');
    expect(run('pg_get_function_result', [OID], [42])).toBe('integer');
    expect(run('pg_get_function_arguments', [OID], [1])).toBe('NULL');
    expect(run('pg_get_function_result', [OID], [1])).toBe('NULL');
    expect(run('pg_get_userbyid', [OID], [10])).toBe('alice');
  });
  it('visibility and privileges are true', () => {
    expect(run('pg_table_is_visible', [OID], [16384])).toBe('t');
    expect(run('pg_type_is_visible', [OID], [23])).toBe('t');
    expect(run('has_table_privilege', [S, S], ['t', 'SELECT'])).toBe('t');
    expect(run('has_table_privilege', [S, OID, S], ['alice', 16384, 'SELECT'])).toBe('t');
    expect(run('has_schema_privilege', [S, S], ['public', 'USAGE'])).toBe('t');
    expect(run('has_database_privilege', [S, S, S], ['alice', 'millrace', 'CONNECT'])).toBe('t');
    expect(run('pg_is_in_recovery', [], [])).toBe('f');
  });
  it('encodings and misc', () => {
    expect(run('pg_encoding_to_char', [INT], [6])).toBe('UTF8');
    expect(run('pg_encoding_to_char', [INT], [0])).toBe('SQL_ASCII');
    expect(callRaw('txid_current', [], []).type).toEqual(BIGINT);
    expect(run('pg_typeof', [INT], [1])).toBe('23');
    expect(run('typeof', [{ kind: 'VARCHAR', length: 10 }], ['x'])).toBe('VARCHAR(10)');
    expect(run('to_regclass', [S], ['public.t'])).toBe('16384');
    expect(run('to_regclass', [S], ['nope'])).toBe('NULL');
    expect(run('parse_ident', [S], ['Sch."My Tab"'])).toBe('{sch,"My Tab"}');
    expect(() => run('parse_ident', [S], ['a..b'])).toThrow('string is not a valid identifier');
    expect(run('pg_postmaster_start_time', [], [], testContext()).length).toBeGreaterThan(10);
  });
  it('pg_size_pretty rounds like Postgres', () => {
    expect(sizePretty(10239n)).toBe('10239 bytes');
    expect(sizePretty(10240n)).toBe('10 kB');
    expect(sizePretty(20971520n)).toBe('20 MB');
    expect(sizePretty(1048576n)).toBe('1024 kB');
  });
  it('array helpers used by catalogue queries', () => {
    const T: SqlType = arrayOf(NAME);
    expect(run('array_upper', [T, INT], [['pg_catalog', 'public'], 1])).toBe('2');
  });
});
