/**
 * The web page at `/`: one self-contained HTML document (no external
 * assets) listing the jobs and materialized views with their status, rows,
 * late rows, last checkpoint and error, and a Stop button for running jobs.
 *
 * - The server renders the table as it is at the request (readable without
 *   JavaScript); the page's script then reloads it from `GET /api/jobs`
 *   every 2 s and stops jobs with `POST /api/jobs/:id/stop`.
 * - Every string from the server's state is escaped: `escapeHtml` on the
 *   server, `textContent` in the script (never innerHTML).
 * - The script is a fixed string; the page's Content-Security-Policy allows
 *   exactly that script (by its SHA-256), inline styles, and requests to the
 *   page's own origin: nothing else loads or runs.
 */
import { createHash } from 'node:crypto';
import type { JobJson } from './jobs-api.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Statuses with something to stop (as jobs-api.ts). */
const STOPPABLE = ['INITIALIZING', 'RUNNING', 'FAILED'];

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

function checkpointText(c: JobJson['lastCheckpoint']): string {
  if (c === null) return '-';
  return `#${c.id} at ${c.time.slice(11, 19)} UTC, ${c.durationMs} ms, ${formatBytes(c.sizeBytes)}`;
}

/** The table rows of `jobs` (the script builds the same cells). */
export function jobRowsHtml(jobs: readonly JobJson[]): string {
  if (jobs.length === 0) return '<tr><td colspan="9" class="empty">No jobs or materialized views.</td></tr>';
  return jobs
    .map((j) => {
      const cells = [
        `<td><a href="/api/jobs/${escapeHtml(encodeURIComponent(j.id))}">${escapeHtml(j.id)}</a></td>`,
        `<td title="${escapeHtml(j.statement)}">${escapeHtml(j.name)}</td>`,
        `<td class="status-${escapeHtml(j.status.toLowerCase())}">${escapeHtml(j.status)}</td>`,
        `<td>${escapeHtml(j.startTime.replace('T', ' ').slice(0, 19))}</td>`,
        `<td class="num">${j.rowsWritten}</td>`,
        `<td class="num">${j.lateRows}</td>`,
        `<td>${escapeHtml(checkpointText(j.lastCheckpoint))}</td>`,
        `<td class="error">${escapeHtml(j.error ?? '')}</td>`,
        `<td>${j.kind === 'job' && STOPPABLE.includes(j.status) ? `<button data-stop="${escapeHtml(j.id)}">Stop</button>` : ''}</td>`,
      ];
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
}

const SCRIPT = `
'use strict';
const STOPPABLE = ${JSON.stringify(STOPPABLE)};
const rowsEl = document.getElementById('jobs');
const updatedEl = document.getElementById('updated');
function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / (1024 * 1024)).toFixed(1) + ' MiB';
}
function checkpoint(c) {
  if (c === null) return '-';
  return '#' + c.id + ' at ' + c.time.slice(11, 19) + ' UTC, ' + c.durationMs + ' ms, ' + bytes(c.sizeBytes);
}
function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  tr.appendChild(td);
  return td;
}
function row(j) {
  const tr = document.createElement('tr');
  const link = document.createElement('a');
  link.href = '/api/jobs/' + encodeURIComponent(j.id);
  link.textContent = j.id;
  cell(tr, '').appendChild(link);
  cell(tr, j.name).title = j.statement;
  cell(tr, j.status, 'status-' + j.status.toLowerCase());
  cell(tr, j.startTime.replace('T', ' ').slice(0, 19));
  cell(tr, String(j.rowsWritten), 'num');
  cell(tr, String(j.lateRows), 'num');
  cell(tr, checkpoint(j.lastCheckpoint));
  cell(tr, j.error === null ? '' : j.error, 'error');
  const actions = cell(tr, '');
  if (j.kind === 'job' && STOPPABLE.includes(j.status)) {
    const button = document.createElement('button');
    button.textContent = 'Stop';
    button.dataset.stop = j.id;
    actions.appendChild(button);
  }
  return tr;
}
function render(jobs) {
  if (jobs.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(tr, 'No jobs or materialized views.', 'empty');
    td.colSpan = 9;
    rowsEl.replaceChildren(tr);
    return;
  }
  rowsEl.replaceChildren(...jobs.map(row));
}
async function refresh() {
  try {
    const response = await fetch('/api/jobs', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render((await response.json()).jobs);
    updatedEl.textContent = 'Updated ' + new Date().toLocaleTimeString();
    updatedEl.className = '';
  } catch (err) {
    updatedEl.textContent = 'Cannot reach the server: ' + err.message;
    updatedEl.className = 'error';
  }
}
rowsEl.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-stop]');
  if (button === null) return;
  const id = button.dataset.stop;
  if (!confirm('Stop ' + id + '? Its state is dropped (STOP JOB).')) return;
  button.disabled = true;
  try {
    const response = await fetch('/api/jobs/' + encodeURIComponent(id) + '/stop', { method: 'POST' });
    if (!response.ok) alert((await response.json()).error);
  } catch (err) {
    alert(err.message);
  }
  refresh();
});
setInterval(refresh, 2000);
`;

/** The Content-Security-Policy header of the page. */
export const PAGE_CSP = `default-src 'none'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .2em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin-top: 1em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-running { color: #17732b; font-weight: 600; }
.status-failed, .error { color: #b3261e; }
.status-canceled, .status-finished { color: #666; }
.empty { color: #666; font-style: italic; }
#updated { color: #666; font-size: .9em; }
`;

/** The whole page, with the jobs as they are now. */
export function renderPage(jobs: readonly JobJson[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>millrace</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
</head>
<body>
<h1>millrace</h1>
<nav><a href="/api/jobs">/api/jobs</a><a href="/api/checkpoints">/api/checkpoints</a><a href="/metrics">/metrics</a><a href="/api/health">/api/health</a></nav>
<p id="updated">Rendered ${escapeHtml(new Date().toISOString().replace('T', ' ').slice(0, 19))} UTC</p>
<table>
<thead><tr><th>Id</th><th>Name</th><th>Status</th><th>Started (UTC)</th><th>Rows</th><th>Late rows</th><th>Last checkpoint</th><th>Error</th><th></th></tr></thead>
<tbody id="jobs">
${jobRowsHtml(jobs)}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
