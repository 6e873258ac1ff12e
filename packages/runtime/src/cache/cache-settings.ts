import { Environment } from '../config/environment';
import { ConfigurationError } from '../errors';

/** Where the second cache tier is, parsed from the EDA_CACHE_* variables `ReadCache.grantConnect` sets. */
export interface CacheSettings {
  readonly host: string;
  readonly port: number;
  /** TLS to the cache (ElastiCache Serverless accepts nothing else). */
  readonly tls: boolean;
  /** Cluster-mode client (ElastiCache Serverless); false for a single node such as a local redis-server. */
  readonly cluster: boolean;
  /** Per-command timeout: a slow cache must cost a read at most this much before it falls back to the loader. */
  readonly commandTimeoutMs: number;
}

/** The default command timeout: a Valkey GET takes well under a millisecond inside a VPC. */
export const DEFAULT_CACHE_TIMEOUT_MS = 250;

function flag(env: Environment, name: string): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return false;
  if (raw !== 'true' && raw !== 'false') throw new ConfigurationError(name, `must be true or false, got ${raw}`);
  return raw === 'true';
}

/** True when the environment names a cache (EDA_CACHE_HOST is set). */
export function isCacheConfigured(env: Environment = process.env): boolean {
  return (env.EDA_CACHE_HOST?.trim() ?? '') !== '';
}

/** Reads the cache settings; throws ConfigurationError when EDA_CACHE_HOST is missing or a value is invalid. */
export function readCacheSettings(env: Environment = process.env): CacheSettings {
  const host = env.EDA_CACHE_HOST?.trim();
  if (!host) throw new ConfigurationError('EDA_CACHE_HOST', 'is required for the remote cache tier (set by ReadCache.grantConnect)');
  const port = integer(env, 'EDA_CACHE_PORT', 1, 65535, 6379);
  return {
    host,
    port,
    tls: flag(env, 'EDA_CACHE_TLS'),
    cluster: flag(env, 'EDA_CACHE_CLUSTER'),
    commandTimeoutMs: integer(env, 'EDA_CACHE_TIMEOUT_MS', 1, 60_000, DEFAULT_CACHE_TIMEOUT_MS),
  };
}

function integer(env: Environment, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(name, `must be an integer between ${min} and ${max}, got ${raw}`);
  }
  return value;
}
