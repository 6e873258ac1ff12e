/**
 * Connection storm, direct vs pooled: 1,000 simultaneous execution environments, each with its own connection,
 * doing connect → `select pg_sleep(0.05)` → end, against Postgres (max_connections 100) and through PgBouncer
 * (pool 20, transaction mode). Runs alternate direct/pooled RUNS times (timings on a shared 2-core machine swing:
 * compare medians).
 *
 *   npm run bench:storm            (RUNS=3 CLIENTS=1000 by default)
 */
import { ConnectionStormResult, runConnectionStorm } from '../packages/local/src/connection-storm';
import { startPgBouncer } from '../packages/local/src/pgbouncer';
import { startPostgres } from '../packages/local/src/postgres-server';

const RUNS = Number(process.env.RUNS ?? 3);
const CLIENTS = Number(process.env.CLIENTS ?? 1000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms: number) => (Number.isNaN(ms) ? '–' : `${Math.round(ms)} ms`);

async function main(): Promise<void> {
  const postgres = await startPostgres({ maxConnections: 100 });
  const pgbouncer = await startPgBouncer(postgres, { poolSize: 20 });
  const results: Record<'direct' | 'pooled', ConnectionStormResult[]> = { direct: [], pooled: [] };
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const target of ['direct', 'pooled'] as const) {
        const connectionString = target === 'direct' ? postgres.connectionString : pgbouncer.connectionString;
        const result = await runConnectionStorm({ connectionString, clients: CLIENTS, timeoutMs: 60_000 });
        results[target].push(result);
        console.log(`run ${run} ${target}: failures ${result.failures} ${JSON.stringify(result.failuresByCode)}, `
          + `p50 ${fmt(result.p50Ms)}, p99 ${fmt(result.p99Ms)}, wall ${fmt(result.elapsedMs)}`);
        // Let closed backends exit before the next storm.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    await pgbouncer.stop();
    await postgres.stop();
  }
  console.log(`\n| target (${CLIENTS} clients, ${RUNS} runs) | failures (min–max) | failure codes | p50 (median) | p99 (median) | wall (median) |`);
  console.log('|---|---|---|---|---|---|');
  for (const target of ['direct', 'pooled'] as const) {
    const runs = results[target];
    const failures = runs.map((r) => r.failures);
    const codes = [...new Set(runs.flatMap((r) => Object.keys(r.failuresByCode)))].join(', ') || '–';
    const label = target === 'direct' ? 'direct to Postgres (max_connections 100)' : 'PgBouncer (pool 20, transaction mode)';
    console.log(`| ${label} | ${Math.min(...failures)}–${Math.max(...failures)} | ${codes} | ${fmt(median(runs.map((r) => r.p50Ms)))} `
      + `| ${fmt(median(runs.map((r) => r.p99Ms)))} | ${fmt(median(runs.map((r) => r.elapsedMs)))} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
