import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where `eda-local` keeps a running stack's state: `<cwd>/.local-stack/` (EDA_LOCAL_STACK_DIR overrides it):
 * `env` (the environment of the stack), `pid` (the background process), `serve.log` (its log), `error` (why it
 * failed to start).
 */
export class StateDir {
  public readonly dir: string;

  constructor(env: Readonly<Record<string, string | undefined>> = process.env, cwd: string = process.cwd()) {
    this.dir = resolve(cwd, env.EDA_LOCAL_STACK_DIR ?? '.local-stack');
  }

  public get envFile(): string {
    return join(this.dir, 'env');
  }

  public get pidFile(): string {
    return join(this.dir, 'pid');
  }

  public get logFile(): string {
    return join(this.dir, 'serve.log');
  }

  public get errorFile(): string {
    return join(this.dir, 'error');
  }

  /** The pid of the background process when it is alive. */
  public runningPid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  }

  /** The environment of the running stack, or undefined when none runs here. */
  public runningEnvironment(): Record<string, string> | undefined {
    if (this.runningPid() === undefined || !existsSync(this.envFile)) return undefined;
    return parseEnvFile(readFileSync(this.envFile, 'utf8'));
  }
}

/** `NAME=value` lines (the format of `node --env-file` and `set -a; . file`). */
export function parseEnvFile(text: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) environment[line.slice(0, at)] = line.slice(at + 1);
  }
  return environment;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
