/**
 * Cold-init cost of a writer built on the runtime vs an empty handler: each handler is bundled the way Lambda
 * handlers are (esbuild, minified, node20, `@aws-sdk/*` external), then loaded RUNS times in a fresh Node process
 * (alternating, median), timing `require(bundle)` — the module-loading part of Lambda's init phase — and the
 * first invocation's set-up is not included. Sizes of other handlers: benchmarks/bundle-size.ts.
 *
 *   npx tsx benchmarks/cold-init.ts      (RUNS=15 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const RUNS = Number(process.env.RUNS ?? 15);
const OUT = resolve('.bench/cold-init');
const RUNTIME = resolve('src/runtime');

const handlers: Record<string, string> = {
  'empty handler': 'export const handler = async () => undefined;',
  'writer (sqlWriter, batch mode)': `
    import { sqlWriter } from '${RUNTIME}';
    export const handler = sqlWriter(async (tx, message) => {
      await tx.query('insert into orders (id, total) values ($1, $2)', [message.body.id, message.body.total]);
    }, { mode: 'batch' });`,
  'reader (withReader)': `
    import { withReader } from '${RUNTIME}';
    export const handler = async () => withReader((db) => db.query('select 1'));`,
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function loadMs(bundle: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(bundle)}); `
    + 'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const bundles: Record<string, string> = {};
  for (const [name, source] of Object.entries(handlers)) {
    const entry = join(OUT, `${name.replace(/[^a-z]+/gi, '-')}.ts`);
    writeFileSync(entry, source);
    const outfile = entry.replace(/\.ts$/, '.js');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      logLevel: 'error',
    });
    bundles[name] = outfile;
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(bundles).map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, bundle] of Object.entries(bundles)) samples[name].push(loadMs(bundle));
  }
  const baseline = median(samples['empty handler']);
  console.log(`| handler | bundle (minified) | gzip | require() median of ${RUNS} | over empty |`);
  console.log('|---|---|---|---|---|');
  for (const [name, bundle] of Object.entries(bundles)) {
    const bytes = statSync(bundle).size;
    const gzip = gzipSync(readFileSync(bundle)).length;
    const ms = median(samples[name]);
    console.log(`| ${name} | ${(bytes / 1024).toFixed(0)} KB | ${(gzip / 1024).toFixed(0)} KB | ${ms.toFixed(1)} ms | +${(ms - baseline).toFixed(1)} ms |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
