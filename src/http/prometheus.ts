/**
 * Metric families and their Prometheus text exposition (format 0.0.4, what
 * `GET /metrics` answers).
 *
 * - A family has a name, a help text and a type (counter or gauge); its
 *   samples are collected when a scrape asks for them (`collect`), from the
 *   counters and state the server keeps anyway: nothing is updated per row.
 *   Hooks added with `onScrape` run first at every scrape, so that several
 *   families can share one reading of the same state.
 * - Text layout, per family: `# HELP name text`, `# TYPE name type`, then one
 *   line per sample, `name{label="value",...} value`. Families appear in the
 *   order they were registered; a family without samples still has its HELP
 *   and TYPE lines. Every line ends with `\n`.
 * - Escaping: in HELP text `\` and newline become `\\` and `\n`; in label
 *   values `\`, `"` and newline become `\\`, `\"` and `\n`.
 * - Values print as JavaScript numbers do (`12`, `0.25`, `1e-7`), and the
 *   special values as `+Inf`, `-Inf` and `NaN`.
 * - Names are checked when a family is registered: metric names match
 *   `[a-zA-Z_:][a-zA-Z0-9_:]*`, counters end with `_total`, label names match
 *   `[a-zA-Z_][a-zA-Z0-9_]*` and do not start with `__` (reserved); two
 *   samples of a family with the same labels are a bug (InternalError).
 */
import { InternalError } from '../errors.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** The family's samples now (called at every scrape). */
  collect(): Iterable<Sample>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricRegistry {
  readonly #families: MetricFamily[] = [];
  readonly #names = new Set<string>();
  readonly #hooks: (() => void)[] = [];

  /** Adds a family; throws InternalError for a bad or duplicate name. */
  register(family: MetricFamily): void {
    if (!METRIC_NAME.test(family.name)) throw new InternalError(`metric name "${family.name}" is not valid`);
    if (family.type === 'counter' && !family.name.endsWith('_total')) throw new InternalError(`counter "${family.name}" must end with _total`);
    if (this.#names.has(family.name)) throw new InternalError(`metric "${family.name}" registered twice`);
    this.#names.add(family.name);
    this.#families.push(family);
  }

  /** Shorthand for `register` with a collect function. */
  add(name: string, type: MetricType, help: string, collect: () => Iterable<Sample>): void {
    this.register({ name, type, help, collect });
  }

  /** Runs `hook` at the start of every scrape, before any family is collected. */
  onScrape(hook: () => void): void {
    this.#hooks.push(hook);
  }

  /** Every family in the text exposition format. */
  expose(): string {
    for (const hook of this.#hooks) hook();
    let out = '';
    for (const family of this.#families) out += exposeFamily(family);
    return out;
  }
}

/** One family's HELP, TYPE and sample lines. */
export function exposeFamily(family: MetricFamily): string {
  let out = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
  const seen = new Set<string>();
  for (const sample of family.collect()) {
    const labels = formatLabels(family.name, sample.labels);
    if (seen.has(labels)) throw new InternalError(`metric "${family.name}" has two samples labelled ${labels || '{}'}`);
    seen.add(labels);
    out += `${family.name}${labels} ${formatValue(sample.value)}\n`;
  }
  return out;
}

function formatLabels(metric: string, labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new InternalError(`label name "${name}" of metric "${metric}" is not valid`);
    parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
