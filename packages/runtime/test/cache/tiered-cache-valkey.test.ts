import { Redis } from 'ioredis';
import { closeClients, startRedisServer, RedisServer } from './redis-server';
import { createValkeyClient, TieredCache, ValkeyClient } from '../../src/cache';

/*
 * The remote tier against a real redis-server (Debian package) on 127.0.0.1. Two TieredCache
 * instances with their own clients stand for two Lambda execution environments.
 */
let server: RedisServer;
let admin: Redis;
const clients: ValkeyClient[] = [];

function client(): ValkeyClient {
  const c = createValkeyClient({ host: '127.0.0.1', port: server.port, tls: false, cluster: false, commandTimeoutMs: 1000 });
  clients.push(c);
  return c;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => { resolve = res; });
  return { promise, resolve };
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port });
});

afterAll(async () => {
  await closeClients([...clients.splice(0), admin]);
  await server.stop();
});

beforeEach(async () => {
  await admin.flushall();
});

describe('TieredCache with a Valkey tier', () => {
  test('a value loaded in one process is read from Valkey by another without calling its loader', async () => {
    const first = new TieredCache({ remote: client() });
    const second = new TieredCache({ remote: client() });
    const loader = jest.fn(async () => ({ id: 7, total: 12.5 }));

    await first.cachedRead('order:7', 60, loader);
    const fromRemote = await second.cachedRead('order:7', 60, loader);

    expect(fromRemote).toEqual({ id: 7, total: 12.5 });
    expect(loader).toHaveBeenCalledTimes(1);
  });

  test('stores the value as JSON under the prefixed key with the TTL', async () => {
    const cache = new TieredCache({ remote: client(), keyPrefix: 'orders:' });

    await cache.cachedRead('order:7', 60, async () => ({ id: 7 }));

    expect(await admin.get('orders:{order:7}')).toBe('{"id":7}');
    const ttl = await admin.pttl('orders:{order:7}');
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  test('invalidate removes the value from Valkey and from the local tier', async () => {
    const writer = new TieredCache({ remote: client() });
    const reader = new TieredCache({ remote: client() });
    let total = 10;
    const loader = jest.fn(async () => total);
    await writer.cachedRead('order:1', 60, loader);

    total = 20;
    await writer.invalidate('order:1');

    expect(await admin.exists('eda:{order:1}')).toBe(0);
    expect(await writer.cachedRead('order:1', 60, loader)).toBe(20);
    expect(await reader.cachedRead('order:1', 60, loader)).toBe(20);
  });

  test('invalidate removes several keys', async () => {
    const cache = new TieredCache({ remote: client() });
    await cache.cachedRead('a', 60, async () => 1);
    await cache.cachedRead('b', 60, async () => 2);

    await cache.invalidate(['a', 'b']);

    expect(await admin.exists('eda:{a}', 'eda:{b}')).toBe(0);
  });

  test('a load that began before an invalidation in another process does not store its stale value', async () => {
    const reader = new TieredCache({ remote: client() });
    const writer = new TieredCache({ remote: client() });
    const stale = deferred<string>();

    const read = reader.cachedRead('order:1', 60, () => stale.promise);
    // Let the reader observe the (missing) value and version before the writer invalidates.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writer.invalidate('order:1');
    stale.resolve('stale');

    expect(await read).toBe('stale');
    expect(await admin.get('eda:{order:1}')).toBeNull();
    expect(await writer.cachedRead('order:1', 60, async () => 'fresh')).toBe('fresh');
    expect(await admin.get('eda:{order:1}')).toBe('"fresh"');
  });

  test('without a lock, concurrent cold reads in two processes each call their loader once', async () => {
    const a = new TieredCache({ remote: client() });
    const b = new TieredCache({ remote: client() });
    const gate = deferred<string>();
    const loaderA = jest.fn(() => gate.promise);
    const loaderB = jest.fn(() => gate.promise);

    const reads = [...Array(20)].flatMap(() => [a.cachedRead('hot', 60, loaderA), b.cachedRead('hot', 60, loaderB)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.resolve('v');
    await Promise.all(reads);

    expect(loaderA).toHaveBeenCalledTimes(1);
    expect(loaderB).toHaveBeenCalledTimes(1);
  });

  test('with a lock, concurrent cold reads in three processes call one loader in total', async () => {
    const caches = [0, 1, 2].map(() => new TieredCache({ remote: client(), lock: { ttlMs: 5000, waitMs: 3000, pollMs: 20 } }));
    const loader = jest.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 'v';
    });

    const reads = caches.flatMap((cache) => [...Array(10)].map(() => cache.cachedRead('hot', 60, loader)));

    expect(await Promise.all(reads)).toEqual(Array(30).fill('v'));
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await admin.exists('eda:{hot}:l')).toBe(0);
  });

  test('with a lock, a process loads itself when the holder does not store a value within the wait', async () => {
    const cache = new TieredCache({ remote: client(), lock: { waitMs: 200, pollMs: 20 } });
    await admin.set('eda:{k}:l', 'someone-else', 'PX', 10_000);
    const loader = jest.fn(async () => 'v');

    expect(await cache.cachedRead('k', 60, loader)).toBe('v');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await admin.get('eda:{k}:l')).toBe('someone-else');
  });
});

describe('TieredCache when Valkey is unreachable', () => {
  test('reads fall back to the loader and report the remote error', async () => {
    const down = await startRedisServer();
    const remote = createValkeyClient({ host: '127.0.0.1', port: down.port, tls: false, cluster: false, commandTimeoutMs: 200 });
    clients.push(remote);
    await down.stop();
    const errors: string[] = [];
    const cache = new TieredCache({ remote, onRemoteError: (_error, operation) => errors.push(operation) });

    const started = Date.now();
    const value = await cache.cachedRead('k', 60, async () => 'from-database');

    expect(value).toBe('from-database');
    expect(errors).toContain('read');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('invalidate rejects so the writer knows the remote value may be stale', async () => {
    const down = await startRedisServer();
    const remote = createValkeyClient({ host: '127.0.0.1', port: down.port, tls: false, cluster: false, commandTimeoutMs: 200 });
    clients.push(remote);
    await down.stop();
    const cache = new TieredCache({ remote, onRemoteError: () => undefined });

    await expect(cache.invalidate('k')).rejects.toThrow();
  });
});

describe('TieredCache with a cluster-mode Valkey tier', () => {
  let cluster: RedisServer;

  beforeAll(async () => {
    cluster = await startRedisServer({ cluster: true });
  });

  afterAll(async () => {
    await closeClients(clients.splice(0));
    await cluster.stop();
  });

  test('reads, stores and invalidates through a cluster client (value, version and lock keys share a slot)', async () => {
    const remote = createValkeyClient({ host: '127.0.0.1', port: cluster.port, tls: false, cluster: true, commandTimeoutMs: 2000 });
    clients.push(remote);
    const errors: unknown[] = [];
    const cache = new TieredCache({ remote, lock: {}, onRemoteError: (error) => errors.push(error) });
    const other = new TieredCache({ remote });
    const loader = jest.fn(async () => ({ sku: 'A-1' }));

    await cache.cachedRead('product:A-1', 60, loader);
    expect(await other.cachedRead('product:A-1', 60, loader)).toEqual({ sku: 'A-1' });
    await cache.invalidate(['product:A-1', 'product:B-2']);
    await cache.cachedRead('product:A-1', 60, loader);

    expect(loader).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([]);
  });
});

describe('TieredCache with a remote tier that never answers', () => {
  test('a read gives up on the remote tier after remoteTimeoutMs and calls the loader', async () => {
    const hanging = { mget: () => new Promise(() => undefined), eval: () => new Promise(() => undefined) } as unknown as ValkeyClient;
    const errors: string[] = [];
    const cache = new TieredCache({ remote: hanging, remoteTimeoutMs: 50, onRemoteError: (error) => errors.push((error as Error).message) });

    expect(await cache.cachedRead('k', 60, async () => 'from-database')).toBe('from-database');
    expect(errors).toEqual(['remote cache read timed out after 50 ms']);
  });
});
