import { accountedBytes } from './value-size';
import { Clock, systemClock } from '../clock';

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
  readonly bytes: number;
}

/**
 * Default byte budget of the in-process tier: 64 MiB, an eighth of a 512 MiB Lambda function, which leaves the
 * runtime (≈ 60–100 MiB), the handler and the database driver ample room; the fixed memory size of a Lambda
 * environment is the reason the budget is in bytes, not only in entries.
 */
export const DEFAULT_LOCAL_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A bounded in-process map with a TTL per entry and least-recently-used eviction: the first tier of
 * `cachedRead`. Bounded twice: at most `maxEntries` entries and at most `maxBytes` accounted bytes
 * (see value-size.ts); a value larger than `maxBytes` on its own is not held. A Map keeps insertion order,
 * so re-inserting on every hit makes the first key the least recently used one.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private totalBytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock = systemClock,
    private readonly maxBytes: number = DEFAULT_LOCAL_MAX_BYTES,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number of at least 1, got ${maxEntries}`);
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`maxBytes must be a whole number of at least 1, got ${maxBytes}`);
    }
  }

  /** Entries currently held (expired ones included until they are touched or evicted). */
  public get size(): number {
    return this.entries.size;
  }

  /** Accounted bytes of the entries currently held: never above maxBytes. */
  public get bytes(): number {
    return this.totalBytes;
  }

  /** The value of `key`, or undefined when absent or expired. */
  public get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores `value` for `ttlMs` milliseconds, evicting least recently used entries until both bounds hold.
   * Returns false when the value was not stored (TTL ≤ 0, or larger than maxBytes on its own).
   */
  public set(key: string, value: V, ttlMs: number): boolean {
    this.delete(key);
    if (ttlMs <= 0) return false;
    const bytes = accountedBytes(key, value);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs, bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      this.delete(this.entries.keys().next().value as string);
    }
    return true;
  }

  /** Removes `key`; true when it was present. */
  public delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
    return true;
  }

  /** Removes every entry. */
  public clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}
