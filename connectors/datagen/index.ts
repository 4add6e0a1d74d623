/** The `datagen` source connector (see generator.ts for the options and guarantees). */
import type { SourceConnector } from '../../src/connectors/source-connector.ts';
import { datagenRows, datagenSpec } from './generator.ts';

export const datagenConnector: SourceConnector = {
  name: 'datagen',
  validate(columns, options) {
    datagenSpec(columns, options);
  },
  bounded(columns, options) {
    return datagenSpec(columns, options).rowCount !== undefined;
  },
  read(columns, options, signal, fromPosition = 0) {
    return datagenRows(datagenSpec(columns, options), signal, fromPosition);
  },
};
