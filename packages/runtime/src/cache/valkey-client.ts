import { Cluster, Redis } from 'ioredis';
import { CacheSettings } from './cache-settings';

/** The Valkey/Redis client of the second tier: a single node or a cluster (ElastiCache Serverless). */
export type ValkeyClient = Redis | Cluster;

/**
 * Creates the client for `settings`. Both kinds queue commands while (re)connecting and fail each one
 * after `commandTimeoutMs`, so a cold start waits for the TLS handshake but an unreachable cache costs
 * a read no more than the timeout; `cachedRead` then falls back to the loader.
 */
export function createValkeyClient(settings: CacheSettings): ValkeyClient {
  const common = {
    connectTimeout: Math.max(1000, settings.commandTimeoutMs),
    commandTimeout: settings.commandTimeoutMs,
    // One retry on a broken connection, then the command fails and the read falls back to the loader.
    maxRetriesPerRequest: 1,
    tls: settings.tls ? {} : undefined,
  };
  const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2000);
  if (!settings.cluster) {
    return new Redis({ ...common, host: settings.host, port: settings.port, retryStrategy });
  }
  return new Cluster([{ host: settings.host, port: settings.port }], {
    // With TLS the certificate names the endpoint, not the IP addresses that CLUSTER SLOTS returns:
    // connect by the name we were given (https://github.com/redis/ioredis#special-note-aws-elasticache-clusters-with-tls).
    dnsLookup: (address, callback) => callback(null, address),
    clusterRetryStrategy: retryStrategy,
    slotsRefreshTimeout: Math.max(1000, settings.commandTimeoutMs),
    redisOptions: common,
  });
}
