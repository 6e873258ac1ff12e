/**
 * Synth overhead of the library (EDA-3): the orders-api example through ElasticDataAccess vs the same
 * resources written by hand with aws-cdk-lib alone, timed in the same run, alternating, N runs each.
 * Each run is a fresh `tsx app.ts` process (what `cdk synth` runs), so the numbers include start-up,
 * construct code, validation, the budget and esbuild bundling of the three functions.
 * Timings on a 2-core machine swing ±30 % run to run: compare medians, never single figures.
 *
 * Usage: npx tsx benchmarks/synth-overhead.ts [runs=7]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const runs = Number(process.argv[2] ?? 7);
const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const apps = {
  'ElasticDataAccess (examples/orders-api)': path.join(root, 'examples', 'orders-api', 'app.ts'),
  'hand-written aws-cdk-lib': path.join(root, 'benchmarks', 'synth-overhead', 'hand-written-app.ts'),
};

function synthOnce(app: string): { seconds: number; resources: number; templateBytes: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eda-synth-'));
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [tsx, app], { cwd: path.dirname(app), env: { ...process.env, CDK_OUTDIR: outdir }, stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  let resources = 0;
  let templateBytes = 0;
  for (const file of templates) {
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    templateBytes += text.length;
    resources += Object.keys(JSON.parse(text).Resources ?? {}).length;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { seconds, resources, templateBytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = new Map<string, number[]>(Object.keys(apps).map((k) => [k, []]));
const shape = new Map<string, { resources: number; templateBytes: number }>();
// One warm-up each (module cache, esbuild binary), then alternate so drift hits both equally.
for (const app of Object.values(apps)) synthOnce(app);
for (let i = 0; i < runs; i++) {
  for (const [name, app] of Object.entries(apps)) {
    const r = synthOnce(app);
    samples.get(name)!.push(r.seconds);
    shape.set(name, { resources: r.resources, templateBytes: r.templateBytes });
  }
}
console.log(`synth overhead, ${runs} alternating runs each, ${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
for (const [name, xs] of samples) {
  const s = shape.get(name)!;
  console.log(`  ${name.padEnd(42)} median ${median(xs).toFixed(2)} s  (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})  ${s.resources} resources, ${(s.templateBytes / 1024).toFixed(0)} KiB template`);
}
const [ours, baseline] = [...samples.values()].map(median);
console.log(`  ratio (ours / hand-written): ${(ours / baseline).toFixed(2)}×  (goal ≤ 1.15×)`);
