/**
 * Bundles and cold start as users get them (EDA-14). No hand-configured esbuild run for the library: it synthesizes
 * examples/orders-api with the aws-cdk CLI and measures the assets `addWriter` and the example's NodejsFunctions
 * really built (cdk.out/asset.*​/index.js). The baseline is benchmarks/fixtures/hand-written-order-writer.ts (node-postgres
 * + Powertools Logger + BatchProcessor) bundled with exactly the options addWriter passes to NodejsFunction
 * (minify, source map, `@aws-sdk/client-*` external, the function's Node.js target).
 *
 * Cold start: `require()` of each bundle in a fresh Node.js process (the module-loading part of Lambda's init),
 * RUNS times alternating between the bundles, median and min; the ratio is against the baseline from the same run.
 *
 *   npm run bench:bundle-size          (RUNS=21 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ADD_WRITER_BUNDLING } from './fixtures/add-writer-bundling';

const RUNS = Number(process.env.RUNS ?? 21);
const ROOT = resolve(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'orders-api');

interface Bundle { readonly name: string; readonly file: string }

/** Synthesizes the example and returns its functions' bundles, keyed by construct path. */
function synthesizedBundles(outdir: string): Bundle[] {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir], { cwd: EXAMPLE, stdio: ['ignore', 'ignore', 'inherit'] });
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const bundles: Bundle[] = [];
  for (const artifact of Object.values(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(readFileSync(join(outdir, artifact.properties!.templateFile!), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    for (const resource of Object.values(template.Resources)) {
      const asset = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || !asset) continue;
      const path = resource.Metadata!['aws:cdk:path'].replace(/\/Resource$/, '');
      bundles.push({ name: path, file: join(outdir, asset, 'index.js') });
    }
  }
  return bundles;
}

/** The hand-written baseline, bundled with addWriter's options (src/pattern/elastic-data-access.ts). */
async function handWrittenBundle(outdir: string): Promise<Bundle> {
  const file = join(outdir, 'hand-written', 'index.js');
  await build({
    entryPoints: [join(ROOT, 'benchmarks', 'fixtures', 'hand-written-order-writer.ts')],
    outfile: file,
    ...ADD_WRITER_BUNDLING,
  });
  return { name: 'hand-written writer (pg + Powertools Logger + BatchProcessor)', file };
}

// the variables a deployed writer has; nothing connects at require(). NODE_PATH plays the Lambda runtime's
// /var/runtime/node_modules, where the `@aws-sdk/client-*` modules the bundles leave out come from.
const ENV = {
  ...process.env,
  NODE_PATH: join(ROOT, 'node_modules'),
  EDA_ENGINE: 'postgres',
  EDA_WRITE_HOST: '127.0.0.1',
  EDA_READ_HOSTS: '127.0.0.1',
  EDA_DATABASE: 'app',
  EDA_DB_USER: 'app',
  EDA_AUTH: 'password',
  EDA_DB_PASSWORD: 'x',
  EDA_TLS: 'disable',
  EDA_WRITE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'bench',
};

function requireMs(file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: ENV }));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

async function main() {
  const outdir = mkdtempSync(join(tmpdir(), 'eda-bundles-'));
  try {
    mkdirSync(outdir, { recursive: true });
    const synthesized = synthesizedBundles(join(outdir, 'cdk.out'));
    const baseline = await handWrittenBundle(outdir);
    const writer = synthesized.find((b) => b.name.endsWith('/OrderWriter'));
    if (!writer) throw new Error(`no OrderWriter among ${synthesized.map((b) => b.name).join(', ')}`);
    const all = [baseline, ...synthesized];

    console.log(`Bundles (${new Date().toISOString().slice(0, 10)}, node ${process.version}; examples/orders-api synthesized with cdk synth)`);
    console.log('| bundle | minified | gzip |');
    console.log('|---|---:|---:|');
    for (const b of all) {
      const bytes = readFileSync(b.file);
      console.log(`| ${b.name} | ${kb(statSync(b.file).size)} | ${kb(gzipSync(bytes).length)} |`);
    }

    const times = new Map<Bundle, number[]>(all.map((b) => [b, []]));
    requireMs(baseline.file); // warm the file system cache once for each
    requireMs(writer.file);
    for (let run = 0; run < RUNS; run++) for (const b of [baseline, writer]) times.get(b)!.push(requireMs(b.file));
    const base = times.get(baseline)!;
    const lib = times.get(writer)!;
    console.log(`\nCold require() of the bundle, ${RUNS} alternating runs in fresh processes`);
    console.log('| bundle | median | min | ratio (median) | ratio (min) |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [b, t] of [[baseline, base], [writer, lib]] as const) {
      console.log(`| ${b.name} | ${median(t).toFixed(1)} ms | ${Math.min(...t).toFixed(1)} ms | ${(median(t) / median(base)).toFixed(2)} × | ${(Math.min(...t) / Math.min(...base)).toFixed(2)} × |`);
    }
    const size = statSync(writer.file).size;
    console.log(`\nOrderWriter ${kb(size)} (target ≤ 250 KB): ${size <= 250_000 ? 'met' : 'NOT met'}; cold require ${(median(lib) / median(base)).toFixed(2)} × hand-written (target ≤ 1.3 ×): ${median(lib) / median(base) <= 1.3 ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
