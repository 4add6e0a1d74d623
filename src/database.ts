/**
 * The database a server serves: the LevelDB store, the catalog and the
 * stored tables, shared by all sessions. It is the SessionFactory the
 * protocol layer opens sessions from.
 */
import { Store } from './storage/store.ts';
import { TableStore } from './storage/table-store.ts';
import { Catalog } from '../catalog/catalog.ts';
import { catalogLookup } from '../catalog/catalog-lookup.ts';
import type { CatalogLookup } from './functions/eval-context.ts';
import type { Session, SessionFactory } from './session/api.ts';
import { SqlSession } from './session/session.ts';
import { SqlError, SqlState } from './errors.ts';
import type { Row } from '../catalog/types.ts';
import type { ConnectorRegistry } from './connectors/source-connector.ts';
import type { SinkRegistry } from './connectors/sink-connector.ts';
import type { StreamInputs } from './streaming/stream-sources.ts';
import { MaterializedView } from './jobs/materialized-view.ts';
import { startMaterializedViews } from './jobs/materialized-views.ts';
import { JobRegistry } from './jobs/jobs.ts';
import { insertJobLauncher } from './session/dml.ts';
import { QueryPipeline } from './session/query-pipeline.ts';
import type { CatalogEntry } from '../catalog/relation.ts';
import { StateMemoryBudget } from './state/memory-budget.ts';
import { CheckpointHistory } from './jobs/checkpoints.ts';
import { Savepoints } from './jobs/savepoints.ts';
import type { DurableDataflow } from './jobs/durable-dataflow.ts';

/** Server settings for durable dataflows (materialized views and jobs). */
export interface DatabaseOptions {
  /** Milliseconds between checkpoints of materialized views and jobs (default 2000; 0 turns periodic checkpoints off). */
  readonly checkpointIntervalMs?: number;
  /** Bytes of operator state kept in memory before cold values are left to LevelDB (default 1 GiB). */
  readonly stateMemoryBytes?: number;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 2000;
const DEFAULT_STATE_MEMORY_BYTES = 1024 * 1024 * 1024;

/** The one database name clients connect to (any other name is 3D000). */
export const DATABASE_NAME = 'millrace';

export class Database implements SessionFactory {
  readonly store: Store;
  readonly catalog: Catalog;
  readonly tables: TableStore;
  readonly lookup: CatalogLookup;
  /** Source connectors by name, as wired by the composition root. */
  readonly connectors: ConnectorRegistry;
  /** Sink connectors by name (INSERT INTO a table of theirs), as wired by the composition root. */
  readonly sinks: SinkRegistry;
  /** Running materialized views by catalog id. */
  readonly views = new Map<number, MaterializedView>();
  /** Server-owned INSERT INTO ... SELECT jobs. */
  readonly jobs: JobRegistry;
  /** How continuous queries read relations. */
  readonly streamInputs: StreamInputs;
  /** The memory all durable operator state shares. */
  readonly stateBudget: StateMemoryBudget;
  /** Recent checkpoints of every durable dataflow (SHOW CHECKPOINTS). */
  readonly checkpoints = new CheckpointHistory();
  readonly checkpointIntervalMs: number;
  /** Running materialized views and jobs that checkpoint. */
  readonly durables = new Set<DurableDataflow>();
  /** Savepoints users took (SHOW SAVEPOINTS). */
  savepoints!: Savepoints;
  readonly #sessions = new Set<SqlSession>();
  #nextPid = 1000;

  private constructor(store: Store, catalog: Catalog, connectors: ConnectorRegistry, options: DatabaseOptions, sinks: SinkRegistry) {
    this.store = store;
    this.stateBudget = new StateMemoryBudget(options.stateMemoryBytes ?? DEFAULT_STATE_MEMORY_BYTES, { deferred: true });
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    this.jobs = new JobRegistry(store);
    this.connectors = connectors;
    this.sinks = sinks;
    this.catalog = catalog;
    this.tables = new TableStore(store);
    this.lookup = catalogLookup(catalog);
    this.streamInputs = {
      relation: (id) => catalog.byId(id),
      connectors,
      subscribe: (rel, listener, options) => {
        if (rel.kind === 'materialized-view') return Promise.resolve(this.view(rel).subscribe(listener));
        if (rel.kind !== 'table') throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${rel.name}" has no changelog`);
        return this.tables.subscribe(rel, listener, options);
      },
      releaseChangelog: (rel, reader, position) => {
        if (rel.kind === 'table') this.tables.releaseChangelog(rel.id, reader, position);
      },
      snapshot: (rel) => {
        if (rel.kind === 'materialized-view') return this.view(rel).snapshot();
        if (rel.kind !== 'table') throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${rel.name}" is not stored`);
        return this.tables.scan(rel);
      },
      systemRows: (rel) => (rel.kind === 'system' ? rel.rows({ user: 'millrace', database: DATABASE_NAME }) : []),
    };
  }

  static async open(dataDir: string, connectors: ConnectorRegistry = new Map(), options: DatabaseOptions = {}, sinks: SinkRegistry = new Map()): Promise<Database> {
    const store = await Store.open(dataDir);
    const catalog = await Catalog.open(store);
    const db = new Database(store, catalog, connectors, options, sinks);
    db.savepoints = await Savepoints.open(store);
    // Views and jobs are planned again as they were created: in a server session with their settings.
    const pipelineWith = (settings: Readonly<Record<string, string>>): QueryPipeline => {
      const session = db.#internalSession();
      for (const [key, value] of Object.entries(settings)) session.settings.set(key, value);
      return new QueryPipeline(db, session);
    };
    await startMaterializedViews(db, pipelineWith);
    await db.jobs.open(insertJobLauncher(db, pipelineWith));
    // Every durable reader of a stored table's changelog is back: entries they all passed may go.
    db.tables.changelogReadersRestored();
    return db;
  }

  /** The running state of a materialized view; 55000 when it could not be started. */
  view(rel: CatalogEntry): MaterializedView {
    const v = this.views.get(rel.id);
    if (v === undefined) {
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `materialized view "${rel.name}" is not being maintained`, {
        hint: 'The server log says why it could not be started; drop and re-create it.',
      });
    }
    return v;
  }

  /** A session owned by the server, for planning the queries of views and jobs it starts by itself. */
  #internalSession(): SqlSession {
    return new SqlSession(this, new Map([['user', 'millrace'], ['database', DATABASE_NAME]]), 0);
  }

  openSession(startup: ReadonlyMap<string, string>): Session {
    const database = startup.get('database') || startup.get('user') || DATABASE_NAME;
    if (database !== DATABASE_NAME) {
      throw new SqlError(SqlState.INVALID_CATALOG_NAME, `database "${database}" does not exist`, {
        severity: 'FATAL',
        hint: `Connect to database "${DATABASE_NAME}".`,
      });
    }
    const withDb = new Map(startup);
    withDb.set('database', DATABASE_NAME);
    const session = new SqlSession(this, withDb, this.#nextPid++);
    this.#sessions.add(session);
    const close = session.close.bind(session);
    session.close = () => {
      this.#sessions.delete(session);
      close();
    };
    return session;
  }

  async close(): Promise<void> {
    for (const s of [...this.#sessions]) s.close();
    // A last checkpoint each, so that the next start resumes without replaying what came since.
    await Promise.allSettled([...this.durables].map((d) => d.checkpoint('checkpoint')));
    this.jobs.stopAll();
    for (const v of this.views.values()) v.drop();
    this.views.clear();
    await this.store.close();
  }
}
