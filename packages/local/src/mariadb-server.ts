import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as Mysql from 'mysql2/promise';
import { registerExitCleanup } from './exit-cleanup';
import { findFreePort } from './free-port';
import { checkIdentifier } from './sql-identifier';
import { asServiceUser, discardService, makeServiceDir, requireSystemBinary, run } from './system-command';

/**
 * mysql2 is an optional peer of this package (only MySQL users need it): loaded when a MariaDB server starts, so
 * that importing the package works without it.
 */
function mysqlDriver(): typeof Mysql {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('mysql2/promise') as typeof Mysql;
  } catch {
    throw new Error('startMariaDb needs mysql2: npm install --save-dev mysql2');
  }
}

/** The MariaDB server binary (Debian layout); override with `EDA_MARIADBD`. */
export const MARIADBD = process.env.EDA_MARIADBD ?? '/usr/sbin/mariadbd';
/** MariaDB's data directory initialiser (Debian layout); override with `EDA_MARIADB_INSTALL_DB`. */
export const MARIADB_INSTALL_DB = process.env.EDA_MARIADB_INSTALL_DB ?? '/usr/bin/mariadb-install-db';

/** Options of {@link startMariaDb}. */
export interface MariaDbServerOptions {
  /**
   * Server and database character set. MySQL/MariaDB columns without their own character set take the
   * database's, so `latin1` reproduces databases created before utf8mb4 was the default.
   * @default 'utf8mb4'
   */
  readonly characterSet?: 'utf8mb4' | 'latin1';
  /** Server and database collation. @default the character set's default (utf8mb4_general_ci, latin1_swedish_ci) */
  readonly collation?: string;
  /**
   * Ignore the character set the client asks for in the handshake (`--skip-character-set-client-handshake`):
   * every connection then uses the server's character set, as a connection that never negotiates one does.
   * @default false
   */
  readonly ignoreClientCharacterSet?: boolean;
  /** Login user the application connects as (all privileges on its database, none elsewhere). @default 'app_user' */
  readonly user?: string;
  /** Database owned by `user`. @default 'app' */
  readonly database?: string;
}

/** A throwaway MariaDB server on 127.0.0.1. */
export interface LocalMariaDb {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Unix socket in the temp dir; `root` connects through it without a password (set-up and inspection only). */
  readonly socketPath: string;
  /** Data directory (under the OS temp dir; removed by `stop()`). */
  readonly dataDir: string;
  /** Stops the server and deletes its files. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;
const READY_POLLS = 300;
const READY_POLL_MS = 100;
const STOP_WAIT_MS = 30_000;

function checkCollation(value: string): string {
  if (!/^[a-z0-9_]{1,64}$/.test(value)) throw new Error(`collation must be a collation name, got '${value}'`);
  return value;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a throwaway MariaDB server (the closest MySQL available here): `mariadb-install-db` into a temp dir, a
 * socket in that dir, TCP on 127.0.0.1 only, an app user with a password and its own database in the chosen
 * character set. MariaDB refuses to run as root, so as root it runs as the OS user of the local stack
 * (`postgres`). Stopped and deleted on `stop()` and, as a last resort, when the Node process exits.
 */
export async function startMariaDb(options: MariaDbServerOptions = {}): Promise<LocalMariaDb> {
  requireSystemBinary(MARIADBD, 'mariadb-server', 'EDA_MARIADBD');
  requireSystemBinary(MARIADB_INSTALL_DB, 'mariadb-server', 'EDA_MARIADB_INSTALL_DB');
  const characterSet = options.characterSet ?? 'utf8mb4';
  const collation = checkCollation(options.collation ?? (characterSet === 'utf8mb4' ? 'utf8mb4_general_ci' : 'latin1_swedish_ci'));
  const user = checkIdentifier('user', options.user ?? 'app_user');
  const database = checkIdentifier('database', options.database ?? 'app');
  const password = randomBytes(12).toString('hex');

  const dir = makeServiceDir('eda-mariadb-');
  const dataDir = join(dir, 'data');
  const socketPath = join(dir, 'mysqld.sock');
  const pidFile = join(dir, 'mysqld.pid');
  const errorLog = join(dir, 'error.log');

  let server: ChildProcess | undefined;
  let removed = false;
  const serverPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const kill = (signal: NodeJS.Signals) => {
    // The pid file names mariadbd itself (runuser, our child, is only its parent).
    const pid = serverPid();
    try {
      if (pid) process.kill(pid, signal);
      else server?.kill(signal);
    } catch {
      // already gone
    }
  };
  const unregister = registerExitCleanup(() => {
    kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const stopServer = async () => {
    if (!server) return;
    const child = server;
    kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_WAIT_MS);
    });
    const outcome = await Promise.race([exited(child), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      kill('SIGKILL');
      await exited(child);
    }
    server = undefined;
  };

  const waitUntilReady = async (child: ChildProcess) => {
    for (let poll = 0; poll < READY_POLLS; poll++) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`mariadbd exited (${child.exitCode ?? child.signalCode}):\n${readLog(errorLog)}`);
      }
      try {
        const connection = await mysqlDriver().createConnection({ socketPath, user: 'root' });
        await connection.end();
        return;
      } catch {
        await sleep(READY_POLL_MS);
      }
    }
    throw new Error(`mariadbd not ready after ${READY_POLLS * READY_POLL_MS} ms:\n${readLog(errorLog)}`);
  };

  let port = 0;
  try {
    await run(MARIADB_INSTALL_DB, [
      '--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db',
    ], 120_000);

    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      const args = [
        '--no-defaults', `--datadir=${dataDir}`, `--socket=${socketPath}`, `--pid-file=${pidFile}`,
        `--log-error=${errorLog}`, `--port=${port}`, `--bind-address=${HOST}`, '--skip-name-resolve',
        `--character-set-server=${characterSet}`, `--collation-server=${collation}`,
        '--innodb-buffer-pool-size=32M', '--max-connections=200',
        ...(options.ignoreClientCharacterSet ? ['--skip-character-set-client-handshake'] : []),
      ];
      const command = asServiceUser(MARIADBD, args);
      const child = spawn(command.command, command.args, { stdio: 'ignore' });
      server = child;
      try {
        await waitUntilReady(child);
        break;
      } catch (error) {
        await stopServer();
        // Another process may grab the free port between the probe and the bind; try a new one.
        if (attempt >= PORT_ATTEMPTS || !readLog(errorLog).includes('Address already in use')) throw error;
        rmSync(pidFile, { force: true });
      }
    }

    await createAppDatabase(socketPath, { database, characterSet, collation, account: `'${user}'@'${HOST}'`, password });
  } catch (error) {
    await discardService(stopServer, dir, unregister);
    throw error;
  }

  const stop = async () => {
    if (removed) return;
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
    removed = true;
    unregister();
  };
  return { host: HOST, port, user, password, database, socketPath, dataDir, stop };
}

interface AppDatabase {
  readonly database: string;
  readonly characterSet: string;
  readonly collation: string;
  /** `'user'@'host'` */
  readonly account: string;
  readonly password: string;
}

/** As root through the socket: the app database and a user with every privilege on it and none elsewhere. */
async function createAppDatabase(socketPath: string, app: AppDatabase): Promise<void> {
  const admin = await mysqlDriver().createConnection({ socketPath, user: 'root' });
  try {
    await admin.query(`CREATE DATABASE ${app.database} CHARACTER SET ${app.characterSet} COLLATE ${app.collation}`);
    await admin.query(`CREATE USER ${app.account} IDENTIFIED BY '${app.password}'`);
    await admin.query(`GRANT ALL PRIVILEGES ON ${app.database}.* TO ${app.account}`);
  } finally {
    await admin.end();
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no error log)';
  }
}
