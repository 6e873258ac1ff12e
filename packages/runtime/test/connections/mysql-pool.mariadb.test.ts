import { ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as mysql from 'mysql2/promise';
import { findFreePort } from '../../../local/src/free-port';
import { asServiceUser, makeServiceDir, run } from '../../../local/src/system-command';
import { readConnectionSettings } from '../../src/config/environment';
import { createMysqlPool } from '../../src/connections/mysql-pool';
import type { SqlExecutor, SqlPool } from '../../src/connections/sql-pool';
import { classifyError } from '../../src/resilience/error-classification';

// The MySQL pool against a real MariaDB (Debian's mariadb-server, the closest MySQL here): a connection lost
// mid-transaction, a COMMIT on a dead connection, the transaction deadline (EDA-11 #4/#5 for the MySQL engine).
const MARIADBD = '/usr/sbin/mariadbd';
let dir: string;
let server: ChildProcess | undefined;
let port: number;
let pool: SqlPool;

async function admin<T>(fn: (db: mysql.Connection) => Promise<T>): Promise<T> {
  const db = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '' });
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

async function waitForServer(): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await admin((db) => db.query('select 1'));
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('mariadbd did not accept connections within 30 s');
}

beforeAll(async () => {
  dir = makeServiceDir('eda-mariadb-');
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db'], 120_000);
  port = await findFreePort();
  const command = asServiceUser(MARIADBD, ['--no-defaults', `--datadir=${join(dir, 'data')}`, `--port=${port}`, '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysql.sock')}`, `--pid-file=${join(dir, 'mariadb.pid')}`, `--log-error=${join(dir, 'error.log')}`]);
  server = spawn(command.command, command.args, { stdio: 'ignore' });
  await waitForServer();
  await admin(async (db) => {
    await db.query("create user app@'%' identified by 'pw'");
    await db.query('create database app');
    await db.query("grant all on app.* to app@'%'");
    await db.query('create table app.items (id int primary key)');
  });
  const settings = readConnectionSettings('writer', {
    EDA_ENGINE: 'mysql',
    EDA_WRITE_HOST: '127.0.0.1',
    EDA_WRITE_PORT: String(port),
    EDA_DATABASE: 'app',
    EDA_DB_USER: 'app',
    EDA_AUTH: 'password',
    EDA_DB_PASSWORD: 'pw',
    EDA_TLS: 'disable',
    EDA_POOL_MAX: '1',
    EDA_STATEMENT_TIMEOUT_MS: '5000',
  });
  pool = createMysqlPool({ settings, host: '127.0.0.1', credentials: { password: async () => 'pw', invalidate: () => undefined } });
}, 180_000);

afterAll(async () => {
  await pool?.end().catch(() => undefined);
  server?.kill('SIGTERM');
  if (server && server.exitCode === null) await new Promise((resolve) => server!.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Kills connection `id` from another session (as a failover or a proxy restart would drop it). */
const kill = (id: number) => admin((db) => db.query(`kill connection ${Number(id)}`));
/** The server drops the transaction's own connection; returns once the client has seen it. */
async function dropConnection(tx: SqlExecutor): Promise<void> {
  const { rows } = await tx.query<{ id: number }>('select connection_id() as id');
  await kill(rows[0].id);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const count = () => admin(async (db) => ((await db.query('select count(*) as n from app.items'))[0] as Array<{ n: number }>)[0].n);

test('EDA-11 #4 (MySQL): a connection killed between two statements rejects the next one as a connection failure, no crash, nothing written', async () => {
  const error = await pool.transaction(async (tx) => {
    await tx.query('insert into items values (1)');
    await dropConnection(tx);
    await tx.query('insert into items values (2)');
  }).catch((e: unknown) => e);
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', connectionFailure: true });
  expect(await count()).toBe(0);
  // AND the dead connection left the pool
  await expect(pool.transaction((tx) => tx.query('select 1 as one'))).resolves.toMatchObject({ rows: [{ one: 1 }] });
});

test('EDA-11 #1 (MySQL): a COMMIT on a connection lost after the last statement rejects; success is never reported', async () => {
  const error = await pool.transaction(async (tx) => {
    await tx.query('insert into items values (3)');
    await dropConnection(tx);
  }).catch((e: unknown) => e);
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', connectionFailure: true });
  expect(await count()).toBe(0);
});

test('EDA-11 #5 (MySQL): no statement outlives the transaction deadline, and the client deadline counts toward the breaker', async () => {
  const error = await pool.transaction((tx) => tx.query('select sleep(30)'), { deadline: Date.now() + 300 }).catch((e: unknown) => e);
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', code: 'PROTOCOL_SEQUENCE_TIMEOUT', connectionFailure: true });
  await expect(pool.transaction((tx) => tx.query('select 1 as one'))).resolves.toMatchObject({ rows: [{ one: 1 }] });
}, 30_000);
