import * as mysql from 'mysql2/promise';
import { postgresEnvironment } from './postgres-env';
import { queryOnce } from '../../../../test/support/postgres-query';
import { LocalMariaDb, MariaDbServerOptions, startMariaDb } from '../../../local/src/mariadb-server';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import type { DatabaseEngine } from '../../src/config/environment';

/** A real database server for the tests that run on every engine. */
export interface EngineUnderTest {
  readonly label: string;
  readonly engine: DatabaseEngine;
  /** The environment contract pointing at it (password auth, no TLS: local only). */
  readonly env: Record<string, string>;
  /** Runs one statement as an administrator (utf8mb4 on MariaDB, whatever the server's character set). */
  admin(sql: string): Promise<Array<Record<string, unknown>>>;
  /** `$n` for PostgreSQL, `?` for MySQL. */
  placeholder(n: number): string;
  stop(): Promise<void>;
}

/**
 * The engines and character sets the idempotency table must be exact on. `mariadb-latin1`: a latin1 server and
 * database, utf8mb4 connections (the server converts to latin1: non-Latin text becomes `?`).
 * `mariadb-latin1-connection`: the same, and the server ignores the client's character set, so every connection
 * is latin1 too (the bytes sent are read as latin1 characters).
 */
export type EngineKind = 'postgres' | 'mariadb-utf8mb4' | 'mariadb-latin1' | 'mariadb-latin1-connection';

/** The environment contract pointing at a local MariaDB. */
export function mariadbEnvironment(db: Pick<LocalMariaDb, 'host' | 'port' | 'user' | 'password' | 'database'>): Record<string, string> {
  return {
    EDA_ENGINE: 'mysql',
    EDA_WRITE_HOST: db.host,
    EDA_WRITE_PORT: String(db.port),
    EDA_READ_HOSTS: db.host,
    EDA_READ_PORT: String(db.port),
    EDA_DATABASE: db.database,
    EDA_DB_USER: db.user,
    EDA_AUTH: 'password',
    EDA_DB_PASSWORD: db.password,
    EDA_TLS: 'disable',
    EDA_POOL_MAX: '1',
    EDA_STATEMENT_TIMEOUT_MS: '5000',
  };
}

async function mariadb(kind: EngineKind, options: MariaDbServerOptions): Promise<EngineUnderTest> {
  const db = await startMariaDb(options);
  const admin = await mysql.createConnection({ socketPath: db.socketPath, user: 'root', database: db.database });
  // The latin1 server ignores the handshake's character set: name it explicitly for the administrator.
  await admin.query('SET NAMES utf8mb4');
  return {
    label: kind,
    engine: 'mysql',
    env: mariadbEnvironment(db),
    admin: async (sql) => (await admin.query(sql))[0] as Array<Record<string, unknown>>,
    placeholder: () => '?',
    stop: async () => {
      await admin.end().catch(() => undefined);
      await db.stop();
    },
  };
}

async function postgres(): Promise<EngineUnderTest> {
  const pg: LocalPostgres = await startPostgres();
  return {
    label: 'postgres',
    engine: 'postgres',
    env: postgresEnvironment(pg),
    admin: async (sql) => (await queryOnce(pg.connectionString, sql)).rows,
    placeholder: (n) => `$${n}`,
    stop: () => pg.stop(),
  };
}

/** Starts one engine ({@link EngineKind}). */
export function startEngine(kind: EngineKind): Promise<EngineUnderTest> {
  if (kind === 'postgres') return postgres();
  if (kind === 'mariadb-utf8mb4') return mariadb(kind, { characterSet: 'utf8mb4' });
  return mariadb(kind, { characterSet: 'latin1', ignoreClientCharacterSet: kind === 'mariadb-latin1-connection' });
}
