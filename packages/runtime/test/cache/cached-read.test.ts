import { Redis } from 'ioredis';
import { closeClients, RedisServer, startRedisServer } from './redis-server';
import { cachedRead, defaultReadCache, invalidate, setDefaultReadCache } from '../../src/cache';

/* The process-wide cachedRead / invalidate, configured from the environment like in Lambda. */
let server: RedisServer;
let admin: Redis;
const saved = { ...process.env };

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port });
});

afterEach(async () => {
  // Restore first: a test that broke the variables left no cache, and this creates a local-only one.
  process.env = { ...saved };
  await defaultReadCache().close();
  setDefaultReadCache(undefined);
});

afterAll(async () => {
  await closeClients([admin]);
  await server.stop();
});

describe('cachedRead and invalidate', () => {
  test('use Valkey when EDA_CACHE_HOST is set', async () => {
    process.env.EDA_CACHE_HOST = '127.0.0.1';
    process.env.EDA_CACHE_PORT = String(server.port);
    process.env.EDA_CACHE_TLS = 'false';

    const value = await cachedRead('customer:42', 30, async () => ({ name: 'Ada' }));

    expect(value).toEqual({ name: 'Ada' });
    expect(await admin.get('eda:{customer:42}')).toBe('{"name":"Ada"}');
    await invalidate('customer:42');
    expect(await admin.get('eda:{customer:42}')).toBeNull();
  });

  test('keep an in-process cache only when EDA_CACHE_HOST is not set', async () => {
    delete process.env.EDA_CACHE_HOST;
    const loader = jest.fn(async () => 1);

    await cachedRead('local-only', 30, loader);
    await cachedRead('local-only', 30, loader);

    expect(loader).toHaveBeenCalledTimes(1);
    expect(await admin.exists('eda:{local-only}')).toBe(0);
  });

  test('an invalid cache variable fails the first read with a configuration error', async () => {
    process.env.EDA_CACHE_HOST = '127.0.0.1';
    process.env.EDA_CACHE_PORT = 'not-a-port';

    await expect(async () => cachedRead('k', 30, async () => 1)).rejects.toThrow('EDA_CACHE_PORT must be an integer between 1 and 65535, got not-a-port');
  });
});
