/**
 * Synth overhead of the library (EDA-3, EDA-15): the orders-api example through ElasticDataAccess vs the
 * same resources written by hand with aws-cdk-lib alone, timed in the same invocation, alternating.
 *
 * Both apps are measured the same way:
 * - compiled JS for both (default): every TypeScript file of both apps and of the library is transpiled
 *   once, before timing, with the compiler options of tsconfig.json, into a temporary directory; each run
 *   is then a fresh `node app.js`. Neither app pays transpilation, and the library is JavaScript as in a
 *   consumer's node_modules. `--tsx` runs the TypeScript sources through tsx instead, as `cdk synth` of
 *   the example does (`npx tsx app.ts`): then the example also pays for tsx loading the library's ~80
 *   source files, which a consumer of the published package never does.
 * - the same esbuild bundling: both apps bundle the same three handler files with the same options, and
 *   the benchmark fails unless both cloud assemblies hold the same asset hashes (identical bundles).
 * - the same resources: the benchmark fails unless both templates hold the same count of every type.
 * One warm-up each (file cache, esbuild binary), then `runs` alternating pairs so drift hits both equally.
 * Timings on a shared 2-core machine swing ±30 % run to run: compare medians and minima, never one run.
 *
 * Usage: npm run bench:synth -- [--runs 7] [--tsx] [--cpu-prof DIR]
 *   --cpu-prof DIR  after the timed runs, synthesize each app once more under `node --cpu-prof`,
 *                   writing the profiles into DIR/ours and DIR/hand-written (not timed).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
// `[runs]` as a bare number is still accepted (the EDA-3 usage).
const runs = Number(option('--runs') ?? args.find((a) => /^\d+$/.test(a)) ?? 7);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${option('--runs')}`);
const viaTsx = args.includes('--tsx');
const profileDir = option('--cpu-prof');

const root = path.resolve(__dirname, '..');
const tsxCli = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface BenchApp {
  readonly name: string;
  /** The app's TypeScript entry, relative to the repository root. */
  readonly source: string;
}
const ours: BenchApp = { name: 'ElasticDataAccess (examples/orders-api)', source: 'examples/orders-api/app.ts' };
const handWritten: BenchApp = { name: 'hand-written aws-cdk-lib', source: 'benchmarks/synth-overhead/hand-written-app.ts' };
const apps = [ours, handWritten];

/**
 * Transpiles every .ts file the two apps load (the library's src/, the examples' shared helpers, both
 * apps) into `outdir`, keeping the repository layout, with tsconfig.json's options (CommonJS, ES2022,
 * inline source maps as the published lib/ has them). node_modules and the handler directory are
 * linked, so both apps resolve aws-cdk-lib and bundle the very same handler files as from the sources.
 * `outdir` must be inside the repository: NodejsFunction refuses entries outside the project root.
 */
function compileToJs(outdir: string): void {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const compilerOptions: ts.CompilerOptions = {
    ...options,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    noEmit: false,
    declaration: false,
  };
  const files = [
    ...listTs(path.join(root, 'src')),
    ...listTs(path.join(root, 'examples', 'shared')),
    ...apps.map((a) => path.join(root, a.source)),
  ];
  for (const file of files) {
    const rel = path.relative(root, file);
    const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
    const target = path.join(outdir, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, output.outputText);
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  fs.symlinkSync(path.join(root, 'examples', 'orders-api', 'functions'), path.join(outdir, 'examples', 'orders-api', 'functions'), 'dir');
}

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listTs(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

interface SynthResult {
  readonly seconds: number;
  /** CloudFormation type → count, over every template of the assembly. */
  readonly resourceTypes: Map<string, number>;
  readonly resources: number;
  readonly templateBytes: number;
  /** The asset directories (`asset.<hash>`): the same hashes mean the same bundles. */
  readonly assets: string[];
}

function synthOnce(app: BenchApp, jsRoot: string | undefined, nodeFlags: string[] = []): SynthResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eda-synth-'));
  // cwd is the app's source directory in both modes: NodejsFunction finds the lock file from there.
  const cwd = path.dirname(path.join(root, app.source));
  const argv = jsRoot
    ? [...nodeFlags, path.join(jsRoot, app.source.replace(/\.ts$/, '.js'))]
    // The tsx CLI (what cdk.json runs) starts a second node process; under --cpu-prof load tsx in-process.
    : [...nodeFlags, ...(nodeFlags.length ? ['--import', 'tsx'] : [tsxCli]), path.join(root, app.source)];
  const started = process.hrtime.bigint();
  try {
    execFileSync(process.execPath, argv, { cwd, env: { ...process.env, CDK_OUTDIR: outdir }, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`synth of ${app.source} failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(-3000)}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const resourceTypes = new Map<string, number>();
  let templateBytes = 0;
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    templateBytes += text.length;
    for (const resource of Object.values<{ Type: string }>(JSON.parse(text).Resources ?? {})) {
      resourceTypes.set(resource.Type, (resourceTypes.get(resource.Type) ?? 0) + 1);
    }
  }
  const assets = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.')).sort();
  fs.rmSync(outdir, { recursive: true, force: true });
  const resources = [...resourceTypes.values()].reduce((a, b) => a + b, 0);
  return { seconds, resourceTypes, resources, templateBytes, assets };
}

/** Fails the benchmark unless both apps synthesized the same resources and the same bundles. */
function assertComparable(a: SynthResult, b: SynthResult): void {
  const types = new Set([...a.resourceTypes.keys(), ...b.resourceTypes.keys()]);
  const differences = [...types].filter((t) => a.resourceTypes.get(t) !== b.resourceTypes.get(t))
    .map((t) => `${t}: ${a.resourceTypes.get(t) ?? 0} vs ${b.resourceTypes.get(t) ?? 0}`);
  if (differences.length > 0) {
    throw new Error(`the two apps do not have the same resources (${ours.name} vs ${handWritten.name}): ${differences.join('; ')}`);
  }
  if (a.assets.join() !== b.assets.join()) {
    throw new Error(`the two apps do not bundle the same handlers: ${a.assets.join(', ')} vs ${b.assets.join(', ')}`);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

// Inside the repository (gitignored .bench/): NodejsFunction requires the entries under the project root.
const benchDir = path.join(root, '.bench');
fs.mkdirSync(benchDir, { recursive: true });
const jsRoot = viaTsx ? undefined : fs.mkdtempSync(path.join(benchDir, 'synth-js-'));
try {
  if (jsRoot) compileToJs(jsRoot);
  const samples = new Map<BenchApp, number[]>(apps.map((a) => [a, []]));
  const last = new Map<BenchApp, SynthResult>();
  for (const app of apps) last.set(app, synthOnce(app, jsRoot));
  assertComparable(last.get(ours)!, last.get(handWritten)!);
  const load = os.loadavg()[0];
  console.log(`synth overhead: ${runs} alternating runs each, ${viaTsx ? 'TypeScript through tsx' : 'compiled JS (node app.js)'}, ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load.toFixed(1)}`);
  for (let i = 0; i < runs; i++) {
    const line: string[] = [];
    for (const app of apps) {
      const r = synthOnce(app, jsRoot);
      samples.get(app)!.push(r.seconds);
      last.set(app, r);
      line.push(`${r.seconds.toFixed(2)} s`);
    }
    assertComparable(last.get(ours)!, last.get(handWritten)!);
    console.log(`  run ${String(i + 1).padStart(2)}: ours ${line[0]}, hand-written ${line[1]}, ratio ${(samples.get(ours)![i] / samples.get(handWritten)![i]).toFixed(2)}×`);
  }
  for (const app of apps) {
    const xs = samples.get(app)!;
    const r = last.get(app)!;
    console.log(`  ${app.name.padEnd(42)} median ${median(xs).toFixed(2)} s  min ${Math.min(...xs).toFixed(2)} s  max ${Math.max(...xs).toFixed(2)} s  ` +
      `${r.resources} resources (${r.resourceTypes.size} types), ${(r.templateBytes / 1024).toFixed(0)} KiB template, ${r.assets.length} assets`);
  }
  const [a, b] = [samples.get(ours)!, samples.get(handWritten)!];
  console.log(`  ratio (ours / hand-written): median ${(median(a) / median(b)).toFixed(2)}×, min to min ${(Math.min(...a) / Math.min(...b)).toFixed(2)}×  (goal ≤ 1.10× both)`);
  console.log(`  load average after: ${os.loadavg()[0].toFixed(1)}`);
  if (profileDir) {
    for (const [app, dir] of [[ours, 'ours'], [handWritten, 'hand-written']] as const) {
      synthOnce(app, jsRoot, ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir, dir)}`]);
    }
    console.log(`  CPU profiles in ${path.resolve(profileDir)}/{ours,hand-written}`);
  }
} finally {
  if (jsRoot) fs.rmSync(jsRoot, { recursive: true, force: true });
}
