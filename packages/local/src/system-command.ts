import { execFile, spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Directory of the PostgreSQL 15 server binaries (Debian layout); override with `EDA_PG_BIN`. */
export const POSTGRES_BIN = process.env.EDA_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * Fails in one line naming the Debian package and the command that installs it when a server binary the
 * local stack needs is missing, instead of a server that "exited during start (127)".
 */
export function requireSystemBinary(path: string, debianPackage: string, variable: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} not found: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage}, `
      + `or bash scripts/install-system-deps.sh), or point ${variable} at the binary`);
  }
}

/** The OS account PostgreSQL and PgBouncer run as when this process is root (both refuse to run as root). */
const SERVICE_USER = 'postgres';

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Prefixes a command so it runs as the service user when we are root, and as ourselves otherwise. */
export function asServiceUser(command: string, args: string[]): { command: string; args: string[] } {
  return isRoot() ? { command: 'runuser', args: ['-u', SERVICE_USER, '--', command, ...args] } : { command, args };
}

/** Runs a command (as the service user when root) and resolves with stdout; rejects with stderr on failure. */
export function run(command: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const prefixed = asServiceUser(command, args);
  return new Promise((resolve, reject) => {
    execFile(prefixed.command, prefixed.args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}${stdout}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Synchronous variant for exit hooks, where promises are not awaited. Never throws. */
export function runSync(command: string, args: string[], timeoutMs = 15_000): void {
  const prefixed = asServiceUser(command, args);
  spawnSync(prefixed.command, prefixed.args, { timeout: timeoutMs, stdio: 'ignore' });
}

/** A fresh temp directory the service user owns (it must write data and sockets there). */
export function makeServiceDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (isRoot()) {
    const owner = spawnSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', SERVICE_USER], { encoding: 'utf8' });
    const uid = Number(owner.stdout.trim());
    const gid = Number(group.stdout.trim());
    if (!Number.isInteger(uid) || owner.status !== 0) {
      throw new Error(`running as root needs the OS user '${SERVICE_USER}' (PostgreSQL refuses to run as root)`);
    }
    chownSync(dir, uid, gid);
  }
  return dir;
}

/** Undoes a server start that failed half-way: stops what runs, deletes its directory, drops its exit hook. */
export async function discardService(stopServer: () => Promise<void>, dir: string, unregisterExitCleanup: () => void): Promise<void> {
  await stopServer().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  unregisterExitCleanup();
}
