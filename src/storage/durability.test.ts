import { describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Store } from './store.ts';
import { TableStore } from './table-store.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { INT } from '../../catalog/types.ts';
import type { Row } from '../../catalog/types.ts';

const TABLE: TableDefinition = {
  kind: 'table',
  id: 16384,
  name: 't',
  schema: 'public',
  columns: [{ name: 'x', type: INT, nullable: true, kind: 'physical' }],
  primaryKey: [],
  partitionedBy: [],
  options: {},
};

describe('durability', () => {
  it('keeps an acknowledged insert when the process is killed with SIGKILL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-kill-'));
    let child: ChildProcess | undefined;
    try {
      const script = join(dir, 'writer.mts');
      const storeUrl = new URL('./store.ts', import.meta.url).href;
      const tablesUrl = new URL('./table-store.ts', import.meta.url).href;
      await writeFile(
        script,
        `import { Store } from ${JSON.stringify(storeUrl)};
import { TableStore } from ${JSON.stringify(tablesUrl)};
const store = await Store.open(${JSON.stringify(join(dir, 'data'))});
const tables = new TableStore(store);
const table = ${JSON.stringify(TABLE)};
for (let i = 1; i <= 3; i++) await tables.insert(table, [[i]]);
process.stdout.write('acked\\n');
setInterval(() => {}, 1000);
`,
      );
      // One process (no tsx wrapper), so SIGKILL hits the writer itself.
      child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((done, fail) => {
        const writer = child!;
        writer.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('acked')) {
            writer.kill('SIGKILL');
            done();
          }
        });
        writer.on('exit', (code) => fail(new Error(`writer exited early with ${code}`)));
      });
      if (child.exitCode === null && child.signalCode === null) await new Promise((done) => child!.once('exit', done));

      const store = await Store.open(join(dir, 'data'));
      const rows: Row[] = [];
      for await (const b of new TableStore(store).scan(TABLE)) rows.push(...b);
      await store.close();
      expect(rows).toEqual([[1], [2], [3]]);
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
