import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_LOCAL_MAX_BYTES, InvalidationLog, LruCache, TieredCache } from '../../src/cache';
import { accountedBytes } from '../../src/cache/value-size';

/*
 * EDA-12 defect 3: the in-process cache must stay within a byte budget and its invalidation bookkeeping must
 * stay bounded. Proven twice: by the structures' own accounting and by the V8 heap after a full GC, compared
 * with the size of what was pushed through (never an absolute figure of this machine).
 */
setFlagsFromString('--expose-gc');
const gc: () => void = (global as any).gc ?? runInNewContext('gc');

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

const MiB = 1024 * 1024;

describe('EDA-12.3a in-process tier bounded in bytes', () => {
  test('1,000 reads of distinct 256 KB values keep at most 64 MiB accounted; the heap grows by at most that, not by the 250 MB read', async () => {
    const valueChars = 256 * 1024;
    const reads = 1000;
    const payloadBytes = reads * valueChars;
    const before = heapUsed();
    const cache = new TieredCache();

    for (let i = 0; i < reads; i++) {
      // A fresh flat string per key (hex: one byte per character in V8), referenced only by the cache once returned.
      // Not 'x'.repeat(): V8 builds repeats as shared cons strings that take almost no heap.
      await cache.cachedRead(`blob:${i}`, 60, async () => randomBytes(valueChars / 2).toString('hex'));
    }
    const grown = heapUsed() - before;

    // The accounting is an upper bound for string data: the heap holds no more than the budget (+2 % of the payload).
    expect(grown).toBeLessThanOrEqual(64 * MiB + 0.02 * payloadBytes);
    expect(grown).toBeLessThan(0.3 * payloadBytes);
    const footprint = cache.localFootprint();
    expect(footprint.bytes).toBeLessThanOrEqual(DEFAULT_LOCAL_MAX_BYTES);
    expect(footprint.entries).toBe(Math.floor(DEFAULT_LOCAL_MAX_BYTES / accountedBytes('blob:999', 'x'.repeat(valueChars))));
    expect(await cache.cachedRead('blob:999', 60, async () => 'reloaded')).toMatch(/^[0-9a-f]{262144}$/);
  });

  test(`the default budget is 64 MiB (${DEFAULT_LOCAL_MAX_BYTES} bytes), an eighth of a 512 MiB function`, () => {
    expect(DEFAULT_LOCAL_MAX_BYTES).toBe(64 * MiB);
    expect(DEFAULT_LOCAL_MAX_BYTES * 8).toBe(512 * MiB);
  });

  test('a value of exactly maxBytes accounted bytes is held; with a budget one byte smaller it is not', () => {
    const value = { id: 1, note: 'x'.repeat(1000) };
    const exact = accountedBytes('k', value);
    const fits = new LruCache<unknown>(10, manualClock(), exact);
    const tooSmall = new LruCache<unknown>(10, manualClock(), exact - 1);

    expect(fits.set('k', value, 1000)).toBe(true);
    expect(tooSmall.set('k', value, 1000)).toBe(false);
    expect([fits.get('k'), fits.bytes, tooSmall.get('k'), tooSmall.bytes]).toEqual([value, exact, undefined, 0]);
  });

  test('evicts least recently used entries until the byte budget holds, and accounts deletions', () => {
    const entry = accountedBytes('a', 'x'.repeat(100));
    const cache = new LruCache<string>(100, manualClock(), 3 * entry);
    for (const key of ['a', 'b', 'c']) cache.set(key, 'x'.repeat(100), 1000);
    cache.get('a');
    cache.set('d', 'x'.repeat(100), 1000);

    expect([cache.get('a'), cache.get('b'), cache.size, cache.bytes]).toEqual(['x'.repeat(100), undefined, 3, 3 * entry]);
    cache.delete('a');
    cache.clear();
    expect(cache.bytes).toBe(0);
  });

  test('rejects a byte budget that is not a whole number of at least 1', () => {
    expect(() => new LruCache(10, manualClock(), 0)).toThrow('maxBytes must be a whole number of at least 1, got 0');
  });
});

describe('EDA-12.3b invalidation bookkeeping bounded', () => {
  test('300,000 distinct invalidations keep at most 10,000 entries; the heap grows by a fraction of the keys pushed through', async () => {
    const count = 300_000;
    const keyChars = 100;
    const before = heapUsed();
    const cache = new TieredCache();

    for (let i = 0; i < count; i++) await cache.invalidate(`order:${i}:`.padEnd(keyChars, 'k'));
    const grown = heapUsed() - before;

    // Unbounded, each remembered key costs more than its characters (string + Map slot + entry, ≈ 460 bytes here): > 4 × count × keyChars.
    expect(grown).toBeLessThan(0.25 * count * keyChars);
    expect(cache.localFootprint().trackedInvalidations).toBe(10_000);
  });

  test('an invalidation is remembered until retention ends: kept 1 ms before, pruned at retention', () => {
    const clock = manualClock();
    const log = new InvalidationLog(60_000, 10_000, clock);
    for (let i = 0; i < 100; i++) log.record(`k${i}`);
    clock.advance(59_999);
    log.record('later');
    expect(log.size).toBe(101);
    clock.advance(1);
    log.record('latest');
    expect(log.size).toBe(2);
  });

  test('the hard cap keeps the newest entries: cap 3, five keys → the last three', () => {
    const log = new InvalidationLog(60_000, 3, manualClock());
    const mark = log.mark();
    for (const key of ['a', 'b', 'c', 'd', 'e']) log.record(key);
    expect(log.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((k) => log.unchangedSince(k, mark))).toEqual([false, false, false, false, false]);
    expect(log.unchangedSince('e', log.mark())).toBe(true);
  });

  test('a load that began before a pruned invalidation does not store its (possibly stale) value', async () => {
    const cache = new TieredCache({ maxTrackedInvalidations: 2 });
    let release!: (value: string) => void;
    const slowLoad = cache.cachedRead('order:1', 60, () => new Promise<string>((resolve) => { release = resolve; }));
    await cache.invalidate('order:1');
    for (const key of ['x', 'y', 'z']) await cache.invalidate(key); // pushes order:1 out of the log
    release('old');

    expect(await slowLoad).toBe('old');
    const loader = jest.fn(async () => 'new');
    expect(await cache.cachedRead('order:1', 60, loader)).toBe('new');
    expect(loader).toHaveBeenCalledTimes(1);
  });
});
