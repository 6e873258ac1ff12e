import { Client } from 'pg';
import type { LocalPostgres } from '../../../local/src/postgres-server';

/** The environment contract pointing at a local PostgreSQL (password auth, no TLS: local only). */
export function postgresEnvironment(pg: Pick<LocalPostgres, 'host' | 'port' | 'user' | 'password' | 'database'>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    EDA_ENGINE: 'postgres',
    EDA_WRITE_HOST: pg.host,
    EDA_WRITE_PORT: String(pg.port),
    EDA_READ_HOSTS: pg.host,
    EDA_READ_PORT: String(pg.port),
    EDA_DATABASE: pg.database,
    EDA_DB_USER: pg.user,
    EDA_AUTH: 'password',
    EDA_DB_PASSWORD: pg.password,
    EDA_TLS: 'disable',
    EDA_POOL_MAX: '1',
    EDA_STATEMENT_TIMEOUT_MS: '5000',
    ...extra,
  };
}

/** Runs `fn` on a fresh connection to `connectionString` (e.g. the superuser's), closed afterwards. */
export async function withClient<T>(connectionString: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}
