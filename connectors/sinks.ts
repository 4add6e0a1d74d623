/** The sink connectors millrace ships with, by the name a table's 'connector' option uses (src/connectors/sink-connector.ts). */
import type { SinkRegistry } from '../src/connectors/sink-connector.ts';
import { printSink } from './print/index.ts';
import { blackholeSink } from './blackhole/index.ts';
import { filesystemSink } from './filesystem/sink.ts';

export const builtinSinks: SinkRegistry = new Map([
  [printSink.name, printSink],
  [blackholeSink.name, blackholeSink],
  [filesystemSink.name, filesystemSink],
]);
