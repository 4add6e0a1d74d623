/**
 * Syntactic layer: a chevrotain CstParser that only builds the concrete syntax
 * tree. It makes no decisions about meaning; `ast-builder.ts` turns the CST into
 * the AST of `ast.ts`.
 *
 * Contract:
 * - One instance (`sqlParser`) is built and self-analysed at module load; callers
 *   set `input` and call a start rule (`script` or `standaloneExpr`).
 * - Error recovery is off: the first syntax error stops the parse and is in
 *   `sqlParser.errors`.
 * - Expressions are flat operand/operator lists; the builder applies Postgres
 *   precedence (lowest first: OR, AND, NOT, IS, comparison, BETWEEN/IN/LIKE,
 *   other operators (`||`, `~`, ...), + -, * / %, ^, unary, postfix `::` `[]`
 *   COLLATE `.field`).
 * - Utility statements (SET, SHOW, BEGIN, ...) keep their words as a raw token
 *   list; the builder interprets them from tables.
 */
import { CstParser, tokenMatcher, type IOrAlt, type IToken, type OrMethodOpts, type TokenType } from 'chevrotain';
import {
  ALL_TOKENS, AnyWord, Arrow, Caret, Colon, Comma, CompareOp, DollarString, Dot, DoubleColon, EString, Equals,
  FuncNameKw, Greater, Hint, IdentTok, LikeOp, Identifier, KW, LBracket, Less, LParen, Minus, NumberLit, OtherOp, Param,
  Percent, Plus, Question, RawTok, RBracket, RParen, Semicolon, Slash, Star, StringLit, Tilde, XString,
} from './tokens.ts';

const QUERY_START = new Set<TokenType>([KW.SELECT, KW.WITH, KW.VALUES]);

/**
 * Identity. Alternatives are written `{ ALT: fn(() => ...) }` because tsx and
 * vitest compile with esbuild's keepNames, which wraps every arrow assigned to
 * a property in a `__name()` call (an Object.defineProperty per evaluation, i.e.
 * per parsed token); an arrow passed as an argument gets no inferred name.
 */
function fn<T>(f: T): T {
  return f;
}

class SqlParser extends CstParser {
  /**
   * The alternatives of every OR, built on first use and reused (otherwise each
   * call would allocate the array and its closures); one slot per OR call site.
   * No alternative captures rule-local state, so sharing them is safe.
   */
  readonly #alts: (IOrAlt<unknown>[] | OrMethodOpts<unknown>)[] = [];

  constructor() {
    super(ALL_TOKENS, { maxLookahead: 3, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  /** Whether the token at `k` starts a query (possibly inside one more parenthesis). */
  #queryAt(k: number): boolean {
    const t = this.LA(k).tokenType;
    if (QUERY_START.has(t)) return true;
    return t === LParen && QUERY_START.has(this.LA(k + 1).tokenType);
  }

  // ---------------------------------------------------------------- script and statements

  script = this.RULE('script', () => {
    this.OPTION(() => this.SUBRULE(this.statement));
    this.MANY(() => {
      this.CONSUME(Semicolon);
      this.OPTION2(() => this.SUBRULE2(this.statement));
    });
  });

  standaloneExpr = this.RULE('standaloneExpr', () => {
    this.SUBRULE(this.expr);
  });

  statement = this.RULE('statement', () => {
    this.OR((this.#alts[0] ??= [
      { ALT: fn(() => this.SUBRULE(this.query)) },
      { ALT: fn(() => this.SUBRULE(this.savepointStmt)) },
      { ALT: fn(() => this.SUBRULE(this.createStmt)) },
      { ALT: fn(() => this.SUBRULE(this.dropStmt)) },
      { ALT: fn(() => this.SUBRULE(this.insertStmt)) },
      { ALT: fn(() => this.SUBRULE(this.updateStmt)) },
      { ALT: fn(() => this.SUBRULE(this.deleteStmt)) },
      { ALT: fn(() => this.SUBRULE(this.explainStmt)) },
      { ALT: fn(() => this.SUBRULE(this.declareStmt)) },
      { ALT: fn(() => this.SUBRULE(this.copyStmt)) },
      { ALT: fn(() => this.SUBRULE(this.subscribeStmt)) },
      { ALT: fn(() => this.SUBRULE(this.stopJobStmt)) },
      { ALT: fn(() => this.SUBRULE(this.utilityStmt)) },
    ]));
  });

  utilityStmt = this.RULE('utilityStmt', () => {
    this.OR((this.#alts[1] ??= [
      { ALT: fn(() => this.CONSUME(KW.BEGIN, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.START, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.COMMIT, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.END, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.ROLLBACK, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.ABORT, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.SAVEPOINT, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.RELEASE, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.USE, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.DISCARD, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.DEALLOCATE, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.CLOSE, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.SET, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.RESET, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.SHOW, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.DESCRIBE, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.DESC, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.FETCH, { LABEL: 'head' })) },
      { ALT: fn(() => this.CONSUME(KW.MOVE, { LABEL: 'head' })) },
    ]));
    this.MANY(() => this.CONSUME(RawTok, { LABEL: 'words' }));
  });

  createStmt = this.RULE('createStmt', () => {
    this.CONSUME(KW.CREATE);
    this.OPTION(() => {
      this.CONSUME(KW.OR);
      this.CONSUME(KW.REPLACE, { LABEL: 'orReplace' });
    });
    this.OPTION2(() => {
      this.OR((this.#alts[2] ??= [
        { ALT: fn(() => this.CONSUME(KW.TEMPORARY, { LABEL: 'temporary' })) },
        { ALT: fn(() => this.CONSUME(KW.TEMP, { LABEL: 'temporary' })) },
      ]));
    });
    this.OR2((this.#alts[3] ??= [
      { ALT: fn(() => this.SUBRULE(this.createTableBody)) },
      { ALT: fn(() => this.SUBRULE(this.createViewBody)) },
    ]));
  });

  ifNotExists = this.RULE('ifNotExists', () => {
    this.CONSUME(KW.IF);
    this.CONSUME(KW.NOT);
    this.CONSUME(KW.EXISTS);
  });

  createTableBody = this.RULE('createTableBody', () => {
    this.CONSUME(KW.TABLE);
    this.OPTION(() => this.SUBRULE(this.ifNotExists));
    this.SUBRULE(this.qualifiedName);
    this.OPTION2(() => {
      this.CONSUME(LParen);
      this.SUBRULE(this.tableElement);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.tableElement);
      });
      this.CONSUME(RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(KW.COMMENT);
      this.SUBRULE(this.stringLit, { LABEL: 'comment' });
    });
    this.OPTION4(() => {
      this.CONSUME(KW.PARTITIONED);
      this.CONSUME(KW.BY);
      this.SUBRULE(this.identList, { LABEL: 'partitionedBy' });
    });
    this.OPTION5(() => this.SUBRULE(this.withOptions));
    this.OPTION6(() => {
      this.CONSUME(KW.LIKE);
      this.SUBRULE2(this.qualifiedName, { LABEL: 'like' });
    });
    this.OPTION7(() => {
      this.CONSUME(KW.AS);
      this.SUBRULE(this.query);
    });
  });

  tableElement = this.RULE('tableElement', () => {
    this.OR((this.#alts[4] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: fn(() => this.LA(1).tokenType === KW.WATERMARK && this.LA(2).tokenType === KW.FOR),
          ALT: fn(() => this.SUBRULE(this.watermarkDef)),
        },
        { ALT: fn(() => this.SUBRULE(this.tablePrimaryKey)) },
        { GATE: fn(() => this.LA(2).tokenType === KW.AS), ALT: fn(() => this.SUBRULE(this.computedColumn)) },
        { ALT: fn(() => this.SUBRULE(this.physicalColumn)) },
      ],
    }));
  });

  watermarkDef = this.RULE('watermarkDef', () => {
    this.CONSUME(KW.WATERMARK);
    this.CONSUME(KW.FOR);
    this.SUBRULE(this.ident);
    this.CONSUME(KW.AS);
    this.SUBRULE(this.expr);
  });

  tablePrimaryKey = this.RULE('tablePrimaryKey', () => {
    this.OPTION(() => {
      this.CONSUME(KW.CONSTRAINT);
      this.SUBRULE(this.ident);
    });
    this.CONSUME(KW.PRIMARY);
    this.CONSUME(KW.KEY);
    this.SUBRULE(this.identList);
    this.OPTION2(() => {
      this.CONSUME(KW.NOT, { LABEL: 'notEnforced' });
      this.CONSUME(KW.ENFORCED);
    });
  });

  computedColumn = this.RULE('computedColumn', () => {
    this.SUBRULE(this.ident);
    this.CONSUME(KW.AS);
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.CONSUME(KW.COMMENT);
      this.SUBRULE(this.stringLit, { LABEL: 'comment' });
    });
  });

  physicalColumn = this.RULE('physicalColumn', () => {
    this.SUBRULE(this.ident);
    this.SUBRULE(this.typeName);
    this.OPTION(() => {
      this.CONSUME(KW.METADATA);
      this.OPTION2(() => {
        this.CONSUME(KW.FROM);
        this.SUBRULE(this.stringLit, { LABEL: 'metadataFrom' });
      });
      this.OPTION3(() => this.CONSUME(KW.VIRTUAL));
    });
    this.MANY(() => this.SUBRULE(this.columnConstraint));
    this.OPTION4(() => {
      this.CONSUME(KW.COMMENT);
      this.SUBRULE2(this.stringLit, { LABEL: 'comment' });
    });
  });

  columnConstraint = this.RULE('columnConstraint', () => {
    this.OR((this.#alts[5] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(KW.NOT, { LABEL: 'notNull' });
          this.CONSUME(KW.NULL);
        }),
      },
      { ALT: fn(() => this.CONSUME2(KW.NULL, { LABEL: 'nullable' })) },
      {
        ALT: fn(() => {
          this.CONSUME(KW.PRIMARY);
          this.CONSUME(KW.KEY);
          this.OPTION(() => {
            this.CONSUME2(KW.NOT, { LABEL: 'notEnforced' });
            this.CONSUME(KW.ENFORCED);
          });
        }),
      },
    ]));
  });

  withOptions = this.RULE('withOptions', () => {
    this.CONSUME(KW.WITH);
    this.CONSUME(LParen);
    this.SUBRULE(this.optionPair);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.optionPair);
    });
    this.CONSUME(RParen);
  });

  optionPair = this.RULE('optionPair', () => {
    this.OR((this.#alts[6] ??= [
      { ALT: fn(() => this.SUBRULE(this.stringLit, { LABEL: 'keyString' })) },
      {
        ALT: fn(() => {
          this.CONSUME(AnyWord, { LABEL: 'keyWords' });
          this.MANY(() => {
            this.CONSUME(Dot);
            this.CONSUME2(AnyWord, { LABEL: 'keyWords' });
          });
        }),
      },
    ]));
    this.CONSUME(Equals);
    this.OR2((this.#alts[7] ??= [
      { ALT: fn(() => this.SUBRULE2(this.stringLit, { LABEL: 'valueString' })) },
      { ALT: fn(() => this.CONSUME(NumberLit, { LABEL: 'valueToken' })) },
      { ALT: fn(() => this.CONSUME3(AnyWord, { LABEL: 'valueToken' })) },
    ]));
  });

  createViewBody = this.RULE('createViewBody', () => {
    this.OPTION(() => this.CONSUME(KW.MATERIALIZED));
    this.CONSUME(KW.VIEW);
    this.OPTION2(() => this.SUBRULE(this.ifNotExists));
    this.SUBRULE(this.qualifiedName);
    this.OPTION3(() => this.SUBRULE(this.identList));
    this.OPTION4(() => {
      this.CONSUME(KW.COMMENT);
      this.SUBRULE(this.stringLit, { LABEL: 'comment' });
    });
    this.OPTION5(() => this.SUBRULE(this.withOptions));
    this.CONSUME(KW.AS);
    this.SUBRULE(this.query);
  });

  dropStmt = this.RULE('dropStmt', () => {
    this.CONSUME(KW.DROP);
    this.OPTION(() => {
      this.OR((this.#alts[8] ??= [
        { ALT: fn(() => this.CONSUME(KW.TEMPORARY, { LABEL: 'temporary' })) },
        { ALT: fn(() => this.CONSUME(KW.TEMP, { LABEL: 'temporary' })) },
      ]));
    });
    this.OR2((this.#alts[9] ??= [
      { ALT: fn(() => this.CONSUME(KW.TABLE)) },
      { ALT: fn(() => this.CONSUME(KW.VIEW)) },
      {
        ALT: fn(() => {
          this.CONSUME(KW.MATERIALIZED);
          this.CONSUME2(KW.VIEW);
        }),
      },
    ]));
    this.OPTION2(() => {
      this.CONSUME(KW.IF, { LABEL: 'ifExists' });
      this.CONSUME(KW.EXISTS);
    });
    this.SUBRULE(this.qualifiedName);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.qualifiedName);
    });
    this.OPTION3(() => {
      this.OR3((this.#alts[10] ??= [
        { ALT: fn(() => this.CONSUME(KW.CASCADE)) },
        { ALT: fn(() => this.CONSUME(KW.RESTRICT)) },
      ]));
    });
  });

  insertStmt = this.RULE('insertStmt', () => {
    this.CONSUME(KW.INSERT);
    this.OR((this.#alts[11] ??= [
      { ALT: fn(() => this.CONSUME(KW.INTO)) },
      {
        ALT: fn(() => {
          this.CONSUME(KW.OVERWRITE);
          this.OPTION(() => this.CONSUME(KW.TABLE));
        }),
      },
    ]));
    this.SUBRULE(this.qualifiedName);
    this.OPTION2({
      GATE: fn(() => !this.#queryAt(2)),
      DEF: fn(() => this.SUBRULE(this.identList)),
    });
    this.SUBRULE(this.query);
    this.OPTION3(() => this.SUBRULE(this.onConflict));
    this.OPTION4(() => {
      this.CONSUME(KW.RETURNING);
      this.SUBRULE(this.selectItem, { LABEL: 'returning' });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.selectItem, { LABEL: 'returning' });
      });
    });
  });

  onConflict = this.RULE('onConflict', () => {
    this.CONSUME(KW.ON);
    this.CONSUME(KW.CONFLICT);
    this.OPTION(() => this.SUBRULE(this.identList));
    this.CONSUME(KW.DO);
    this.OR((this.#alts[12] ??= [
      { ALT: fn(() => this.CONSUME(KW.NOTHING)) },
      {
        ALT: fn(() => {
          this.CONSUME(KW.UPDATE);
          this.CONSUME(KW.SET);
          this.SUBRULE(this.assignment);
          this.MANY(() => {
            this.CONSUME(Comma);
            this.SUBRULE2(this.assignment);
          });
          this.OPTION2(() => {
            this.CONSUME(KW.WHERE);
            this.SUBRULE(this.expr);
          });
        }),
      },
    ]));
  });

  assignment = this.RULE('assignment', () => {
    this.SUBRULE(this.ident);
    this.CONSUME(Equals);
    this.SUBRULE(this.expr);
  });

  updateStmt = this.RULE('updateStmt', () => {
    this.CONSUME(KW.UPDATE);
    this.SUBRULE(this.qualifiedName);
    this.OPTION({
      GATE: fn(() => this.LA(1).tokenType !== KW.SET),
      DEF: fn(() => {
        this.OPTION2(() => this.CONSUME(KW.AS));
        this.SUBRULE(this.ident, { LABEL: 'alias' });
      }),
    });
    this.CONSUME(KW.SET);
    this.SUBRULE(this.assignment);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.assignment);
    });
    this.OPTION3(() => {
      this.CONSUME(KW.WHERE);
      this.SUBRULE(this.expr);
    });
  });

  deleteStmt = this.RULE('deleteStmt', () => {
    this.CONSUME(KW.DELETE);
    this.CONSUME(KW.FROM);
    this.SUBRULE(this.qualifiedName);
    this.OPTION(() => {
      this.OPTION2(() => this.CONSUME(KW.AS));
      this.SUBRULE(this.ident, { LABEL: 'alias' });
    });
    this.OPTION3(() => {
      this.CONSUME(KW.WHERE);
      this.SUBRULE(this.expr);
    });
  });

  explainStmt = this.RULE('explainStmt', () => {
    this.CONSUME(KW.EXPLAIN);
    this.OPTION({
      GATE: fn(() => this.LA(1).tokenType === KW.PLAN && this.LA(2).tokenType === KW.FOR),
      DEF: fn(() => {
        this.CONSUME(KW.PLAN);
        this.CONSUME(KW.FOR);
      }),
    });
    this.OPTION2({
      GATE: fn(() => !this.#queryAt(2)),
      DEF: fn(() => {
        this.CONSUME(LParen);
        this.MANY(() => {
          this.OR((this.#alts[13] ??= [
            { ALT: fn(() => this.CONSUME(AnyWord, { LABEL: 'detailWord' })) },
            { ALT: fn(() => this.CONSUME(Comma, { LABEL: 'detailComma' })) },
          ]));
        });
        this.CONSUME(RParen);
      }),
    });
    this.MANY2({
      GATE: fn(() => this.LA(1).tokenType === Identifier),
      DEF: fn(() => {
        this.CONSUME(Identifier, { LABEL: 'detail' });
        this.OPTION3(() => this.CONSUME2(Comma));
      }),
    });
    this.SUBRULE(this.statement);
  });

  copyStmt = this.RULE('copyStmt', () => {
    this.CONSUME(KW.COPY);
    this.OPTION({
      MAX_LOOKAHEAD: 1,
      DEF: fn(() => {
        this.CONSUME(LParen);
        this.OR((this.#alts[77] ??= [
          { ALT: fn(() => this.SUBRULE(this.query)) },
          { ALT: fn(() => this.SUBRULE(this.subscribeStmt)) },
        ]));
        this.CONSUME(RParen);
      }),
    });
    this.MANY(() => this.CONSUME(RawTok, { LABEL: 'words' }));
  });

  declareStmt = this.RULE('declareStmt', () => {
    this.CONSUME(KW.DECLARE);
    this.SUBRULE(this.ident);
    this.MANY({
      GATE: fn(() => this.LA(1).tokenType !== KW.CURSOR),
      DEF: fn(() => this.CONSUME(IdentTok, { LABEL: 'modifier' })),
    });
    this.CONSUME(KW.CURSOR);
    this.OPTION(() => {
      this.OR((this.#alts[14] ??= [
        { ALT: fn(() => this.CONSUME(KW.WITH, { LABEL: 'withHold' })) },
        { ALT: fn(() => this.CONSUME(KW.WITHOUT)) },
      ]));
      this.CONSUME(KW.HOLD);
    });
    this.CONSUME(KW.FOR);
    this.OR2((this.#alts[78] ??= [
      { ALT: fn(() => this.SUBRULE(this.query)) },
      { ALT: fn(() => this.SUBRULE(this.subscribeStmt)) },
    ]));
  });

  /** `SUBSCRIBE [TO] {name | (query)} [WITH (key [[=] value], ...)]` */
  subscribeStmt = this.RULE('subscribeStmt', () => {
    this.CONSUME(KW.SUBSCRIBE);
    this.OPTION(() => this.CONSUME(KW.TO));
    this.OR((this.#alts[79] ??= [
      { ALT: fn(() => this.SUBRULE(this.qualifiedName)) },
      {
        ALT: fn(() => {
          this.CONSUME(LParen);
          this.SUBRULE(this.query);
          this.CONSUME(RParen);
        }),
      },
    ]));
    this.OPTION2(() => {
      this.CONSUME(KW.WITH);
      this.CONSUME2(LParen);
      this.SUBRULE(this.subscribeOption);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.subscribeOption);
      });
      this.CONSUME2(RParen);
    });
  });

  subscribeOption = this.RULE('subscribeOption', () => {
    this.CONSUME(AnyWord, { LABEL: 'key' });
    this.OPTION(() => {
      this.OPTION2(() => this.CONSUME(Equals));
      this.OR((this.#alts[80] ??= [
        { ALT: fn(() => this.SUBRULE(this.stringLit, { LABEL: 'valueString' })) },
        { ALT: fn(() => this.CONSUME(NumberLit, { LABEL: 'valueToken' })) },
        { ALT: fn(() => this.CONSUME2(AnyWord, { LABEL: 'valueToken' })) },
      ]));
    });
  });

  /** `CREATE SAVEPOINT FOR JOB '<id>'` and `DROP SAVEPOINT '<savepoint id>'`. */
  savepointStmt = this.RULE('savepointStmt', () => {
    this.OR((this.#alts[82] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(KW.CREATE, { LABEL: 'create' });
          this.CONSUME(KW.SAVEPOINT);
          this.CONSUME(KW.FOR);
          this.CONSUME(KW.JOB);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.DROP, { LABEL: 'drop' });
          this.CONSUME2(KW.SAVEPOINT);
        }),
      },
    ]));
    this.SUBRULE(this.stringLit, { LABEL: 'target' });
  });

  /** Flink's `STOP JOB '<id>' [WITH SAVEPOINT] [WITH DRAIN]`. */
  stopJobStmt = this.RULE('stopJobStmt', () => {
    this.CONSUME(KW.STOP);
    this.CONSUME(KW.JOB);
    this.SUBRULE(this.stringLit, { LABEL: 'jobId' });
    this.MANY(() => {
      this.CONSUME(KW.WITH);
      this.OR((this.#alts[81] ??= [
        { ALT: fn(() => this.CONSUME(KW.SAVEPOINT, { LABEL: 'savepoint' })) },
        { ALT: fn(() => this.CONSUME(KW.DRAIN, { LABEL: 'drain' })) },
      ]));
    });
  });

  // ---------------------------------------------------------------- queries

  query = this.RULE('query', () => {
    this.OPTION(() => this.SUBRULE(this.withClause));
    this.SUBRULE(this.setExpr);
    this.OPTION2(() => this.SUBRULE(this.orderByClause));
    this.MANY(() => {
      this.OR((this.#alts[15] ??= [
        {
          ALT: fn(() => {
            this.CONSUME(KW.LIMIT);
            this.OR2((this.#alts[16] ??= [
              { ALT: fn(() => this.CONSUME(KW.ALL, { LABEL: 'limitAll' })) },
              { ALT: fn(() => this.SUBRULE(this.expr, { LABEL: 'limit' })) },
            ]));
          }),
        },
        {
          ALT: fn(() => {
            this.CONSUME(KW.OFFSET);
            this.SUBRULE2(this.expr, { LABEL: 'offset' });
            this.OPTION3(() => {
              this.OR3((this.#alts[17] ??= [{ ALT: fn(() => this.CONSUME(KW.ROWS)) }, { ALT: fn(() => this.CONSUME(KW.ROW)) }]));
            });
          }),
        },
        {
          ALT: fn(() => {
            this.CONSUME(KW.FETCH);
            this.OR4((this.#alts[18] ??= [{ ALT: fn(() => this.CONSUME(KW.FIRST)) }, { ALT: fn(() => this.CONSUME(KW.NEXT)) }]));
            this.OPTION4({
              GATE: fn(() => this.LA(1).tokenType !== KW.ROW && this.LA(1).tokenType !== KW.ROWS),
              DEF: fn(() => this.SUBRULE3(this.expr, { LABEL: 'fetch' })),
            });
            this.OR5((this.#alts[19] ??= [{ ALT: fn(() => this.CONSUME2(KW.ROWS)) }, { ALT: fn(() => this.CONSUME2(KW.ROW)) }]));
            this.CONSUME(KW.ONLY);
          }),
        },
      ]));
    });
  });

  withClause = this.RULE('withClause', () => {
    this.CONSUME(KW.WITH);
    this.OPTION(() => this.CONSUME(KW.RECURSIVE));
    this.SUBRULE(this.cte);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.cte);
    });
  });

  cte = this.RULE('cte', () => {
    this.SUBRULE(this.ident);
    this.OPTION(() => this.SUBRULE(this.identList));
    this.CONSUME(KW.AS);
    this.OPTION2(() => {
      this.OPTION3(() => this.CONSUME(KW.NOT));
      this.CONSUME(KW.MATERIALIZED);
    });
    this.CONSUME(LParen);
    this.SUBRULE(this.query);
    this.CONSUME(RParen);
  });

  setExpr = this.RULE('setExpr', () => {
    this.SUBRULE(this.setTerm);
    this.MANY(() => this.SUBRULE(this.setExprTail));
  });

  setExprTail = this.RULE('setExprTail', () => {
    this.OR((this.#alts[20] ??= [
      { ALT: fn(() => this.CONSUME(KW.UNION, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(KW.EXCEPT, { LABEL: 'op' })) },
    ]));
    this.OPTION(() => {
      this.OR2((this.#alts[21] ??= [
        { ALT: fn(() => this.CONSUME(KW.ALL, { LABEL: 'all' })) },
        { ALT: fn(() => this.CONSUME(KW.DISTINCT)) },
      ]));
    });
    this.SUBRULE(this.setTerm);
  });

  setTerm = this.RULE('setTerm', () => {
    this.SUBRULE(this.setPrimary);
    this.MANY(() => this.SUBRULE(this.setTermTail));
  });

  setTermTail = this.RULE('setTermTail', () => {
    this.CONSUME(KW.INTERSECT, { LABEL: 'op' });
    this.OPTION(() => {
      this.OR((this.#alts[22] ??= [
        { ALT: fn(() => this.CONSUME(KW.ALL, { LABEL: 'all' })) },
        { ALT: fn(() => this.CONSUME(KW.DISTINCT)) },
      ]));
    });
    this.SUBRULE(this.setPrimary);
  });

  setPrimary = this.RULE('setPrimary', () => {
    this.OR((this.#alts[23] ??= [
      { ALT: fn(() => this.SUBRULE(this.selectCore)) },
      { ALT: fn(() => this.SUBRULE(this.valuesBody)) },
      {
        ALT: fn(() => {
          this.CONSUME(LParen);
          this.SUBRULE(this.query);
          this.CONSUME(RParen);
        }),
      },
    ]));
  });

  valuesBody = this.RULE('valuesBody', () => {
    this.CONSUME(KW.VALUES);
    this.SUBRULE(this.parenExprList);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.parenExprList);
    });
  });

  parenExprList = this.RULE('parenExprList', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.exprList);
    this.CONSUME(RParen);
  });

  exprList = this.RULE('exprList', () => {
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.expr);
    });
  });

  selectCore = this.RULE('selectCore', () => {
    this.CONSUME(KW.SELECT);
    this.OPTION(() => {
      this.OR((this.#alts[24] ??= [
        {
          ALT: fn(() => {
            this.CONSUME(KW.DISTINCT);
            this.OPTION2(() => {
              this.CONSUME(KW.ON);
              this.SUBRULE(this.parenExprList, { LABEL: 'distinctOn' });
            });
          }),
        },
        { ALT: fn(() => this.CONSUME(KW.ALL)) },
      ]));
    });
    this.SUBRULE(this.selectItem);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.selectItem);
    });
    this.OPTION3(() => {
      this.CONSUME(KW.FROM);
      this.SUBRULE(this.tableRef);
      this.MANY2(() => {
        this.CONSUME2(Comma);
        this.SUBRULE2(this.tableRef);
      });
    });
    this.OPTION4(() => {
      this.CONSUME(KW.WHERE);
      this.SUBRULE(this.expr, { LABEL: 'where' });
    });
    this.OPTION5(() => {
      this.CONSUME(KW.GROUP);
      this.CONSUME(KW.BY);
      this.SUBRULE(this.groupingElement);
      this.MANY3(() => {
        this.CONSUME3(Comma);
        this.SUBRULE2(this.groupingElement);
      });
    });
    this.OPTION6(() => {
      this.CONSUME(KW.HAVING);
      this.SUBRULE2(this.expr, { LABEL: 'having' });
    });
    this.OPTION7(() => {
      this.CONSUME(KW.WINDOW);
      this.SUBRULE(this.windowDef);
      this.MANY4(() => {
        this.CONSUME4(Comma);
        this.SUBRULE2(this.windowDef);
      });
    });
  });

  windowDef = this.RULE('windowDef', () => {
    this.SUBRULE(this.ident);
    this.CONSUME(KW.AS);
    this.CONSUME(LParen);
    this.SUBRULE(this.windowSpec);
    this.CONSUME(RParen);
  });

  selectItem = this.RULE('selectItem', () => {
    this.OR((this.#alts[25] ??= [
      { ALT: fn(() => this.CONSUME(Star)) },
      {
        ALT: fn(() => {
          this.SUBRULE(this.expr);
          this.OPTION(() => {
            this.OR2((this.#alts[26] ??= [
              {
                ALT: fn(() => {
                  this.CONSUME(KW.AS);
                  this.CONSUME(AnyWord, { LABEL: 'alias' });
                }),
              },
              { ALT: fn(() => this.CONSUME(IdentTok, { LABEL: 'alias' })) },
            ]));
          });
        }),
      },
    ]));
  });

  groupingElement = this.RULE('groupingElement', () => {
    this.OR((this.#alts[27] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: fn(() => this.LA(2).tokenType === LParen && (this.LA(1).tokenType === KW.ROLLUP || this.LA(1).tokenType === KW.CUBE)),
          ALT: fn(() => {
            this.OR2((this.#alts[28] ??= [
              { ALT: fn(() => this.CONSUME(KW.ROLLUP, { LABEL: 'rollup' })) },
              { ALT: fn(() => this.CONSUME(KW.CUBE, { LABEL: 'cube' })) },
            ]));
            this.SUBRULE(this.groupingSetList);
          }),
        },
        {
          GATE: fn(() => this.LA(1).tokenType === KW.GROUPING && this.LA(2).tokenType === KW.SETS),
          ALT: fn(() => {
            this.CONSUME(KW.GROUPING, { LABEL: 'groupingSets' });
            this.CONSUME(KW.SETS);
            this.SUBRULE2(this.groupingSetList);
          }),
        },
        {
          GATE: fn(() => this.LA(1).tokenType === LParen && this.LA(2).tokenType === RParen),
          ALT: fn(() => {
            this.CONSUME(LParen, { LABEL: 'empty' });
            this.CONSUME(RParen);
          }),
        },
        { ALT: fn(() => this.SUBRULE(this.expr)) },
      ],
    }));
  });

  groupingSetList = this.RULE('groupingSetList', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.groupingElement);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.groupingElement);
    });
    this.CONSUME(RParen);
  });

  orderByClause = this.RULE('orderByClause', () => {
    this.CONSUME(KW.ORDER);
    this.CONSUME(KW.BY);
    this.SUBRULE(this.orderItem);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.orderItem);
    });
  });

  orderItem = this.RULE('orderItem', () => {
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.OR((this.#alts[29] ??= [
        { ALT: fn(() => this.CONSUME(KW.ASC)) },
        { ALT: fn(() => this.CONSUME(KW.DESC, { LABEL: 'desc' })) },
      ]));
    });
    this.OPTION2(() => {
      this.CONSUME(KW.NULLS);
      this.OR2((this.#alts[30] ??= [
        { ALT: fn(() => this.CONSUME(KW.FIRST, { LABEL: 'nullsFirst' })) },
        { ALT: fn(() => this.CONSUME(KW.LAST)) },
      ]));
    });
  });

  tableRef = this.RULE('tableRef', () => {
    this.SUBRULE(this.tablePrimary);
    this.MANY(() => this.SUBRULE(this.joinPart));
  });

  joinPart = this.RULE('joinPart', () => {
    this.OR((this.#alts[31] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(KW.CROSS, { LABEL: 'cross' });
          this.CONSUME(KW.JOIN);
          this.SUBRULE(this.tablePrimary);
        }),
      },
      {
        ALT: fn(() => {
          this.OPTION(() => this.CONSUME(KW.NATURAL, { LABEL: 'natural' }));
          this.OPTION2(() => {
            this.OR2((this.#alts[32] ??= [
              { ALT: fn(() => this.CONSUME(KW.INNER, { LABEL: 'joinType' })) },
              {
                ALT: fn(() => {
                  this.OR3((this.#alts[33] ??= [
                    { ALT: fn(() => this.CONSUME(KW.LEFT, { LABEL: 'joinType' })) },
                    { ALT: fn(() => this.CONSUME(KW.RIGHT, { LABEL: 'joinType' })) },
                    { ALT: fn(() => this.CONSUME(KW.FULL, { LABEL: 'joinType' })) },
                  ]));
                  this.OPTION3(() => this.CONSUME(KW.OUTER));
                }),
              },
            ]));
          });
          this.CONSUME2(KW.JOIN);
          this.SUBRULE2(this.tablePrimary);
          this.OPTION4(() => {
            this.OR4((this.#alts[34] ??= [
              {
                ALT: fn(() => {
                  this.CONSUME(KW.ON);
                  this.SUBRULE(this.expr, { LABEL: 'on' });
                }),
              },
              {
                ALT: fn(() => {
                  this.CONSUME(KW.USING);
                  this.SUBRULE(this.identList, { LABEL: 'using' });
                }),
              },
            ]));
          });
        }),
      },
    ]));
  });

  tablePrimary = this.RULE('tablePrimary', () => {
    this.OPTION(() => this.CONSUME(KW.LATERAL, { LABEL: 'lateral' }));
    this.OR((this.#alts[35] ??= { IGNORE_AMBIGUITIES: true, DEF: [
      {
        ALT: fn(() => {
          this.CONSUME(KW.TABLE, { LABEL: 'tableWrapper' });
          this.CONSUME(LParen);
          this.SUBRULE(this.qualifiedName, { LABEL: 'fnName' });
          this.CONSUME2(LParen);
          this.OPTION2(() => this.SUBRULE(this.funcArgs));
          this.CONSUME2(RParen);
          this.CONSUME(RParen);
        }),
      },
      {
        GATE: fn(() => this.#queryAt(2)),
        ALT: fn(() => {
          this.CONSUME3(LParen);
          this.SUBRULE(this.query);
          this.CONSUME3(RParen);
        }),
      },
      {
        // A parenthesised join: FROM (a JOIN b ON ...) JOIN c ...
        ALT: fn(() => {
          this.CONSUME5(LParen, { LABEL: 'nestedJoin' });
          this.SUBRULE(this.tableRef);
          this.CONSUME5(RParen);
        }),
      },
      {
        ALT: fn(() => {
          this.SUBRULE2(this.qualifiedName, { LABEL: 'name' });
          this.OPTION8(() => this.CONSUME(Hint));
          this.OPTION3(() => {
            this.CONSUME4(LParen, { LABEL: 'call' });
            this.OPTION4(() => this.SUBRULE2(this.funcArgs));
            this.CONSUME4(RParen);
            this.OPTION5(() => {
              this.CONSUME(KW.WITH);
              this.CONSUME(KW.ORDINALITY, { LABEL: 'ordinality' });
            });
          });
          this.OPTION6(() => {
            this.CONSUME(KW.FOR);
            this.CONSUME(KW.SYSTEM_TIME);
            this.CONSUME(KW.AS);
            this.CONSUME(KW.OF);
            this.SUBRULE(this.expr, { LABEL: 'asOf' });
          });
        }),
      },
    ] }));
    this.OPTION7(() => this.SUBRULE(this.tableAlias));
  });

  tableAlias = this.RULE('tableAlias', () => {
    this.OR((this.#alts[36] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(KW.AS);
          this.SUBRULE(this.ident);
        }),
      },
      { ALT: fn(() => this.SUBRULE2(this.ident)) },
    ]));
    this.OPTION(() => this.SUBRULE(this.identList));
  });

  identList = this.RULE('identList', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.ident);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.ident);
    });
    this.CONSUME(RParen);
  });

  ident = this.RULE('ident', () => {
    this.CONSUME(IdentTok);
  });

  qualifiedName = this.RULE('qualifiedName', () => {
    this.CONSUME(IdentTok, { LABEL: 'part' });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(AnyWord, { LABEL: 'part' });
    });
  });

  // ---------------------------------------------------------------- expressions

  /**
   * An expression is a flat list: operand (opTail)*. Precedence and
   * associativity are applied by the AST builder (precedence climbing), which
   * keeps the CST shallow: one rule level instead of one per precedence level.
   */
  expr = this.RULE('expr', () => {
    this.SUBRULE(this.operand);
    this.MANY({
      // `IN` not followed by `(` is POSITION(a IN b)'s separator.
      // `AT` is an operator only as `AT TIME ZONE`.
      GATE: fn(() => {
        const t1 = this.LA(1).tokenType;
        if (t1 === KW.AT) return isTimeWord(this.LA(2)) && this.LA(3).tokenType === KW.ZONE;
        const k = t1 === KW.NOT ? 2 : 1;
        return this.LA(k).tokenType !== KW.IN || this.LA(k + 1).tokenType === LParen;
      }),
      DEF: fn(() => this.SUBRULE(this.opTail)),
    });
  });

  /** `NOT* (- | + | ~)* primary postfixOp*`. */
  operand = this.RULE('operand', () => {
    this.MANY(() => this.CONSUME(KW.NOT, { LABEL: 'not' }));
    this.MANY2(() => {
      this.OR((this.#alts[75] ??= [
        { ALT: fn(() => this.CONSUME(Minus, { LABEL: 'sign' })) },
        { ALT: fn(() => this.CONSUME(Plus, { LABEL: 'sign' })) },
        { ALT: fn(() => this.CONSUME(Tilde, { LABEL: 'sign' })) },
      ]));
    });
    this.SUBRULE(this.primary);
    this.MANY3(() => this.SUBRULE(this.postfixOp));
  });

  opTail = this.RULE('opTail', () => {
    this.OR((this.#alts[73] ??= [
      {
        ALT: fn(() => {
          this.OR2((this.#alts[74] ??= [
            { ALT: fn(() => this.CONSUME(KW.OR, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(KW.AND, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(CompareOp, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(OtherOp, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(Plus, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(Minus, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(Star, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(Slash, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(Percent, { LABEL: 'op' })) },
            { ALT: fn(() => this.CONSUME(Caret, { LABEL: 'op' })) },
            { ALT: fn(() => this.SUBRULE(this.operatorForm)) },
          ]));
          this.OR3((this.#alts[37] ??= [
            {
              ALT: fn(() => {
                this.OR4((this.#alts[38] ??= [
                  { ALT: fn(() => this.CONSUME(KW.ANY, { LABEL: 'quantifier' })) },
                  { ALT: fn(() => this.CONSUME(KW.SOME, { LABEL: 'quantifier' })) },
                  { ALT: fn(() => this.CONSUME(KW.ALL, { LABEL: 'quantifier' })) },
                ]));
                this.SUBRULE(this.parenQueryOrExpr);
              }),
            },
            { ALT: fn(() => this.SUBRULE(this.operand)) },
          ]));
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.IS, { LABEL: 'is' });
          this.OPTION(() => this.CONSUME(KW.NOT, { LABEL: 'not' }));
          this.OR5((this.#alts[39] ??= [
            { ALT: fn(() => this.CONSUME(KW.NULL, { LABEL: 'what' })) },
            { ALT: fn(() => this.CONSUME(KW.TRUE, { LABEL: 'what' })) },
            { ALT: fn(() => this.CONSUME(KW.FALSE, { LABEL: 'what' })) },
            { ALT: fn(() => this.CONSUME(KW.UNKNOWN, { LABEL: 'what' })) },
            {
              ALT: fn(() => {
                this.CONSUME(KW.JSON, { LABEL: 'what' });
                this.OPTION4(() => {
                  this.OR9((this.#alts[88] ??= [
                    { ALT: fn(() => this.CONSUME(KW.VALUE, { LABEL: 'jsonKind' })) },
                    { ALT: fn(() => this.CONSUME(KW.SCALAR, { LABEL: 'jsonKind' })) },
                    { ALT: fn(() => this.CONSUME(KW.ARRAY, { LABEL: 'jsonKind' })) },
                    { ALT: fn(() => this.CONSUME(KW.OBJECT, { LABEL: 'jsonKind' })) },
                  ]));
                });
              }),
            },
            {
              ALT: fn(() => {
                this.CONSUME(KW.DISTINCT, { LABEL: 'what' });
                this.CONSUME(KW.FROM);
                this.SUBRULE2(this.operand);
              }),
            },
          ]));
        }),
      },
      { ALT: fn(() => this.CONSUME(KW.ISNULL, { LABEL: 'what' })) },
      { ALT: fn(() => this.CONSUME(KW.NOTNULL, { LABEL: 'what' })) },
      {
        ALT: fn(() => {
          this.OPTION2(() => this.CONSUME2(KW.NOT, { LABEL: 'not' }));
          this.OR6((this.#alts[40] ??= [
            {
              ALT: fn(() => {
                this.CONSUME(KW.BETWEEN, { LABEL: 'between' });
                this.OPTION3(() => this.CONSUME(KW.SYMMETRIC, { LABEL: 'symmetric' }));
                this.SUBRULE3(this.operand);
              }),
            },
            {
              ALT: fn(() => {
                this.CONSUME(KW.IN, { LABEL: 'in' });
                this.CONSUME(LParen);
                this.OR7((this.#alts[41] ??= {
                  IGNORE_AMBIGUITIES: true,
                  DEF: [
                    { GATE: fn(() => this.#queryAt(1)), ALT: fn(() => this.SUBRULE(this.query)) },
                    { ALT: fn(() => this.SUBRULE(this.exprList)) },
                  ],
                }));
                this.CONSUME(RParen);
              }),
            },
            {
              ALT: fn(() => {
                this.OR8((this.#alts[42] ??= [
                  { ALT: fn(() => this.CONSUME(KW.LIKE, { LABEL: 'like' })) },
                  { ALT: fn(() => this.CONSUME(KW.ILIKE, { LABEL: 'like' })) },
                  {
                    ALT: fn(() => {
                      this.CONSUME(KW.SIMILAR, { LABEL: 'like' });
                      this.CONSUME(KW.TO);
                    }),
                  },
                ]));
                this.SUBRULE4(this.operand);
              }),
            },
          ]));
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(LikeOp, { LABEL: 'likeOp' });
          this.SUBRULE7(this.operand);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.ESCAPE, { LABEL: 'escape' });
          this.SUBRULE5(this.operand);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.AT, { LABEL: 'atTimeZone' });
          this.CONSUME(IdentTok);
          this.CONSUME(KW.ZONE);
          this.SUBRULE6(this.operand);
        }),
      },
    ]));
  });

  /** `( query )` or `( expr )`. */
  parenQueryOrExpr = this.RULE('parenQueryOrExpr', () => {
    this.CONSUME(LParen);
    this.OR((this.#alts[43] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: fn(() => this.#queryAt(1)), ALT: fn(() => this.SUBRULE(this.query)) },
        { ALT: fn(() => this.SUBRULE(this.expr)) },
      ],
    }));
    this.CONSUME(RParen);
  });

  /** `OPERATOR(pg_catalog.~)`. */
  operatorForm = this.RULE('operatorForm', () => {
    this.CONSUME(KW.OPERATOR);
    this.CONSUME(LParen);
    this.MANY(() => {
      this.CONSUME(AnyWord, { LABEL: 'schema' });
      this.CONSUME(Dot);
    });
    this.OR((this.#alts[44] ??= [
      { ALT: fn(() => this.CONSUME(CompareOp, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(OtherOp, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(Plus, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(Minus, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(Star, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(Slash, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(Percent, { LABEL: 'op' })) },
      { ALT: fn(() => this.CONSUME(Caret, { LABEL: 'op' })) },
    ]));
    this.CONSUME(RParen);
  });

  postfixOp = this.RULE('postfixOp', () => {
    this.OR((this.#alts[76] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(DoubleColon, { LABEL: 'cast' });
          this.SUBRULE(this.typeName);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(LBracket, { LABEL: 'subscript' });
          this.SUBRULE(this.expr, { LABEL: 'index' });
          this.OPTION(() => {
            this.CONSUME(Colon, { LABEL: 'slice' });
            this.SUBRULE2(this.expr, { LABEL: 'upper' });
          });
          this.CONSUME(RBracket);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.COLLATE, { LABEL: 'collate' });
          this.SUBRULE(this.qualifiedName);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(Dot, { LABEL: 'field' });
          this.CONSUME(AnyWord, { LABEL: 'fieldName' });
        }),
      },
    ]));
  });

  primary = this.RULE('primary', () => {
    this.OR((this.#alts[72] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: fn(() => this.CONSUME(NumberLit)) },
        { ALT: fn(() => this.SUBRULE(this.stringLit)) },
        { ALT: fn(() => this.CONSUME(XString)) },
        { ALT: fn(() => this.CONSUME(Param)) },
        { ALT: fn(() => this.CONSUME(Question)) },
        { ALT: fn(() => this.CONSUME(KW.TRUE)) },
        { ALT: fn(() => this.CONSUME(KW.FALSE)) },
        { ALT: fn(() => this.CONSUME(KW.NULL)) },
        { ALT: fn(() => this.SUBRULE(this.intervalLit)) },
        { ALT: fn(() => this.SUBRULE(this.caseExpr)) },
        { ALT: fn(() => this.SUBRULE(this.castExpr)) },
        { ALT: fn(() => this.SUBRULE(this.niladic)) },
        {
          ALT: fn(() => {
            this.CONSUME(KW.EXISTS);
            this.CONSUME(LParen);
            this.SUBRULE(this.query, { LABEL: 'exists' });
            this.CONSUME(RParen);
          }),
        },
        { ALT: fn(() => this.SUBRULE(this.arrayExpr)) },
        // Flink's MAP[k1, v1, ...]; `map[...]` over a column named map is not expressible (as in Flink).
        { GATE: fn(() => this.LA(2).tokenType === LBracket), ALT: fn(() => this.SUBRULE(this.mapExpr)) },
        {
          ALT: fn(() => {
            this.CONSUME(KW.ROW);
            this.CONSUME2(LParen);
            this.OPTION(() => this.SUBRULE(this.exprList, { LABEL: 'row' }));
            this.CONSUME2(RParen);
          }),
        },
        { ALT: fn(() => this.SUBRULE(this.parenExpr)) },
        { ALT: fn(() => this.SUBRULE(this.nameExpr)) },
      ],
    }));
  });

  parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(LParen);
    this.OR((this.#alts[45] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: fn(() => this.#queryAt(1)), ALT: fn(() => this.SUBRULE(this.query)) },
        { ALT: fn(() => this.SUBRULE(this.exprList)) },
      ],
    }));
    this.CONSUME(RParen);
  });

  mapExpr = this.RULE('mapExpr', () => {
    this.CONSUME(KW.MAP);
    this.CONSUME(LBracket);
    this.OPTION(() => this.SUBRULE(this.exprList));
    this.CONSUME(RBracket);
  });

  arrayExpr = this.RULE('arrayExpr', () => {
    this.CONSUME(KW.ARRAY);
    this.OR((this.#alts[46] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(LBracket);
          this.OPTION(() => this.SUBRULE(this.exprList));
          this.CONSUME(RBracket);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(LParen);
          this.SUBRULE(this.query);
          this.CONSUME(RParen);
        }),
      },
    ]));
  });

  /** Column references, function calls, and `type 'literal'`. */
  nameExpr = this.RULE('nameExpr', () => {
    this.OR((this.#alts[47] ??= [
      { ALT: fn(() => this.CONSUME(IdentTok, { LABEL: 'part' })) },
      { GATE: fn(() => this.LA(2).tokenType === LParen), ALT: fn(() => this.CONSUME(FuncNameKw, { LABEL: 'part' })) },
    ]));
    this.MANY(() => {
      this.CONSUME(Dot);
      this.OR2((this.#alts[48] ??= [
        { ALT: fn(() => this.CONSUME(AnyWord, { LABEL: 'part' })) },
        { ALT: fn(() => this.CONSUME(Star, { LABEL: 'star' })) },
      ]));
    });
    this.OPTION(() => {
      this.OR3((this.#alts[49] ??= [
        {
          ALT: fn(() => {
            this.CONSUME(LParen, { LABEL: 'call' });
            this.OPTION2(() => this.SUBRULE(this.funcArgs));
            this.CONSUME(RParen);
            this.OPTION3({
              GATE: fn(() => this.LA(2).tokenType === LParen),
              DEF: fn(() => {
                this.CONSUME(KW.FILTER);
                this.CONSUME2(LParen);
                this.CONSUME(KW.WHERE);
                this.SUBRULE(this.expr, { LABEL: 'filter' });
                this.CONSUME2(RParen);
              }),
            });
            this.OPTION4(() => {
              this.CONSUME(KW.OVER);
              this.OR4((this.#alts[50] ??= [
                { ALT: fn(() => this.SUBRULE(this.ident, { LABEL: 'windowName' })) },
                {
                  ALT: fn(() => {
                    this.CONSUME3(LParen);
                    this.SUBRULE(this.windowSpec);
                    this.CONSUME3(RParen);
                  }),
                },
              ]));
            });
          }),
        },
        { ALT: fn(() => this.SUBRULE(this.stringLit, { LABEL: 'typedLiteral' })) },
      ]));
    });
  });

  funcArgs = this.RULE('funcArgs', () => {
    this.OPTION(() => {
      this.OR((this.#alts[51] ??= [
        { ALT: fn(() => this.CONSUME(KW.DISTINCT, { LABEL: 'distinct' })) },
        { ALT: fn(() => this.CONSUME(KW.ALL)) },
      ]));
    });
    this.OPTION2({
      // `JSON_OBJECT(ABSENT ON NULL)`: a clause where the first argument would be.
      GATE: fn(() => !this.#jsonClauseAhead()),
      DEF: fn(() => {
      this.OR2((this.#alts[52] ??= [
        { ALT: fn(() => this.CONSUME(Star, { LABEL: 'star' })) },
        {
          ALT: fn(() => {
            this.OR3((this.#alts[53] ??= [
              {
                ALT: fn(() => {
                  this.OR4((this.#alts[54] ??= [
                    { ALT: fn(() => this.CONSUME(KW.BOTH, { LABEL: 'trimSpec' })) },
                    { ALT: fn(() => this.CONSUME(KW.LEADING, { LABEL: 'trimSpec' })) },
                    { ALT: fn(() => this.CONSUME(KW.TRAILING, { LABEL: 'trimSpec' })) },
                  ]));
                  this.OPTION3(() => this.SUBRULE(this.funcArg));
                }),
              },
              { ALT: fn(() => this.SUBRULE2(this.funcArg)) },
            ]));
            this.MANY(() => {
              this.OR5((this.#alts[55] ??= [
                { ALT: fn(() => this.CONSUME(Comma, { LABEL: 'sep' })) },
                { ALT: fn(() => this.CONSUME(KW.FROM, { LABEL: 'sep' })) },
                { ALT: fn(() => this.CONSUME(KW.FOR, { LABEL: 'sep' })) },
                { ALT: fn(() => this.CONSUME(KW.IN, { LABEL: 'sep' })) },
                { ALT: fn(() => this.CONSUME(KW.PLACING, { LABEL: 'sep' })) },
                { ALT: fn(() => this.CONSUME(KW.TO, { LABEL: 'sep' })) },
                { ALT: fn(() => this.CONSUME(KW.VALUE, { LABEL: 'sep' })) },
              ]));
              this.SUBRULE3(this.funcArg);
            });
          }),
        },
      ]));
      }),
    });
    this.MANY2(() => this.SUBRULE(this.jsonClause));
    this.OPTION4(() => this.SUBRULE(this.orderByClause));
  });

  /**
   * The clauses of the SQL/JSON functions after their arguments: RETURNING
   * type, <behaviour> ON EMPTY | ERROR | NULL, WITH / WITHOUT [ARRAY] WRAPPER.
   */
  jsonClause = this.RULE('jsonClause', () => {
    this.OR((this.#alts[83] ??= [
      {
        ALT: fn(() => {
          this.CONSUME(KW.RETURNING, { LABEL: 'returning' });
          this.SUBRULE(this.typeName);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.WITHOUT, { LABEL: 'wrapper' });
          this.OPTION(() => this.CONSUME(KW.ARRAY));
          this.CONSUME(KW.WRAPPER);
        }),
      },
      {
        ALT: fn(() => {
          this.CONSUME(KW.WITH, { LABEL: 'wrapper' });
          this.OPTION2(() => {
            this.OR2((this.#alts[84] ??= [
              { ALT: fn(() => this.CONSUME(KW.CONDITIONAL, { LABEL: 'wrapperKind' })) },
              { ALT: fn(() => this.CONSUME(KW.UNCONDITIONAL, { LABEL: 'wrapperKind' })) },
            ]));
          });
          this.OPTION3(() => this.CONSUME2(KW.ARRAY));
          this.CONSUME2(KW.WRAPPER);
        }),
      },
      {
        ALT: fn(() => {
          this.OR3((this.#alts[85] ??= [
            { ALT: fn(() => this.CONSUME(KW.NULL, { LABEL: 'behaviour' })) },
            { ALT: fn(() => this.CONSUME(KW.ERROR, { LABEL: 'behaviour' })) },
            { ALT: fn(() => this.CONSUME(KW.TRUE, { LABEL: 'behaviour' })) },
            { ALT: fn(() => this.CONSUME(KW.FALSE, { LABEL: 'behaviour' })) },
            { ALT: fn(() => this.CONSUME(KW.UNKNOWN, { LABEL: 'behaviour' })) },
            { ALT: fn(() => this.CONSUME(KW.ABSENT, { LABEL: 'behaviour' })) },
            {
              ALT: fn(() => {
                this.CONSUME(KW.EMPTY, { LABEL: 'behaviour' });
                this.OR4((this.#alts[86] ??= [
                  { ALT: fn(() => this.CONSUME3(KW.ARRAY, { LABEL: 'emptyKind' })) },
                  { ALT: fn(() => this.CONSUME(KW.OBJECT, { LABEL: 'emptyKind' })) },
                ]));
              }),
            },
            {
              ALT: fn(() => {
                this.CONSUME(KW.DEFAULT, { LABEL: 'behaviour' });
                this.SUBRULE(this.expr, { LABEL: 'default' });
              }),
            },
          ]));
          this.CONSUME(KW.ON);
          this.OR5((this.#alts[87] ??= [
            { ALT: fn(() => this.CONSUME2(KW.EMPTY, { LABEL: 'target' })) },
            { ALT: fn(() => this.CONSUME2(KW.ERROR, { LABEL: 'target' })) },
            { ALT: fn(() => this.CONSUME2(KW.NULL, { LABEL: 'target' })) },
          ]));
        }),
      },
    ]));
  });

  /** Whether a token can start the key after KEY in JSON_OBJECT (so `key` alone stays a column). */
  #startsKeyExpr(t: TokenType): boolean {
    return t === StringLit || t === EString || t === DollarString || t === Param || t === LParen || tokenMatcher(this.LA(2), IdentTok);
  }

  /** Whether a SQL/JSON clause (not an argument) starts here. */
  #jsonClauseAhead(): boolean {
    const a = this.LA(1).tokenType;
    const b = this.LA(2).tokenType;
    if (a === KW.RETURNING || a === KW.DEFAULT) return true;
    if (a === KW.WITH || a === KW.WITHOUT) return b === KW.WRAPPER || b === KW.ARRAY || b === KW.CONDITIONAL || b === KW.UNCONDITIONAL;
    if (a === KW.EMPTY) return b === KW.ARRAY || b === KW.OBJECT;
    return (a === KW.NULL || a === KW.ERROR || a === KW.TRUE || a === KW.FALSE || a === KW.UNKNOWN || a === KW.ABSENT) && b === KW.ON;
  }

  funcArg = this.RULE('funcArg', () => {
    this.OR((this.#alts[56] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: fn(() => {
            this.CONSUME(KW.TABLE, { LABEL: 'tableArg' });
            this.SUBRULE(this.qualifiedName);
            this.OPTION(() => {
              this.CONSUME(KW.PARTITION, { LABEL: 'partition' });
              this.CONSUME(KW.BY);
              // One key, or several in parentheses (a bare list would be read as more arguments).
              this.OR2([
                { ALT: fn(() => this.SUBRULE3(this.identList, { LABEL: 'partitionBy' })) },
                { ALT: fn(() => this.SUBRULE3(this.ident, { LABEL: 'partitionKey' })) },
              ]);
            });
          }),
        },
        {
          GATE: fn(() => this.LA(1).tokenType === KW.DESCRIPTOR && this.LA(2).tokenType === LParen),
          ALT: fn(() => {
            this.CONSUME(KW.DESCRIPTOR, { LABEL: 'descriptor' });
            this.SUBRULE(this.identList);
          }),
        },
        {
          // JSON_OBJECT(KEY 'k' VALUE v): KEY before a key expression.
          GATE: fn(() => this.LA(1).tokenType === KW.KEY && this.#startsKeyExpr(this.LA(2).tokenType)),
          ALT: fn(() => {
            this.CONSUME(KW.KEY, { LABEL: 'jsonKey' });
            this.SUBRULE3(this.expr, { LABEL: 'keyExpr' });
          }),
        },
        {
          GATE: fn(() => this.LA(2).tokenType === Arrow),
          ALT: fn(() => {
            this.SUBRULE(this.ident, { LABEL: 'argName' });
            this.CONSUME(Arrow);
            this.SUBRULE(this.funcArg, { LABEL: 'named' });
          }),
        },
        { ALT: fn(() => this.SUBRULE2(this.expr)) },
      ],
    }));
  });

  windowSpec = this.RULE('windowSpec', () => {
    this.OPTION({
      GATE: fn(() => {
        const t = this.LA(1).tokenType;
        return t !== KW.PARTITION && t !== KW.ROWS && t !== KW.RANGE;
      }),
      DEF: fn(() => this.SUBRULE(this.ident, { LABEL: 'baseName' })),
    });
    this.OPTION2(() => {
      this.CONSUME(KW.PARTITION);
      this.CONSUME(KW.BY);
      this.SUBRULE(this.exprList, { LABEL: 'partitionBy' });
    });
    this.OPTION3(() => this.SUBRULE(this.orderByClause));
    this.OPTION4(() => {
      this.OR((this.#alts[57] ??= [
        { ALT: fn(() => this.CONSUME(KW.ROWS, { LABEL: 'units' })) },
        { ALT: fn(() => this.CONSUME(KW.RANGE, { LABEL: 'units' })) },
      ]));
      this.OR2((this.#alts[58] ??= [
        {
          ALT: fn(() => {
            this.CONSUME(KW.BETWEEN);
            this.SUBRULE(this.frameBound);
            this.CONSUME(KW.AND);
            this.SUBRULE2(this.frameBound);
          }),
        },
        { ALT: fn(() => this.SUBRULE3(this.frameBound)) },
      ]));
    });
  });

  frameBound = this.RULE('frameBound', () => {
    this.OR((this.#alts[59] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: fn(() => this.LA(1).tokenType === KW.UNBOUNDED),
          ALT: fn(() => {
            this.CONSUME(KW.UNBOUNDED, { LABEL: 'unbounded' });
            this.OR2((this.#alts[60] ??= [
              { ALT: fn(() => this.CONSUME(KW.PRECEDING, { LABEL: 'dir' })) },
              { ALT: fn(() => this.CONSUME(KW.FOLLOWING, { LABEL: 'dir' })) },
            ]));
          }),
        },
        {
          GATE: fn(() => this.LA(1).tokenType === KW.CURRENT && this.LA(2).tokenType === KW.ROW),
          ALT: fn(() => {
            this.CONSUME(KW.CURRENT, { LABEL: 'current' });
            this.CONSUME(KW.ROW);
          }),
        },
        {
          ALT: fn(() => {
            this.SUBRULE(this.expr, { LABEL: 'offset' });
            this.OR3((this.#alts[61] ??= [
              { ALT: fn(() => this.CONSUME2(KW.PRECEDING, { LABEL: 'dir' })) },
              { ALT: fn(() => this.CONSUME2(KW.FOLLOWING, { LABEL: 'dir' })) },
            ]));
          }),
        },
      ],
    }));
  });

  caseExpr = this.RULE('caseExpr', () => {
    this.CONSUME(KW.CASE);
    this.OPTION(() => this.SUBRULE(this.expr, { LABEL: 'operand' }));
    this.AT_LEAST_ONE(() => {
      this.CONSUME(KW.WHEN);
      this.SUBRULE2(this.expr, { LABEL: 'when' });
      this.CONSUME(KW.THEN);
      this.SUBRULE3(this.expr, { LABEL: 'then' });
    });
    this.OPTION2(() => {
      this.CONSUME(KW.ELSE);
      this.SUBRULE4(this.expr, { LABEL: 'else' });
    });
    this.CONSUME(KW.END);
  });

  castExpr = this.RULE('castExpr', () => {
    this.OR((this.#alts[62] ??= [
      { ALT: fn(() => this.CONSUME(KW.CAST, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.TRY_CAST, { LABEL: 'fn' })) },
    ]));
    this.CONSUME(LParen);
    this.SUBRULE(this.expr);
    this.CONSUME(KW.AS);
    this.SUBRULE(this.typeNameNullable);
    this.CONSUME(RParen);
  });

  niladic = this.RULE('niladic', () => {
    this.OR((this.#alts[63] ??= [
      { ALT: fn(() => this.CONSUME(KW.CURRENT_DATE, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.CURRENT_TIME, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.CURRENT_TIMESTAMP, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.LOCALTIME, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.LOCALTIMESTAMP, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.CURRENT_USER, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.SESSION_USER, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.USER, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.CURRENT_SCHEMA, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.CURRENT_CATALOG, { LABEL: 'fn' })) },
      { ALT: fn(() => this.CONSUME(KW.CURRENT_ROLE, { LABEL: 'fn' })) },
    ]));
    this.OPTION(() => {
      this.CONSUME(LParen, { LABEL: 'parens' });
      this.OPTION2(() => this.SUBRULE(this.exprList));
      this.CONSUME(RParen);
    });
  });

  stringLit = this.RULE('stringLit', () => {
    this.AT_LEAST_ONE(() => {
      this.OR((this.#alts[64] ??= [
        { ALT: fn(() => this.CONSUME(StringLit, { LABEL: 'str' })) },
        { ALT: fn(() => this.CONSUME(EString, { LABEL: 'str' })) },
        { ALT: fn(() => this.CONSUME(DollarString, { LABEL: 'str' })) },
      ]));
    });
  });

  intervalLit = this.RULE('intervalLit', () => {
    this.CONSUME(KW.INTERVAL);
    this.OPTION(() => {
      this.OR((this.#alts[65] ??= [
        { ALT: fn(() => this.CONSUME(Minus, { LABEL: 'sign' })) },
        { ALT: fn(() => this.CONSUME(Plus, { LABEL: 'sign' })) },
      ]));
    });
    this.SUBRULE(this.stringLit);
    this.OPTION2(() => this.SUBRULE(this.intervalQualifier));
  });

  intervalQualifier = this.RULE('intervalQualifier', () => {
    this.SUBRULE(this.intervalUnit, { LABEL: 'from' });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.CONSUME(NumberLit, { LABEL: 'precision' });
      this.CONSUME(RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(KW.TO);
      this.SUBRULE2(this.intervalUnit, { LABEL: 'to' });
      this.OPTION3(() => {
        this.CONSUME2(LParen);
        this.CONSUME2(NumberLit, { LABEL: 'precision' });
        this.CONSUME2(RParen);
      });
    });
  });

  intervalUnit = this.RULE('intervalUnit', () => {
    this.OR((this.#alts[66] ??= [
      { ALT: fn(() => this.CONSUME(KW.YEAR)) },
      { ALT: fn(() => this.CONSUME(KW.MONTH)) },
      { ALT: fn(() => this.CONSUME(KW.WEEK)) },
      { ALT: fn(() => this.CONSUME(KW.DAY)) },
      { ALT: fn(() => this.CONSUME(KW.HOUR)) },
      { ALT: fn(() => this.CONSUME(KW.MINUTE)) },
      { ALT: fn(() => this.CONSUME(KW.SECOND)) },
      { ALT: fn(() => this.CONSUME(KW.MILLISECOND)) },
      { ALT: fn(() => this.CONSUME(KW.MICROSECOND)) },
      { ALT: fn(() => this.CONSUME(KW.YEARS)) },
      { ALT: fn(() => this.CONSUME(KW.MONTHS)) },
      { ALT: fn(() => this.CONSUME(KW.WEEKS)) },
      { ALT: fn(() => this.CONSUME(KW.DAYS)) },
      { ALT: fn(() => this.CONSUME(KW.HOURS)) },
      { ALT: fn(() => this.CONSUME(KW.MINUTES)) },
      { ALT: fn(() => this.CONSUME(KW.SECONDS)) },
    ]));
  });

  // ---------------------------------------------------------------- types

  typeNameNullable = this.RULE('typeNameNullable', () => {
    this.SUBRULE(this.typeName);
    this.OPTION(() => {
      this.OR((this.#alts[67] ??= [
        {
          ALT: fn(() => {
            this.CONSUME(KW.NOT, { LABEL: 'notNull' });
            this.CONSUME(KW.NULL);
          }),
        },
        { ALT: fn(() => this.CONSUME2(KW.NULL)) },
      ]));
    });
  });

  typeName = this.RULE('typeName', () => {
    this.OR((this.#alts[68] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: fn(() => {
            this.CONSUME(KW.ROW, { LABEL: 'row' });
            this.OR2((this.#alts[69] ??= [
              {
                ALT: fn(() => {
                  this.CONSUME(Less);
                  this.SUBRULE(this.rowFields);
                  this.CONSUME(Greater);
                }),
              },
              {
                ALT: fn(() => {
                  this.CONSUME(LParen);
                  this.SUBRULE2(this.rowFields);
                  this.CONSUME(RParen);
                }),
              },
            ]));
          }),
        },
        {
          ALT: fn(() => {
            this.CONSUME(KW.ARRAY, { LABEL: 'array' });
            this.CONSUME2(Less);
            this.SUBRULE(this.typeNameNullable, { LABEL: 'element' });
            this.CONSUME2(Greater);
          }),
        },
        {
          GATE: fn(() => this.LA(1).tokenType === KW.MAP && this.LA(2).tokenType === Less),
          ALT: fn(() => {
            this.CONSUME(KW.MAP, { LABEL: 'map' });
            this.CONSUME3(Less);
            this.SUBRULE2(this.typeNameNullable, { LABEL: 'element' });
            this.CONSUME(Comma);
            this.SUBRULE3(this.typeNameNullable, { LABEL: 'element' });
            this.CONSUME3(Greater);
          }),
        },
        {
          ALT: fn(() => {
            this.CONSUME(KW.INTERVAL, { LABEL: 'interval' });
            this.OPTION(() => this.SUBRULE(this.intervalQualifier));
          }),
        },
        { ALT: fn(() => this.SUBRULE(this.namedType)) },
      ],
    }));
    this.MANY(() => {
      this.OR3((this.#alts[70] ??= [
        { ALT: fn(() => this.CONSUME2(KW.ARRAY, { LABEL: 'arraySuffix' })) },
        {
          ALT: fn(() => {
            this.CONSUME(LBracket, { LABEL: 'arraySuffix' });
            this.OPTION2(() => this.CONSUME(NumberLit));
            this.CONSUME(RBracket);
          }),
        },
      ]));
    });
  });

  namedType = this.RULE('namedType', () => {
    this.CONSUME(IdentTok, { LABEL: 'part' });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(AnyWord, { LABEL: 'part' });
    });
    this.OPTION({
      GATE: fn(() => {
        const t = this.LA(1);
        if (t.tokenType !== Identifier) return false;
        const w = t.image.toLowerCase();
        return w === 'precision' || w === 'varying';
      }),
      DEF: fn(() => this.CONSUME(Identifier, { LABEL: 'word2' })),
    });
    this.OPTION2(() => {
      this.CONSUME(LParen);
      this.CONSUME(NumberLit, { LABEL: 'param' });
      this.MANY2(() => {
        this.CONSUME(Comma);
        this.CONSUME2(NumberLit, { LABEL: 'param' });
      });
      this.CONSUME(RParen);
    });
    this.OPTION3({
      GATE: fn(() => {
        const t1 = this.LA(1).tokenType;
        return (t1 === KW.WITH || t1 === KW.WITHOUT) && (this.LA(2).tokenType === KW.LOCAL || isTimeWord(this.LA(2)));
      }),
      DEF: fn(() => {
        this.OR((this.#alts[71] ??= [
          { ALT: fn(() => this.CONSUME(KW.WITH, { LABEL: 'withTz' })) },
          { ALT: fn(() => this.CONSUME(KW.WITHOUT, { LABEL: 'withoutTz' })) },
        ]));
        this.OPTION4(() => this.CONSUME(KW.LOCAL, { LABEL: 'local' }));
        this.CONSUME2(IdentTok, { LABEL: 'timeWord' });
        this.CONSUME(KW.ZONE);
      }),
    });
  });

  rowFields = this.RULE('rowFields', () => {
    this.SUBRULE(this.rowField);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.rowField);
    });
  });

  rowField = this.RULE('rowField', () => {
    this.SUBRULE(this.ident);
    this.SUBRULE(this.typeNameNullable);
    this.OPTION(() => {
      this.CONSUME(KW.COMMENT);
      this.SUBRULE(this.stringLit);
    });
  });
}

function isTimeWord(t: IToken): boolean {
  return t.image.toLowerCase() === 'time';
}

/** The one parser instance. */
export const sqlParser = new SqlParser();
export type { SqlParser };
