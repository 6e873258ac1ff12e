/**
 * The packaged-install test (EDA-14; run by .ci/run, `npm run test:packaged`): what a user gets from npm, not what
 * the repository's relative imports give.
 *
 *   1. packs the three packages (the construct library, @cdk-elastic-data-access/runtime, @cdk-elastic-data-access/local);
 *   2. creates a fresh CDK app outside the repository with aws-cdk-lib, constructs, cdk-nag, aws-cdk and esbuild
 *      (measuring its node_modules), then installs the tarballs (measuring what they add);
 *   3. writes an app that follows README's Quick start and synthesizes it with `cdk synth` (addWriter bundles the
 *      writer with esbuild from the installed runtime package);
 *   4. runs that bundled writer, the asset in cdk.out, against the local stack from the installed local package:
 *      messages in, rows per key out, nothing in the DLQ.
 *
 * Prints the packages' sizes, the install footprint and the bundle size (BENCHMARKS.md) and exits non-zero on any
 * failure. Needs the npm registry (or its cache) for the fresh app's third-party packages.
 *
 *   npx tsx scripts/packaged-install.ts [--keep]     (--keep leaves the temporary directory for inspection)
 */
import { execFileSync, ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const keep = process.argv.includes('--keep');
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
  if (!existsSync(join(ROOT, 'lib', 'index.js')) || !existsSync(join(ROOT, '.jsii'))) run('npx', ['projen', 'compile'], { cwd: ROOT });
  const packs = [...pack([]), ...pack(['--workspace', 'packages/runtime', '--workspace', 'packages/local'])];
  for (const p of packs) {
    console.log(`${p.name.padEnd(34)} packed ${KB(p.size).padStart(9)}  unpacked ${KB(p.unpackedSize).padStart(10)}  ${String(p.entryCount).padStart(4)} files  bundled deps ${p.bundled.length}`);
  }
  const constructs = packs.find((p) => p.name === 'cdk-elastic-data-access')!;
  if (constructs.bundled.length > 0) throw new Error(`the construct library bundles ${constructs.bundled.join(', ')}`);
  if (constructs.unpackedSize > 5_000_000) throw new Error(`the construct library is ${KB(constructs.unpackedSize)} unpacked (limit 5 MB)`);

  step('a fresh CDK app: aws-cdk-lib, constructs, cdk-nag, aws-cdk, esbuild, typescript');
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const v = (name: string) => rootPkg.devDependencies[name];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-cdk-app', version: '0.0.0', private: true }, null, 2));
  const npmInstall = (specs: string[]) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], { cwd: app });
  npmInstall([`aws-cdk-lib@${v('aws-cdk-lib')}`, `constructs@${v('constructs')}`, `cdk-nag@${v('cdk-nag')}`, `aws-cdk@${v('aws-cdk')}`,
    `esbuild@${v('esbuild')}`, `typescript@${v('typescript')}`, `@types/node@${v('@types/node')}`]);
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

  step('synthesize an app that follows README Quick start (cdk synth; addWriter bundles the writer)');
  writeQuickStartApp();
  run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', 'cdk.out'], { cwd: app });
  const writerAsset = findWriterAsset(join(app, 'cdk.out'));
  const bundleBytes = statSync(join(writerAsset, 'index.js')).size;
  console.log(`OrderWriter asset ${writerAsset.replace(app + '/', '')}: index.js ${KB(bundleBytes)} (minified, as addWriter builds it)`);
  const budget = JSON.parse(readFileSync(join(app, 'cdk.out', 'QuickStart.concurrency-budget.json'), 'utf8')) as { targets: { name: string; status: string }[] };
  console.log(`budget report: ${budget.targets.map((t) => `${t.name} ${t.status}`).join(', ')}`);

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

function findWriterAsset(assembly: string): string {
  const template = JSON.parse(readFileSync(join(assembly, 'QuickStart.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }> };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !id.startsWith('OrdersOrderWriter')) continue;
    const asset = resource.Metadata?.['aws:asset:path'] as string | undefined;
    if (asset) return join(assembly, asset);
    const key = resource.Properties?.Code?.S3Key as string;
    return join(assembly, `asset.${key.replace(/\.zip$/, '')}`);
  }
  throw new Error('no OrderWriter function in the QuickStart template');
}

/** README's Quick start, completed into an app (VPC, the three functions) the way a user would. */
function writeQuickStartApp() {
  writeFileSync(join(app, 'cdk.json'), JSON.stringify({ app: 'node app.js' }, null, 2));
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'src', 'order-writer.ts'), `import { sqlWriter } from '@cdk-elastic-data-access/runtime';
export const handler = sqlWriter<{ id: string; totalCents: number }>(async (tx, message) => {
  await tx.query('insert into orders (id, total_cents) values ($1, $2)', [message.body.id, message.body.totalCents]);
});
`);
  writeFileSync(join(app, 'src', 'get-order.ts'), `import { withReader } from '@cdk-elastic-data-access/runtime';
export const handler = async (event: { id: string }) =>
  withReader((db) => db.query('select id, total_cents from orders where id = $1', [event.id]));
`);
  writeFileSync(join(app, 'src', 'create-order.ts'), `import { enqueueWrite } from '@cdk-elastic-data-access/runtime/producer';
export const handler = async (event: { id: string; totalCents: number }) => enqueueWrite(event, { idempotencyKey: event.id });
`);
  // plain JavaScript so that the app needs no TypeScript runner: what `cdk init app --language javascript` gives
  writeFileSync(join(app, 'app.js'), `const { App, Duration, Stack } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const lambda = require('aws-cdk-lib/aws-lambda');
const nodejs = require('aws-cdk-lib/aws-lambda-nodejs');
const { Concurrency, DatabaseEngineFamily, DatabaseSource, ElasticDataAccess } = require('cdk-elastic-data-access');

const app = new App();
const stack = new Stack(app, 'QuickStart');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const fn = (id, entry) => new nodejs.NodejsFunction(stack, id, { entry, runtime: lambda.Runtime.NODEJS_24_X, vpc });
const getOrderFn = fn('GetOrder', 'src/get-order.ts');
const createOrderFn = fn('CreateOrder', 'src/create-order.ts');

const orders = new ElasticDataAccess(stack, 'Orders', {
  vpc,
  database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1, maxCapacity: 8 }),
  budget: { accountConcurrency: 1000 },
});
orders.connectReader(getOrderFn, {
  reservedConcurrency: Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(80), headroom: 1.25 }),
});
orders.connectProducer(createOrderFn);
orders.addWriter('OrderWriter', { entry: 'src/order-writer.ts', maxConcurrency: 5 });
app.synth();
`);
}

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
