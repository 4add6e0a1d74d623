/**
 * SQL key words as pg_get_keywords() lists them: [word, category, bare label].
 * Categories as Postgres: R reserved, T reserved but usable as function or
 * type name, C unreserved but not a function or type name, U unreserved.
 * The set is Postgres 15's for the reserved, T and C categories and the common
 * unreserved ones, plus millrace's streaming words (WATERMARK, ...).
 */
const RESERVED =
  'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
  'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
  'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
  'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
  'select session_user some symmetric table then to trailing true union unique user using variadic when where window with';
const TYPE_FUNC =
  'authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join left like ' +
  'natural notnull outer overlaps right similar tablesample verbose';
const COL_NAME =
  'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout int ' +
  'integer interval least national nchar none normalize nullif numeric out overlay position precision real row ' +
  'setof smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists ' +
  'xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable';
const UNRESERVED =
  'abort absolute access action add admin after aggregate also alter always assertion assignment at attach attribute ' +
  'backward before begin by cache call called cascade cascaded catalog chain characteristics checkpoint class close ' +
  'cluster columns comment comments commit committed compression configuration conflict connection constraints ' +
  'content continue conversion copy cost csv cube current cursor cycle data database day deallocate declare defaults ' +
  'deferred definer delete delimiter delimiters depends detach dictionary disable discard document domain double drop ' +
  'each enable encoding encrypted enum escape event exclude excluding exclusive execute explain expression extension ' +
  'external family filter finalize first following force forward function functions generated global granted groups ' +
  'handler header hold hour identity if immediate immutable implicit import include including increment index indexes ' +
  'inherit inherits inline input insensitive insert instead invoker isolation key label language large last leakproof ' +
  'level listen load local location lock locked logged mapping match materialized maxvalue method minute minvalue mode ' +
  'month move name names new next nfc nfd nfkc nfkd no normalized nothing notify nowait nulls object of off oids old ' +
  'operator option options ordinality others over overriding owned owner parallel parser partial partition passing ' +
  'password plans policy preceding prepare prepared preserve prior privileges procedural procedure procedures program ' +
  'publication quote range read reassign recheck recursive ref referencing refresh reindex relative release rename ' +
  'repeatable replace replica reset restart restrict return returns revoke role rollback rollup routine routines rows ' +
  'rule savepoint schema schemas scroll search second security sequence sequences serializable server session set ' +
  'sets share show simple skip snapshot sql stable standalone start statement statistics stdin stdout storage stored ' +
  'strict strip subscription support sysid system tables tablespace temp template temporary text ties transaction ' +
  'transform trigger truncate trusted type types uescape unbounded uncommitted unencrypted unknown unlisten unlogged ' +
  'until update vacuum valid validate validator value varying version view views volatile watermark whitespace within ' +
  'without work wrapper write xml year yes zone';

/** Key words that cannot be used as bare column labels (SELECT 1 word) in Postgres 15. */
const NOT_BARE = new Set(
  (
    'array as char character day except fetch filter for from grant group having hour into intersect minute month nchar ' +
      'offset on order over precision returning second to union varying where window with within without year'
  ).split(' '),
);

function entries(words: string, cat: string): [string, string, boolean][] {
  return words.split(' ').map((w) => [w, cat, !NOT_BARE.has(w)]);
}

export const PG_KEYWORDS: readonly (readonly [string, string, boolean])[] = [
  ...entries(RESERVED, 'R'),
  ...entries(TYPE_FUNC, 'T'),
  ...entries(COL_NAME, 'C'),
  ...entries(UNRESERVED, 'U'),
].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
