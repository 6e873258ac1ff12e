import { Client } from 'pg';
import { startPostgres } from '../packages/local/src/postgres-server';
import { migrationSql } from '../packages/runtime/src/sql/idempotency-sql';
import { benchRecord } from './fixtures/bench-record';

async function main() {
  const pg = await startPostgres({});
  const admin = new Client({ connectionString: pg.connectionString });
  await admin.connect();
  await admin.query('create table if not exists orders(id text primary key, total int, correlation_id text)');
  await admin.end();
  Object.assign(process.env, {
    EDA_ENGINE: 'postgres', EDA_WRITE_HOST: pg.host, EDA_WRITE_PORT: String(pg.port), EDA_DATABASE: pg.database,
    EDA_DB_USER: pg.user, EDA_DB_PASSWORD: pg.password, EDA_AUTH: 'password', EDA_TLS: 'disable', EDA_POOL_MAX: '1',
    EDA_STATEMENT_TIMEOUT_MS: '30000', POWERTOOLS_METRICS_NAMESPACE: 'Bench', POWERTOOLS_LOG_LEVEL: 'INFO',
    BENCH_WRITER_MODE: process.argv[2] ?? 'per-message',
  });
  void migrationSql;
  const log: string[] = [];
  const orig = Client.prototype.query as any;
  (Client.prototype as any).query = function (this: any, ...args: any[]) {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    log.push(String(text).replace(/\s+/g, ' ').slice(0, 110));
    return orig.apply(this, args);
  };
  const impl = process.argv[3] ?? 'library';
  const mod = impl === 'library' ? require('./fixtures/bench-writer') : require('./fixtures/hand-written-writer');
  const ctx = { getRemainingTimeInMillis: () => 30000, awsRequestId: 'x', functionName: 'f' } as any;
  await mod.handler({ Records: [0, 1].map((i) => benchRecord(`w-${i}`, i)) }, ctx);
  log.length = 0;
  await mod.handler({ Records: [2, 3].map((i) => benchRecord(`k-${i}`, i)) }, ctx);
  console.error(log.join('\n'));
  process.exit(0);
}
main();
