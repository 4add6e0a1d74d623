/**
 * Semantic layer of the grammar: turns the CST of `parser.ts` into the AST of
 * `ast.ts`.
 *
 * Contract:
 * - Every node's `pos` is the offset of its first token; statements carry
 *   `pos`/`end` spans (end just past the last token).
 * - Identifiers are case-folded here (unquoted -> lower case); type names are
 *   canonicalised through `TYPE_ALIASES`.
 * - Special call syntaxes (EXTRACT, POSITION, SUBSTRING, TRIM, OVERLAY, FLOOR/CEIL
 *   ... TO unit) are normalised as `ast.ts` documents for FunctionCall.
 * - Expressions arrive as flat `operand (opTail)*` lists and get Postgres
 *   precedence here by precedence climbing (`#climb`); `x AT TIME ZONE z`
 *   becomes timezone(z, x) as in Postgres.
 * - Utility statements (SET, SHOW, BEGIN, ...) are read from their raw word list.
 * - A builder is used for one parse (`?` parameters are numbered per parse).
 */
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.ts';
import {
  BacktickIdent, Caret, Comma, CompareOp, DollarString, Dot, EString, Equals, KW, LParen, Minus, NumberLit, ParseError,
  Percent, Plus, QuotedIdent, RParen, Slash, Star, StringLit, syntaxErrorAt,
} from './tokens.ts';
import { notSupported } from '../src/errors.ts';

type Child = CstNode | IToken;

function isToken(c: Child): c is IToken {
  return (c as IToken).image !== undefined;
}

function nodes(n: CstNode, key: string): CstNode[] {
  return (n.children[key] ?? []) as CstNode[];
}
function node(n: CstNode, key: string): CstNode | undefined {
  return n.children[key]?.[0] as CstNode | undefined;
}
function mustNode(n: CstNode, key: string): CstNode {
  const c = node(n, key);
  if (c === undefined) throw new Error(`internal: CST node ${n.name} has no ${key}`);
  return c;
}
function toks(n: CstNode, key: string): IToken[] {
  return (n.children[key] ?? []) as IToken[];
}
function tok(n: CstNode, key: string): IToken | undefined {
  return n.children[key]?.[0] as IToken | undefined;
}
function startOf(n: CstNode): number {
  return n.location?.startOffset ?? 0;
}
function endOf(n: CstNode): number {
  const e = n.location?.endOffset;
  return e === undefined || Number.isNaN(e) ? startOf(n) : e + 1;
}

// ---------------------------------------------------------------- data tables

/** Type name aliases -> canonical upper-case name (see TypeName in ast.ts). */
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['int', 'INT'], ['integer', 'INT'], ['int4', 'INT'],
  ['bigint', 'BIGINT'], ['int8', 'BIGINT'],
  ['smallint', 'SMALLINT'], ['int2', 'SMALLINT'],
  ['tinyint', 'TINYINT'],
  ['double', 'DOUBLE'], ['double precision', 'DOUBLE'], ['float8', 'DOUBLE'],
  ['float', 'FLOAT'], ['float4', 'FLOAT'], ['real', 'FLOAT'],
  ['decimal', 'DECIMAL'], ['numeric', 'DECIMAL'], ['dec', 'DECIMAL'],
  ['boolean', 'BOOLEAN'], ['bool', 'BOOLEAN'],
  ['char', 'CHAR'], ['character', 'CHAR'],
  ['varchar', 'VARCHAR'], ['character varying', 'VARCHAR'],
  ['string', 'STRING'], ['text', 'TEXT'],
  ['bytes', 'BYTES'], ['bytea', 'BYTES'], ['binary', 'BINARY'], ['varbinary', 'VARBINARY'],
  ['date', 'DATE'], ['time', 'TIME'], ['timestamp', 'TIMESTAMP'],
  ['timestamp_ltz', 'TIMESTAMP_LTZ'], ['timestamptz', 'TIMESTAMPTZ'],
  ['interval', 'INTERVAL'],
]);

const INTERVAL_UNITS: ReadonlySet<string> = new Set(['YEAR', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND']);

/** Niladic keywords that become calls with `noParens`. */
const NILADIC = new Set(['current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_user', 'session_user', 'user', 'current_schema', 'current_catalog', 'current_role']);

/** Functions whose first argument is a time unit written as a bare word. */
const UNIT_FIRST_ARG = new Set(['timestampadd', 'timestampdiff', 'timestamp_diff', 'date_add']);

/** Flink SHOW listings: word sequence -> target. */
const SHOW_TARGETS: readonly (readonly [readonly string[], A.ShowStatement['target']])[] = [
  [['MATERIALIZED', 'VIEWS'], 'MATERIALIZED VIEWS'],
  [['CURRENT', 'CATALOG'], 'CURRENT CATALOG'],
  [['CURRENT', 'DATABASE'], 'CURRENT DATABASE'],
  [['CREATE', 'TABLE'], 'CREATE TABLE'],
  [['CREATE', 'VIEW'], 'CREATE VIEW'],
  [['USER', 'FUNCTIONS'], 'FUNCTIONS'],
  [['TABLES'], 'TABLES'],
  [['VIEWS'], 'VIEWS'],
  [['DATABASES'], 'DATABASES'],
  [['CATALOGS'], 'CATALOGS'],
  [['FUNCTIONS'], 'FUNCTIONS'],
  [['JOBS'], 'JOBS'],
  [['CHECKPOINTS'], 'CHECKPOINTS'],
  [['SAVEPOINTS'], 'SAVEPOINTS'],
  [['COLUMNS'], 'COLUMNS'],
  [['ALL'], 'ALL'],
];

/** Option values read as booleans (Postgres' boolean option spellings). */
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true], ['false', false], ['on', true], ['off', false],
]);

/** Postgres multi-word variable names for SHOW / SET. */
const MULTIWORD_VARIABLES: readonly (readonly [readonly string[], string])[] = [
  [['TRANSACTION', 'ISOLATION', 'LEVEL'], 'transaction_isolation'],
  [['TIME', 'ZONE'], 'timezone'],
  [['SESSION', 'AUTHORIZATION'], 'session_authorization'],
];

/** Transaction modes as word sequences (longest first where prefixes overlap). */
const TRANSACTION_MODES: readonly (readonly string[])[] = [
  ['ISOLATION', 'LEVEL', 'SERIALIZABLE'],
  ['ISOLATION', 'LEVEL', 'REPEATABLE', 'READ'],
  ['ISOLATION', 'LEVEL', 'READ', 'COMMITTED'],
  ['ISOLATION', 'LEVEL', 'READ', 'UNCOMMITTED'],
  ['READ', 'WRITE'],
  ['READ', 'ONLY'],
  ['NOT', 'DEFERRABLE'],
  ['DEFERRABLE'],
];

// ---------------------------------------------------------------- literals and names

/** Decodes a string literal token (quotes, escapes). */
function stringTokenValue(t: IToken): string {
  const img = t.image;
  if (t.tokenType === StringLit) return img.slice(1, -1).replace(/''/g, "'");
  if (t.tokenType === EString) return decodeEscapes(img.slice(2, -1));
  if (t.tokenType === DollarString) {
    const open = img.indexOf('$', 1) + 1;
    return img.slice(open, img.length - open);
  }
  throw new Error(`internal: not a string token ${t.image}`);
}

function decodeEscapes(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "'" && body[i + 1] === "'") {
      out += "'";
      i++;
      continue;
    }
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[++i]!;
    switch (n) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
        if (m === null) { out += 'x'; break; }
        out += String.fromCharCode(parseInt(m[0], 16));
        i += m[0].length;
        break;
      }
      case 'u':
      case 'U': {
        const len = n === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) { out += n; break; }
        out += String.fromCodePoint(parseInt(hex, 16));
        i += len;
        break;
      }
      default: {
        const m = /^[0-7]{1,3}/.exec(body.slice(i));
        if (m !== null) {
          out += String.fromCharCode(parseInt(m[0], 8));
          i += m[0].length - 1;
        } else {
          out += n;
        }
      }
    }
  }
  return out;
}

/** An identifier token (plain, quoted, or keyword) as an Ident. */
export function identOf(t: IToken): A.Ident {
  if (t.tokenType === QuotedIdent) return { value: t.image.slice(1, -1).replace(/""/g, '"'), quoted: true, pos: t.startOffset };
  if (t.tokenType === BacktickIdent) return { value: t.image.slice(1, -1).replace(/``/g, '`'), quoted: true, pos: t.startOffset };
  return { value: t.image.toLowerCase(), quoted: false, pos: t.startOffset };
}

function qnameOf(parts: readonly IToken[]): A.QualifiedName {
  return { parts: parts.map(identOf), pos: parts[0]?.startOffset ?? 0 };
}

/** The SQL/JSON functions whose clauses `jsonCall` turns into arguments. */
const SQL_JSON_FUNCTIONS = new Set(['json_value', 'json_query', 'json_exists', 'json_object', 'json_array']);

function upperWord(t: IToken): string {
  return t.image.toUpperCase();
}

// ---------------------------------------------------------------- the builder

export class AstBuilder {
  readonly #text: string;
  #questionCount = 0;
  /** Marker returned for `t.*` inside an expression; select items turn it into a star item. */
  #starQualifier: A.QualifiedName | undefined = undefined;

  constructor(text: string) {
    this.#text = text;
  }

  script(cst: CstNode): A.ScriptStatement[] {
    return nodes(cst, 'statement').map((s) => this.statement(s));
  }

  statement(cst: CstNode): A.ScriptStatement {
    const [key, child] = Object.entries(cst.children)[0] as [string, CstNode[]];
    const n = child[0]!;
    const span = { pos: startOf(cst), end: endOf(cst) };
    switch (key) {
      case 'query':
        return { kind: 'query-statement', query: this.query(n), ...span };
      case 'createStmt':
        return this.create(n, span);
      case 'dropStmt':
        return this.drop(n, span);
      case 'insertStmt':
        return this.insert(n, span);
      case 'updateStmt':
        return this.update(n, span);
      case 'deleteStmt':
        return this.delete(n, span);
      case 'explainStmt':
        return this.explain(n, span);
      case 'declareStmt':
        return this.declare(n, span);
      case 'copyStmt':
        return this.copy(n, span);
      case 'subscribeStmt':
        return this.subscribe(n);
      case 'savepointStmt':
        return {
          kind: 'savepoint-command',
          action: tok(n, 'create') !== undefined ? 'create' : 'drop',
          target: this.stringValue(mustNode(n, 'target')),
          ...span,
        };
      case 'stopJobStmt':
        return {
          kind: 'stop-job',
          jobId: this.stringValue(mustNode(n, 'jobId')),
          withSavepoint: tok(n, 'savepoint') !== undefined,
          withDrain: tok(n, 'drain') !== undefined,
          ...span,
        };
      case 'utilityStmt':
        return this.utility(n, span);
      default:
        throw new Error(`internal: unknown statement ${key}`);
    }
  }

  // ---------------------------------------------------------------- DDL / DML

  create(n: CstNode, span: A.StatementSpan): A.Statement {
    const temporary = tok(n, 'temporary') !== undefined;
    const orReplace = tok(n, 'orReplace') !== undefined;
    const table = node(n, 'createTableBody');
    if (table !== undefined) {
      if (orReplace) throw syntaxErrorAt(tok(table, 'TABLE'), this.#text.length);
      const columns: A.ColumnDef[] = [];
      let watermark: A.CreateTable['watermark'];
      let primaryKey: A.CreateTable['primaryKey'];
      for (const el of nodes(table, 'tableElement')) {
        const [key, child] = Object.entries(el.children)[0] as [string, CstNode[]];
        const c = child[0]!;
        switch (key) {
          case 'watermarkDef':
            watermark = { column: this.ident(mustNode(c, 'ident')), expr: this.expr(mustNode(c, 'expr')), pos: startOf(c) };
            break;
          case 'tablePrimaryKey':
            primaryKey = { columns: this.identList(mustNode(c, 'identList')), enforced: tok(c, 'notEnforced') === undefined, pos: startOf(c) };
            break;
          case 'computedColumn': {
            const comment = node(c, 'comment');
            columns.push({
              kind: 'computed',
              name: this.ident(mustNode(c, 'ident')),
              expr: this.expr(mustNode(c, 'expr')),
              ...(comment !== undefined ? { comment: this.stringValue(comment) } : {}),
              pos: startOf(c),
            });
            break;
          }
          case 'physicalColumn':
            columns.push(this.physicalColumn(c));
            break;
          default:
            throw new Error(`internal: table element ${key}`);
        }
      }
      const comment = node(table, 'comment');
      const like = node(table, 'like');
      const asQuery = node(table, 'query');
      const partitionedBy = node(table, 'partitionedBy');
      return {
        kind: 'create-table',
        name: this.qname(mustNode(table, 'qualifiedName')),
        ifNotExists: node(table, 'ifNotExists') !== undefined,
        temporary,
        columns,
        ...(watermark !== undefined ? { watermark } : {}),
        ...(primaryKey !== undefined ? { primaryKey } : {}),
        ...(comment !== undefined ? { comment: this.stringValue(comment) } : {}),
        partitionedBy: partitionedBy !== undefined ? this.identList(partitionedBy) : [],
        options: this.withOptions(node(table, 'withOptions')),
        ...(like !== undefined ? { like: { name: this.qname(like), pos: startOf(like) } } : {}),
        ...(asQuery !== undefined ? { asQuery: this.query(asQuery) } : {}),
        ...span,
      };
    }
    const view = mustNode(n, 'createViewBody');
    const q = mustNode(view, 'query');
    const comment = node(view, 'comment');
    const cols = node(view, 'identList');
    return {
      kind: 'create-view',
      name: this.qname(mustNode(view, 'qualifiedName')),
      materialized: tok(view, 'MATERIALIZED') !== undefined,
      ifNotExists: node(view, 'ifNotExists') !== undefined,
      orReplace,
      temporary,
      columns: cols !== undefined ? this.identList(cols) : [],
      ...(comment !== undefined ? { comment: this.stringValue(comment) } : {}),
      options: this.withOptions(node(view, 'withOptions')),
      query: this.query(q),
      queryPos: startOf(q),
      ...span,
    };
  }

  physicalColumn(c: CstNode): A.ColumnDef {
    const name = this.ident(mustNode(c, 'ident'));
    const type = this.typeName(mustNode(c, 'typeName'));
    const comment = node(c, 'comment');
    const commentPart = comment !== undefined ? { comment: this.stringValue(comment) } : {};
    if (tok(c, 'METADATA') !== undefined) {
      const from = node(c, 'metadataFrom');
      return {
        kind: 'metadata',
        name,
        type,
        ...(from !== undefined ? { from: this.stringValue(from) } : {}),
        virtual: tok(c, 'VIRTUAL') !== undefined,
        ...commentPart,
        pos: startOf(c),
      };
    }
    let notNull = false;
    let primaryKey = false;
    for (const cc of nodes(c, 'columnConstraint')) {
      if (tok(cc, 'notNull') !== undefined) notNull = true;
      if (tok(cc, 'PRIMARY') !== undefined) {
        primaryKey = true;
        notNull = true;
      }
    }
    return { kind: 'physical', name, type, notNull, primaryKey, ...commentPart, pos: startOf(c) };
  }

  withOptions(n: CstNode | undefined): A.WithOption[] {
    if (n === undefined) return [];
    return nodes(n, 'optionPair').map((p) => {
      const ks = node(p, 'keyString');
      const key = ks !== undefined ? this.stringValue(ks) : toks(p, 'keyWords').map((t) => identOf(t).value).join('.');
      const vs = node(p, 'valueString');
      const value = vs !== undefined ? this.stringValue(vs) : tok(p, 'valueToken')!.image;
      return { key, value, pos: startOf(p) };
    });
  }

  drop(n: CstNode, span: A.StatementSpan): A.Drop {
    const objectKind = tok(n, 'MATERIALIZED') !== undefined ? 'MATERIALIZED VIEW' : tok(n, 'TABLE') !== undefined ? 'TABLE' : 'VIEW';
    return {
      kind: 'drop',
      objectKind,
      names: nodes(n, 'qualifiedName').map((q) => this.qname(q)),
      ifExists: tok(n, 'ifExists') !== undefined,
      temporary: tok(n, 'temporary') !== undefined,
      cascade: tok(n, 'CASCADE') !== undefined,
      ...span,
    };
  }

  insert(n: CstNode, span: A.StatementSpan): A.Insert {
    const cols = node(n, 'identList');
    const conflict = node(n, 'onConflict');
    const base: A.Insert = {
      kind: 'insert',
      table: this.qname(mustNode(n, 'qualifiedName')),
      overwrite: tok(n, 'OVERWRITE') !== undefined,
      columns: cols !== undefined ? this.identList(cols) : [],
      source: this.query(mustNode(n, 'query')),
      returning: nodes(n, 'returning').map((s) => this.selectItem(s)),
      ...span,
    };
    if (conflict === undefined) return base;
    const target = node(conflict, 'identList');
    const where = node(conflict, 'expr');
    const onConflict: OnConflict = {
      columns: target !== undefined ? this.identList(target) : [],
      action: tok(conflict, 'NOTHING') !== undefined ? 'NOTHING' : 'UPDATE',
      assignments: nodes(conflict, 'assignment').map((a) => this.assignment(a)),
      ...(where !== undefined ? { where: this.expr(where) } : {}),
      pos: startOf(conflict),
    };
    const withConflict: InsertWithConflict = { ...base, onConflict };
    return withConflict;
  }

  assignment(a: CstNode): { column: A.Ident; value: A.Expr; pos: number } {
    return { column: this.ident(mustNode(a, 'ident')), value: this.expr(mustNode(a, 'expr')), pos: startOf(a) };
  }

  update(n: CstNode, span: A.StatementSpan): A.Update {
    const alias = node(n, 'alias');
    const where = node(n, 'expr');
    return {
      kind: 'update',
      table: this.qname(mustNode(n, 'qualifiedName')),
      ...(alias !== undefined ? { alias: this.ident(alias) } : {}),
      assignments: nodes(n, 'assignment').map((a) => this.assignment(a)),
      ...(where !== undefined ? { where: this.expr(where) } : {}),
      ...span,
    };
  }

  delete(n: CstNode, span: A.StatementSpan): A.Delete {
    const alias = node(n, 'alias');
    const where = node(n, 'expr');
    return {
      kind: 'delete',
      table: this.qname(mustNode(n, 'qualifiedName')),
      ...(alias !== undefined ? { alias: this.ident(alias) } : {}),
      ...(where !== undefined ? { where: this.expr(where) } : {}),
      ...span,
    };
  }

  explain(n: CstNode, span: A.StatementSpan): A.Explain {
    const details: string[] = toks(n, 'detail').map(upperWord);
    // Parenthesised Postgres options: words grouped by commas.
    const words = [...toks(n, 'detailWord'), ...toks(n, 'detailComma')].sort((a, b) => a.startOffset - b.startOffset);
    let cur: string[] = [];
    for (const w of words) {
      if (w.tokenType === Comma) {
        if (cur.length > 0) details.push(cur.join(' '));
        cur = [];
      } else {
        cur.push(upperWord(w));
      }
    }
    if (cur.length > 0) details.push(cur.join(' '));
    const statement = this.statement(mustNode(n, 'statement'));
    if (statement.kind === 'stop-job') throw notSupported('EXPLAIN STOP JOB', statement.pos);
    if (statement.kind === 'savepoint-command') throw notSupported('EXPLAIN of a savepoint statement', statement.pos);
    return { kind: 'explain', details, statement, ...span };
  }

  // ---------------------------------------------------------------- cursors and subscriptions

  declare(n: CstNode, span: A.StatementSpan): A.DeclareCursor {
    const name = identOf(mustNode(n, 'ident').children['IdentTok']![0] as IToken).value;
    const hold = tok(n, 'withHold') !== undefined;
    const sub = node(n, 'subscribeStmt');
    if (sub === undefined) return { kind: 'declare-cursor', name, hold, query: this.query(mustNode(n, 'query')), ...span };
    const subscribe = this.subscribe(sub);
    const query = subscribe.target.kind === 'query' ? subscribe.target.query : selectAllFrom(subscribe.target.name);
    return { kind: 'declare-cursor', name, hold, query, subscribe, ...span };
  }

  /** A SUBSCRIBE, standalone or inside COPY / DECLARE; its span is its own. */
  subscribe(n: CstNode): A.Subscribe {
    const q = node(n, 'query');
    const target: A.Subscribe['target'] = q !== undefined
      ? { kind: 'query', query: this.query(q) }
      : { kind: 'relation', name: this.qname(mustNode(n, 'qualifiedName')) };
    const options = nodes(n, 'subscribeOption').map((o) => this.subscribeOption(o));
    return { kind: 'subscribe', target, options, pos: startOf(n), end: endOf(n) };
  }

  subscribeOption(n: CstNode): A.SubscribeOption {
    const key = identOf(tok(n, 'key')!).value;
    const pos = startOf(n);
    const vs = node(n, 'valueString');
    if (vs !== undefined) return { key, value: this.stringValue(vs), pos };
    const vt = tok(n, 'valueToken');
    if (vt === undefined) return { key, value: true, pos };
    if (vt.tokenType === NumberLit) return { key, value: vt.image, pos };
    const word = identOf(vt);
    if (!word.quoted) {
      const b = BOOLEAN_WORDS.get(word.value);
      if (b !== undefined) return { key, value: b, pos };
    }
    return { key, value: word.value, pos };
  }

  // ---------------------------------------------------------------- COPY

  copy(n: CstNode, span: A.StatementSpan): A.Copy {
    const q = node(n, 'query');
    const sub = node(n, 'subscribeStmt');
    const words = toks(n, 'words');
    const r = new WordReader(words, this.#text.length);
    let source: A.Copy['source'];
    if (q !== undefined) source = { kind: 'query', query: this.query(q) };
    else if (sub !== undefined) source = { kind: 'subscribe', subscribe: this.subscribe(sub) };
    else {
      const table = r.qualifiedName();
      const columns: A.Ident[] = [];
      if (r.skipToken(LParen)) {
        do columns.push(r.ident());
        while (r.skipToken(Comma));
        r.expect(RParen);
      }
      source = { kind: 'table', table, columns };
    }
    let direction: A.Copy['direction'];
    if (r.skipWord('FROM')) direction = 'from';
    else {
      r.expectWord('TO');
      direction = 'to';
    }
    if (source.kind !== 'table' && direction === 'from') throw syntaxErrorAt(words[0], this.#text.length);
    const at = r.current()?.startOffset ?? this.#text.length;
    let target: A.Copy['target'];
    if (r.skipWord(direction === 'from' ? 'STDIN' : 'STDOUT')) target = { kind: 'stdio', pos: at };
    else if (r.skipWord('PROGRAM')) target = { kind: 'program', path: r.string(), pos: at };
    else target = { kind: 'file', path: r.string(), pos: at };
    const options: A.CopyOption[] = [];
    if (r.skipWord('WITH') && r.done()) throw syntaxErrorAt(undefined, this.#text.length);
    if (r.current()?.tokenType === LParen) {
      r.next();
      do options.push(this.copyOption(r));
      while (r.skipToken(Comma));
      r.expect(RParen);
    } else {
      while (!r.done()) options.push(this.legacyCopyOption(r));
    }
    r.end();
    return { kind: 'copy', source, direction, target, options, ...span };
  }

  /** `name [value]` inside COPY's parenthesised option list. */
  copyOption(r: WordReader): A.CopyOption {
    const pos = r.current()?.startOffset ?? this.#text.length;
    const name = r.word().toLowerCase();
    const t = r.current();
    if (t === undefined || t.tokenType === Comma || t.tokenType === RParen) return { name, pos };
    if (t.tokenType === Star) {
      r.next();
      return { name, value: '*', pos };
    }
    if (t.tokenType === LParen) {
      r.next();
      const cols: string[] = [];
      do cols.push(r.name());
      while (r.skipToken(Comma));
      r.expect(RParen);
      return { name, value: cols, pos };
    }
    return { name, value: r.valueText(), pos };
  }

  /** One option of COPY's old unparenthesised syntax, normalised to the new form. */
  legacyCopyOption(r: WordReader): A.CopyOption {
    const head = r.current();
    const pos = head?.startOffset ?? this.#text.length;
    const word = r.word();
    const withString = (name: string): A.CopyOption => {
      r.skipWord('AS');
      return { name, value: r.string(), pos };
    };
    const columns = (): string[] => {
      const cols: string[] = [];
      do cols.push(r.name());
      while (r.skipToken(Comma));
      return cols;
    };
    switch (word) {
      case 'BINARY':
        return { name: 'format', value: 'binary', pos };
      case 'CSV':
        return { name: 'format', value: 'csv', pos };
      case 'HEADER':
        return { name: 'header', pos };
      case 'FREEZE':
        return { name: 'freeze', pos };
      case 'OIDS':
        return { name: 'oids', pos };
      case 'DELIMITER':
      case 'NULL':
      case 'QUOTE':
      case 'ESCAPE':
      case 'ENCODING':
        return withString(word.toLowerCase());
      case 'FORCE': {
        if (r.skipWord('QUOTE')) {
          if (r.skipToken(Star)) return { name: 'force_quote', value: '*', pos };
          return { name: 'force_quote', value: columns(), pos };
        }
        if (r.skipWord('NOT')) {
          r.expectWord('NULL');
          return { name: 'force_not_null', value: columns(), pos };
        }
        r.expectWord('NULL');
        return { name: 'force_null', value: columns(), pos };
      }
      default:
        throw syntaxErrorAt(head, this.#text.length);
    }
  }

  // ---------------------------------------------------------------- utility statements

  utility(n: CstNode, span: A.StatementSpan): A.Statement {
    const head = tok(n, 'head')!;
    const words = toks(n, 'words');
    const r = new WordReader(words, this.#text.length);
    switch (head.tokenType) {
      case KW.SET:
        return this.setStatement(r, span);
      case KW.RESET: {
        if (r.done() || r.isWord('ALL')) {
          r.skipWord('ALL');
          r.end();
          return { kind: 'reset', ...span };
        }
        const name = r.variableName();
        r.end();
        return { kind: 'reset', name, ...span };
      }
      case KW.SHOW:
        return this.show(r, span);
      case KW.DESCRIBE:
      case KW.DESC: {
        r.skipWord('TABLE');
        const name = r.qualifiedName();
        r.end();
        return { kind: 'describe', name, ...span };
      }
      case KW.BEGIN:
      case KW.START: {
        if (head.tokenType === KW.START) r.expectWord('TRANSACTION');
        else if (!r.skipWord('WORK')) r.skipWord('TRANSACTION');
        return { kind: 'transaction', action: 'BEGIN', modes: r.transactionModes(), ...span };
      }
      case KW.COMMIT:
      case KW.END: {
        if (!r.skipWord('WORK')) r.skipWord('TRANSACTION');
        r.skipChain();
        r.end();
        return { kind: 'transaction', action: 'COMMIT', modes: [], ...span };
      }
      case KW.ROLLBACK:
      case KW.ABORT: {
        if (!r.skipWord('WORK')) r.skipWord('TRANSACTION');
        if (head.tokenType === KW.ROLLBACK && r.skipWord('TO')) {
          r.skipWord('SAVEPOINT');
          const savepoint = r.name();
          r.end();
          return { kind: 'transaction', action: 'ROLLBACK TO', modes: [], savepoint, ...span };
        }
        r.skipChain();
        r.end();
        return { kind: 'transaction', action: 'ROLLBACK', modes: [], ...span };
      }
      case KW.SAVEPOINT: {
        const savepoint = r.name();
        r.end();
        return { kind: 'transaction', action: 'SAVEPOINT', modes: [], savepoint, ...span };
      }
      case KW.RELEASE: {
        r.skipWord('SAVEPOINT');
        const savepoint = r.name();
        r.end();
        return { kind: 'transaction', action: 'RELEASE', modes: [], savepoint, ...span };
      }
      case KW.USE: {
        const catalog = r.peekWord() === 'CATALOG' && words.length > 1 ? (r.skipWord('CATALOG'), true) : false;
        const name = r.qualifiedName();
        r.end();
        return { kind: 'use', catalog, name, ...span };
      }
      case KW.DISCARD: {
        const what = r.word();
        r.end();
        return { kind: 'discard', what: what === 'TEMPORARY' ? 'TEMP' : what, ...span };
      }
      case KW.DEALLOCATE: {
        r.skipWord('PREPARE');
        if (r.skipWord('ALL')) {
          r.end();
          return { kind: 'deallocate', ...span };
        }
        const name = r.name();
        r.end();
        return { kind: 'deallocate', name, ...span };
      }
      case KW.CLOSE: {
        if (r.skipWord('ALL')) {
          r.end();
          return { kind: 'close-cursor', ...span };
        }
        const name = r.name();
        r.end();
        return { kind: 'close-cursor', name, ...span };
      }
      case KW.FETCH:
      case KW.MOVE:
        return this.fetch(r, head.tokenType === KW.MOVE, span);
      default:
        throw syntaxErrorAt(head, this.#text.length);
    }
  }

  setStatement(r: WordReader, span: A.StatementSpan): A.SetStatement {
    if (r.done()) return { kind: 'set', values: [], local: false, isDefault: false, ...span };
    const str = r.peekString();
    if (str !== undefined) {
      r.next();
      r.expect(Equals);
      const value = r.valueText();
      r.end();
      return { kind: 'set', name: str, values: [value], local: false, isDefault: false, ...span };
    }
    let local = false;
    if (r.isWord('LOCAL')) {
      r.next();
      local = true;
    } else if (r.isWord('SESSION') && r.peekWord(1) !== 'AUTHORIZATION' && r.peekWord(1) !== 'CHARACTERISTICS') {
      r.next();
    }
    if (r.isWord('SESSION') && r.peekWord(1) === 'CHARACTERISTICS') {
      r.next();
      r.next();
      r.expectWord('AS');
      r.expectWord('TRANSACTION');
      return { kind: 'set', name: 'session characteristics', values: r.transactionModes(), local, isDefault: false, ...span };
    }
    if (r.isWord('TRANSACTION')) {
      r.next();
      return { kind: 'set', name: 'transaction', values: r.transactionModes(), local, isDefault: false, ...span };
    }
    if (r.isWord('TIME') && r.peekWord(1) === 'ZONE') {
      r.next();
      r.next();
      if (r.isWord('LOCAL') || r.isWord('DEFAULT')) {
        r.next();
        r.end();
        return { kind: 'set', name: 'timezone', values: [], local, isDefault: true, ...span };
      }
      const v = r.valueText();
      r.end();
      return { kind: 'set', name: 'timezone', values: [v], local, isDefault: false, ...span };
    }
    const name = r.variableName();
    if (!r.skipWord('TO')) r.expect(Equals);
    if (r.isWord('DEFAULT')) {
      r.next();
      r.end();
      return { kind: 'set', name, values: [], local, isDefault: true, ...span };
    }
    const values = [r.valueText()];
    while (r.skipToken(Comma)) values.push(r.valueText());
    r.end();
    return { kind: 'set', name, values, local, isDefault: false, ...span };
  }

  show(r: WordReader, span: A.StatementSpan): A.ShowStatement {
    for (const [seq, target] of SHOW_TARGETS) {
      if (!r.matchesWords(seq) || (target === 'ALL' && r.remaining() !== 1)) continue;
      r.skip(seq.length);
      let object: A.QualifiedName | undefined;
      if (target === 'CREATE TABLE' || target === 'CREATE VIEW') object = r.qualifiedName();
      if (target === 'COLUMNS') {
        if (!r.skipWord('FROM')) r.expectWord('IN');
        object = r.qualifiedName();
      }
      if ((target === 'TABLES' || target === 'VIEWS' || target === 'FUNCTIONS') && (r.isWord('FROM') || r.isWord('IN'))) {
        r.next();
        r.qualifiedName();
      }
      let like: A.ShowStatement['like'];
      const not = r.isWord('NOT') && r.peekWord(1) === 'LIKE';
      if (not) r.next();
      if (r.skipWord('LIKE') || r.skipWord('ILIKE')) like = { pattern: r.string(), not };
      r.end();
      return { kind: 'show', target, ...(object !== undefined ? { object } : {}), ...(like !== undefined ? { like } : {}), ...span };
    }
    for (const [seq, name] of MULTIWORD_VARIABLES) {
      if (r.matchesWords(seq) && r.remaining() === seq.length) {
        r.skip(seq.length);
        return { kind: 'show', target: 'VARIABLE', name, ...span };
      }
    }
    const name = r.variableName();
    r.end();
    return { kind: 'show', target: 'VARIABLE', name, ...span };
  }

  fetch(r: WordReader, move: boolean, span: A.StatementSpan): A.Fetch {
    let count: number | undefined = 1;
    const w = r.peekWord();
    if (w === 'NEXT') r.next();
    else if (w === 'ALL') {
      r.next();
      count = undefined;
    } else if (w === 'FORWARD') {
      r.next();
      if (r.isWord('ALL')) {
        r.next();
        count = undefined;
      } else if (r.peekNumber() !== undefined) {
        count = r.number();
      }
    } else if (r.peekNumber() !== undefined) {
      count = r.number();
    }
    if (!r.skipWord('FROM')) r.skipWord('IN');
    const cursor = r.name();
    const options: A.WithOption[] = [];
    if (r.skipWord('WITH')) {
      r.expect(LParen);
      do {
        const kt = r.current();
        const key = r.variableName();
        r.expect(Equals);
        options.push({ key, value: r.valueText(), pos: kt?.startOffset ?? 0 });
      } while (r.skipToken(Comma));
      r.expect(RParen);
    }
    r.end();
    return { kind: 'fetch', cursor, ...(count !== undefined ? { count } : {}), move, options, ...span };
  }

  // ---------------------------------------------------------------- queries

  query(n: CstNode): A.Query {
    const w = node(n, 'withClause');
    const order = node(n, 'orderByClause');
    const limit = node(n, 'limit') ?? node(n, 'fetch');
    const offset = node(n, 'offset');
    let fetchDefault: A.Expr | undefined;
    if (limit === undefined && tok(n, 'FETCH') !== undefined) fetchDefault = { kind: 'number', text: '1', pos: tok(n, 'FETCH')!.startOffset };
    const limitExpr = limit !== undefined ? this.expr(limit) : fetchDefault;
    return {
      kind: 'query',
      with: w !== undefined ? nodes(w, 'cte').map((c) => this.cte(c)) : [],
      recursive: w !== undefined && tok(w, 'RECURSIVE') !== undefined,
      body: this.setExpr(mustNode(n, 'setExpr')),
      orderBy: order !== undefined ? this.orderBy(order) : [],
      ...(limitExpr !== undefined ? { limit: limitExpr } : {}),
      ...(offset !== undefined ? { offset: this.expr(offset) } : {}),
      pos: startOf(n),
    };
  }

  cte(c: CstNode): A.CommonTableExpr {
    const cols = node(c, 'identList');
    return {
      name: this.ident(mustNode(c, 'ident')),
      columns: cols !== undefined ? this.identList(cols) : [],
      query: this.query(mustNode(c, 'query')),
      pos: startOf(c),
    };
  }

  setExpr(n: CstNode): A.QueryBody {
    let left = this.setTerm(mustNode(n, 'setTerm'));
    for (const tail of nodes(n, 'setExprTail')) {
      const op = upperWord(tok(tail, 'op')!) as 'UNION' | 'EXCEPT';
      const right = this.setTerm(mustNode(tail, 'setTerm'));
      left = { kind: 'set-op', op, all: tok(tail, 'all') !== undefined, left, right, pos: left.pos };
    }
    return left;
  }

  setTerm(n: CstNode): A.QueryBody {
    let left = this.setPrimary(mustNode(n, 'setPrimary'));
    for (const tail of nodes(n, 'setTermTail')) {
      const right = this.setPrimary(mustNode(tail, 'setPrimary'));
      left = { kind: 'set-op', op: 'INTERSECT', all: tok(tail, 'all') !== undefined, left, right, pos: left.pos };
    }
    return left;
  }

  setPrimary(n: CstNode): A.QueryBody {
    const sel = node(n, 'selectCore');
    if (sel !== undefined) return this.select(sel);
    const values = node(n, 'valuesBody');
    if (values !== undefined) {
      return { kind: 'values', rows: nodes(values, 'parenExprList').map((r) => this.exprList(mustNode(r, 'exprList'))), pos: startOf(values) };
    }
    const q = this.query(mustNode(n, 'query'));
    if (q.with.length === 0 && q.orderBy.length === 0 && q.limit === undefined && q.offset === undefined) return q.body;
    return { kind: 'nested', query: q, pos: startOf(n) };
  }

  select(n: CstNode): A.Select {
    const distinctOn = node(n, 'distinctOn');
    const where = node(n, 'where');
    const having = node(n, 'having');
    return {
      kind: 'select',
      distinct: tok(n, 'DISTINCT') !== undefined,
      distinctOn: distinctOn !== undefined ? this.exprList(mustNode(distinctOn, 'exprList')) : [],
      items: nodes(n, 'selectItem').map((s) => this.selectItem(s)),
      from: nodes(n, 'tableRef').map((t) => this.tableRef(t)),
      ...(where !== undefined ? { where: this.expr(where) } : {}),
      groupBy: nodes(n, 'groupingElement').map((g) => this.groupingElement(g)),
      ...(having !== undefined ? { having: this.expr(having) } : {}),
      windows: nodes(n, 'windowDef').map((w) => ({ name: this.ident(mustNode(w, 'ident')), spec: this.windowSpec(mustNode(w, 'windowSpec')) })),
      pos: startOf(n),
    };
  }

  selectItem(n: CstNode): A.SelectItem {
    const star = tok(n, 'Star');
    if (star !== undefined) return { kind: 'star', pos: star.startOffset };
    this.#starQualifier = undefined;
    const expr = this.expr(mustNode(n, 'expr'));
    const alias = tok(n, 'alias');
    if (expr.kind === 'star-arg' && this.#starQualifier !== undefined) {
      const qualifier: A.QualifiedName = this.#starQualifier;
      this.#starQualifier = undefined;
      if (alias !== undefined) throw syntaxErrorAt(alias, this.#text.length);
      return { kind: 'star', qualifier, pos: startOf(n) };
    }
    return { kind: 'expr', expr, ...(alias !== undefined ? { alias: identOf(alias) } : {}), pos: startOf(n) };
  }

  groupingElement(n: CstNode): A.GroupingElement {
    const pos = startOf(n);
    if (tok(n, 'empty') !== undefined) return { kind: 'empty', pos };
    const list = node(n, 'groupingSetList');
    if (list !== undefined) {
      const sets = nodes(list, 'groupingElement').map((g): readonly A.Expr[] => {
        const e = this.groupingElement(g);
        if (e.kind === 'empty') return [];
        if (e.kind !== 'expr') throw syntaxErrorAt(undefined, this.#text.length);
        return e.expr.kind === 'row' && !e.expr.explicit ? e.expr.elements : [e.expr];
      });
      const kind = tok(n, 'rollup') !== undefined ? 'rollup' : tok(n, 'cube') !== undefined ? 'cube' : 'grouping-sets';
      return { kind, sets, pos };
    }
    return { kind: 'expr', expr: this.expr(mustNode(n, 'expr')) };
  }

  orderBy(n: CstNode): A.OrderItem[] {
    return nodes(n, 'orderItem').map((o) => {
      const nulls = tok(o, 'NULLS');
      return {
        expr: this.expr(mustNode(o, 'expr')),
        desc: tok(o, 'desc') !== undefined,
        ...(nulls !== undefined ? { nullsFirst: tok(o, 'nullsFirst') !== undefined } : {}),
        pos: startOf(o),
      };
    });
  }

  tableRef(n: CstNode): A.TableRef {
    let left = this.tablePrimary(mustNode(n, 'tablePrimary'));
    for (const j of nodes(n, 'joinPart')) {
      const right = this.tablePrimary(mustNode(j, 'tablePrimary'));
      const jt = tok(j, 'joinType');
      const joinType = tok(j, 'cross') !== undefined ? 'CROSS' : jt !== undefined ? (upperWord(jt) as 'LEFT' | 'RIGHT' | 'FULL' | 'INNER') : 'INNER';
      const on = node(j, 'on');
      const using = node(j, 'using');
      left = {
        kind: 'join',
        joinType,
        left,
        right,
        ...(on !== undefined ? { on: this.expr(on) } : {}),
        using: using !== undefined ? this.identList(using) : [],
        natural: tok(j, 'natural') !== undefined,
        pos: left.pos,
      };
    }
    return left;
  }

  tablePrimary(n: CstNode): A.TableRef {
    const pos = startOf(n);
    const lateral = tok(n, 'lateral') !== undefined;
    const aliasNode = node(n, 'tableAlias');
    const alias = aliasNode !== undefined ? { alias: this.tableAlias(aliasNode) } : {};
    if (tok(n, 'tableWrapper') !== undefined) {
      const call = this.call(mustNode(n, 'fnName'), node(n, 'funcArgs'), startOf(mustNode(n, 'fnName')));
      return { kind: 'function', call, ...alias, lateral, ordinality: false, tableWrapper: true, pos };
    }
    const q = node(n, 'query');
    if (q !== undefined) return { kind: 'subquery', query: this.query(q), ...alias, lateral, pos };
    const nested = node(n, 'tableRef');
    if (nested !== undefined) {
      if (lateral || aliasNode !== undefined) throw syntaxErrorAt(tok(n, 'lateral') ?? firstToken(aliasNode!), this.#text.length);
      return this.tableRef(nested);
    }
    const name = mustNode(n, 'name');
    if (tok(n, 'call') !== undefined) {
      const call = this.call(name, node(n, 'funcArgs'), startOf(name));
      return { kind: 'function', call, ...alias, lateral, ordinality: tok(n, 'ordinality') !== undefined, tableWrapper: false, pos };
    }
    if (lateral) throw syntaxErrorAt(tok(n, 'lateral'), this.#text.length);
    const asOf = node(n, 'asOf');
    const hint = tok(n, 'Hint');
    const hints = hint !== undefined ? optionsHint(hint.image) : [];
    return { kind: 'named', name: this.qname(name), ...alias, ...(asOf !== undefined ? { asOf: this.expr(asOf) } : {}), hints, pos };
  }

  tableAlias(n: CstNode): A.TableAlias {
    const cols = node(n, 'identList');
    return { name: this.ident(mustNode(n, 'ident')), columns: cols !== undefined ? this.identList(cols) : [] };
  }

  // ---------------------------------------------------------------- expressions

  /** An expression CST is `operand (opTail)*`; precedence climbing builds the tree. */
  expr(n: CstNode): A.Expr {
    const st: ClimbState = { tails: nodes(n, 'opTail'), i: 0 };
    const e = this.#climb(st, slotOf(mustNode(n, 'operand')), 0);
    if (st.i < st.tails.length) throw syntaxErrorAt(firstToken(st.tails[st.i]!), this.#text.length);
    return e;
  }

  exprList(n: CstNode): A.Expr[] {
    return nodes(n, 'expr').map((e) => this.expr(e));
  }

  #climb(st: ClimbState, slot: Slot, minPrec: number): A.Expr {
    let left: A.Expr;
    if (slot.nots > 0) {
      const notTok = toks(slot.cst, 'not')[toks(slot.cst, 'not').length - slot.nots]!;
      slot.nots--;
      left = { kind: 'unary', op: 'NOT', operand: this.#climb(st, slot, P_NOT), pos: notTok.startOffset };
    } else {
      left = this.unary(slot.cst);
    }
    for (;;) {
      const t = st.tails[st.i];
      if (t === undefined) return left;
      const p = tailPrec(t);
      if (p < minPrec) return left;
      st.i++;
      left = this.#applyTail(st, left, t, p);
    }
  }

  #applyTail(st: ClimbState, left: A.Expr, t: CstNode, p: number): A.Expr {
    const pos = left.pos;
    const not = tok(t, 'not') !== undefined;
    if (tok(t, 'op') !== undefined || node(t, 'operatorForm') !== undefined) {
      const { op, schema } = this.operator(t);
      const sch = schema !== undefined ? { schema } : {};
      const q = tok(t, 'quantifier');
      if (q !== undefined) {
        if (p !== P_CMP && schema === undefined) throw syntaxErrorAt(q, this.#text.length);
        const pq = mustNode(t, 'parenQueryOrExpr');
        const sub = node(pq, 'query');
        const right = sub !== undefined ? { kind: 'query' as const, query: this.query(sub) } : { kind: 'expr' as const, expr: this.expr(mustNode(pq, 'expr')) };
        return { kind: 'quantified', operand: left, op, ...sch, quantifier: q.tokenType === KW.ALL ? 'ALL' : 'ANY', right, pos };
      }
      const right = this.#climb(st, slotOf(mustNode(t, 'operand')), p + 1);
      return { kind: 'binary', op, left, right, ...sch, pos };
    }
    const what = tok(t, 'what');
    if (what !== undefined) {
      switch (what.tokenType) {
        case KW.NULL: return { kind: 'is-null', operand: left, not, pos };
        case KW.ISNULL: return { kind: 'is-null', operand: left, not: false, pos };
        case KW.NOTNULL: return { kind: 'is-null', operand: left, not: true, pos };
        case KW.TRUE:
        case KW.FALSE:
        case KW.UNKNOWN:
          return { kind: 'is-bool', operand: left, value: what.tokenType === KW.UNKNOWN ? null : what.tokenType === KW.TRUE, not, pos };
        case KW.JSON: {
          const kind = tok(t, 'jsonKind');
          const isJson: A.Expr = {
            kind: 'call',
            name: { parts: [{ value: 'is_json', quoted: false, pos }], pos },
            args: [left, { kind: 'string', value: kind !== undefined ? upperWord(kind) : 'VALUE', pos }],
            distinct: false,
            noParens: false,
            orderBy: [],
            pos,
          };
          return not ? { kind: 'unary', op: 'NOT', operand: isJson, pos } : isJson;
        }
        default:
          return { kind: 'is-distinct', left, right: this.#climb(st, slotOf(mustNode(t, 'operand')), P_CMP), not, pos };
      }
    }
    if (tok(t, 'between') !== undefined) {
      const low = this.#climb(st, slotOf(mustNode(t, 'operand')), P_OTHER);
      const and = st.tails[st.i];
      if (and === undefined || tok(and, 'op')?.tokenType !== KW.AND) {
        throw syntaxErrorAt(and !== undefined ? firstToken(and) : undefined, this.#text.length);
      }
      st.i++;
      const high = this.#climb(st, slotOf(mustNode(and, 'operand')), P_OTHER);
      return { kind: 'between', operand: left, low, high, not, symmetric: tok(t, 'symmetric') !== undefined, pos };
    }
    if (tok(t, 'in') !== undefined) {
      const q = node(t, 'query');
      return q !== undefined
        ? { kind: 'in-subquery', operand: left, query: this.query(q), not, pos }
        : { kind: 'in-list', operand: left, list: this.exprList(mustNode(t, 'exprList')), not, pos };
    }
    const likeOp = tok(t, 'likeOp');
    if (likeOp !== undefined) {
      const img = likeOp.image;
      const pattern = this.#climb(st, slotOf(mustNode(t, 'operand')), P_OTHER + 1);
      return { kind: 'like', operand: left, pattern, not: img.startsWith('!'), mode: img.endsWith('*') ? 'ILIKE' : 'LIKE', pos };
    }
    const at = tok(t, 'atTimeZone');
    if (at !== undefined) {
      // Postgres rewrites `x AT TIME ZONE z` to timezone(z, x) the same way.
      const zone = this.#climb(st, slotOf(mustNode(t, 'operand')), P_AT + 1);
      return { kind: 'call', name: { parts: [{ value: 'timezone', quoted: false, pos: at.startOffset }], pos: at.startOffset }, args: [zone, left], distinct: false, noParens: false, orderBy: [], pos };
    }
    const like = tok(t, 'like');
    if (like !== undefined) {
      const mode = like.tokenType === KW.LIKE ? 'LIKE' : like.tokenType === KW.ILIKE ? 'ILIKE' : 'SIMILAR';
      const pattern = this.#climb(st, slotOf(mustNode(t, 'operand')), P_OTHER);
      const esc = st.tails[st.i];
      let escape: A.Expr | undefined;
      if (esc !== undefined && tok(esc, 'escape') !== undefined) {
        st.i++;
        escape = this.#climb(st, slotOf(mustNode(esc, 'operand')), P_OTHER);
      }
      return { kind: 'like', operand: left, pattern, ...(escape !== undefined ? { escape } : {}), not, mode, pos };
    }
    throw syntaxErrorAt(firstToken(t), this.#text.length);
  }

  operator(n: CstNode): { op: A.BinaryOp; schema?: string } {
    const opTok = tok(n, 'op');
    if (opTok !== undefined) return { op: binaryOp(opTok) };
    const f = mustNode(n, 'operatorForm');
    const schema = toks(f, 'schema').map((t) => identOf(t).value).join('.');
    return { op: binaryOp(tok(f, 'op')!), ...(schema !== '' ? { schema } : {}) };
  }

  /** `(- | + | ~)* primary postfixOp*` (the NOTs of an operand are handled by #climb). */
  unary(n: CstNode): A.Expr {
    let e = this.primary(mustNode(n, 'primary'));
    for (const s of nodes(n, 'postfixOp')) {
      if (tok(s, 'cast') !== undefined) e = { kind: 'cast', operand: e, type: this.typeName(mustNode(s, 'typeName')), syntax: '::', pos: e.pos };
      else if (tok(s, 'subscript') !== undefined) {
        const upper = node(s, 'upper');
        e = {
          kind: 'subscript', operand: e, index: this.expr(mustNode(s, 'index')),
          ...(upper !== undefined ? { upper: this.expr(upper) } : {}), slice: tok(s, 'slice') !== undefined, pos: e.pos,
        };
      } else if (tok(s, 'collate') !== undefined) e = { kind: 'collate', operand: e, collation: this.qname(mustNode(s, 'qualifiedName')), pos: e.pos };
      else e = { kind: 'field', operand: e, field: identOf(tok(s, 'fieldName')!), pos: e.pos };
    }
    const signs = toks(n, 'sign');
    for (let i = signs.length - 1; i >= 0; i--) {
      const s = signs[i]!;
      e = { kind: 'unary', op: s.image as '-' | '+' | '~', operand: e, pos: s.startOffset };
    }
    return e;
  }

  primary(n: CstNode): A.Expr {
    const pos = startOf(n);
    let key = '';
    for (const k in n.children) {
      key = k;
      break;
    }
    const c = n.children[key]![0]!;
    switch (key) {
      case 'NumberLit':
        return { kind: 'number', text: (c as IToken).image, pos };
      case 'stringLit':
        return { kind: 'string', value: this.stringValue(c as CstNode), pos };
      case 'XString':
        return { kind: 'typed-literal', type: simpleType('BYTES', pos), value: (c as IToken).image.slice(2, -1), pos };
      case 'Param':
        return { kind: 'param', index: Number((c as IToken).image.slice(1)), pos };
      case 'Question':
        return { kind: 'param', index: ++this.#questionCount, pos };
      case 'TRUE':
        return { kind: 'boolean', value: true, pos };
      case 'FALSE':
        return { kind: 'boolean', value: false, pos };
      case 'NULL':
        return { kind: 'null', pos };
      case 'intervalLit':
        return this.interval(c as CstNode);
      case 'caseExpr': {
        const k = c as CstNode;
        const op = node(k, 'operand');
        const whens = nodes(k, 'when');
        const thens = nodes(k, 'then');
        const els = node(k, 'else');
        return {
          kind: 'case',
          ...(op !== undefined ? { operand: this.expr(op) } : {}),
          whens: whens.map((w, i) => ({ when: this.expr(w), then: this.expr(thens[i]!) })),
          ...(els !== undefined ? { else: this.expr(els) } : {}),
          pos,
        };
      }
      case 'castExpr': {
        const k = c as CstNode;
        return {
          kind: 'cast', operand: this.expr(mustNode(k, 'expr')), type: this.typeNameNullable(mustNode(k, 'typeNameNullable')),
          syntax: tok(k, 'fn')!.tokenType === KW.CAST ? 'cast' : 'try_cast', pos,
        };
      }
      case 'niladic': {
        const k = c as CstNode;
        const fn = tok(k, 'fn')!;
        const list = node(k, 'exprList');
        const name = fn.image.toLowerCase();
        if (!NILADIC.has(name)) throw syntaxErrorAt(fn, this.#text.length);
        return {
          kind: 'call', name: { parts: [{ value: name, quoted: false, pos }], pos }, args: list !== undefined ? this.exprList(list) : [],
          distinct: false, noParens: tok(k, 'parens') === undefined, orderBy: [], pos,
        };
      }
      case 'EXISTS':
        return { kind: 'exists', query: this.query(mustNode(n, 'exists')), pos };
      case 'mapExpr': {
        // MAP[k1, v1, ...] is the map_constructor function (the AST has no map node).
        const list = node(c as CstNode, 'exprList');
        return {
          kind: 'call', name: { parts: [{ value: 'map_constructor', quoted: false, pos }], pos },
          args: list !== undefined ? this.exprList(list) : [], distinct: false, noParens: false, orderBy: [], pos,
        };
      }
      case 'arrayExpr': {
        const k = c as CstNode;
        const q = node(k, 'query');
        if (q !== undefined) return { kind: 'subquery', query: this.query(q), array: true, pos };
        const list = node(k, 'exprList');
        return { kind: 'array', elements: list !== undefined ? this.exprList(list) : [], pos };
      }
      case 'ROW': {
        const list = node(n, 'row');
        return { kind: 'row', elements: list !== undefined ? this.exprList(list) : [], explicit: true, pos };
      }
      case 'parenExpr': {
        const k = c as CstNode;
        const q = node(k, 'query');
        if (q !== undefined) return { kind: 'subquery', query: this.query(q), array: false, pos };
        const list = this.exprList(mustNode(k, 'exprList'));
        if (list.length === 1) return list[0]!;
        return { kind: 'row', elements: list, explicit: false, pos };
      }
      case 'nameExpr':
        return this.nameExpr(c as CstNode);
      default:
        throw new Error(`internal: primary ${key}`);
    }
  }

  interval(n: CstNode): A.IntervalLiteral {
    const sign = tok(n, 'sign');
    const raw = this.stringValue(mustNode(n, 'stringLit'));
    const value = sign !== undefined && sign.image === '-' ? (raw.startsWith('-') ? raw.slice(1) : `-${raw}`) : raw;
    const q = node(n, 'intervalQualifier');
    return { kind: 'interval', value, ...(q !== undefined ? { qualifier: this.intervalQualifier(q) } : {}), pos: startOf(n) };
  }

  intervalQualifier(n: CstNode): A.IntervalQualifier {
    const from = unitOf(mustNode(n, 'from'));
    const to = node(n, 'to');
    const precision = tok(n, 'precision');
    return { from, ...(to !== undefined ? { to: unitOf(to) } : {}), ...(precision !== undefined ? { precision: Number(precision.image) } : {}) };
  }

  nameExpr(n: CstNode): A.Expr {
    const parts = toks(n, 'part');
    const pos = startOf(n);
    const star = tok(n, 'star');
    if (star !== undefined) {
      const last = parts[parts.length - 1]!;
      if (star.startOffset < last.startOffset || tok(n, 'call') !== undefined || node(n, 'typedLiteral') !== undefined) throw syntaxErrorAt(star, this.#text.length);
      this.#starQualifier = qnameOf(parts);
      return { kind: 'star-arg', pos };
    }
    const lit = node(n, 'typedLiteral');
    if (lit !== undefined) {
      return { kind: 'typed-literal', type: namedTypeOf(parts, [], pos, undefined), value: this.stringValue(lit), pos };
    }
    if (tok(n, 'call') === undefined) return { kind: 'column', name: qnameOf(parts), pos };
    const base = this.call(n, node(n, 'funcArgs'), pos);
    const filter = node(n, 'filter');
    const windowName = node(n, 'windowName');
    const spec = node(n, 'windowSpec');
    const over: A.WindowSpec | undefined = windowName !== undefined
      ? { name: this.ident(windowName), partitionBy: [], orderBy: [], pos: startOf(windowName) }
      : spec !== undefined ? this.windowSpec(spec) : undefined;
    if (base.kind !== 'call') {
      if (filter !== undefined || over !== undefined) throw syntaxErrorAt(tok(n, 'OVER') ?? tok(n, 'FILTER'), this.#text.length);
      return base;
    }
    return { ...base, ...(filter !== undefined ? { filter: this.expr(filter) } : {}), ...(over !== undefined ? { over } : {}) };
  }

  /** A call from a node holding `part` tokens and an optional funcArgs node. */
  call(nameNode: CstNode, argsNode: CstNode | undefined, pos: number): A.FunctionCall;
  call(nameNode: CstNode, argsNode: CstNode | undefined, pos: number): A.Expr;
  call(nameNode: CstNode, argsNode: CstNode | undefined, pos: number): A.Expr {
    const name = qnameOf(toks(nameNode, 'part'));
    const plain = name.parts.length === 1 && !name.parts[0]!.quoted ? name.parts[0]!.value : '';
    const mk = (args: A.Expr[], distinct = false, orderBy: A.OrderItem[] = []): A.FunctionCall =>
      ({ kind: 'call', name, args, distinct, noParens: false, orderBy, pos });
    if (argsNode === undefined) return mk([]);
    const distinct = tok(argsNode, 'distinct') !== undefined;
    const order = node(argsNode, 'orderByClause');
    const orderBy = order !== undefined ? this.orderBy(order) : [];
    const star = tok(argsNode, 'star');
    if (star !== undefined) return mk([{ kind: 'star-arg', pos: star.startOffset }], distinct, orderBy);
    const args = nodes(argsNode, 'funcArg').map((a) => this.funcArg(a));
    const seps = toks(argsNode, 'sep');
    const clauses = nodes(argsNode, 'jsonClause');
    if (SQL_JSON_FUNCTIONS.has(plain)) return this.jsonCall(plain, mk, args, seps, clauses, pos);
    if (clauses.length > 0) throw syntaxErrorAt(firstToken(clauses[0]!), this.#text.length);
    // KEY k (JSON_OBJECT's) in any other call.
    const strayKey = nodes(argsNode, 'funcArg').map((a) => tok(a, 'jsonKey')).find((t) => t !== undefined);
    if (strayKey !== undefined) throw syntaxErrorAt(strayKey, this.#text.length);
    const trimSpec = tok(argsNode, 'trimSpec');
    const sepWords = seps.map((s) => (s.tokenType === Comma ? ',' : upperWord(s)));
    const sepsAre = (...want: string[]) => sepWords.length === want.length && sepWords.every((s, i) => s === want[i]);
    const str = (value: string, at: number): A.StringLiteral => ({ kind: 'string', value, pos: at });
    const badSep = () => {
      const i = sepWords.findIndex((s) => s !== ',');
      return syntaxErrorAt(seps[i], this.#text.length);
    };
    switch (plain) {
      case 'extract': {
        if (!sepsAre('FROM')) throw badSep();
        const f = args[0]!;
        const field = f.kind === 'column' && f.name.parts.length === 1 ? f.name.parts[0]!.value.toUpperCase() : f.kind === 'string' ? f.value.toUpperCase() : undefined;
        if (field === undefined) throw syntaxErrorAt(undefined, this.#text.length);
        return { kind: 'extract', field, operand: args[1]!, pos };
      }
      case 'position':
        if (sepsAre('IN')) return mk(args);
        break;
      case 'substring':
      case 'substr':
        if (sepsAre('FROM', 'FOR') || sepsAre('FROM')) return mk(args);
        if (sepsAre('FOR')) return mk([args[0]!, { kind: 'number', text: '1', pos }, args[1]!]);
        break;
      case 'overlay':
        if (sepsAre('PLACING', 'FROM') || sepsAre('PLACING', 'FROM', 'FOR')) return mk(args);
        break;
      case 'trim': {
        const side = trimSpec !== undefined ? upperWord(trimSpec) : 'BOTH';
        if (sepsAre('FROM')) {
          return mk(args.length === 2 ? [str(side, pos), args[0]!, args[1]!] : [str(side, pos), str(' ', pos), args[0]!]);
        }
        if (trimSpec === undefined && sepsAre()) return mk([str('BOTH', pos), str(' ', pos), args[0]!]);
        if (trimSpec === undefined && sepsAre(',')) return mk([str('BOTH', pos), args[1]!, args[0]!]);
        break;
      }
      case 'floor':
      case 'ceil':
      case 'ceiling':
        if (sepsAre('TO')) {
          const u = args[1]!;
          if (u.kind === 'column' && u.name.parts.length === 1) return mk([args[0]!, str(u.name.parts[0]!.value.toUpperCase(), u.pos)]);
          throw badSep();
        }
        break;
      default:
        break;
    }
    if (trimSpec !== undefined) throw syntaxErrorAt(trimSpec, this.#text.length);
    if (sepWords.some((s) => s !== ',')) throw badSep();
    if (UNIT_FIRST_ARG.has(plain) && args.length > 0) {
      const u = args[0]!;
      if (u.kind === 'column' && u.name.parts.length === 1 && !u.name.parts[0]!.quoted) args[0] = str(u.name.parts[0]!.value.toUpperCase(), u.pos);
    }
    return mk(args, distinct, orderBy);
  }

  /**
   * A SQL/JSON function with its clauses turned into plain arguments, in the
   * order src/functions/sql-json.ts documents (defaults filled in).
   */
  jsonCall(name: string, mk: (args: A.Expr[]) => A.FunctionCall, args: A.Expr[], seps: IToken[], clauses: CstNode[], pos: number): A.Expr {
    const str = (value: string, at = pos): A.StringLiteral => ({ kind: 'string', value, pos: at });
    const nul: A.Expr = { kind: 'null', pos };
    const fail = (t: IToken | undefined): never => {
      throw syntaxErrorAt(t, this.#text.length);
    };
    const sepWords = seps.map((t) => (t.tokenType === Comma ? ',' : upperWord(t)));
    const valueSeps = name === 'json_object';
    seps.forEach((t, i) => {
      const want = valueSeps ? (i % 2 === 0 ? 'VALUE' : ',') : ',';
      if (sepWords[i] !== want) fail(t);
    });
    if (valueSeps && args.length % 2 !== 0) fail(seps[seps.length - 1]);
    let returning: A.TypeName | undefined;
    let wrapper = 'WITHOUT';
    const on = new Map<string, { mode: string; value?: A.Expr; at: IToken }>();
    for (const c of clauses) {
      const r = node(c, 'typeName');
      const w = tok(c, 'wrapper');
      if (r !== undefined) {
        if (name !== 'json_value' && name !== 'json_query') fail(tok(c, 'returning'));
        returning = this.typeName(r);
      } else if (w !== undefined) {
        if (name !== 'json_query') fail(w);
        const kind = tok(c, 'wrapperKind');
        wrapper = w.tokenType === KW.WITHOUT ? 'WITHOUT' : kind !== undefined ? upperWord(kind) : 'UNCONDITIONAL';
      } else {
        const b = tok(c, 'behaviour')!;
        const target = upperWord(tok(c, 'target')!);
        const emptyKind = tok(c, 'emptyKind');
        const mode = emptyKind !== undefined ? `EMPTY ${upperWord(emptyKind)}` : upperWord(b);
        const def = node(c, 'default');
        if (on.has(target)) fail(b);
        on.set(target, { mode, ...(def !== undefined ? { value: this.expr(def) } : {}), at: b });
      }
    }
    const behaviour = (target: string, allowed: readonly string[], dflt: string): { mode: A.Expr; value: A.Expr } => {
      const b = on.get(target);
      on.delete(target);
      if (b === undefined) return { mode: str(dflt), value: nul };
      if (!allowed.includes(b.mode)) fail(b.at);
      return { mode: str(b.mode, b.at.startOffset), value: b.value ?? nul };
    };
    const call = (all: A.Expr[]): A.Expr => {
      const left = on.values().next();
      if (!left.done) fail(left.value.at);
      return mk(all);
    };
    switch (name) {
      case 'json_value': {
        if (args.length !== 2) break;
        const empty = behaviour('EMPTY', ['NULL', 'ERROR', 'DEFAULT'], 'NULL');
        const error = behaviour('ERROR', ['NULL', 'ERROR', 'DEFAULT'], 'NULL');
        const type: A.Expr = returning !== undefined ? { kind: 'cast', operand: nul, type: returning, syntax: 'cast', pos } : nul;
        return call([args[0]!, args[1]!, type, empty.mode, empty.value, error.mode, error.value]);
      }
      case 'json_query': {
        if (args.length !== 2) break;
        if (returning !== undefined && !['string', 'varchar', 'text'].includes(returning.name.toLowerCase())) {
          throw notSupported('JSON_QUERY RETURNING a type other than STRING', pos);
        }
        const modes = ['NULL', 'ERROR', 'EMPTY ARRAY', 'EMPTY OBJECT'];
        const empty = behaviour('EMPTY', modes, 'NULL');
        const error = behaviour('ERROR', modes, 'NULL');
        return call([args[0]!, args[1]!, str(wrapper), empty.mode, error.mode]);
      }
      case 'json_exists': {
        if (args.length !== 2) break;
        const error = behaviour('ERROR', ['TRUE', 'FALSE', 'UNKNOWN', 'ERROR'], 'FALSE');
        return call([args[0]!, args[1]!, error.mode]);
      }
      case 'json_object':
      case 'json_array': {
        const onNull = behaviour('NULL', ['NULL', 'ABSENT'], name === 'json_object' ? 'NULL' : 'ABSENT');
        return call([onNull.mode, ...args]);
      }
      default:
        break;
    }
    throw new ParseError(`function ${name.toUpperCase()} takes ${name === 'json_object' ? 'KEY k VALUE v pairs' : name === 'json_array' ? 'values' : 'a JSON value and a path'}`, pos);
  }

  funcArg(n: CstNode): A.Expr {
    const pos = startOf(n);
    const keyExpr = node(n, 'keyExpr');
    if (keyExpr !== undefined) return this.expr(keyExpr);
    if (tok(n, 'tableArg') !== undefined) {
      const list = node(n, 'partitionBy');
      const key = node(n, 'partitionKey');
      const partitionBy = list !== undefined ? this.identList(list) : key !== undefined ? [this.ident(key)] : undefined;
      return { kind: 'table-arg', name: this.qname(mustNode(n, 'qualifiedName')), ...(partitionBy !== undefined ? { partitionBy } : {}), pos };
    }
    if (tok(n, 'descriptor') !== undefined) return { kind: 'descriptor', columns: this.identList(mustNode(n, 'identList')), pos };
    const argName = node(n, 'argName');
    if (argName !== undefined) return { kind: 'named-arg', name: this.ident(argName), value: this.funcArg(mustNode(n, 'named')), pos };
    return this.expr(mustNode(n, 'expr'));
  }

  windowSpec(n: CstNode): A.WindowSpec {
    const base = node(n, 'baseName');
    const part = node(n, 'partitionBy');
    const order = node(n, 'orderByClause');
    const units = tok(n, 'units');
    const bounds = nodes(n, 'frameBound').map((b) => this.frameBound(b));
    const frame: A.WindowFrame | undefined = units === undefined ? undefined
      : { units: units.tokenType === KW.ROWS ? 'ROWS' : 'RANGE', start: bounds[0]!, ...(bounds[1] !== undefined ? { end: bounds[1] } : {}) };
    return {
      ...(base !== undefined ? { name: this.ident(base) } : {}),
      partitionBy: part !== undefined ? this.exprList(part) : [],
      orderBy: order !== undefined ? this.orderBy(order) : [],
      ...(frame !== undefined ? { frame } : {}),
      pos: startOf(n),
    };
  }

  frameBound(n: CstNode): A.FrameBound {
    if (tok(n, 'current') !== undefined) return { kind: 'current-row' };
    const preceding = tok(n, 'dir')!.tokenType === KW.PRECEDING;
    if (tok(n, 'unbounded') !== undefined) return { kind: preceding ? 'unbounded-preceding' : 'unbounded-following' };
    const offset = this.expr(mustNode(n, 'offset'));
    return preceding ? { kind: 'preceding', offset } : { kind: 'following', offset };
  }

  // ---------------------------------------------------------------- types

  typeNameNullable(n: CstNode): A.TypeName {
    const t = this.typeName(mustNode(n, 'typeName'));
    return tok(n, 'notNull') !== undefined ? { ...t, notNull: true } : t;
  }

  typeName(n: CstNode): A.TypeName {
    const pos = startOf(n);
    let t: A.TypeName;
    if (tok(n, 'row') !== undefined) {
      const fieldsNode = mustNode(n, 'rowFields');
      const fields = nodes(fieldsNode, 'rowField').map((f) => ({ name: this.ident(mustNode(f, 'ident')), type: this.typeNameNullable(mustNode(f, 'typeNameNullable')) }));
      t = { ...simpleType('ROW', pos), fields };
    } else if (tok(n, 'array') !== undefined) {
      t = { ...simpleType('ARRAY', pos), elementTypes: nodes(n, 'element').map((e) => this.typeNameNullable(e)) };
    } else if (tok(n, 'map') !== undefined) {
      t = { ...simpleType('MAP', pos), elementTypes: nodes(n, 'element').map((e) => this.typeNameNullable(e)) };
    } else if (tok(n, 'interval') !== undefined) {
      const q = node(n, 'intervalQualifier');
      t = { ...simpleType('INTERVAL', pos), ...(q !== undefined ? { interval: this.intervalQualifier(q) } : {}) };
    } else {
      const nt = mustNode(n, 'namedType');
      const word2 = tok(nt, 'word2');
      const tz = tok(nt, 'withTz') !== undefined ? (tok(nt, 'local') !== undefined ? 'LTZ' : 'TZ') : undefined;
      t = namedTypeOf(toks(nt, 'part'), toks(nt, 'param').map((p) => Number(p.image)), pos, word2, tz);
    }
    const dims = toks(n, 'arraySuffix').length;
    if (dims > 0) {
      t = { ...t, elementTypes: [t], arrayDims: dims };
    }
    return t;
  }

  // ---------------------------------------------------------------- small pieces

  ident(n: CstNode): A.Ident {
    return identOf(n.children['IdentTok']![0] as IToken);
  }

  identList(n: CstNode): A.Ident[] {
    return nodes(n, 'ident').map((i) => this.ident(i));
  }

  qname(n: CstNode): A.QualifiedName {
    return qnameOf(toks(n, 'part'));
  }

  /** Concatenates adjacent string constants; Postgres requires a newline between them. */
  stringValue(n: CstNode): string {
    const strs = toks(n, 'str');
    let out = stringTokenValue(strs[0]!);
    for (let i = 1; i < strs.length; i++) {
      const prev = strs[i - 1]!;
      const cur = strs[i]!;
      const gap = this.#text.slice(prev.startOffset + prev.image.length, cur.startOffset);
      if (!/\n/.test(gap) || cur.tokenType === DollarString) throw syntaxErrorAt(cur, this.#text.length);
      out += stringTokenValue(cur);
    }
    return out;
  }
}

/** `SELECT * FROM name`, positioned at the name: the snapshot query of a subscribed relation. */
function selectAllFrom(name: A.QualifiedName): A.Query {
  const pos = name.pos;
  const select: A.Select = {
    kind: 'select',
    distinct: false,
    distinctOn: [],
    items: [{ kind: 'star', pos }],
    from: [{ kind: 'named', name, hints: [], pos }],
    groupBy: [],
    windows: [],
    pos,
  };
  return { kind: 'query', with: [], recursive: false, body: select, orderBy: [], pos };
}

// ---------------------------------------------------------------- ON CONFLICT (not in ast.ts)

/** `INSERT ... ON CONFLICT [(cols)] DO NOTHING | DO UPDATE SET ... [WHERE ...]`. */
export interface OnConflict {
  readonly columns: readonly A.Ident[];
  readonly action: 'NOTHING' | 'UPDATE';
  readonly assignments: readonly { readonly column: A.Ident; readonly value: A.Expr; readonly pos: number }[];
  readonly where?: A.Expr;
  readonly pos: number;
}

/** An Insert that carries an ON CONFLICT clause (ast.ts has no field for it). */
export interface InsertWithConflict extends A.Insert {
  readonly onConflict: OnConflict;
}

// ---------------------------------------------------------------- helpers

// Binding strength of operators, loosest first (Postgres order; printer.ts mirrors it).
const P_NOT = 3;
const P_IS = 4;
const P_CMP = 5;
const P_LIKE = 6;
const P_OTHER = 7;
const P_AT = 11;

interface ClimbState {
  readonly tails: readonly CstNode[];
  i: number;
}

/** An operand and how many of its leading NOTs are still to be applied. */
interface Slot {
  readonly cst: CstNode;
  nots: number;
}

function slotOf(cst: CstNode): Slot {
  return { cst, nots: cst.children['not']?.length ?? 0 };
}

function firstToken(n: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(n.children)) {
    for (const c of list) {
      const t = isToken(c) ? c : firstToken(c);
      if (t !== undefined && (best === undefined || t.startOffset < best.startOffset)) best = t;
    }
  }
  return best;
}

function tailPrec(t: CstNode): number {
  const op = tok(t, 'op');
  if (op !== undefined) {
    switch (op.tokenType) {
      case KW.OR: return 1;
      case KW.AND: return 2;
      case Plus: case Minus: return 8;
      case Star: case Slash: case Percent: return 9;
      case Caret: return 10;
      default: return op.tokenType.CATEGORIES?.includes(CompareOp) === true || op.tokenType === CompareOp ? P_CMP : P_OTHER;
    }
  }
  if (node(t, 'operatorForm') !== undefined) return P_OTHER;
  if (tok(t, 'what') !== undefined) return P_IS;
  if (tok(t, 'escape') !== undefined) return 0;
  if (tok(t, 'atTimeZone') !== undefined) return P_AT;
  if (tok(t, 'likeOp') !== undefined) return P_OTHER;
  return P_LIKE;
}

const BINARY_OPS: ReadonlySet<string> = new Set(['AND', 'OR', '+', '-', '*', '/', '%', '^', '||', '=', '<>', '<', '<=', '>', '>=', '~', '!~', '~*', '!~*', '&', '|', '#', '<<', '>>', '@>', '<@', '&&', '->', '->>', '#>', '#>>']);

function binaryOp(t: IToken): A.BinaryOp {
  const img = t.image === '!=' ? '<>' : t.tokenType === KW.AND || t.tokenType === KW.OR ? t.image.toUpperCase() : t.image;
  if (!BINARY_OPS.has(img)) throw new ParseError(`operator does not exist: ${t.image}`, t.startOffset);
  return img as A.BinaryOp;
}

/** The `'k' = 'v'` pairs of OPTIONS(...) in a `/*+ ... *\/` hint; other hints are ignored. */
function optionsHint(text: string): { key: string; value: string }[] {
  const m = /\bOPTIONS\s*\(([\s\S]*)\)/i.exec(text);
  if (m === null) return [];
  const out: { key: string; value: string }[] = [];
  for (const p of m[1]!.matchAll(/'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'/g)) {
    out.push({ key: p[1]!.replace(/''/g, "'"), value: p[2]!.replace(/''/g, "'") });
  }
  return out;
}

function unitOf(n: CstNode): A.IntervalUnit {
  const t = Object.values(n.children)[0]![0] as IToken;
  const written = t.image.toUpperCase();
  // Flink also accepts plural units (INTERVAL '10' MINUTES).
  const u = INTERVAL_UNITS.has(written) ? written : written.endsWith('S') ? written.slice(0, -1) : written;
  if (!INTERVAL_UNITS.has(u)) throw syntaxErrorAt(t, 0);
  return u as A.IntervalUnit;
}

function simpleType(name: string, pos: number): A.TypeName {
  return { kind: 'type', name, params: [], elementTypes: [], fields: [], notNull: false, arrayDims: 0, pos };
}

/** Canonicalises a written type name (see TYPE_ALIASES). */
function namedTypeOf(parts: readonly IToken[], params: number[], pos: number, word2: IToken | undefined, tz?: 'TZ' | 'LTZ'): A.TypeName {
  const idents = parts.map(identOf);
  const last = idents[idents.length - 1]!;
  const schema = idents.length > 1 ? idents.slice(0, -1).map((i) => i.value).join('.') : undefined;
  let name: string;
  if (last.quoted) {
    name = last.value;
  } else {
    const written = word2 !== undefined ? `${last.value} ${word2.image.toLowerCase()}` : last.value;
    name = TYPE_ALIASES.get(written) ?? written;
    if (tz !== undefined && name === 'TIMESTAMP') name = tz === 'LTZ' ? 'TIMESTAMP_LTZ' : 'TIMESTAMPTZ';
    if (tz === 'TZ' && name === 'TIME') name = 'TIMETZ';
  }
  return { ...simpleType(name, pos), ...(schema !== undefined ? { schema } : {}), params };
}

/** Sequential reader over a utility statement's raw tokens. */
class WordReader {
  readonly #toks: readonly IToken[];
  readonly #textLength: number;
  #i = 0;

  constructor(toks: readonly IToken[], textLength: number) {
    this.#toks = toks;
    this.#textLength = textLength;
  }

  done(): boolean {
    return this.#i >= this.#toks.length;
  }
  remaining(): number {
    return this.#toks.length - this.#i;
  }
  current(): IToken | undefined {
    return this.#toks[this.#i];
  }
  next(): IToken {
    const t = this.#toks[this.#i];
    if (t === undefined) throw syntaxErrorAt(undefined, this.#textLength);
    this.#i++;
    return t;
  }
  skip(n: number): void {
    this.#i += n;
  }
  #isWordTok(t: IToken | undefined): t is IToken {
    return t !== undefined && t.tokenType !== QuotedIdent && t.tokenType !== BacktickIdent && /^[A-Za-z_]/.test(t.image);
  }
  peekWord(ahead = 0): string | undefined {
    const t = this.#toks[this.#i + ahead];
    return this.#isWordTok(t) ? t.image.toUpperCase() : undefined;
  }
  isWord(w: string): boolean {
    return this.peekWord() === w;
  }
  matchesWords(seq: readonly string[]): boolean {
    return seq.every((w, k) => this.peekWord(k) === w);
  }
  skipWord(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.#i++;
    return true;
  }
  expectWord(w: string): void {
    if (!this.skipWord(w)) throw syntaxErrorAt(this.current(), this.#textLength);
  }
  skipToken(type: unknown): boolean {
    if (this.current()?.tokenType !== type) return false;
    this.#i++;
    return true;
  }
  expect(type: unknown): void {
    if (!this.skipToken(type)) throw syntaxErrorAt(this.current(), this.#textLength);
  }
  end(): void {
    if (!this.done()) throw syntaxErrorAt(this.current(), this.#textLength);
  }
  /** Skips `AND [NO] CHAIN`. */
  skipChain(): void {
    if (this.isWord('AND')) {
      this.next();
      this.skipWord('NO');
      this.expectWord('CHAIN');
    }
  }
  word(): string {
    const t = this.next();
    if (!this.#isWordTok(t)) throw syntaxErrorAt(t, this.#textLength);
    return t.image.toUpperCase();
  }
  /** A single name: identifier (folded) or string. */
  name(): string {
    const t = this.next();
    if (t.tokenType === StringLit || t.tokenType === EString) return stringTokenValue(t);
    if (t.tokenType === QuotedIdent || t.tokenType === BacktickIdent || this.#isWordTok(t)) return identOf(t).value;
    throw syntaxErrorAt(t, this.#textLength);
  }
  peekString(): string | undefined {
    const t = this.current();
    return t !== undefined && (t.tokenType === StringLit || t.tokenType === EString) ? stringTokenValue(t) : undefined;
  }
  string(): string {
    const s = this.peekString();
    if (s === undefined) throw syntaxErrorAt(this.current(), this.#textLength);
    this.#i++;
    return s;
  }
  peekNumber(): number | undefined {
    const t = this.current();
    return t?.tokenType === NumberLit ? Number(t.image) : undefined;
  }
  number(): number {
    const n = this.peekNumber();
    if (n === undefined) throw syntaxErrorAt(this.current(), this.#textLength);
    this.#i++;
    return n;
  }
  ident(): A.Ident {
    const t = this.next();
    if (!(t.tokenType === QuotedIdent || t.tokenType === BacktickIdent || this.#isWordTok(t))) throw syntaxErrorAt(t, this.#textLength);
    return identOf(t);
  }
  qualifiedName(): A.QualifiedName {
    const parts: A.Ident[] = [];
    do {
      const t = this.next();
      if (!(t.tokenType === QuotedIdent || t.tokenType === BacktickIdent || this.#isWordTok(t))) throw syntaxErrorAt(t, this.#textLength);
      parts.push(identOf(t));
    } while (this.skipToken(Dot));
    return { parts, pos: parts[0]!.pos };
  }
  /**
   * A configuration name: a string, or words joined by `.` / `-` as written
   * (`execution.runtime-mode`), unquoted words lower-cased.
   */
  variableName(): string {
    const s = this.peekString();
    if (s !== undefined) {
      this.#i++;
      return s;
    }
    let out = this.name();
    for (;;) {
      const t = this.current();
      const adjacent = t !== undefined && (t.tokenType === Dot || t.tokenType === Minus);
      if (!adjacent) return out;
      this.#i++;
      out += t.image + this.name();
    }
  }
  /** One SET value as text: a string, a (signed) number, or a word. */
  valueText(): string {
    const t = this.next();
    if (t.tokenType === StringLit || t.tokenType === EString) return stringTokenValue(t);
    if (t.tokenType === NumberLit) return t.image;
    if (t.tokenType === Minus && this.current()?.tokenType === NumberLit) return `-${this.next().image}`;
    if (t.tokenType === QuotedIdent || t.tokenType === BacktickIdent) return identOf(t).value;
    if (this.#isWordTok(t)) {
      let out = t.image.toLowerCase();
      while (this.current()?.tokenType === Dot) {
        this.#i++;
        out += `.${this.name()}`;
      }
      return out;
    }
    throw syntaxErrorAt(t, this.#textLength);
  }
  /** Transaction modes as upper-case word groups; consumes to the end. */
  transactionModes(): string[] {
    const modes: string[] = [];
    while (!this.done()) {
      const mode = TRANSACTION_MODES.find((seq) => this.matchesWords(seq));
      if (mode === undefined) throw syntaxErrorAt(this.current(), this.#textLength);
      this.skip(mode.length);
      modes.push(mode.join(' '));
      this.skipToken(Comma);
    }
    return modes;
  }
}
