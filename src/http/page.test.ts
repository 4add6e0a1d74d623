import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, jobRowsHtml, PAGE_CSP, renderPage } from './page.ts';
import type { JobJson } from './jobs-api.ts';

const hostile: JobJson = {
  id: 'job-0001"><img src=x onerror=alert(1)>',
  kind: 'job',
  name: '<script>alert(1)</script>',
  status: 'RUNNING',
  startTime: '2026-01-02T03:04:05.000Z',
  rowsWritten: 12,
  lateRows: 1,
  error: "it's <b>bad</b> & worse",
  statement: 'INSERT INTO t SELECT "<x>"',
  lastCheckpoint: { id: 7, kind: 'checkpoint', status: 'COMPLETED', time: '2026-01-02T03:04:09.000Z', durationMs: 12, sizeBytes: 2048, stateEntries: 3, error: null },
};

describe('web page', () => {
  it('escapes the characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('renders job rows with every server string escaped', () => {
    const html = jobRowsHtml([hostile]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('#7 at 03:04:09 UTC, 12 ms, 2.0 KiB');
    expect(html).toContain('<button data-stop=');
    expect(jobRowsHtml([{ ...hostile, status: 'CANCELED' }])).not.toContain('<button');
    expect(jobRowsHtml([{ ...hostile, kind: 'materialized-view' }])).not.toContain('<button');
    expect(jobRowsHtml([])).toContain('No jobs');
  });

  it('allows exactly its own inline script by hash', () => {
    const page = renderPage([hostile]);
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    expect(PAGE_CSP).toContain(`script-src 'sha256-${hash}'`);
    expect(PAGE_CSP).toContain("default-src 'none'");
    // The script never parses server data as HTML.
    expect(scripts[0]).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(scripts[0]).toContain("fetch('/api/jobs'");
    expect(scripts[0]).toContain('setInterval(refresh, 2000)');
  });
});
