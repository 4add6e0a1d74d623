/**
 * ConnectorSink's two phases against a recording writer and a real store:
 * rows before barrier n are prepared at the barrier, the committable goes
 * into checkpoint n's batch, and the writer commits only after that batch is
 * written; the recovery a restarted job hands its writer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../catalog/types.ts';
import { Store } from '../storage/store.ts';
import type { SinkRecovery, SinkWriter } from '../connectors/sink-connector.ts';
import { RowKind } from '../dataflow/chunk.ts';
import { sinkUndoKey } from './checkpoints.ts';
import { ConnectorSink, sinkRecovery } from './connector-sink.ts';

const OWNER = 7_000_001;
const utf8 = new TextEncoder();
const text = new TextDecoder();

class RecordingWriter implements SinkWriter {
  readonly events: string[] = [];
  #open: string[] = [];
  recovered: SinkRecovery | undefined;
  store: Store | undefined;

  recover(state: SinkRecovery): Promise<void> {
    this.recovered = state;
    return Promise.resolve();
  }

  write(rows: readonly Row[], kinds: Uint8Array | null): void {
    rows.forEach((r, i) => this.#open.push(`${kinds === null ? 0 : kinds[i]!}:${r.join('|')}`));
  }

  prepare(id: number): Promise<Uint8Array> {
    const rows = this.#open;
    this.#open = [];
    this.events.push(`prepare ${id}`);
    return Promise.resolve(utf8.encode(rows.join(';')));
  }

  async commit(committable: Uint8Array): Promise<void> {
    // The checkpoint's batch must be durable before the commit.
    const stored = await this.store!.get(sinkUndoKey(OWNER));
    this.events.push(`commit ${text.decode(committable)} (stored: ${stored === undefined ? 'no' : text.decode(stored.subarray(4))})`);
  }

  abort(): Promise<void> {
    this.events.push('abort');
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-connector-sink-'));
  store = await Store.open(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ConnectorSink', () => {
  it('prepares at the barrier and commits after the checkpoint batch is written', async () => {
    const writer = new RecordingWriter();
    writer.store = store;
    const sink = new ConnectorSink(writer, (r) => [String(r[0]).toUpperCase(), r[1] ?? null], store, OWNER);
    await sink.recover(undefined, 0);
    expect(writer.recovered).toEqual({});
    sink.chunk({ rows: [['a', 1], ['b', 2]], kinds: null });
    sink.barrier(1);
    sink.chunk({ rows: [['a', 1], ['a', 3]], kinds: new Uint8Array([RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER]) });
    expect(writer.events).toEqual(['prepare 1']);
    const marker = utf8.encode('state');
    await sink.commit(1, [{ type: 'put', key: marker, value: marker }]);
    expect(writer.events).toEqual(['prepare 1', 'commit 0:A|1;0:B|2 (stored: 0:A|1;0:B|2)']);
    expect(text.decode(await store.get(marker))).toBe('state');
    const record = (await store.get(sinkUndoKey(OWNER)))!;
    expect(new DataView(record.buffer, record.byteOffset).getUint32(0)).toBe(1);
    expect(sink.rowsWritten).toBe(2);
    sink.barrier(2);
    await sink.commit(2, []);
    expect(writer.events.at(-1)).toBe('commit 1:A|1;2:A|3 (stored: 1:A|1;2:A|3)');
    expect(sink.rowsWritten).toBe(4);
    // A final checkpoint after every input ended may commit without a barrier of its own.
    sink.chunk({ rows: [['c', 5]], kinds: null });
    await sink.commit(3, []);
    expect(writer.events.slice(-2)).toEqual(['prepare 3', 'commit 0:C|5 (stored: 0:C|5)']);
    await sink.close();
    expect(writer.events.at(-1)).toBe('abort');
  });

  it('does not commit when the checkpoint batch cannot be written', async () => {
    const writer = new RecordingWriter();
    writer.store = store;
    const sink = new ConnectorSink(writer, (r) => r, store, OWNER);
    await sink.recover(undefined, 0);
    sink.chunk({ rows: [['a', 1]], kinds: null });
    sink.barrier(1);
    await store.close();
    await expect(sink.commit(1, [])).rejects.toThrow();
    expect(writer.events).toEqual(['prepare 1']);
    store = await Store.open(dir);
  });

  it('recovers the resumed checkpoint committed and a later one rolled back', () => {
    const record = (id: number, body: string): Uint8Array => {
      const out = new Uint8Array(4 + body.length);
      new DataView(out.buffer).setUint32(0, id);
      out.set(utf8.encode(body), 4);
      return out;
    };
    expect(sinkRecovery(undefined, 3)).toEqual({});
    expect(sinkRecovery(record(3, 'x'), 3)).toEqual({ committed: utf8.encode('x') });
    expect(sinkRecovery(record(4, 'y'), 3)).toEqual({ rolledBack: utf8.encode('y') });
    // Starting over from the inputs: the output of the last checkpoint is replayed, so it goes.
    expect(sinkRecovery(record(4, 'y'), 0)).toEqual({ rolledBack: utf8.encode('y') });
  });
});
