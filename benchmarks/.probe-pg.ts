import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { startPostgres } from '../packages/local/src/postgres-server';
import { migrationSql } from '../packages/runtime/src/sql/idempotency-sql';
async function main() {
  const pg = await startPostgres({ statementTimeoutMs: 30000 });
  const admin = new Client({ connectionString: pg.connectionString }); await admin.connect();
  await admin.query('create table if not exists orders(id text not null, total int not null, correlation_id text)');
  await admin.query(migrationSql('postgres'));
  const env = { ...process.env, NODE_PATH: 'node_modules', EDA_ENGINE: 'postgres', EDA_WRITE_HOST: pg.host, EDA_WRITE_PORT: String(pg.port), EDA_DATABASE: pg.database,
    EDA_DB_USER: pg.user, EDA_DB_PASSWORD: pg.password, EDA_AUTH: 'password', EDA_TLS: 'disable', EDA_POOL_MAX: '1', EDA_STATEMENT_TIMEOUT_MS: '30000',
    POWERTOOLS_METRICS_NAMESPACE: 'Bench', POWERTOOLS_LOG_LEVEL: 'INFO', BENCH_WRITER_MODE: 'per-message' };
  let t = 0;
  for (const cmd of process.argv.slice(2)) {
    const [prefix, impl] = cmd.split(':');
    const args = prefix === 'strace' ? ['strace', '-f', '-c', '-o', `/tmp/probe/strace-${impl}.txt`, 'node', '/tmp/probe/run.js'] : ['node', '/tmp/probe/run.js'];
    spawnSync(args[0], args.slice(1), { env: { ...env, BUNDLE: `${process.cwd()}/.bench/writer-inprocess/${impl}/index.js`, TAG: `t${t++}` }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  await admin.end(); await pg.stop();
}
main();
