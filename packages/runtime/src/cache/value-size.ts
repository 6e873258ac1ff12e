/**
 * The bytes an in-process cache entry is accounted for: 2 bytes per character of its key and of its JSON form
 * (V8 stores strings with one or two bytes per character; 2 is the upper bound for string data) plus a fixed
 * overhead for the entry, the Map slot and the value's object headers. It is an estimate: a value of many small
 * fields takes more heap than its JSON, a long ASCII string less. A value JSON cannot represent counts as
 * infinitely large, so it is never held.
 */
export function accountedBytes(key: string, value: unknown): number {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  if (json === undefined) return Number.POSITIVE_INFINITY;
  return 2 * (key.length + json.length) + ENTRY_OVERHEAD_BYTES;
}

/** Entry object, expiry, Map slot and headers: measured ≈ 150–250 bytes per small entry on Node 20/22 (x64). */
export const ENTRY_OVERHEAD_BYTES = 256;
