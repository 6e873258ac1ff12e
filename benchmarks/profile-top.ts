/**
 * Self time by function of V8 CPU profiles (`node --cpu-prof`, e.g. `benchmarks/writer-inprocess.ts --profile DIR`):
 * the top entries, summed over every profile given, as a Markdown table.
 *
 *   npx tsx benchmarks/profile-top.ts DIR/*.cpuprofile [--top 25]
 *
 * Samples are attributed to the function on top of the stack (its own code, not its callees). Idle time and the
 * writers' set-up (module loading and compiling, building the events in benchmarks/fixtures/inprocess-worker.ts)
 * are in the profiles too: they are left out of the table and of its percentages (busy time of the writer).
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

const ignored = (name: string) => name.startsWith('(idle)') || name.startsWith('(program)')
  || /inprocess-worker|tsx\/|esbuild|cjs-module-lexer|node:internal\/modules|node:internal\/bootstrap|node:internal\/source_map|wrapSafe|internalModuleStat|readFileUtf8|realpathSync/.test(name);
const selfMicros = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/(benchmarks|packages)\//, '$1/');
    // Line numbers of tsx-compiled sources are those of the compiled code: the file is enough.
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    const micros = profile.timeDeltas[i] ?? 0;
    if (ignored(name)) return;
    selfMicros.set(name, (selfMicros.get(name) ?? 0) + micros);
    total += micros;
  });
}

console.log(`${files.length} profile(s), ${(total / 1e6).toFixed(2)} s busy (idle and set-up left out)\n`);
console.log('| self ms | % | function |');
console.log('|---|---|---|');
for (const [name, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`| ${(micros / 1000).toFixed(0)} | ${((100 * micros) / total).toFixed(1)} | \`${name}\` |`);
}
