/**
 * The `blackhole` sink (Flink's): takes every row, of any kind, and keeps
 * nothing. For measuring a query without the cost of its output. No options
 * besides 'connector'.
 */
import { ImmediateSinkWriter, type SinkConnector } from '../../src/connectors/sink-connector.ts';
import { checkSinkOptions } from '../sink-options.ts';

class BlackholeWriter extends ImmediateSinkWriter {
  write(): void {}
}

export const blackholeSink: SinkConnector = {
  name: 'blackhole',
  acceptsUpdates: true,
  validate(_columns, options) {
    checkSinkOptions('blackhole', [], options);
  },
  open() {
    return new BlackholeWriter();
  },
};
