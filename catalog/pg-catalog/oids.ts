/**
 * pg_class oids of the system relations: Postgres' own for catalog tables
 * (pg_class = 1259, ...); Postgres' views have version-dependent oids, so
 * millrace gives them fixed ones in 12100-12199 and information_schema's
 * relations 13001-13099 (its namespace is 13000).
 */
export const SystemOid = {
  pg_type: 1247,
  pg_attribute: 1249,
  pg_proc: 1255,
  pg_class: 1259,
  pg_authid: 1260,
  pg_auth_members: 1261,
  pg_database: 1262,
  pg_tablespace: 1213,
  pg_shdescription: 2396,
  pg_am: 2601,
  pg_attrdef: 2604,
  pg_cast: 2605,
  pg_constraint: 2606,
  pg_conversion: 2607,
  pg_depend: 2608,
  pg_description: 2609,
  pg_index: 2610,
  pg_inherits: 2611,
  pg_language: 2612,
  pg_namespace: 2615,
  pg_opclass: 2616,
  pg_operator: 2617,
  pg_rewrite: 2618,
  pg_trigger: 2620,
  pg_sequence: 2224,
  pg_extension: 3079,
  pg_foreign_table: 3118,
  pg_policy: 3256,
  pg_partitioned_table: 3350,
  pg_statistic_ext: 3381,
  pg_collation: 3456,
  pg_enum: 3501,
  pg_range: 3541,
  pg_publication: 6104,
  pg_publication_rel: 6106,
  pg_publication_namespace: 6237,
  pg_roles: 12100,
  pg_user: 12101,
  pg_settings: 12102,
  pg_tables: 12103,
  pg_views: 12104,
  pg_matviews: 12105,
  pg_indexes: 12106,
  pg_stat_activity: 12107,
  pg_locks: 12108,
  pg_stat_user_tables: 12109,
  pg_available_extensions: 12110,
  pg_stat_all_tables: 12111,
  pg_timezone_names: 12112,
  pg_cursors: 12113,
  is_tables: 13001,
  is_columns: 13002,
  is_schemata: 13003,
  is_views: 13004,
  is_key_column_usage: 13005,
  is_table_constraints: 13006,
  is_routines: 13007,
  is_column_privileges: 13008,
  is_table_privileges: 13009,
  is_referential_constraints: 13010,
  is_character_sets: 13011,
} as const;

/** Database oid of millrace's one database. */
export const DATABASE_OID = 5;
/** pg_tablespace oids. */
export const TABLESPACE_DEFAULT = 1663;
export const TABLESPACE_GLOBAL = 1664;
/** pg_am oids. */
export const AM_HEAP = 2;
export const AM_BTREE = 403;
/** pg_collation oid of the default collation. */
export const DEFAULT_COLLATION = 100;
