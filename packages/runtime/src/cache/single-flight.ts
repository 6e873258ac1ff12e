/**
 * Collapses concurrent calls for one key into one: while a call for `key` is in flight, later callers
 * get the same promise instead of starting their own (cache-stampede protection within a process).
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  /** Calls currently in flight. */
  public get size(): number {
    return this.inFlight.size;
  }

  /** Runs `work` for `key` unless a call for `key` is already in flight, whose promise is returned instead. */
  public run(key: string, work: () => Promise<V>): Promise<V> {
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const call = (async () => work())();
    this.inFlight.set(key, call);
    const settle = () => {
      // A forget() followed by a new call may have replaced the entry: only remove our own.
      if (this.inFlight.get(key) === call) this.inFlight.delete(key);
    };
    call.then(settle, settle);
    return call;
  }

  /**
   * Detaches the call in flight for `key`: it still completes for the callers that joined it, but new
   * callers start a fresh one (after an invalidation the running load may return the old value).
   */
  public forget(key: string): void {
    this.inFlight.delete(key);
  }
}
