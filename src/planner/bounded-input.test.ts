import { describe, expect, it } from 'vitest';
import { STRING, timestamp } from '../../catalog/types.ts';
import { col, scanNode, schemaOf } from '../compiler/plan.test-helpers.ts';
import type { LogicalPlan, WindowTvfFunction } from './logical-plan.ts';
import { needsContinuousRuntime } from './bounded-input.ts';
import { changelogMode } from './changelog-mode.ts';

const TS = timestamp(3);
const MIN = 60_000_000;

function windowed(fn: WindowTvfFunction, unbounded: boolean): LogicalPlan {
  return {
    kind: 'window-tvf',
    input: scanNode(1, [TS, STRING], { unbounded }),
    fn,
    timeCol: col(0, TS),
    partitionBy: fn === 'SESSION' ? [col(1, STRING)] : [],
    size: 10 * MIN,
    slide: fn === 'HOP' || fn === 'CUMULATE' ? 5 * MIN : 10 * MIN,
    offset: 0,
    schema: schemaOf([TS, STRING, TS, TS, TS]),
  };
}

describe('window TVFs over unbounded input', () => {
  it('TUMBLE, HOP and CUMULATE stream row by row', () => {
    for (const fn of ['TUMBLE', 'HOP', 'CUMULATE'] as const) {
      expect(needsContinuousRuntime(windowed(fn, true))).toBe(false);
      expect(changelogMode(windowed(fn, true))).toBe('insert-only');
    }
  });

  it('SESSION needs the end of its input', () => {
    expect(needsContinuousRuntime(windowed('SESSION', true))).toBe(true);
    expect(needsContinuousRuntime(windowed('SESSION', false))).toBe(false);
  });
});
