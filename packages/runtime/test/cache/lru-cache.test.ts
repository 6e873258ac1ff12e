import { LruCache } from '../../src/cache';

function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

describe('LruCache', () => {
  test('returns a stored value before its TTL ends', () => {
    const clock = manualClock();
    const cache = new LruCache<string>(10, clock);

    cache.set('a', 'A', 1000);
    clock.advance(999);

    expect(cache.get('a')).toBe('A');
  });

  test('forgets a value once its TTL has passed', () => {
    const clock = manualClock();
    const cache = new LruCache<string>(10, clock);

    cache.set('a', 'A', 1000);
    clock.advance(1000);

    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string>(2, manualClock());
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);

    cache.get('a');
    cache.set('c', 'C', 1000);

    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });

  test('never holds more than maxEntries entries', () => {
    const cache = new LruCache<number>(3, manualClock());

    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i, 1000);

    expect(cache.size).toBe(3);
    expect(cache.get('k99')).toBe(99);
  });

  test('a zero TTL stores nothing', () => {
    const cache = new LruCache<string>(2, manualClock());

    cache.set('a', 'A', 0);

    expect(cache.size).toBe(0);
  });

  test('delete and clear remove entries', () => {
    const cache = new LruCache<string>(5, manualClock());
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);

    expect(cache.delete('a')).toBe(true);
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  test('maxEntries below 1 is rejected', () => {
    expect(() => new LruCache(0)).toThrow('maxEntries must be a whole number of at least 1, got 0');
  });
});
