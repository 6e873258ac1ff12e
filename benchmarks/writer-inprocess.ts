/**
 * The library's writer in-process, next to a hand-written equivalent and to COPY, all in one run (EDA-15).
 *
 * A throwaway PostgreSQL 15 (fsync on). Each writer is a child process (benchmarks/fixtures/inprocess-worker.ts)
 * with its own pool of one connection, like one Lambda execution environment, calling its handler directly with
 * SQS events (no Lambda emulation, no IPC of events, no proxy):
 *
 * - library: sqlWriter (benchmarks/fixtures/bench-writer.ts), per-message mode, or batch mode with a set-based
 *   batchEffect;
 * - hand-written: node-postgres + Powertools Logger + BatchProcessor, the same SQL and transaction boundaries
 *   (benchmarks/fixtures/hand-written-writer.ts).
 *
 * Every message = its idempotency-key row (with the body's SHA-256, as sqlWriter records it by default) + one
 * effect row; the rows are counted after each run. COPY loads the same rows into the same tables with psql.
 *
 * Both writers run as what a user deploys: each fixture is bundled with esbuild with exactly the options addWriter
 * gives NodejsFunction (minify, source map, `@aws-sdk/client-*` external, CommonJS, the function's Node.js
 * target; src/pattern/elastic-data-access.ts), and the worker that calls it is bundled too and runs on plain node,
 * not under tsx (whose transpiled TypeScript adds helpers of its own, such as `__name` for every class field).
 *
 *   npm run bench:writer-inprocess -- [--quick] [--rounds N] [--modes per-message,batch]
 *       [--batch-sizes 10,100,1000] [--writers 1,2,4] [--impls library,hand-written] [--profile DIR]
 *       [--profile-impls library,hand-written]
 *
 * --quick: a fifth of the batch-mode messages, half of the per-message ones.
 *
 * --rounds N runs every scenario N times (library and hand-written alternating, the first of the pair swapped
 * each round) and reports the best of each; --profile DIR writes a V8 CPU profile of the timed part of every writer of the
 * --profile-impls (default: library).
 * Besides msgs/s (wall clock, all writers together), each writer reports its own CPU time (process.cpuUsage over
 * the timed part): CPU µs per message is the writer's cost, which other load on the machine barely changes.
 */
import { fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { build } from 'esbuild';
import { Client } from 'pg';
import { ADD_WRITER_BUNDLING } from './fixtures/add-writer-bundling';
import { startPostgres, LocalPostgres } from '../packages/local/src/postgres-server';
import { POSTGRES_BIN } from '../packages/local/src/system-command';
import { migrationSql } from '../packages/runtime/src/sql/idempotency-sql';

type Impl = 'library' | 'hand-written';
type Mode = 'per-message' | 'batch';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
const list = (name: string, fallback: string) => (option(name) ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(option('rounds') ?? 1);
const MODES = list('modes', 'per-message,batch') as Mode[];
const BATCH_SIZES = list('batch-sizes', '10,100,1000').map(Number);
const WRITERS = list('writers', '1,2,4').map(Number);
const IMPLS = list('impls', 'library,hand-written') as Impl[];
const PROFILE_DIR = option('profile');
const PROFILE_IMPLS = list('profile-impls', 'library');

/**
 * Messages per scenario: a few seconds each on a quiet machine (per-message mode commits, and fsyncs, every
 * message). Per-message mode with batches of 1000 needs 4 events for 4 writers: 4,000 messages.
 */
function messagesOf(mode: Mode, batchSize: number): number {
  if (mode === 'per-message') return batchSize === 1000 ? 4_000 : QUICK ? 1_000 : 2_000;
  const full = batchSize === 10 ? 10_000 : batchSize === 100 ? 50_000 : 200_000;
  return QUICK ? full / 5 : full;
}
const COPY_MESSAGES = QUICK ? 40_000 : 200_000;
/** DEFAULT_GUARDRAIL_STATEMENT_TIMEOUT of the constructs (src/database/query-guardrails.ts). */
const STATEMENT_TIMEOUT_MS = 30_000;

const ORDERS_DDL = 'create table if not exists orders(id text not null, total int not null check (total >= 0), correlation_id text)';

const ROOT = resolvePath(__dirname, '..');
const BUNDLES = join(ROOT, '.bench', 'writer-inprocess');
const bundleOf = (name: string) => join(BUNDLES, name, 'index.js');

/** The two writers and the worker, bundled as addWriter bundles a writer (see the file comment). */
async function buildBundles(): Promise<void> {
  const fixtures = join(ROOT, 'benchmarks', 'fixtures');
  const entries: Record<string, string> = { 'library': 'bench-writer.ts', 'hand-written': 'hand-written-writer.ts', 'worker': 'inprocess-worker.ts' };
  await Promise.all(Object.entries(entries).map(([name, file]) => build({
    entryPoints: [join(fixtures, file)],
    outfile: bundleOf(name),
    ...ADD_WRITER_BUNDLING,
    // Profiles need names: --profile bundles unminified (the code is the same, only the names stay readable).
    minify: PROFILE_DIR === undefined,
  })));
}

async function query(pg: LocalPostgres, sql: string): Promise<number> {
  const db = new Client({ connectionString: pg.connectionString });
  await db.connect();
  try {
    // A script of several statements answers with one result each: the count comes from the last.
    const results = [await db.query<{ n?: number }>(sql)].flat();
    return results[results.length - 1].rows[0]?.n ?? 0;
  } finally {
    await db.end();
  }
}

async function reset(pg: LocalPostgres): Promise<void> {
  await query(pg, 'truncate orders, eda_idempotency_keys');
}

/** psql `\copy … from stdin` of the key rows then the effect rows of `messages` messages; messages per second. */
async function copyRate(pg: LocalPostgres, messages: number): Promise<number> {
  await reset(pg);
  const keys: string[] = [];
  const effects: string[] = [];
  for (let i = 0; i < messages; i++) {
    const id = `copy-${i}`;
    const sha = createHash('sha256').update(JSON.stringify({ id, total: i % 100 }), 'utf8').digest('hex');
    keys.push(`${id}\tm-${id}\tc-${id}\t${sha}\n`);
    effects.push(`${id}\t${i % 100}\tc-${id}\n`);
  }
  const psql = (table: string, data: string) => new Promise<void>((resolve, reject) => {
    const child = spawn(join(POSTGRES_BIN, 'psql'), [pg.connectionString, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy ${table} from stdin`],
      { stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))));
    child.stdin.end(data);
  });
  const keyData = keys.join('');
  const effectData = effects.join('');
  const started = performance.now();
  await psql('eda_idempotency_keys("key", message_id, correlation_id, body_sha256)', keyData);
  await psql('orders(id, total, correlation_id)', effectData);
  const rate = messages / ((performance.now() - started) / 1000);
  const rows = await query(pg, 'select (select count(*) from orders)::int + (select count(*) from eda_idempotency_keys)::int as n');
  if (rows !== 2 * messages) throw new Error(`COPY: expected ${2 * messages} rows, found ${rows}`);
  return rate;
}

interface Scenario {
  readonly impl: Impl;
  readonly mode: Mode;
  readonly batchSize: number;
  readonly writers: number;
  readonly messages: number;
}

let runs = 0;

/** Runs one scenario: forks the writers, lets them warm up, then times them from `go` to the last `done`. */
async function writerRate(pg: LocalPostgres, s: Scenario): Promise<{ rate: number; cpuPerMessage: number }> {
  await reset(pg);
  const tag = `r${++runs}`;
  const profileFile = (index: number) => (PROFILE_DIR && PROFILE_IMPLS.includes(s.impl)
    ? join(PROFILE_DIR, `${s.impl}-${s.mode}-b${s.batchSize}-w${s.writers}-${tag}-${index}.cpuprofile`)
    : undefined);
  const children = Array.from({ length: s.writers }, (_, index) => fork(bundleOf('worker'), [], {
    execArgv: [],
    // Logs and EMF metrics go to /dev/null: formatted and written by both writers, read by nobody.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      PATH: process.env.PATH,
      // The Lambda runtime's /var/runtime/node_modules, where the `@aws-sdk/client-*` modules left out come from.
      NODE_PATH: join(ROOT, 'node_modules'),
      BENCH_HANDLER_BUNDLE: bundleOf(s.impl),
      ...(profileFile(index) ? { BENCH_PROFILE_FILE: profileFile(index) } : {}),
      EDA_ENGINE: 'postgres',
      EDA_WRITE_HOST: pg.host,
      EDA_WRITE_PORT: String(pg.port),
      EDA_DATABASE: pg.database,
      EDA_DB_USER: pg.user,
      EDA_DB_PASSWORD: pg.password,
      EDA_AUTH: 'password',
      EDA_TLS: 'disable',
      EDA_POOL_MAX: '1',
      // As deployed: the guardrail's default statement timeout (the role's statement_timeout, set below, and the
      // client-side deadlines sqlWriter derives from it).
      EDA_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      POWERTOOLS_METRICS_NAMESPACE: 'Bench',
      // Lambda's default level: what a deployed writer logs.
      POWERTOOLS_LOG_LEVEL: 'INFO',
      BENCH_WRITER_MODE: s.impl === 'library' ? (s.mode === 'batch' ? 'batch-effect' : 'per-message') : s.mode,
      BENCH_BATCH_SIZE: String(s.batchSize),
      BENCH_WRITERS: String(s.writers),
      BENCH_INDEX: String(index),
      BENCH_MESSAGES: String(s.messages),
      BENCH_TAG: tag,
    },
  }));
  const next = (type: string) => Promise.all(children.map((child) => new Promise<{ messages?: number; cpuMicros?: number }>((resolve, reject) => {
    const onMessage = (message: { type: string; error?: string; messages?: number; cpuMicros?: number }) => {
      if (message.type === type) {
        child.off('message', onMessage);
        resolve(message);
      } else if (message.type === 'failed') {
        reject(new Error(`${s.impl} writer failed: ${message.error}`));
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${s.impl} writer exited ${code} before ${type}`)));
  })));
  try {
    await next('ready');
    await reset(pg);
    const done = next('done');
    const started = performance.now();
    for (const child of children) child.send({ type: 'go' });
    const answers = await done;
    const seconds = (performance.now() - started) / 1000;
    const sent = answers.reduce((sum, a) => sum + (a.messages ?? 0), 0);
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    const effects = await query(pg, 'select count(*)::int as n from orders');
    const keys = await query(pg, 'select count(distinct "key")::int as n from eda_idempotency_keys');
    if (sent !== s.messages || effects !== s.messages || keys !== s.messages) {
      throw new Error(`${s.impl} ${s.mode} b${s.batchSize} w${s.writers}: ${sent} messages sent, ${effects} effect rows, ${keys} keys, expected ${s.messages} each`);
    }
    const cpu = answers.reduce((sum, a) => sum + (a.cpuMicros ?? 0), 0);
    return { rate: s.messages / seconds, cpuPerMessage: cpu / s.messages };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

const k = (rate: number) => `${(rate / 1000).toFixed(1)}k`;

async function main(): Promise<void> {
  const begun = Date.now();
  await buildBundles();
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const pg = await startPostgres({ maxConnections: 20, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  try {
    await query(pg, ORDERS_DDL);
    await query(pg, migrationSql('postgres'));
    const version = await new Promise<string>((resolve) => {
      const db = new Client({ connectionString: pg.connectionString });
      void db.connect().then(() => db.query<{ v: string }>("select current_setting('server_version') as v")).then((r) => resolve(r.rows[0].v)).finally(() => db.end());
    });
    console.log(`PostgreSQL ${version}, Node ${process.version}, ${QUICK ? 'quick' : 'full'} run, ${ROUNDS} round(s), ${new Date().toISOString()}`);
    const copy = await copyRate(pg, COPY_MESSAGES);
    console.log(`COPY: ${k(copy)} msgs/s (${COPY_MESSAGES} key rows + ${COPY_MESSAGES} effect rows)`);

    const rows: string[] = [];
    const best = new Map<string, number>();
    let pair = 0;
    for (const mode of MODES) {
      for (const batchSize of BATCH_SIZES) {
        for (const writers of WRITERS) {
          const messages = messagesOf(mode, batchSize);
          const rates: Record<string, number> = {};
          const cpus: Record<string, number> = {};
          for (let round = 0; round < ROUNDS; round++) {
            const order = (pair + round) % 2 === 0 ? IMPLS : [...IMPLS].reverse();
            for (const impl of order) {
              const { rate, cpuPerMessage } = await writerRate(pg, { impl, mode, batchSize, writers, messages });
              console.log(`  ${impl} ${mode} batch ${batchSize} × ${writers}: ${k(rate)} msgs/s, writer CPU ${cpuPerMessage.toFixed(1)} µs/msg`);
              rates[impl] = Math.max(rates[impl] ?? 0, rate);
              cpus[impl] = Math.min(cpus[impl] ?? Infinity, cpuPerMessage);
            }
          }
          pair++;
          const lib = rates.library;
          const hand = rates['hand-written'];
          for (const impl of IMPLS) best.set(`${impl} ${mode} ${batchSize} ${writers}`, rates[impl]);
          const ratio = lib && hand ? (lib / hand).toFixed(2) : '–';
          const cpu = (impl: Impl) => (cpus[impl] === undefined ? '–' : cpus[impl].toFixed(1));
          const line = `| ${mode} | ${batchSize} | ${writers} | ${messages} | ${lib ? k(lib) : '–'} | ${hand ? k(hand) : '–'} | ${ratio} | ${cpu('library')} | ${cpu('hand-written')} |`;
          console.log(line);
          rows.push(line);
        }
      }
    }
    console.log(`\nCOPY of the same rows (same run): ${k(copy)} msgs/s\n`);
    console.log('| mode | batch size | writers | messages | library msgs/s | hand-written msgs/s | library ÷ hand-written | library CPU µs/msg | hand-written CPU µs/msg |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const line of rows) console.log(line);
    for (const impl of IMPLS) {
      const rate = best.get(`${impl} batch 1000 4`);
      if (rate) console.log(`${impl} batch 1000 × 4 writers ÷ COPY: ${(rate / copy).toFixed(2)}`);
    }
    console.log(`(${((Date.now() - begun) / 1000).toFixed(0)} s)`);
  } finally {
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
