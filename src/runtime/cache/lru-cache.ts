import { Clock, systemClock } from '../clock';

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * A bounded in-process map with a TTL per entry and least-recently-used eviction: the first tier of
 * `cachedRead`. A Map keeps insertion order, so re-inserting on every hit makes the first key the
 * least recently used one.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly maxEntries: number, private readonly clock: Clock = systemClock) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number of at least 1, got ${maxEntries}`);
    }
  }

  /** Entries currently held (expired ones included until they are touched or evicted). */
  public get size(): number {
    return this.entries.size;
  }

  /** The value of `key`, or undefined when absent or expired. */
  public get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlMs` milliseconds, evicting the least recently used entry when full. */
  public set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Removes `key`; true when it was present. */
  public delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Removes every entry. */
  public clear(): void {
    this.entries.clear();
  }
}
