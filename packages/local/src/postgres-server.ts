import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userSetupSql } from '@cdk-elastic-data-access/runtime';
import { Client } from 'pg';
import { registerExitCleanup } from './exit-cleanup';
import { findFreePort } from './free-port';
import { checkIdentifier } from './sql-identifier';
import { discardService, makeServiceDir, POSTGRES_BIN, requireSystemBinary, run, runSync } from './system-command';

/** Options of {@link startPostgres}. */
export interface PostgresServerOptions {
  /** Server `max_connections`; 3 of them are reserved for superusers, so the app role gets 3 fewer. @default 100 */
  readonly maxConnections?: number;
  /** TCP port on 127.0.0.1. @default a free port chosen by the kernel */
  readonly port?: number;
  /** Non-superuser login role the application connects as. @default 'app_user' */
  readonly user?: string;
  /** Database owned by `user`. @default 'app' */
  readonly database?: string;
  /**
   * `statement_timeout` default of `user` (userSetupSql, as a deployment sets it up), so statements past it are
   * cancelled by the server (57014) as in AWS. @default none (no server-side statement timeout)
   */
  readonly statementTimeoutMs?: number;
}

/** A throwaway PostgreSQL cluster on 127.0.0.1. */
export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  /** Non-superuser role (like an application role on RDS, which never gets the reserved superuser slots). */
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgres://user:password@127.0.0.1:port/database` for the app role. */
  readonly connectionString: string;
  /** Same cluster as the superuser `postgres` (test set-up and inspection only). */
  readonly superuserConnectionString: string;
  /** Data directory (under the OS temp dir; removed by `stop()`). */
  readonly dataDir: string;
  /** Stops the server (fast shutdown) and deletes the cluster. Idempotent. */
  stop(): Promise<void>;
  /** Fast restart (every open connection is terminated, data is kept), with `downtimeMs` between stop and start. */
  restart(downtimeMs?: number): Promise<void>;
  /** Stops the server but keeps the cluster, e.g. to prove that clients fail fast while the database is down. */
  stopServer(): Promise<void>;
  /** Starts a server stopped by `stopServer()`. */
  startServer(): Promise<void>;
}

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
const PORT_ATTEMPTS = 3;

function url(user: string, password: string, port: number, database: string): string {
  return `postgres://${user}:${password}@${HOST}:${port}/${database}`;
}

/**
 * Starts a throwaway PostgreSQL 15 cluster: initdb into a temp dir, listen on 127.0.0.1 only, an app role with
 * a password (SCRAM) and its own database. The cluster is stopped and deleted on `stop()` and, as a last resort,
 * when the Node process exits. PostgreSQL refuses to run as root, so as root it runs as the OS user `postgres`.
 */
export async function startPostgres(options: PostgresServerOptions = {}): Promise<LocalPostgres> {
  requireSystemBinary(join(POSTGRES_BIN, 'postgres'), 'postgresql-15', 'EDA_PG_BIN');
  const maxConnections = options.maxConnections ?? 100;
  const user = checkIdentifier('user', options.user ?? 'app_user');
  const database = checkIdentifier('database', options.database ?? 'app');
  const password = randomBytes(12).toString('hex');
  const superPassword = randomBytes(12).toString('hex');

  const dir = makeServiceDir('eda-postgres-');
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const pwFile = join(dir, 'superuser.pw');
  const { uid, gid } = statSync(dir);

  let running = false;
  let removed = false;
  const unregister = registerExitCleanup(() => {
    if (running) runSync(join(POSTGRES_BIN, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
    rmSync(dir, { recursive: true, force: true });
  });

  const pgCtl = (args: string[]) => run(join(POSTGRES_BIN, 'pg_ctl'), ['-D', dataDir, '-l', logFile, ...args]);
  const startServer = async () => {
    await pgCtl(['start', '-w', '-t', '30']);
    running = true;
  };
  const stopServer = async () => {
    if (!running) return;
    await pgCtl(['stop', '-m', 'fast', '-w', '-t', '30']);
    running = false;
  };

  let port = options.port ?? 0;
  try {
    writeFileSync(pwFile, `${superPassword}\n`, { mode: 0o600 });
    chownSync(pwFile, uid, gid);
    // --no-sync only skips initdb's final fsync of a cluster that is thrown away anyway; the server runs with fsync on.
    await run(join(POSTGRES_BIN, 'initdb'), [
      '-D', dataDir, '-U', SUPERUSER, '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256',
      '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
    rmSync(pwFile, { force: true });

    // Appended settings win over earlier ones; the port is re-appended if a retry is needed.
    appendFileSync(join(dataDir, 'postgresql.conf'), [
      '',
      '# cdk-elastic-data-access local stack',
      `listen_addresses = '${HOST}'`,
      `max_connections = ${maxConnections}`,
      `unix_socket_directories = '${dir}'`,
      '',
    ].join('\n'));

    for (let attempt = 1; ; attempt++) {
      if (options.port === undefined) port = await findFreePort();
      appendFileSync(join(dataDir, 'postgresql.conf'), `port = ${port}\n`);
      try {
        await startServer();
        break;
      } catch (error) {
        // Another process may grab the free port between the probe and the bind; try a new one.
        if (options.port !== undefined || attempt >= PORT_ATTEMPTS) throw error;
      }
    }

    const admin = new Client({ connectionString: url(SUPERUSER, superPassword, port, 'postgres') });
    await admin.connect();
    try {
      await admin.query(`create role ${user} login password '${password}'`);
      await admin.query(`create database ${database} owner ${user}`);
      if (options.statementTimeoutMs !== undefined) {
        for (const statement of userSetupSql('postgres', user, options.statementTimeoutMs)) await admin.query(statement);
      }
    } finally {
      await admin.end();
    }
  } catch (error) {
    await discardService(stopServer, dir, unregister);
    throw error;
  }

  return {
    host: HOST,
    port,
    user,
    password,
    database,
    dataDir,
    connectionString: url(user, password, port, database),
    superuserConnectionString: url(SUPERUSER, superPassword, port, database),
    stopServer,
    startServer,
    restart: async (downtimeMs = 0) => {
      if (downtimeMs > 0) {
        await stopServer();
        await new Promise((resolve) => setTimeout(resolve, downtimeMs));
        await startServer();
        return;
      }
      await pgCtl(['restart', '-m', 'fast', '-w', '-t', '30']);
      running = true;
    },
    stop: async () => {
      if (removed) return;
      await stopServer().catch(() => {
        runSync(join(POSTGRES_BIN, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
        running = false;
      });
      rmSync(dir, { recursive: true, force: true });
      removed = true;
      unregister();
    },
  };
}
