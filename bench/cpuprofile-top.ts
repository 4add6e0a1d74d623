/**
 * The top functions of a V8 CPU profile (`node --cpu-prof`), by self and by
 * inclusive time:
 *
 *   npx tsx bench/cpuprofile-top.ts PROFILE.cpuprofile [ROOT_FUNCTION] [N]
 *
 * With ROOT_FUNCTION, only samples whose stack holds a function of that name
 * count, and percentages are of that subtree (e.g. `deliver`, the source's
 * hand-off into the dataflow, leaves out start-up and the parser). The
 * garbage collector is its own root in a profile: its share is printed
 * against the whole profile. Frames are named `function file` (line numbers
 * of tsx-transformed files are not the source's).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function frameName(n: ProfileNode): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*?\/(src|bench|grammar|catalog|connectors|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}`.trimEnd();
}

function topFunctions(profile: CpuProfile, root: string | undefined, n: number): string {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const timeByNode = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const id = profile.samples[i]!;
    timeByNode.set(id, (timeByNode.get(id) ?? 0) + dt);
    total += dt;
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let counted = 0;
  let gc = 0;
  for (const [id, t] of timeByNode) {
    const stack: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(frameName(byId.get(cur)!));
    if (stack[0]!.startsWith('(garbage collector)')) gc += t;
    const rootAt = root === undefined ? stack.length - 1 : stack.findIndex((f) => f === root || f.startsWith(`${root} `));
    if (rootAt < 0) continue;
    counted += t;
    self.set(stack[0]!, (self.get(stack[0]!) ?? 0) + t);
    for (const f of new Set(stack.slice(0, rootAt + 1))) inclusive.set(f, (inclusive.get(f) ?? 0) + t);
  }
  const pct = (t: number, of: number) => `${((t / of) * 100).toFixed(1).padStart(5)}%`;
  const lines: string[] = [
    `${root === undefined ? 'whole profile' : `subtree ${root}`}: ${(counted / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms; garbage collector ${pct(gc, total)} of the whole profile`,
    '-- self time',
  ];
  for (const [f, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, n)) lines.push(`${pct(t, counted)}  ${f}`);
  lines.push('-- inclusive time');
  for (const [f, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, n)) lines.push(`${pct(t, counted)}  ${f}`);
  return lines.join('\n');
}

function main(): void {
  const [file, root, count] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: npx tsx bench/cpuprofile-top.ts PROFILE.cpuprofile [ROOT_FUNCTION] [N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${topFunctions(profile, root === '' ? undefined : root, Number(count ?? 20))}\n`);
}

main();
