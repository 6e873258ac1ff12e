import { Client } from 'pg';

/** Options of {@link runConnectionStorm}. */
export interface ConnectionStormOptions {
  /** Where every simulated execution environment connects (direct to Postgres, or through the pool). */
  readonly connectionString: string;
  /** Simultaneous execution environments, each with its own connection (a pool of 1). @default 1000 */
  readonly clients?: number;
  /** Duration of the query each one runs (`select pg_sleep(…)`). @default 0.05 */
  readonly querySeconds?: number;
  /** Per-client bound on connect and on the query, so a storm always ends. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Each environment keeps its connection open after its read until every environment has tried to connect, as a
   * warm Lambda execution environment keeps its connection between invocations. This makes the storm's verdict
   * independent of how fast the machine is: without it, on a slow or busy machine the postmaster forks backends
   * more slowly than the clients finish, fewer than max_connections are ever open at once, and Postgres refuses
   * no one (CI saw exactly that: 0 × 53300). With it, at most max_connections environments ever connect.
   * @default true
   */
  readonly holdUntilAllConnected?: boolean;
}

/** What a storm did: failures by SQLSTATE (or Node error code) and the latency of every client's round. */
export interface ConnectionStormResult {
  readonly clients: number;
  readonly failures: number;
  /** Failure count per {@link stormFailureCode}: SQLSTATE (e.g. `53300` too_many_connections), Node error code (e.g. `ECONNRESET`), or a named class. */
  readonly failuresByCode: Record<string, number>;
  /** One sample failure message per code, for diagnosis. */
  readonly sampleMessages: Record<string, string>;
  /** connect → query, in ms, over successful clients. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Wall-clock duration of the whole storm. */
  readonly elapsedMs: number;
}

/**
 * The class of a failed storm client: the SQLSTATE or Node error code when there is one; node-postgres gives
 * none when the server closes the socket before it could read an answer ("Connection terminated unexpectedly",
 * what an overloaded postmaster's refusal looks like when the client was still writing its startup packet),
 * nor for its own connect timeout. Anything else stays `UNCLASSIFIED`, so that a test can refuse it.
 */
export function stormFailureCode(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && code.length > 0) return code;
  const text = typeof message === 'string' ? message : String(error);
  if (/Connection terminated unexpectedly/i.test(text)) return 'CONNECTION_TERMINATED';
  if (/timeout expired|Query read timeout|timed out/i.test(text)) return 'CLIENT_TIMEOUT';
  return 'UNCLASSIFIED';
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil((p / 100) * sortedAscending.length) - 1));
  return sortedAscending[rank];
}

/**
 * Reproduces a deploy or traffic spike: `clients` execution environments start at once and each opens its own
 * connection and runs one short read, then (by default) keeps the connection while the others arrive. Direct to
 * Postgres most are refused with SQLSTATE 53300 (too_many_connections); through a transaction-mode pool they queue
 * for a server connection instead.
 */
export async function runConnectionStorm(options: ConnectionStormOptions): Promise<ConnectionStormResult> {
  const clients = options.clients ?? 1000;
  const querySeconds = options.querySeconds ?? 0.05;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const hold = options.holdUntilAllConnected ?? true;
  const latencies: number[] = [];
  const failuresByCode: Record<string, number> = {};
  const sampleMessages: Record<string, string> = {};

  // Resolves once every environment's connect-and-read has succeeded or failed.
  let unsettled = clients;
  let releaseAll: () => void = () => undefined;
  const allSettled = new Promise<void>((resolve) => { releaseAll = resolve; });
  const settle = () => {
    unsettled -= 1;
    if (unsettled === 0) releaseAll();
  };

  const oneEnvironment = async () => {
    const started = performance.now();
    const client = new Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    // A server that drops the connection after the error would otherwise surface as an unhandled 'error' event.
    client.on('error', () => undefined);
    let connected = false;
    try {
      await client.connect();
      await client.query('select pg_sleep($1)', [querySeconds]);
      latencies.push(performance.now() - started);
      connected = true;
    } catch (error) {
      const key = stormFailureCode(error);
      failuresByCode[key] = (failuresByCode[key] ?? 0) + 1;
      sampleMessages[key] ??= (error as { message?: string })?.message ?? String(error);
    } finally {
      settle();
    }
    try {
      if (connected && hold) await allSettled;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const stormStarted = performance.now();
  await Promise.all(Array.from({ length: clients }, oneEnvironment));
  const elapsedMs = performance.now() - stormStarted;
  latencies.sort((a, b) => a - b);
  return {
    clients,
    failures: Object.values(failuresByCode).reduce((sum, count) => sum + count, 0),
    failuresByCode,
    sampleMessages,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length > 0 ? latencies[latencies.length - 1] : Number.NaN,
    elapsedMs,
  };
}
