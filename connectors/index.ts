/** The connectors millrace ships with, by the name a table's 'connector' option uses. */
import type { ConnectorRegistry } from '../src/connectors/source-connector.ts';
import { datagenConnector } from './datagen/index.ts';
import { filesystemSource } from './filesystem/source.ts';

export const builtinConnectors: ConnectorRegistry = new Map([
  [datagenConnector.name, datagenConnector],
  [filesystemSource.name, filesystemSource],
]);
