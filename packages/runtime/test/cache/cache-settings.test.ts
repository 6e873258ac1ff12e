import { isCacheConfigured, readCacheSettings } from '../../src/cache';

describe('readCacheSettings', () => {
  test('reads the variables ReadCache.grantConnect sets', () => {
    expect(readCacheSettings({
      EDA_CACHE_HOST: 'orders-abc.serverless.euw1.cache.amazonaws.com',
      EDA_CACHE_PORT: '6379',
      EDA_CACHE_TLS: 'true',
      EDA_CACHE_CLUSTER: 'true',
    })).toEqual({ host: 'orders-abc.serverless.euw1.cache.amazonaws.com', port: 6379, tls: true, cluster: true, commandTimeoutMs: 250 });
  });

  test('defaults to port 6379, no TLS, a single node and a 250 ms timeout', () => {
    expect(readCacheSettings({ EDA_CACHE_HOST: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 6379, tls: false, cluster: false, commandTimeoutMs: 250 });
  });

  test('reads the command timeout', () => {
    expect(readCacheSettings({ EDA_CACHE_HOST: 'h', EDA_CACHE_TIMEOUT_MS: '100' }).commandTimeoutMs).toBe(100);
  });

  test('a missing host is a configuration error', () => {
    expect(() => readCacheSettings({})).toThrow('EDA_CACHE_HOST is required for the remote cache tier (set by ReadCache.grantConnect)');
  });

  test('a port out of range is a configuration error', () => {
    expect(() => readCacheSettings({ EDA_CACHE_HOST: 'h', EDA_CACHE_PORT: '70000' })).toThrow('EDA_CACHE_PORT must be an integer between 1 and 65535, got 70000');
  });

  test('a TLS flag other than true or false is a configuration error', () => {
    expect(() => readCacheSettings({ EDA_CACHE_HOST: 'h', EDA_CACHE_TLS: 'yes' })).toThrow('EDA_CACHE_TLS must be true or false, got yes');
  });

  test('isCacheConfigured is true only with a host', () => {
    expect(isCacheConfigured({ EDA_CACHE_HOST: 'h' })).toBe(true);
    expect(isCacheConfigured({ EDA_CACHE_HOST: ' ' })).toBe(false);
    expect(isCacheConfigured({})).toBe(false);
  });
});
