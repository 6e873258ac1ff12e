import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Runs `eda-local` as a user would: a separate process in the user's project directory. It runs the CLI from its
 * TypeScript sources through tsx (the bin runs the compiled lib/cli/main.js); TSX_TSCONFIG_PATH maps
 * `@cdk-elastic-data-access/runtime` to packages/runtime/src for the CLI, its background process and the writer's
 * execution environments, as an installed runtime package would be found in a user's node_modules.
 */
const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const TSCONFIG = join(__dirname, '..', '..', '..', '..', 'test', 'tsconfig.json');

export interface EdaLocalResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `eda-local` process and its output so far. */
export interface EdaLocalProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<EdaLocalResult>;
}

export function startEdaLocal(args: readonly string[], cwd: string, env: Record<string, string> = {}): EdaLocalProcess {
  const { EDA_LOCAL_STACK_DIR: _dir, EDA_LOCAL_SCHEMA: _schema, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, MAIN, ...args], {
    cwd,
    env: { ...inherited, TSX_TSCONFIG_PATH: TSCONFIG, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exited = new Promise<EdaLocalResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs one command to its end (bounded: killed after `timeoutMs`). */
export async function edaLocal(args: readonly string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 90_000): Promise<EdaLocalResult> {
  const run = startEdaLocal(args, cwd, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}
