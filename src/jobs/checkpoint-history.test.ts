import { describe, expect, it } from 'vitest';
import { CheckpointHistory, type CheckpointStats } from './checkpoints.ts';

function stats(dataflow: string, id: number, status: 'COMPLETED' | 'FAILED', durationMs = 5): CheckpointStats {
  return { dataflow, id, kind: 'checkpoint', status, triggered: new Date(1000 * id), durationMs, bytes: 100 * id, entries: id, error: status === 'FAILED' ? 'disk full' : null };
}

describe('CheckpointHistory', () => {
  it('keeps the recent attempts and counts every attempt, also after forget', () => {
    const history = new CheckpointHistory();
    for (let i = 1; i <= 30; i++) history.add(stats('job-0001', i, i % 10 === 0 ? 'FAILED' : 'COMPLETED', i));
    history.add(stats('mv-7', 1, 'FAILED'));
    expect(history.totals().get('job-0001')).toMatchObject({ completed: 27, failed: 3 });
    expect(history.totals().get('job-0001')?.last?.id).toBe(29);
    expect(history.totals().get('mv-7')).toMatchObject({ completed: 0, failed: 1, last: undefined });
    expect(history.list().filter((c) => c.dataflow === 'job-0001')).toHaveLength(10);
    history.forget('job-0001');
    expect(history.list().filter((c) => c.dataflow === 'job-0001')).toHaveLength(0);
    expect(history.totals().get('job-0001')).toMatchObject({ completed: 27, failed: 3 });
  });
});
