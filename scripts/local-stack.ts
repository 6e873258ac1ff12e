/**
 * The local stack from the command line (docs/local-stack.md):
 *
 *   npx tsx scripts/local-stack.ts up [--visibility-timeout=30] [--max-receive-count=5] [--max-connections=100] [--pool-size=20]
 *       starts PostgreSQL 15, PgBouncer and the local SQS in a background process, writes the environment
 *       contract to .local-stack/env and prints it;
 *   npx tsx scripts/local-stack.ts status   prints the environment of the running stack;
 *   npx tsx scripts/local-stack.ts down     stops everything and deletes its data;
 *   npx tsx scripts/local-stack.ts writer <handler module> [--export=handler] [--concurrency=2] [--batch-size=10]
 *       [--timeout=30]   runs a writer handler against the running stack as Lambda would (execution environments
 *       fed by the write queue, partial batch responses), until Ctrl-C.
 *
 * Use the variables with `node --env-file=.local-stack/env …` or `set -a; . .local-stack/env; set +a`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LocalFunction } from '../packages/local/src/local-function';
import { LocalStack, LocalStackOptions } from '../packages/local/src/local-stack';
import { LocalSqsEventSource } from '../packages/local/src/sqs-event-source';

const STATE_DIR = resolve(process.env.EDA_LOCAL_STACK_DIR ?? '.local-stack');
const ENV_FILE = join(STATE_DIR, 'env');
const PID_FILE = join(STATE_DIR, 'pid');
const LOG_FILE = join(STATE_DIR, 'serve.log');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

function parseOptions(args: readonly string[]): LocalStackOptions {
  const flags: Record<string, keyof LocalStackOptions> = {
    '--visibility-timeout': 'visibilityTimeoutSeconds',
    '--max-receive-count': 'maxReceiveCount',
    '--max-connections': 'maxConnections',
    '--pool-size': 'poolSize',
    '--borrow-timeout': 'borrowTimeoutSeconds',
  };
  const options: Record<string, number> = {};
  for (const arg of args) {
    const [flag, value] = arg.split('=');
    const key = flags[flag];
    const number = Number(value);
    if (!key || !Number.isInteger(number) || number < 1) {
      throw new Error(`unknown or invalid option '${arg}'; known: ${Object.keys(flags).map((f) => `${f}=<positive integer>`).join(' ')}`);
    }
    options[key] = number;
  }
  return options as LocalStackOptions;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The background process: runs the stack until it receives SIGTERM/SIGINT (the exit hooks stop everything). */
async function serve(args: readonly string[]): Promise<void> {
  const stack = await LocalStack.up({
    ...parseOptions(args),
    // Into the stack's log: statements that would pin an RDS Proxy session (docs/local-stack.md, "Session pinning").
    onPinning: (finding) => console.warn(`pinning [${finding.rule}] ${finding.statement} (from ${finding.firstClient}; AWS: "${finding.condition}")`),
  });
  const lines = Object.entries(stack.environment()).map(([name, value]) => `${name}=${value}`);
  writeFileSync(ENV_FILE, `${lines.join('\n')}\n`, { mode: 0o600 });
  console.log(`local stack up (pid ${process.pid})`);
  // The SQS server keeps this process alive; SIGTERM from `down` runs the exit hooks of the stack.
}

async function up(args: readonly string[]): Promise<void> {
  parseOptions(args);
  const existing = runningPid();
  if (existing !== undefined && existsSync(ENV_FILE)) {
    console.error(`local stack already running (pid ${existing}); 'down' first to restart it`);
    process.stdout.write(readFileSync(ENV_FILE, 'utf8'));
    return;
  }
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
  const log = openSync(LOG_FILE, 'a');
  // process.execArgv carries tsx's loader, so the background process runs this same file.
  const child = spawn(process.execPath, [...process.execArgv, __filename, 'serve', ...args], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  writeFileSync(PID_FILE, `${child.pid}\n`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(ENV_FILE)) {
    if (child.exitCode !== null || !alive(child.pid!) || Date.now() > deadline) {
      console.error(`local stack failed to start; log ${LOG_FILE}:\n${readFileSync(LOG_FILE, 'utf8')}`);
      process.exitCode = 1;
      return;
    }
    await sleep(100);
  }
  process.stdout.write(readFileSync(ENV_FILE, 'utf8'));
  console.error(`\nwritten to ${ENV_FILE}; use: node --env-file=${ENV_FILE} …   stop: npx tsx scripts/local-stack.ts down`);
}

async function down(): Promise<void> {
  const pid = runningPid();
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    console.error(`local stack stopped (pid ${pid})`);
  } else {
    console.error('no local stack running');
  }
  rmSync(STATE_DIR, { recursive: true, force: true });
}

function status(): void {
  const pid = runningPid();
  if (pid === undefined || !existsSync(ENV_FILE)) {
    console.error('no local stack running');
    process.exitCode = 1;
    return;
  }
  process.stdout.write(readFileSync(ENV_FILE, 'utf8'));
}

function readEnvFile(): Record<string, string> {
  if (runningPid() === undefined || !existsSync(ENV_FILE)) throw new Error("no local stack running: start it with 'up'");
  const environment: Record<string, string> = {};
  for (const line of readFileSync(ENV_FILE, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) environment[line.slice(0, at)] = line.slice(at + 1);
  }
  return environment;
}

/** Runs a writer handler module against the running stack until SIGINT/SIGTERM. */
async function writer(args: readonly string[]): Promise<void> {
  const [modulePath, ...flags] = args;
  if (!modulePath) throw new Error('writer needs the path of a handler module');
  const option = (name: string, fallback: string) => flags.find((f) => f.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
  const environment = readEnvFile();
  const concurrency = Number(option('concurrency', '2'));
  const fn = new LocalFunction({
    handlerModule: resolve(modulePath),
    handlerExport: option('export', 'handler'),
    environment,
    timeoutMs: Number(option('timeout', '30')) * 1000,
    maxEnvironments: concurrency,
    forwardLogs: true,
  });
  const client = new SQSClient({
    endpoint: environment.EDA_SQS_ENDPOINT,
    region: environment.AWS_REGION,
    credentials: { accessKeyId: environment.AWS_ACCESS_KEY_ID, secretAccessKey: environment.AWS_SECRET_ACCESS_KEY },
  });
  const source = new LocalSqsEventSource({
    client,
    queueUrl: environment.EDA_WRITE_QUEUE_URL,
    target: fn,
    maxConcurrency: concurrency,
    batchSize: Number(option('batch-size', '10')),
    maximumBatchingWindowMs: 500,
  });
  await fn.warm();
  await source.start();
  console.error(`writer ${modulePath} polling ${environment.EDA_WRITE_QUEUE_URL} (concurrency ${concurrency}); Ctrl-C to stop`);
  const report = setInterval(() => console.error(JSON.stringify({ eventSource: source.stats, function: fn.stats })), 5_000);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  clearInterval(report);
  await source.stop();
  await fn.close();
  client.destroy();
  console.error(JSON.stringify({ eventSource: source.stats, function: fn.stats }));
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'up': return up(args);
    case 'down': return down();
    case 'status': return status();
    case 'serve': return serve(args);
    case 'writer': return writer(args);
    default:
      console.error('usage: tsx scripts/local-stack.ts up [--visibility-timeout=N --max-receive-count=N --max-connections=N --pool-size=N --borrow-timeout=N] | status | down | writer <module> [--export=handler --concurrency=N --batch-size=N --timeout=S]');
      process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
