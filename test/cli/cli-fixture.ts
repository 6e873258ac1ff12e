import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

/** Runs `eda` with fake credentials and a region unless overridden; captures its output. */
export async function eda(argv: string[], deps: { env?: Record<string, string | undefined>; credentials?: () => Promise<any> } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env: deps.env ?? { AWS_REGION: 'eu-west-1' },
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    credentials: deps.credentials ?? (async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' })),
  });
  return { code, stdout, stderr };
}

/** A budget report target as ConcurrencyBudget writes it. */
export function reportTarget(pattern: string, role: 'writer' | 'read-only', percent: number, capacity: number, demand: number) {
  return {
    name: `${pattern}/Proxy (${role === 'writer' ? 'writer' : 'read-only endpoint'})`,
    kind: role === 'writer' ? 'proxy-writer' : 'proxy-read-only',
    capacity,
    capacityExplanation: `floor(maxConnectionsPercent ${percent}% × writer max_connections ${Math.round(capacity * 100 / percent)}) = ${capacity}; writer max_connections: test`,
    demand,
    headroom: capacity - demand,
    utilisationPercent: Math.round(demand * 100 / capacity),
    status: demand > capacity ? 'over' : demand > 0.8 * capacity ? 'warning' : 'ok',
    consumers: [],
  };
}

/** Writes `<stack>.concurrency-budget.json` into a fresh assembly directory (optionally a nested stage assembly). */
export function assemblyWithReport(stack: string, targets: object[], nestedIn?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'eda-cdk-out-'));
  const reportDir = nestedIn ? join(dir, nestedIn) : dir;
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(join(reportDir, `${stack}.concurrency-budget.json`), JSON.stringify({ version: 1, stack, environment: 'unknown', targets, writers: [] }));
  return dir;
}
