/**
 * The contract between the engine and the connectors that read outside data
 * (connectors/ implements it; src/main.ts wires them in). A connector is
 * named by a table's `'connector'` option and configured by its other WITH
 * options.
 *
 * - `validate` runs at CREATE TABLE and throws SqlError (22023) for options
 *   the connector does not understand, so bad tables are never created.
 * - `bounded` tells the planner whether reads end by themselves.
 * - `read` yields rows of the table's physical columns, in order, in batches,
 *   starting at a source position (0 = the beginning); it stops when `signal`
 *   aborts. Positions let recovery rewind a source.
 */
import type { ColumnDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';

export interface SourceConnector {
  readonly name: string;
  validate(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): void;
  bounded(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): boolean;
  read(
    columns: readonly ColumnDefinition[],
    options: Readonly<Record<string, string>>,
    signal: AbortSignal,
    fromPosition?: number,
  ): AsyncIterable<Row[]>;
}

/** Connectors by name. */
export type ConnectorRegistry = ReadonlyMap<string, SourceConnector>;
