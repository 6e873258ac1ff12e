import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliOutput, LocalCliError } from './cli-output';
import { applySchema, schemaFile } from './schema-setup';
import { stackSummary } from './stack-summary';
import { isAlive, StateDir } from './state-dir';
import { LocalStack, LocalStackOptions } from '../local-stack';

/** Where a command runs: the working directory and the environment it reads (EDA_LOCAL_*). */
export interface CommandContext extends CliOutput {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

const NUMBER_FLAGS: Record<string, keyof LocalStackOptions> = {
  'visibility-timeout': 'visibilityTimeoutSeconds',
  'max-receive-count': 'maxReceiveCount',
  'max-connections': 'maxConnections',
  'pool-size': 'poolSize',
  'borrow-timeout': 'borrowTimeoutSeconds',
};

export const UP_OPTIONS = '[--schema <file.sql>] [--visibility-timeout=30] [--max-receive-count=5] [--max-connections=100] [--pool-size=20] [--borrow-timeout=120]';

interface UpArguments {
  readonly options: LocalStackOptions;
  readonly schema?: string;
}

function parseUpArguments(args: readonly string[]): UpArguments {
  const { values } = parseArgs({
    args: [...args],
    options: {
      schema: { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  const options: Record<string, number> = {};
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const raw = (values as Record<string, string | undefined>)[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new LocalCliError(`--${flag} must be a whole number of at least 1, got ${raw}`, 2);
    options[key] = value;
  }
  return { options: options as LocalStackOptions, schema: values.schema as string | undefined };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** `eda-local up`: starts the stack in a background process, waits until its schema is applied, prints the summary. */
export async function up(context: CommandContext, args: readonly string[]): Promise<number> {
  const parsed = parseUpArguments(args);
  // Checked before anything starts: a wrong path must not cost a stack start.
  const schema = schemaFile(parsed.schema, context.env, context.cwd);
  const state = new StateDir(context.env, context.cwd);
  const existing = state.runningPid();
  if (existing !== undefined && existsSync(state.envFile)) {
    context.err(`a local stack is already running here (pid ${existing}): run npx eda-local down first to restart it`);
    for (const line of stackSummary(state.runningEnvironment()!, state.envFile, context.cwd, existing)) context.out(line);
    return 0;
  }
  rmSync(state.dir, { recursive: true, force: true });
  mkdirSync(state.dir, { recursive: true });
  const log = openSync(state.logFile, 'a');
  // The background process gets the options as parsed here, and the schema's absolute path.
  const serveArgs = [
    ...Object.entries(NUMBER_FLAGS).flatMap(([flag, key]) => (parsed.options[key] === undefined ? [] : [`--${flag}=${parsed.options[key]}`])),
    ...(schema ? [`--schema=${schema}`] : []),
  ];
  // process.execArgv carries tsx's loader when the CLI runs from TypeScript sources.
  const child = spawn(process.execPath, [...process.execArgv, join(__dirname, `main${extname(__filename)}`), 'serve', ...serveArgs], {
    cwd: context.cwd,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...context.env },
  });
  closeSync(log);
  child.unref();
  writeFileSync(state.pidFile, `${child.pid}\n`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(state.envFile)) {
    if (child.exitCode !== null || !isAlive(child.pid!) || Date.now() > deadline) {
      if (isAlive(child.pid!)) process.kill(child.pid!, 'SIGTERM');
      const reason = existsSync(state.errorFile)
        ? readFileSync(state.errorFile, 'utf8').trim()
        : `it did not start within ${START_TIMEOUT_MS / 1000} s`;
      throw new LocalCliError(`the local stack did not start: ${reason}\n  log: ${state.logFile}`);
    }
    await sleep(100);
  }
  for (const line of stackSummary(state.runningEnvironment()!, state.envFile, context.cwd, child.pid!)) context.out(line);
  return 0;
}

/**
 * The background process of `up`: runs the stack, the idempotency table and the schema, writes the environment
 * file, then serves until SIGTERM (from `down`), when the stack's exit hooks stop every server.
 */
export async function serve(context: CommandContext, args: readonly string[]): Promise<number> {
  const parsed = parseUpArguments(args);
  const state = new StateDir(context.env, context.cwd);
  let stack: LocalStack | undefined;
  try {
    stack = await LocalStack.up({
      ...parsed.options,
      // Into the stack's log: statements that would pin an RDS Proxy session (docs/local-stack.md, "Session pinning").
      onPinning: (finding) => context.err(`pinning [${finding.rule}] ${finding.statement} (from ${finding.firstClient}; AWS: "${finding.condition}")`),
    });
    for (const line of await applySchema(stack.postgres.connectionString, parsed.schema)) context.out(line);
  } catch (error) {
    // `up` prints this file's text as the reason.
    writeFileSync(state.errorFile, error instanceof Error ? error.message : String(error));
    await stack?.down();
    throw error;
  }
  const environment = {
    ...stack.environment(),
    // CLI-only: PgBouncer without the detector (its admin console: SHOW POOLS), and the schema that was applied.
    EDA_LOCAL_PGBOUNCER_URL: stack.pgbouncer.connectionString,
    ...(parsed.schema ? { EDA_LOCAL_SCHEMA: parsed.schema } : {}),
  };
  const lines = Object.entries(environment).map(([name, value]) => `${name}=${value}`);
  writeFileSync(state.envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  context.out(`local stack up (pid ${process.pid})`);
  // The SQS server keeps this process alive.
  return 0;
}

/** `eda-local down`: stops the background process (and with it every server) and deletes the state directory. */
export async function down(context: CommandContext): Promise<number> {
  const state = new StateDir(context.env, context.cwd);
  const pid = state.runningPid();
  if (pid === undefined) {
    context.out(`no local stack running in ${state.dir}`);
  } else {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    context.out(`local stack stopped (pid ${pid}); deleted ${state.dir}`);
  }
  rmSync(state.dir, { recursive: true, force: true });
  return 0;
}

/** `eda-local status`: the summary of the running stack, exit code 1 when none runs here. */
export function status(context: CommandContext): number {
  const state = new StateDir(context.env, context.cwd);
  const environment = state.runningEnvironment();
  if (!environment) throw new LocalCliError(`no local stack running in ${state.dir}: start it with npx eda-local up`);
  for (const line of stackSummary(environment, state.envFile, context.cwd, state.runningPid()!)) context.out(line);
  return 0;
}
