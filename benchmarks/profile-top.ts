/**
 * Self time by function of V8 CPU profiles (`node --cpu-prof`, e.g. `benchmarks/writer-inprocess.ts --profile DIR`):
 * the top entries, summed over every profile given, as a Markdown table.
 *
 *   npx tsx benchmarks/profile-top.ts DIR/*.cpuprofile [--top 25]
 *
 * Samples are attributed to the function on top of the stack (its own code, not its callees). The writers'
 * set-up (module loading, building the events) is in the profiles too: its rows are marked `set-up`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const topAt = process.argv.indexOf('--top');
const TOP = topAt >= 0 ? Number(process.argv[topAt + 1]) : 25;
const files = process.argv.slice(2).filter((arg, i, all) => arg.endsWith('.cpuprofile') && all[i - 1] !== '--top');

const selfMicros = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/(benchmarks|packages)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${where ? `${where}:${frame.lineNumber + 1}` : ''}`.trim();
    const micros = profile.timeDeltas[i] ?? 0;
    selfMicros.set(name, (selfMicros.get(name) ?? 0) + micros);
    total += micros;
  });
}

const setUp = (name: string) => /inprocess-worker|tsx\/|esbuild|\(program\)|compile|Module\._|require/.test(name);
console.log(`${files.length} profile(s), ${(total / 1e6).toFixed(1)} s sampled\n`);
console.log('| self ms | % | function |');
console.log('|---|---|---|');
for (const [name, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`| ${(micros / 1000).toFixed(0)} | ${((100 * micros) / total).toFixed(1)} | \`${name}\`${setUp(name) ? ' (set-up)' : ''} |`);
}
