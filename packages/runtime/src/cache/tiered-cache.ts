import { randomUUID } from 'node:crypto';
import { InvalidationLog } from './invalidation-log';
import { DEFAULT_LOCAL_MAX_BYTES, LruCache } from './lru-cache';
import { SingleFlight } from './single-flight';
import type { ValkeyClient } from './valkey-client';
import { Clock, systemClock } from '../clock';

/** Loads the value of a key from the source of truth (the database) on a cache miss. */
export type CacheLoader<T> = () => Promise<T>;

/** Cross-process stampede protection: a short lock in Valkey so one execution environment loads a cold key. */
export interface CacheLockOptions {
  /** How long the lock is held at most (it is released as soon as the value is stored). @default 5000 */
  readonly ttlMs?: number;
  /** How long others poll for the value before loading it themselves. @default 1000 */
  readonly waitMs?: number;
  /** Interval between polls. @default 50 */
  readonly pollMs?: number;
}

/** Options of a TieredCache. */
export interface TieredCacheOptions {
  /** The second tier; omit for an in-process cache only. */
  readonly remote?: ValkeyClient;
  /** Prefix of every remote key. @default 'eda:' */
  readonly keyPrefix?: string;
  /** Entries the in-process tier holds at most. @default 1000 */
  readonly localMaxEntries?: number;
  /**
   * Accounted bytes the in-process tier holds at most (≈ 2 bytes per character of key and JSON value plus
   * 256 per entry, see value-size.ts); least recently used entries are evicted first, a larger value is
   * not held locally (it is still read from Valkey).
   * @default 67108864 (64 MiB: an eighth of a 512 MiB function)
   */
  readonly localMaxBytes?: number;
  /**
   * How long an invalidation is remembered so that loads that began before it do not store what they read.
   * A load still running after that is returned but not stored locally. @default 60000
   */
  readonly invalidationRetentionMs?: number;
  /** Hard cap of remembered invalidations (oldest dropped first, same safety as above). @default 10000 */
  readonly maxTrackedInvalidations?: number;
  /**
   * Upper bound of the in-process TTL. `invalidate` reaches only the invalidating process and the
   * remote tier, so other execution environments may serve a stale value for up to this long.
   * @default 5
   */
  readonly localMaxTtlSeconds?: number;
  /**
   * Upper bound of every remote operation, whatever the client does (a cluster client queues commands
   * until it has the slot map): past it the read goes on without the remote tier.
   * @default 1000
   */
  readonly remoteTimeoutMs?: number;
  /** Cross-process lock for cold keys. @default - none: concurrent misses in different processes each load */
  readonly lock?: CacheLockOptions;
  /** Called when the remote tier fails; the read continues without it. @default - a JSON line on console.warn */
  readonly onRemoteError?: (error: unknown, operation: string) => void;
  /** Time source (tests). @default the system clock */
  readonly clock?: Clock;
}

/** Versions outlive any load that could race an invalidation. */
const VERSION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Stores a loaded value only if no invalidation happened since the load began (the version is unchanged).
 * KEYS[1] value, KEYS[2] version; ARGV[1] JSON, ARGV[2] TTL ms, ARGV[3] version seen before the load ('' = none).
 */
const SET_IF_VERSION = `
local current = redis.call('GET', KEYS[2])
if (current or '') == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Deletes the value and bumps the version so loads that began earlier cannot store what they read. */
const INVALIDATE = `
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1`;

/** Releases the lock only if we still hold it (it may have expired and been taken by another process). */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

function defaultOnRemoteError(error: unknown, operation: string): void {
  console.warn(JSON.stringify({
    level: 'WARN',
    message: 'read cache: remote tier failed, continuing without it',
    operation,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  }));
}

/** An empty key would make an empty hash tag, which spreads a key's value and version over two cluster slots. */
function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('cache keys must be non-empty strings');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A read-through cache with two tiers: a bounded in-process LRU with TTL, then Valkey (ElastiCache
 * Serverless). Concurrent misses for one key in one process call the loader once (single flight);
 * the optional lock extends that across processes. Remote failures never fail a read: the loader runs.
 *
 * Remote keys are `<prefix>{<key>}` (value), `…:v` (version) and `…:l` (lock); the braces make the three
 * hash to one cluster slot so the Lua scripts that touch two of them work on a cluster.
 */
export class TieredCache {
  private readonly local: LruCache<unknown>;
  private readonly flights = new SingleFlight<unknown>();
  /** Recent invalidations: a load stores its result locally only if no invalidation happened meanwhile. */
  private readonly invalidations: InvalidationLog;
  private readonly remote?: ValkeyClient;
  private readonly prefix: string;
  private readonly localMaxTtlMs: number;
  private readonly lock?: Required<CacheLockOptions>;
  private readonly onRemoteError: (error: unknown, operation: string) => void;
  private readonly clock: Clock;
  private readonly remoteTimeoutMs: number;

  constructor(options: TieredCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.local = new LruCache(options.localMaxEntries ?? 1000, this.clock, options.localMaxBytes ?? DEFAULT_LOCAL_MAX_BYTES);
    this.invalidations = new InvalidationLog(options.invalidationRetentionMs, options.maxTrackedInvalidations, this.clock);
    this.remote = options.remote;
    this.prefix = options.keyPrefix ?? 'eda:';
    const localMaxTtl = options.localMaxTtlSeconds ?? 5;
    if (!(localMaxTtl >= 0)) throw new RangeError(`localMaxTtlSeconds must be 0 or more, got ${localMaxTtl}`);
    this.localMaxTtlMs = localMaxTtl * 1000;
    this.lock = options.lock ? { ttlMs: 5000, waitMs: 1000, pollMs: 50, ...options.lock } : undefined;
    this.onRemoteError = options.onRemoteError ?? defaultOnRemoteError;
    this.remoteTimeoutMs = options.remoteTimeoutMs ?? 1000;
  }

  /**
   * The value of `key`: from the in-process tier, else from Valkey, else from `loader` (then stored in
   * both tiers for `ttlSeconds`, the in-process one for at most `localMaxTtlSeconds`). Values travel
   * as JSON: use plain data (a Date comes back as a string); `undefined` is returned but never cached.
   * The returned object may be shared between callers: do not mutate it. Loader errors are not cached.
   */
  public async cachedRead<T>(key: string, ttlSeconds: number, loader: CacheLoader<T>): Promise<T> {
    checkKey(key);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new RangeError(`ttlSeconds must be a whole number of at least 1, got ${ttlSeconds}`);
    }
    const hit = this.local.get(key);
    if (hit !== undefined) return hit as T;
    return this.flights.run(key, () => this.readThrough(key, ttlSeconds * 1000, loader)) as Promise<T>;
  }

  /**
   * Removes `keys` from both tiers; call it after the write that changed them has committed. Loads
   * already in flight for these keys do not store what they read. Rejects when Valkey cannot be reached
   * (the in-process tier is invalidated anyway): the remote value would otherwise live until its TTL.
   */
  public async invalidate(keys: string | readonly string[]): Promise<void> {
    const list = typeof keys === 'string' ? [keys] : [...new Set(keys)];
    list.forEach(checkKey);
    for (const key of list) {
      this.local.delete(key);
      this.invalidations.record(key);
      this.flights.forget(key);
    }
    const remote = this.remote;
    if (!remote) return;
    // One command per key: keys of different slots cannot share a command on a cluster.
    await Promise.all(list.map((key) => this.bounded('invalidate', remote.eval(INVALIDATE, 2, this.valueKey(key), this.versionKey(key), VERSION_TTL_MS))));
  }

  /** Closes the connection to the remote tier (scripts and tests; a Lambda handler keeps it open). */
  public async close(): Promise<void> {
    if (!this.remote || this.remote.status === 'end') return;
    const ended = new Promise<void>((resolve) => this.remote!.once('end', () => resolve()));
    this.remote.disconnect();
    await ended;
  }

  /** What the in-process bookkeeping holds: entries and accounted bytes of the LRU, remembered invalidations. */
  public localFootprint(): { entries: number; bytes: number; trackedInvalidations: number } {
    return { entries: this.local.size, bytes: this.local.bytes, trackedInvalidations: this.invalidations.size };
  }

  /** Empties the in-process tier (the remote tier is left alone). */
  public clearLocal(): void {
    this.local.clear();
  }

  private async readThrough(key: string, ttlMs: number, loader: CacheLoader<unknown>): Promise<unknown> {
    const mark = this.invalidations.mark();
    const storeLocally = (value: unknown) => {
      if (this.invalidations.unchangedSince(key, mark) && value !== undefined) {
        this.local.set(key, value, Math.min(ttlMs, this.localMaxTtlMs));
      }
    };

    const remote = await this.readRemote(key);
    if (remote.found) {
      storeLocally(remote.value);
      return remote.value;
    }

    let lockToken: string | undefined;
    if (remote.available && this.lock) {
      const locked = await this.acquireLock(key);
      if (locked.token === undefined && locked.found) {
        storeLocally(locked.value);
        return locked.value;
      }
      lockToken = locked.token;
    }

    try {
      const value = await loader();
      if (remote.available && value !== undefined) await this.writeRemote(key, value, ttlMs, remote.version);
      storeLocally(value);
      return value;
    } finally {
      if (lockToken !== undefined) await this.releaseLock(key, lockToken);
    }
  }

  private async readRemote(key: string): Promise<{ available: boolean; found: boolean; value?: unknown; version: string }> {
    if (!this.remote) return { available: false, found: false, version: '' };
    try {
      const [raw, version] = await this.bounded('read', this.remote.mget(this.valueKey(key), this.versionKey(key)));
      if (raw === null) return { available: true, found: false, version: version ?? '' };
      return { available: true, found: true, value: JSON.parse(raw), version: version ?? '' };
    } catch (error) {
      this.onRemoteError(error, 'read');
      return { available: false, found: false, version: '' };
    }
  }

  private async writeRemote(key: string, value: unknown, ttlMs: number, version: string): Promise<void> {
    try {
      await this.bounded('write', this.remote!.eval(SET_IF_VERSION, 2, this.valueKey(key), this.versionKey(key), JSON.stringify(value), ttlMs, version));
    } catch (error) {
      this.onRemoteError(error, 'write');
    }
  }

  /** Takes the lock, or waits for the holder to store the value; loads anyway when the wait runs out. */
  private async acquireLock(key: string): Promise<{ token?: string; found: boolean; value?: unknown }> {
    const lock = this.lock!;
    const remote = this.remote!;
    const token = randomUUID();
    try {
      if (await this.bounded('lock', remote.set(this.lockKey(key), token, 'PX', lock.ttlMs, 'NX')) === 'OK') return { token, found: false };
      const deadline = this.clock.now() + lock.waitMs;
      const maxPolls = Math.ceil(lock.waitMs / Math.max(1, lock.pollMs));
      for (let poll = 0; poll < maxPolls && this.clock.now() < deadline; poll++) {
        await sleep(lock.pollMs);
        const raw = await this.bounded('lock', remote.get(this.valueKey(key)));
        if (raw !== null) return { found: true, value: JSON.parse(raw) };
      }
    } catch (error) {
      this.onRemoteError(error, 'lock');
    }
    return { found: false };
  }

  private async releaseLock(key: string, token: string): Promise<void> {
    try {
      await this.bounded('unlock', this.remote!.eval(RELEASE_LOCK, 1, this.lockKey(key), token));
    } catch (error) {
      this.onRemoteError(error, 'unlock');
    }
  }

  /** `operation` or a rejection after remoteTimeoutMs, whichever comes first. */
  private bounded<R>(operation: string, call: Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`remote cache ${operation} timed out after ${this.remoteTimeoutMs} ms`)), this.remoteTimeoutMs);
    });
    // The late result (or error) of a timed-out call is dropped on purpose.
    call.catch(() => undefined);
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  }

  private valueKey(key: string): string {
    return `${this.prefix}{${key}}`;
  }

  private versionKey(key: string): string {
    return `${this.prefix}{${key}}:v`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}{${key}}:l`;
  }
}
