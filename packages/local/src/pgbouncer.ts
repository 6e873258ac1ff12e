import { ChildProcess, spawn } from 'node:child_process';
import { chownSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { registerExitCleanup } from './exit-cleanup';
import { findFreePort } from './free-port';
import { makeServiceDir, requireSystemBinary } from './system-command';

/** Debian's PgBouncer 1.18; override with `EDA_PGBOUNCER_BIN`. */
const PGBOUNCER_BIN = process.env.EDA_PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;

/** The database PgBouncer pools connections to. */
export interface PgBouncerUpstream {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Options of {@link startPgBouncer}. */
export interface PgBouncerOptions {
  /** Server connections per (user, database) pair, like RDS Proxy's share of max_connections. @default 20 */
  readonly poolSize?: number;
  /** Client connections PgBouncer accepts (the storm test opens 1,000). @default 5000 */
  readonly maxClientConnections?: number;
  /** TCP port on 127.0.0.1. @default a free port chosen by the kernel */
  readonly port?: number;
  /**
   * How long a client waits for a server connection (login or query) before an error: the counterpart of RDS
   * Proxy's ConnectionBorrowTimeout, whose default is 120 s
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connections.html). While the database is
   * down, every call waits this long unless a circuit breaker is open.
   * @default 120
   */
  readonly borrowTimeoutSeconds?: number;
}

/** A PgBouncer in transaction mode on 127.0.0.1 in front of a local Postgres: the stand-in for RDS Proxy. */
export interface LocalPgBouncer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgres://user:password@127.0.0.1:port/database` through the pool. */
  readonly connectionString: string;
  /** Immediate shutdown (SIGTERM: client connections are dropped) and removal of its files. Idempotent. */
  stop(): Promise<void>;
  /**
   * Immediate shutdown, `downtimeMs` without a listener, then start on the same port: what clients see when a
   * proxy fails over.
   */
  restart(downtimeMs?: number): Promise<void>;
  /** PgBouncer's log (for diagnosing a failed test). */
  log(): string;
}

function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`pgbouncer exited during start (${child.exitCode ?? child.signalCode}):\n${readLog(logFile)}`));
        return;
      }
      const socket = connect({ host: HOST, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) {
          reject(new Error(`pgbouncer did not listen on ${HOST}:${port} within ${READY_TIMEOUT_MS} ms:\n${readLog(logFile)}`));
        } else {
          setTimeout(attempt, 25);
        }
      });
    };
    attempt();
  });
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '(no log)';
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts PgBouncer in transaction mode in front of `upstream`: pool of 20 server connections, password auth via a
 * userlist, 127.0.0.1 only. It stands in for RDS Proxy's pool (a bounded number of server connections, clients
 * queueing for one up to a borrow timeout), not for its session pinning: in transaction mode PgBouncer never pins,
 * it rejects what it cannot multiplex (startup parameters, named prepared statements) or silently lets session
 * state leak between clients. What would pin on RDS Proxy
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html) is not visible here:
 * the pinning detector (./pinning-detector) in front of it reports it.
 */
export async function startPgBouncer(upstream: PgBouncerUpstream, options: PgBouncerOptions = {}): Promise<LocalPgBouncer> {
  requireSystemBinary(PGBOUNCER_BIN, 'pgbouncer', 'EDA_PGBOUNCER_BIN');
  const poolSize = options.poolSize ?? 20;
  const maxClients = options.maxClientConnections ?? 5000;
  const borrowTimeoutSeconds = options.borrowTimeoutSeconds ?? 120;
  const dir = makeServiceDir('eda-pgbouncer-');
  const { uid, gid } = statSync(dir);
  const configFile = join(dir, 'pgbouncer.ini');
  const userlist = join(dir, 'userlist.txt');
  const logFile = join(dir, 'pgbouncer.log');
  let child: ChildProcess | undefined;

  const unregister = registerExitCleanup(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const writeConfig = (port: number) => {
    writeFileSync(userlist, `"${upstream.user}" "${upstream.password}"\n`, { mode: 0o600 });
    chownSync(userlist, uid, gid);
    writeFileSync(configFile, [
      '[databases]',
      `${upstream.database} = host=${HOST} port=${upstream.port} dbname=${upstream.database}`,
      '[pgbouncer]',
      `listen_addr = ${HOST}`,
      `listen_port = ${port}`,
      // No unix socket: only 127.0.0.1 is used, and two instances must not collide on /tmp/.s.PGSQL.6432.
      'unix_socket_dir =',
      // md5 rather than SCRAM between clients and the pool: PgBouncer is single-threaded, and 1,000 SCRAM handshakes
      // (4,096 PBKDF2 rounds each) would serialise into seconds of CPU. RDS Proxy accepts both from clients
      // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-setup.html). The pool still logs in to
      // Postgres with SCRAM, using the plain-text password of the userlist.
      'auth_type = md5',
      `auth_file = ${userlist}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      `max_client_conn = ${maxClients}`,
      // A storm of 1,000 simultaneous connects overflows the default backlog of 128 (clients would see ECONNRESET).
      'listen_backlog = 4096',
      // Default 15 s: after a Postgres restart PgBouncer would refuse clients that long before retrying the login.
      'server_login_retry = 1',
      `query_wait_timeout = ${borrowTimeoutSeconds}`,
      `client_login_timeout = ${borrowTimeoutSeconds}`,
      `logfile = ${logFile}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'));
    chownSync(configFile, uid, gid);
  };

  const launch = async (port: number) => {
    // max_client_conn plus pool connections need file descriptors beyond the usual soft limit of 1024.
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const script = asRoot
      ? `ulimit -n 8192 && exec ${PGBOUNCER_BIN} -u postgres ${configFile}`
      : `ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${PGBOUNCER_BIN} ${configFile}`;
    const started = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.resume();
    child = started;
    await waitForPort(port, started, logFile);
  };

  const stopProcess = async () => {
    if (!child) return;
    const running = child;
    child = undefined;
    running.kill('SIGTERM');
    await waitForExit(running, 5_000);
  };

  let port = options.port ?? 0;
  try {
    for (let attempt = 1; ; attempt++) {
      if (options.port === undefined) port = await findFreePort();
      writeConfig(port);
      try {
        await launch(port);
        break;
      } catch (error) {
        await stopProcess();
        // The free port may have been taken between the probe and the bind; retry with another one.
        if (options.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    unregister();
    throw error;
  }

  let removed = false;
  return {
    host: HOST,
    port,
    user: upstream.user,
    password: upstream.password,
    database: upstream.database,
    connectionString: `postgres://${upstream.user}:${upstream.password}@${HOST}:${port}/${upstream.database}`,
    log: () => readLog(logFile),
    restart: async (downtimeMs = 0) => {
      await stopProcess();
      if (downtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, downtimeMs));
      await launch(port);
    },
    stop: async () => {
      if (removed) return;
      removed = true;
      await stopProcess();
      rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
}
