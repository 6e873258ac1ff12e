import { isCacheConfigured, readCacheSettings } from './cache-settings';
import { CacheLoader, TieredCache } from './tiered-cache';
import { createValkeyClient } from './valkey-client';

/*
 * The process-wide read cache behind `cachedRead` and `invalidate`. It is created on first use from the
 * environment: with EDA_CACHE_HOST (set by `ReadCache.grantConnect`) it has both tiers, without it only
 * the in-process tier, so the same handler runs with and without a deployed cache.
 */
let defaultCache: TieredCache | undefined;

/** The process-wide cache, created from the environment on first use. */
export function defaultReadCache(): TieredCache {
  if (!defaultCache) {
    defaultCache = new TieredCache({ remote: isCacheConfigured() ? createValkeyClient(readCacheSettings()) : undefined });
  }
  return defaultCache;
}

/** Replaces the process-wide cache (custom options, tests); `undefined` recreates it from the environment on next use. */
export function setDefaultReadCache(cache: TieredCache | undefined): void {
  defaultCache = cache;
}

/**
 * The value of `key` from the in-process tier, else Valkey, else `loader` (stored in both for
 * `ttlSeconds`). Concurrent misses for one key call the loader once per process.
 */
export function cachedRead<T>(key: string, ttlSeconds: number, loader: CacheLoader<T>): Promise<T> {
  return defaultReadCache().cachedRead(key, ttlSeconds, loader);
}

/** Removes `keys` from both tiers; call it from sqlWriter's `afterCommit` hook, once the write has committed. */
export function invalidate(keys: string | readonly string[]): Promise<void> {
  return defaultReadCache().invalidate(keys);
}
