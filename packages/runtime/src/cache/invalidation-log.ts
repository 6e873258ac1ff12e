import { Clock, systemClock } from '../clock';

/** Default of how long an invalidation is remembered per key. */
export const DEFAULT_INVALIDATION_RETENTION_MS = 60_000;
/** Default hard cap of remembered invalidations. */
export const DEFAULT_MAX_TRACKED_INVALIDATIONS = 10_000;

/**
 * Remembers recent invalidations so that a load that began before one does not store what it read. Every
 * invalidation gets a sequence number; a load notes the sequence when it starts (`mark()`) and may store its
 * result only if `unchangedSince(key, mark)`.
 *
 * Bounded: entries older than `retentionMs` are pruned and at most `maxEntries` are kept (oldest first). A
 * pruned entry is not forgotten unsafely: `prunedThrough` keeps the highest sequence pruned, and a load that
 * started before it is treated as raced (its value is returned but not stored), so pruning can only cost a
 * cache fill, never serve a stale value.
 */
export class InvalidationLog {
  /** key → sequence and time of its latest invalidation; Map order = invalidation order (re-inserted on each). */
  private readonly latest = new Map<string, { readonly sequence: number; readonly at: number }>();
  private sequence = 0;
  private prunedThrough = 0;

  constructor(
    private readonly retentionMs: number = DEFAULT_INVALIDATION_RETENTION_MS,
    private readonly maxEntries: number = DEFAULT_MAX_TRACKED_INVALIDATIONS,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(retentionMs >= 0)) throw new RangeError(`invalidation retention must be 0 ms or more, got ${retentionMs}`);
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxTrackedInvalidations must be a whole number of at least 1, got ${maxEntries}`);
  }

  /** Invalidations currently remembered. */
  public get size(): number {
    return this.latest.size;
  }

  /** The sequence a load notes when it starts. */
  public mark(): number {
    return this.sequence;
  }

  /** Records an invalidation of `key`, then prunes. */
  public record(key: string): void {
    this.sequence++;
    this.latest.delete(key);
    const now = this.clock.now();
    this.latest.set(key, { sequence: this.sequence, at: now });
    for (const [oldest, entry] of this.latest) {
      if (this.latest.size <= this.maxEntries && entry.at > now - this.retentionMs) break;
      this.latest.delete(oldest);
      this.prunedThrough = Math.max(this.prunedThrough, entry.sequence);
    }
  }

  /** True when no invalidation of `key` happened after `mark` (or may have, but was pruned: then false). */
  public unchangedSince(key: string, mark: number): boolean {
    const entry = this.latest.get(key);
    if (entry !== undefined) return entry.sequence <= mark;
    return this.prunedThrough <= mark;
  }
}
