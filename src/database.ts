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
import type { ConnectorRegistry } from './connectors/source-connector.ts';

/** The one database name clients connect to (any other name is 3D000). */
export const DATABASE_NAME = 'millrace';

export class Database implements SessionFactory {
  readonly store: Store;
  readonly catalog: Catalog;
  readonly tables: TableStore;
  readonly lookup: CatalogLookup;
  /** Source connectors by name, as wired by the composition root. */
  readonly connectors: ConnectorRegistry;
  readonly #sessions = new Set<SqlSession>();
  #nextPid = 1000;

  private constructor(store: Store, catalog: Catalog, connectors: ConnectorRegistry) {
    this.store = store;
    this.connectors = connectors;
    this.catalog = catalog;
    this.tables = new TableStore(store);
    this.lookup = catalogLookup(catalog);
  }

  static async open(dataDir: string, connectors: ConnectorRegistry = new Map()): Promise<Database> {
    const store = await Store.open(dataDir);
    const catalog = await Catalog.open(store);
    return new Database(store, catalog, connectors);
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
    await this.store.close();
  }
}
