/**
 * The first `limit` bytes of one protocol message, collected from the chunks it arrives in. The pinning detector's
 * parsers keep only the messages they read (queries), and only this much of each: a 100 MB COPY or a huge literal
 * is counted, not copied.
 */
export class BoundedCapture {
  private readonly parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  /** Keeps `chunk[start, end)` as far as the limit allows (subarray shares the chunk's memory: no copy yet). */
  public add(chunk: Buffer, start: number, end: number): void {
    if (this.size >= this.limit) return;
    const keep = Math.min(end - start, this.limit - this.size);
    this.parts.push(chunk.subarray(start, start + keep));
    this.size += keep;
  }

  /** The bytes kept, in one buffer. */
  public bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}
