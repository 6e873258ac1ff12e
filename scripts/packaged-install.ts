/**
 * The packaged-install test (EDA-14; run by .ci/run, `npm run test:packaged`): what a user gets from npm, not what
 * the repository's relative imports give.
 *
 *   1. packs the three packages (the construct library, @cdk-elastic-data-access/runtime, @cdk-elastic-data-access/local);
 *   2. creates a fresh CDK app outside the repository with aws-cdk-lib, constructs, cdk-nag, aws-cdk and esbuild
 *      (measuring its node_modules), then installs the tarballs (measuring what they add);
 *   3. writes README's TypeScript snippets into it (scripts/readme-snippets.ts), type-checks them (strict) against
 *      the installed packages and synthesizes the app ones with `cdk synth` (the Quick start's addWriter bundles the
 *      writer with esbuild from the installed runtime package);
 *   4. runs that bundled writer, the asset in cdk.out, against the local stack from the installed local package:
 *      messages in, rows per key out, nothing in the DLQ.
 *
 * Prints the packages' sizes, the install footprint and the bundle size (BENCHMARKS.md) and exits non-zero on any
 * failure. Needs the npm registry (or its cache) for the fresh app's third-party packages.
 *
 *   npx tsx scripts/packaged-install.ts [--keep] [--built]
 *     --keep   leaves the temporary directory for inspection
 *     --built  the construct library's lib/ and .jsii are fresh (`npx projen compile` just ran): do not compile it again
 */
import { execFile, execFileSync, ExecFileSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readmeSnippets, Snippet, snippetApps } from './readme-snippets';

const ROOT = resolve(__dirname, '..');
const keep = process.argv.includes('--keep');
const rootBuilt = process.argv.includes('--built');
const work = mkdtempSync(join(tmpdir(), 'eda-packaged-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);

function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options }) as string;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; status?: number };
    throw new Error(`${command} ${args.join(' ')} (cwd ${options.cwd ?? ROOT}) exited with ${e.status}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function runAsync(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${command} ${args.join(' ')} (cwd ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else done(stdout);
    });
  });
}

async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

function step(title: string) {
  console.log(`\n== ${title}`);
}

/** Bytes and package count of a node_modules tree (every directory with a package.json one level below a scope or the root). */
function footprint(nodeModules: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) bytes += statSync(path).size;
    }
  };
  walk(nodeModules);
  const lock = JSON.parse(readFileSync(join(nodeModules, '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  packages = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/')).length;
  return { bytes, packages };
}

const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const KB = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

interface PackResult { name: string; filename: string; size: number; unpackedSize: number; entryCount: number; bundled: string[] }

function pack(args: string[]): PackResult[] {
  return JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tarballs, ...args], { cwd: ROOT })) as PackResult[];
}

async function main() {
  step('build and pack the three packages');
  run('npx', ['projen', 'compile'], { cwd: join(ROOT, 'packages', 'runtime') });
  run('npx', ['projen', 'compile'], { cwd: join(ROOT, 'packages', 'local') });
  // the construct library's jsii build; .ci/run passes --built because it has just run it (and checked API.md)
  if (!rootBuilt || !existsSync(join(ROOT, 'lib', 'index.js')) || !existsSync(join(ROOT, '.jsii'))) run('npx', ['projen', 'compile'], { cwd: ROOT });
  const packs = [...pack([]), ...pack(['--workspace', 'packages/runtime', '--workspace', 'packages/local'])];
  for (const p of packs) {
    console.log(`${p.name.padEnd(34)} packed ${KB(p.size).padStart(9)}  unpacked ${KB(p.unpackedSize).padStart(10)}  ${String(p.entryCount).padStart(4)} files  bundled deps ${p.bundled.length}`);
  }
  const constructs = packs.find((p) => p.name === 'cdk-elastic-data-access')!;
  if (constructs.bundled.length > 0) throw new Error(`the construct library bundles ${constructs.bundled.join(', ')}`);
  if (constructs.unpackedSize > 5_000_000) throw new Error(`the construct library is ${KB(constructs.unpackedSize)} unpacked (limit 5 MB)`);

  step('a fresh CDK app: aws-cdk-lib, constructs, cdk-nag, aws-cdk, esbuild, typescript (+ cfn-guard validator, mysql2, ioredis)');
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const v = (name: string) => rootPkg.devDependencies[name];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-cdk-app', version: '0.0.0', private: true }, null, 2));
  const npmInstall = (specs: string[]) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], { cwd: app });
  // with what README's snippets and the new-user apps use besides our packages: cfn-guard's validator (the compliance
  // snippet), mysql2 (the MySQL app, as README's Install says) and ioredis (the read cache entry, checked below)
  npmInstall([`aws-cdk-lib@${v('aws-cdk-lib')}`, `constructs@${v('constructs')}`, `cdk-nag@${v('cdk-nag')}`, `aws-cdk@${v('aws-cdk')}`,
    `esbuild@${v('esbuild')}`, `typescript@${v('typescript')}`, `@types/node@${v('@types/node')}`,
    `@cdklabs/cdk-validator-cfnguard@${v('@cdklabs/cdk-validator-cfnguard')}`, `mysql2@${v('mysql2')}`, 'ioredis@^5']);
  const before = footprint(join(app, 'node_modules'));
  console.log(`baseline node_modules: ${MiB(before.bytes)}, ${before.packages} packages`);

  step('install the construct library tarball (what every CDK app pays)');
  npmInstall([join(tarballs, constructs.filename)]);
  const withConstructs = footprint(join(app, 'node_modules'));
  console.log(`+ cdk-elastic-data-access: +${MiB(withConstructs.bytes - before.bytes)}, +${withConstructs.packages - before.packages} packages`);

  step('install the runtime (for the functions) and the local package (for tests)');
  const tarball = (name: string) => join(tarballs, packs.find((p) => p.name === name)!.filename);
  npmInstall([tarball('@cdk-elastic-data-access/runtime')]);
  const withRuntime = footprint(join(app, 'node_modules'));
  console.log(`+ @cdk-elastic-data-access/runtime (with its peers): +${MiB(withRuntime.bytes - withConstructs.bytes)}, +${withRuntime.packages - withConstructs.packages} packages`);
  npmInstall(['--save-dev', tarball('@cdk-elastic-data-access/local')]);
  const withLocal = footprint(join(app, 'node_modules'));
  console.log(`+ @cdk-elastic-data-access/local: +${MiB(withLocal.bytes - withRuntime.bytes)}, +${withLocal.packages - withRuntime.packages} packages`);

  step("README's snippets and the three new-user apps: type-checked (strict) against the installed packages, the apps synthesized with cdk synth");
  const snippets = writeReadmeProject();
  for (const s of snippets) console.log(`README.md:${s.line} → ${s.path} (${s.kind})`);
  run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], { cwd: app });
  console.log(`type-check: ${snippets.length} snippets and ${NEW_USER_APPS.length} new-user apps, 0 errors`);
  // every app in its own `cdk synth` (a snippet's Validations apply to its whole app), two at a time (2 cores)
  const synths = [
    ...snippetApps(snippets).map((entry) => ({ label: `README.md:${entry.snippet.line}`, app: entry.path, out: entry.snippet.stackClass! })),
    ...NEW_USER_APPS.map((file) => ({ label: `new-user/${file} (test/new-user/apps, written only from README and API.md)`, app: `new-user/${file}`, out: `new-user-${file}` })),
  ];
  await inParallel(synths, 2, async (job) => {
    await runAsync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--app', `npx tsx ${job.app}`, '-o', `cdk.out/${job.out}`], app);
    console.log(`${job.label}: cdk synth OK`);
  });

  const quickStart = snippets.find((s) => s.kind === 'app' && s.source.includes('addWriter('));
  if (!quickStart) throw new Error("README's Quick start (the first app snippet with addWriter) not found");
  const assembly = join(app, 'cdk.out', quickStart.stackClass!);
  const writerAsset = findWriterAsset(assembly, quickStart.stackClass!);
  const bundleBytes = statSync(join(writerAsset, 'index.js')).size;
  console.log(`synthesized ${snippets.filter((s) => s.kind === 'app').length} app snippets; Quick start's OrderWriter asset: index.js ${KB(bundleBytes)} (minified, as addWriter builds it)`);
  const budget = JSON.parse(readFileSync(join(assembly, `${quickStart.stackClass}.concurrency-budget.json`), 'utf8')) as { targets: { name: string; status: string }[] };
  console.log(`budget report: ${budget.targets.map((t) => `${t.name} ${t.status}`).join(', ')}`);

  step('the runtime as Node.js and bundlers load it: ESM and CommonJS builds export the same names; one Powertools Logger');
  writeFileSync(join(app, 'esm-check.mjs'), ESM_CHECK);
  const entries = JSON.parse(run(process.execPath, ['esm-check.mjs'], { cwd: app }).trim()) as Record<string, { esm: number; same: boolean; onlyEsm: string[]; onlyCjs: string[] }>;
  for (const [name, e] of Object.entries(entries)) {
    console.log(`${name}: import and require export the same ${e.esm} names: ${e.same}`);
    if (!e.same || e.esm === 0) throw new Error(`${name}: ESM and CommonJS builds differ (only ESM: ${e.onlyEsm.join(', ')}; only CommonJS: ${e.onlyCjs.join(', ')})`);
  }
  writeFileSync(join(app, 'powertools-check.mjs'), POWERTOOLS_CHECK);
  const copies = JSON.parse(run(process.execPath, ['powertools-check.mjs'], { cwd: app }).trim()) as { loggerCopies: number; roots: string[] };
  console.log(`a writer that also imports Powertools Logger bundles ${copies.loggerCopies} copy of it (${copies.roots.join(', ')})`);
  if (copies.loggerCopies !== 1) throw new Error(`Powertools Logger bundled ${copies.loggerCopies} times: ${copies.roots.join(', ')}`);

  step('run the bundled writer against the local stack from the installed local package');
  writeFileSync(join(app, 'run-writer.mjs'), RUN_WRITER);
  const out = run(process.execPath, ['run-writer.mjs', join(writerAsset, 'index.js')], { cwd: app, timeout: 180_000 });
  process.stdout.write(out);
  const result = JSON.parse(out.trim().split('\n').pop()!) as { keys: number; rows: number; duplicateKeys: number; deadLetters: number };
  if (result.rows !== result.keys || result.duplicateKeys !== 0 || result.deadLetters !== 0) {
    throw new Error(`writer from the packed packages: ${JSON.stringify(result)} (want one row per key, nothing in the DLQ)`);
  }
  console.log(`\npackaged install OK: ${result.keys} keys → ${result.rows} rows, 0 duplicates, 0 dead letters; bundle ${KB(bundleBytes)}`);
}

function findWriterAsset(assembly: string, stackName: string): string {
  const template = JSON.parse(readFileSync(join(assembly, `${stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  for (const resource of Object.values(template.Resources)) {
    const path = resource.Metadata?.['aws:cdk:path'] ?? '';
    if (resource.Type === 'AWS::Lambda::Function' && /\/OrderWriter\/Resource$/.test(path)) return join(assembly, resource.Metadata!['aws:asset:path']);
  }
  throw new Error(`no OrderWriter function in ${stackName}`);
}

/**
 * The fresh project README's snippets are written into (scripts/readme-snippets.ts says how), with the two entry
 * files the Quick start's prelude functions name, a strict tsconfig as `cdk init` writes one, and one app file per app snippet.
 */
function writeReadmeProject(): Snippet[] {
  const snippets = readmeSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  mkdirSync(join(app, 'src'), { recursive: true });
  mkdirSync(join(app, 'snippets'), { recursive: true });
  writeFileSync(join(app, 'src', 'get-order.ts'), `import type { APIGatewayProxyEvent } from 'aws-lambda';
import { withReader } from '@cdk-elastic-data-access/runtime';
export const handler = async (event: APIGatewayProxyEvent) =>
  withReader((db) => db.query('select id, total_cents from orders where id = $1', [event.pathParameters?.id]));
`);
  writeFileSync(join(app, 'src', 'create-order.ts'), `import type { APIGatewayProxyEvent } from 'aws-lambda';
import { enqueueWrite } from '@cdk-elastic-data-access/runtime/producer';
export const handler = async (event: APIGatewayProxyEvent) => {
  const order = JSON.parse(event.body ?? '{}') as { id: string };
  await enqueueWrite(order, { idempotencyKey: order.id });
  return { statusCode: 202, body: '' };
};
`);
  for (const snippet of snippets) {
    mkdirSync(join(app, snippet.path, '..'), { recursive: true });
    writeFileSync(join(app, snippet.path), snippet.source);
  }
  for (const entry of snippetApps(snippets)) writeFileSync(join(app, entry.path), entry.source);
  cpSync(join(ROOT, 'test', 'new-user', 'apps'), join(app, 'new-user'), { recursive: true });
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      lib: ['es2022'],
      strict: true,
      noImplicitAny: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      noEmit: true,
    },
    include: ['app-*.ts', 'src/**/*.ts', 'snippets/**/*.ts', 'new-user/**/*.ts'],
  }, null, 2));
  return snippets;
}

/** EDA-17's new-user apps: an Aurora app with a writer, an RDS MySQL app with replicas and cdk-nag, a Fargate reader. */
const NEW_USER_APPS = ['aurora-writer.ts', 'mysql-replicas-nag.ts', 'fargate-reader.ts'];

/** Every entry of the runtime through `import` (lib/esm) and through `require` (lib): the same names. */
const ESM_CHECK = `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const entry of ['', '/producer', '/cache', '/data-api']) {
  const name = '@cdk-elastic-data-access/runtime' + entry;
  const esm = Object.keys(await import(name)).filter((k) => k !== 'default' && k !== 'module.exports').sort();
  const cjs = Object.keys(require(name)).filter((k) => k !== '__esModule').sort();
  out[name] = { esm: esm.length, cjs: cjs.length, same: JSON.stringify(esm) === JSON.stringify(cjs),
    onlyEsm: esm.filter((k) => !cjs.includes(k)), onlyCjs: cjs.filter((k) => !esm.includes(k)) };
}
console.log(JSON.stringify(out));
`;

/** A writer that uses Powertools Logger itself, bundled as addWriter bundles: how many Logger packages it holds. */
const POWERTOOLS_CHECK = `import { build } from 'esbuild';
const result = await build({
  stdin: { contents: \`import { Logger } from '@aws-lambda-powertools/logger';
import { sqlWriter } from '@cdk-elastic-data-access/runtime';
const logger = new Logger({ serviceName: 'orders' });
export const handler = sqlWriter(async (tx, m) => { logger.info('apply'); await tx.query('select 1'); });\`, resolveDir: process.cwd(), loader: 'ts' },
  bundle: true, minify: true, platform: 'node', target: 'node24', external: ['@aws-sdk/client-*'], metafile: true, write: false, logLevel: 'error',
});
const marker = '@aws-lambda-powertools/logger/';
const roots = new Set(Object.keys(result.metafile.inputs).filter((f) => f.includes(marker)).map((f) => f.slice(0, f.indexOf(marker))));
console.log(JSON.stringify({ loggerCopies: roots.size, roots: [...roots] }));
`;

/** Runs in the fresh app with only its installed packages: the local stack, the bundled writer, messages, counts. */
const RUN_WRITER = `import { createRequire } from 'node:module';
import { SQSClient, SendMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
const require = createRequire(import.meta.url);
const { LocalStack, LocalFunction, LocalSqsEventSource } = require('@cdk-elastic-data-access/local');
const { migrationSql, ATTRIBUTES } = require('@cdk-elastic-data-access/runtime');
const pg = require('pg');

const bundle = process.argv[2];
const KEYS = 300;
const stack = await LocalStack.up({ visibilityTimeoutSeconds: 5, maxReceiveCount: 3 });
const env = stack.environment();
const db = new pg.Client({ connectionString: env.EDA_LOCAL_DIRECT_URL });
let fn, source, sqs;
try {
  await db.connect();
  await db.query(migrationSql('postgres'));
  await db.query('create table orders (id text primary key, total_cents integer not null)');
  fn = new LocalFunction({ handlerModule: bundle, handlerExport: 'handler', environment: env, maxEnvironments: 2, timeoutMs: 30_000 });
  sqs = new SQSClient({ endpoint: env.EDA_SQS_ENDPOINT, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } });
  source = new LocalSqsEventSource({ client: sqs, queueUrl: env.EDA_WRITE_QUEUE_URL, target: fn, maxConcurrency: 2, batchSize: 10 });
  await source.start();
  // every key twice: a client retry; the writer's idempotency keeps one row per key
  const bodies = [];
  for (let i = 0; i < KEYS; i++) for (let copy = 0; copy < 2; copy++) bodies.push({ id: 'order-' + i, totalCents: i });
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: env.EDA_WRITE_QUEUE_URL,
      Entries: bodies.slice(i, i + 10).map((body, j) => ({
        Id: String(j),
        MessageBody: JSON.stringify(body),
        MessageAttributes: { [ATTRIBUTES.idempotencyKey]: { DataType: 'String', StringValue: body.id } },
      })),
    }));
  }
  const deadline = Date.now() + 120_000;
  let rows = 0;
  while (Date.now() < deadline) {
    rows = Number((await db.query('select count(*) from orders')).rows[0].count);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.EDA_WRITE_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const pending = Number(attrs.Attributes.ApproximateNumberOfMessages) + Number(attrs.Attributes.ApproximateNumberOfMessagesNotVisible);
    if (rows >= KEYS && pending === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const duplicateKeys = Number((await db.query('select count(*) from (select id from orders group by id having count(*) > 1) d')).rows[0].count);
  const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.EDA_DEAD_LETTER_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] }));
  console.log(JSON.stringify({ keys: KEYS, messages: bodies.length, rows, duplicateKeys, deadLetters: Number(dlq.Attributes.ApproximateNumberOfMessages), function: fn.stats }));
} finally {
  await source?.stop();
  await fn?.close();
  sqs?.destroy();
  await db.end().catch(() => undefined);
  await stack.down();
}
`;

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => {
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  });
