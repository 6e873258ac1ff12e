export { cachedRead, invalidate, defaultReadCache, setDefaultReadCache } from './cached-read';
export { TieredCache } from './tiered-cache';
export type { TieredCacheOptions, CacheLockOptions, CacheLoader } from './tiered-cache';
export { readCacheSettings, isCacheConfigured } from './cache-settings';
export type { CacheSettings } from './cache-settings';
export { createValkeyClient } from './valkey-client';
export type { ValkeyClient } from './valkey-client';
export { LruCache } from './lru-cache';
export { SingleFlight } from './single-flight';
