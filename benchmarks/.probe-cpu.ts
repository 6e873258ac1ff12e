import { Client } from 'pg';
import { startPostgres } from '../packages/local/src/postgres-server';
import { migrationSql } from '../packages/runtime/src/sql/idempotency-sql';
import { benchRecord } from './fixtures/bench-record';

async function main() {
  const pg = await startPostgres({});
  const admin = new Client({ connectionString: pg.connectionString });
  await admin.connect();
  await admin.query('create table if not exists orders(id text not null, total int not null, correlation_id text)');
  await admin.query(migrationSql('postgres'));
  const [impl, mode, batchS, nS, ctxFlag] = process.argv.slice(2);
  const batch = Number(batchS); const n = Number(nS);
  Object.assign(process.env, {
    EDA_ENGINE: 'postgres', EDA_WRITE_HOST: pg.host, EDA_WRITE_PORT: String(pg.port), EDA_DATABASE: pg.database,
    EDA_DB_USER: pg.user, EDA_DB_PASSWORD: pg.password, EDA_AUTH: 'password', EDA_TLS: 'disable', EDA_POOL_MAX: '1',
    POWERTOOLS_METRICS_NAMESPACE: 'Bench', POWERTOOLS_LOG_LEVEL: 'INFO',
    BENCH_WRITER_MODE: impl === 'library' ? (mode === 'batch' ? 'batch-effect' : 'per-message') : mode,
  });
  if (process.env.NO_TIMEOUT !== '1') process.env.EDA_STATEMENT_TIMEOUT_MS = '30000';
  const mod = impl === 'library' ? require('./fixtures/bench-writer') : require('./fixtures/hand-written-writer');
  const ctx = () => { const d = Date.now() + 30000; return ctxFlag === 'noctx' ? undefined : ({ getRemainingTimeInMillis: () => d - Date.now(), awsRequestId: 'x', functionName: 'f' } as any); };
  const ev = (tag: string, from: number, count: number) => ({ Records: Array.from({ length: count }, (_, i) => benchRecord(`${tag}-${from + i}`, from + i)) });
  for (let i = 0; i < 30; i += batch) await mod.handler(ev('warm', i, batch), ctx());
  const events = [] as any[];
  for (let i = 0; i < n; i += batch) events.push(ev('k', i, batch));
  const inspector = require('node:inspector');
  const session = new inspector.Session(); session.connect();
  const post = (m: string, a?: any) => new Promise<any>((res, rej) => session.post(m, a ?? {}, (e: any, r: any) => e ? rej(e) : res(r)));
  if (process.env.PROF) { await post('Profiler.enable'); await post('Profiler.setSamplingInterval', { interval: 100 }); await post('Profiler.start'); }
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (const e of events) { const r = await mod.handler(e, ctx()); if (r.batchItemFailures.length) throw new Error('fail'); }
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  if (process.env.PROF) { const { profile } = await post('Profiler.stop'); require('fs').writeFileSync(process.env.PROF, JSON.stringify(profile)); }
  console.error(`${impl} ${mode} b${batch} n${n} ${process.env.NO_TIMEOUT === '1' ? 'no-timeout' : 'timeout'} ${ctxFlag ?? 'ctx'}: user ${(c.user / n).toFixed(1)} sys ${(c.system / n).toFixed(1)} µs/msg, wall ${(t * 1000 / n).toFixed(1)} µs/msg`);
  await admin.end();
  process.exit(0);
}
main();
