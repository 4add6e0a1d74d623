import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, MetricRegistry } from './prometheus.ts';

describe('Prometheus text exposition', () => {
  it('prints HELP, TYPE and samples per family, in registration order', () => {
    const r = new MetricRegistry();
    let n = 0;
    r.add('demo_requests_total', 'counter', 'Requests served.', () => [{ value: ++n }]);
    r.add('demo_queue', 'gauge', 'Items queued per queue.', () => [
      { labels: { queue: 'a' }, value: 3 },
      { labels: { queue: 'b', shard: '2' }, value: 0.5 },
    ]);
    r.add('demo_empty', 'gauge', 'Nothing yet.', () => []);
    expect(r.expose()).toBe(
      [
        '# HELP demo_requests_total Requests served.',
        '# TYPE demo_requests_total counter',
        'demo_requests_total 1',
        '# HELP demo_queue Items queued per queue.',
        '# TYPE demo_queue gauge',
        'demo_queue{queue="a"} 3',
        'demo_queue{queue="b",shard="2"} 0.5',
        '# HELP demo_empty Nothing yet.',
        '# TYPE demo_empty gauge',
        '',
      ].join('\n'),
    );
    // Collected again at every scrape.
    expect(r.expose()).toContain('demo_requests_total 2\n');
  });

  it('runs scrape hooks before collecting, once per scrape', () => {
    const r = new MetricRegistry();
    let reading = 0;
    r.onScrape(() => reading++);
    r.add('demo_a', 'gauge', 'a', () => [{ value: reading }]);
    r.add('demo_b', 'gauge', 'b', () => [{ value: reading * 10 }]);
    expect(r.expose()).toContain('demo_a 1\n# HELP demo_b b\n# TYPE demo_b gauge\ndemo_b 10\n');
    expect(r.expose()).toContain('demo_a 2\n');
  });

  it('escapes help text and label values', () => {
    const r = new MetricRegistry();
    r.add('demo_info', 'gauge', 'Back\\slash and\nnewline "kept"', () => [{ labels: { name: 'a "b" \\ c\nd' }, value: 1 }]);
    const text = r.expose();
    expect(text).toContain('# HELP demo_info Back\\\\slash and\\nnewline "kept"\n');
    expect(text).toContain('demo_info{name="a \\"b\\" \\\\ c\\nd"} 1\n');
    expect(text.split('\n')).toHaveLength(4);
    expect(escapeLabelValue('plain')).toBe('plain');
  });

  it('prints special values as Prometheus does', () => {
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-2)).toBe('-2');
    expect(formatValue(1e-7)).toBe('1e-7');
    expect(Number(formatValue(1795747829.226))).toBe(1795747829.226);
  });

  it('refuses bad names, counters without _total and duplicates', () => {
    const r = new MetricRegistry();
    expect(() => r.add('demo_rows', 'counter', 'x', () => [])).toThrow(/_total/);
    expect(() => r.add('1demo', 'gauge', 'x', () => [])).toThrow(/not valid/);
    expect(() => r.add('demo-rows', 'gauge', 'x', () => [])).toThrow(/not valid/);
    r.add('demo_rows', 'gauge', 'x', () => []);
    expect(() => r.add('demo_rows', 'gauge', 'x', () => [])).toThrow(/twice/);

    const labels = new MetricRegistry();
    labels.add('demo_a', 'gauge', 'x', () => [{ labels: { __name__: 'y' }, value: 1 }]);
    expect(() => labels.expose()).toThrow(/label name/);
    const dashed = new MetricRegistry();
    dashed.add('demo_b', 'gauge', 'x', () => [{ labels: { 'job-id': 'y' }, value: 1 }]);
    expect(() => dashed.expose()).toThrow(/label name/);
    const twice = new MetricRegistry();
    twice.add('demo_c', 'gauge', 'x', () => [
      { labels: { job: 'j' }, value: 1 },
      { labels: { job: 'j' }, value: 2 },
    ]);
    expect(() => twice.expose()).toThrow(/two samples/);
  });
});
