import { TieredCache } from '../../src/cache';

function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => { resolve = res; });
  return { promise, resolve };
}

describe('TieredCache without a remote tier', () => {
  test('a hit does not call the loader again', async () => {
    const cache = new TieredCache();
    const loader = jest.fn(async () => ({ id: 1 }));

    await cache.cachedRead('order:1', 60, loader);
    const second = await cache.cachedRead('order:1', 60, loader);

    expect(second).toEqual({ id: 1 });
    expect(loader).toHaveBeenCalledTimes(1);
  });

  test('concurrent misses for one key call the loader once', async () => {
    const cache = new TieredCache();
    const gate = deferred<string>();
    const loader = jest.fn(() => gate.promise);

    const reads = Array.from({ length: 100 }, () => cache.cachedRead('hot', 60, loader));
    gate.resolve('value');

    expect(await Promise.all(reads)).toEqual(Array(100).fill('value'));
    expect(loader).toHaveBeenCalledTimes(1);
  });

  test('the in-process TTL is capped by localMaxTtlSeconds', async () => {
    const clock = manualClock();
    const cache = new TieredCache({ clock, localMaxTtlSeconds: 5 });
    const loader = jest.fn(async () => 'v');

    await cache.cachedRead('k', 60, loader);
    clock.advance(4_999);
    await cache.cachedRead('k', 60, loader);
    clock.advance(1);
    await cache.cachedRead('k', 60, loader);

    expect(loader).toHaveBeenCalledTimes(2);
  });

  test('a TTL shorter than localMaxTtlSeconds is kept', async () => {
    const clock = manualClock();
    const cache = new TieredCache({ clock, localMaxTtlSeconds: 30 });
    const loader = jest.fn(async () => 'v');

    await cache.cachedRead('k', 2, loader);
    clock.advance(2_000);
    await cache.cachedRead('k', 2, loader);

    expect(loader).toHaveBeenCalledTimes(2);
  });

  test('invalidate makes the next read call the loader', async () => {
    const cache = new TieredCache();
    let version = 1;
    const loader = jest.fn(async () => version);

    await cache.cachedRead('k', 60, loader);
    version = 2;
    await cache.invalidate('k');

    expect(await cache.cachedRead('k', 60, loader)).toBe(2);
  });

  test('invalidate accepts several keys', async () => {
    const cache = new TieredCache();
    const loader = jest.fn(async () => 'v');
    await cache.cachedRead('a', 60, loader);
    await cache.cachedRead('b', 60, loader);

    await cache.invalidate(['a', 'b']);
    await cache.cachedRead('a', 60, loader);
    await cache.cachedRead('b', 60, loader);

    expect(loader).toHaveBeenCalledTimes(4);
  });

  test('a load that began before an invalidation is not cached and later readers do not join it', async () => {
    const cache = new TieredCache();
    const stale = deferred<string>();
    const loader = jest.fn().mockImplementationOnce(() => stale.promise).mockImplementation(async () => 'fresh');

    const before = cache.cachedRead('k', 60, loader);
    await cache.invalidate('k');
    const after = cache.cachedRead('k', 60, loader);
    stale.resolve('stale');

    expect(await before).toBe('stale');
    expect(await after).toBe('fresh');
    expect(await cache.cachedRead('k', 60, loader)).toBe('fresh');
    expect(loader).toHaveBeenCalledTimes(2);
  });

  test('loader errors reach the caller and are not cached', async () => {
    const cache = new TieredCache();
    const loader = jest.fn().mockRejectedValueOnce(new Error('timeout')).mockResolvedValue('ok');

    await expect(cache.cachedRead('k', 60, loader)).rejects.toThrow('timeout');
    await expect(cache.cachedRead('k', 60, loader)).resolves.toBe('ok');
  });

  test('undefined is returned but not cached', async () => {
    const cache = new TieredCache();
    const loader = jest.fn(async () => undefined);

    await cache.cachedRead('k', 60, loader);
    await cache.cachedRead('k', 60, loader);

    expect(loader).toHaveBeenCalledTimes(2);
  });

  test('null is cached', async () => {
    const cache = new TieredCache();
    const loader = jest.fn(async () => null);

    await cache.cachedRead('missing-row', 60, loader);
    await cache.cachedRead('missing-row', 60, loader);

    expect(loader).toHaveBeenCalledTimes(1);
  });

  test('a TTL below one second is rejected', async () => {
    await expect(new TieredCache().cachedRead('k', 0, async () => 1)).rejects.toThrow('ttlSeconds must be a whole number of at least 1, got 0');
  });

  test('an empty key is rejected', async () => {
    await expect(new TieredCache().cachedRead('', 10, async () => 1)).rejects.toThrow('cache keys must be non-empty strings');
  });

  test('the in-process tier holds at most localMaxEntries keys', async () => {
    const cache = new TieredCache({ localMaxEntries: 2 });
    const loader = jest.fn(async () => 'v');

    for (const key of ['a', 'b', 'c']) await cache.cachedRead(key, 60, loader);
    await cache.cachedRead('a', 60, loader);

    expect(loader).toHaveBeenCalledTimes(4);
  });
});
