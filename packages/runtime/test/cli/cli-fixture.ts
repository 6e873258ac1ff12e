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

/** The account section as ConcurrencyBudget writes it: the limit assumed, the unreserved minimum, what the stack reserves. */
export function reportAccount(accountConcurrency: number, reserved: number, unreservedMinimum = 100) {
  const reservable = accountConcurrency - unreservedMinimum;
  return {
    environment: 'aws://111111111111/eu-west-1',
    accountConcurrency,
    unreservedMinimum,
    reservable,
    reserved,
    headroom: reservable - reserved,
    status: reserved > reservable ? 'over' : 'ok',
    functions: [{ path: 'OrdersStack/Reader', reservedConcurrency: reserved }],
  };
}

/**
 * Writes `<stack>.concurrency-budget.json` into a fresh assembly directory (optionally a nested stage
 * assembly); `account: null` leaves the account section out, `accountSettings` adds the app-wide one.
 */
export function assemblyWithReport(
  stack: string, targets: object[], nestedIn?: string, account: object | null = reportAccount(1000, 300), accountSettings?: object,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'eda-cdk-out-'));
  const reportDir = nestedIn ? join(dir, nestedIn) : dir;
  mkdirSync(reportDir, { recursive: true });
  const report = { version: 1, stack, environment: 'aws://111111111111/eu-west-1', targets, writers: [], ...(account ? { account } : {}), ...(accountSettings ? { accountSettings } : {}) };
  writeFileSync(join(reportDir, `${stack}.concurrency-budget.json`), JSON.stringify(report));
  return dir;
}
