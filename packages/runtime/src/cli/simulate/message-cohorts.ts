/*
 * Messages of the model's queues, grouped: a cohort is `count` messages sent in the same second that have been
 * received the same number of times. Counts are fractional (the model is a fluid one); a queue of a million messages
 * is a few thousand cohorts, which is what keeps a 1-hour scenario at a fraction of a second.
 */

export interface Cohort {
  count: number;
  /** The second the messages were sent (for the age of the oldest message). */
  readonly sentAt: number;
  /** Receives so far (SQS's ApproximateReceiveCount). */
  readonly receiveCount: number;
}

/** Visible messages, oldest first (standard queues deliver in best-effort order; oldest first is the model's choice). */
export class VisibleMessages {
  private readonly heap: Cohort[] = [];
  private total = 0;

  public get count(): number {
    return this.total;
  }

  public push(cohort: Cohort): void {
    if (cohort.count <= 0) return;
    this.total += cohort.count;
    const heap = this.heap;
    heap.push(cohort);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = Math.floor((i - 1) / 2);
      if (heap[parent].sentAt <= heap[i].sentAt) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  /** Takes up to `wanted` messages, oldest first. */
  public take(wanted: number): Cohort[] {
    const taken: Cohort[] = [];
    let missing = Math.min(wanted, this.total);
    while (missing > 1e-9 && this.heap.length > 0) {
      const top = this.heap[0];
      if (top.count <= missing + 1e-9) {
        this.pop();
        taken.push(top);
        missing -= top.count;
        this.total -= top.count;
      } else {
        taken.push({ count: missing, sentAt: top.sentAt, receiveCount: top.receiveCount });
        top.count -= missing;
        this.total -= missing;
        missing = 0;
      }
    }
    if (this.heap.length === 0) this.total = 0;
    return taken;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left].sentAt < heap[smallest].sentAt) smallest = left;
      if (right < heap.length && heap[right].sentAt < heap[smallest].sentAt) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
      i = smallest;
    }
  }
}

/** Invisible messages (in backoff or waiting for their visibility timeout), by the second they become visible. */
export class HiddenMessages {
  private readonly bySecond = new Map<number, Map<number, Cohort>>();

  /**
   * Hides `cohort` until `visibleAt` (seconds). The model steps whole seconds and receives at the start of a step, so
   * the time is rounded to the nearest step: the pollers of a real queue receive it as soon as it is visible.
   */
  public hide(cohort: Cohort, visibleAt: number): void {
    if (cohort.count <= 0) return;
    const second = Math.round(visibleAt);
    let bucket = this.bySecond.get(second);
    if (!bucket) {
      bucket = new Map();
      this.bySecond.set(second, bucket);
    }
    // Pieces of one cohort that meet again in one second merge, so cohorts do not multiply with every retry.
    const key = cohort.sentAt * 65_536 + cohort.receiveCount;
    const existing = bucket.get(key);
    if (existing) existing.count += cohort.count;
    else bucket.set(key, { ...cohort });
  }

  /** The cohorts that become visible in `second` (removed). */
  public release(second: number): Iterable<Cohort> {
    const bucket = this.bySecond.get(second);
    if (!bucket) return [];
    this.bySecond.delete(second);
    return bucket.values();
  }
}

/** Messages not yet deleted or dead-lettered, per second sent: the age of the oldest one. */
export class MessageAges {
  private readonly remaining: number[] = [];
  private oldest = 0;

  public add(sentAt: number, count: number): void {
    this.remaining[sentAt] = (this.remaining[sentAt] ?? 0) + count;
  }

  public remove(sentAt: number, count: number): void {
    this.remaining[sentAt] = (this.remaining[sentAt] ?? 0) - count;
  }

  /** Age (seconds) of the oldest message at `now`, 0 when none is left. */
  public oldestAge(now: number): number {
    while (this.oldest < this.remaining.length && !((this.remaining[this.oldest] ?? 0) > 1e-6)) this.oldest++;
    return this.oldest < this.remaining.length ? now - this.oldest : 0;
  }
}
