/**
 * Reads the PostgreSQL frontend (client → server) protocol as it streams past, for the pinning detector: the
 * startup parameters, simple queries ('Q') and Parse messages ('P', with the statement name) — protocol 3.0,
 * https://www.postgresql.org/docs/15/protocol-message-formats.html. Every other message is skipped by its length
 * without being copied. It never changes, delays or holds back a byte: the detector forwards each chunk as it is.
 */

import { BoundedCapture } from './bounded-capture';

/** What the parser reports. */
export type PostgresFrontendEvent =
  | { readonly kind: 'startup'; readonly parameters: Readonly<Record<string, string>> }
  /** A simple query: one string, possibly several statements. `bytes` is the text's size as sent. */
  | { readonly kind: 'query'; readonly text: string; readonly bytes: number }
  /** An extended-protocol Parse: `name` '' is the unnamed statement. */
  | { readonly kind: 'parse'; readonly name: string; readonly text: string; readonly bytes: number }
  /** The client switched to TLS/GSS encryption (or sent what is not protocol 3.0): nothing more can be read. */
  | { readonly kind: 'opaque'; readonly reason: string };

/** Message bodies kept for reading (queries longer than this are reported by size, their text truncated). */
export const MAX_CAPTURED_BYTES = 64 * 1024;

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Startup packets are small; anything larger is not the protocol we read. */
const MAX_STARTUP_BYTES = 10_000;
const CAPTURED_TYPES = new Set([0x51 /* Q */, 0x50]);

type Phase = 'startup' | 'awaiting-encryption-answer' | 'messages' | 'opaque';

function cString(body: Buffer, start: number): { value: string; end: number } {
  const end = body.indexOf(0, start);
  const stop = end === -1 ? body.length : end;
  return { value: body.toString('utf8', start, stop), end: end === -1 ? -1 : end + 1 };
}

/** Incremental parser of one client connection's bytes. */
export class PostgresFrontendParser {
  private phase: Phase = 'startup';
  private header = Buffer.alloc(0);
  private type = 0;
  private bodyLength = 0;
  private bodyRemaining = 0;
  private captured: BoundedCapture | undefined;

  constructor(private readonly onEvent: (event: PostgresFrontendEvent) => void) {}

  /** True after an SSLRequest/GSSENCRequest, until {@link encryptionAnswer} is called with the server's byte. */
  public get awaitingEncryptionAnswer(): boolean {
    return this.phase === 'awaiting-encryption-answer';
  }

  /** True once the startup packet has been read: the server's bytes no longer matter to the parser. */
  public get pastStartup(): boolean {
    return this.phase === 'messages' || this.phase === 'opaque';
  }

  /** True once the stream cannot be read any more (TLS, or not protocol 3.0). */
  public get opaque(): boolean {
    return this.phase === 'opaque';
  }

  /** The server's one-byte answer to SSLRequest/GSSENCRequest: 'S'/'G' switches to encryption, 'N' declines. */
  public encryptionAnswer(byte: number): void {
    if (this.phase !== 'awaiting-encryption-answer') return;
    if (byte === 0x4e /* N */) this.phase = 'startup';
    else this.becomeOpaque('the connection switched to TLS/GSS encryption');
  }

  /** Feeds bytes the client sent, in order. */
  public push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.phase === 'opaque' || this.phase === 'awaiting-encryption-answer') return;
      if (this.bodyRemaining > 0) {
        const n = Math.min(this.bodyRemaining, chunk.length - offset);
        this.captured?.add(chunk, offset, offset + n);
        offset += n;
        this.bodyRemaining -= n;
        if (this.bodyRemaining === 0) this.finishMessage();
        continue;
      }
      const headerSize = this.phase === 'startup' ? 8 : 5;
      const take = Math.min(headerSize - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length === headerSize) this.startMessage();
    }
  }

  private startMessage(): void {
    if (this.phase === 'startup') {
      const length = this.header.readInt32BE(0);
      const code = this.header.readInt32BE(4);
      this.type = 0;
      if (length < 8 || length > MAX_STARTUP_BYTES) return this.becomeOpaque(`startup packet of ${length} bytes`);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        this.header = Buffer.alloc(0);
        this.phase = 'awaiting-encryption-answer';
        return;
      }
      if (code !== PROTOCOL_3 && code !== CANCEL_REQUEST) return this.becomeOpaque(`protocol code ${code}`);
      this.begin(length - 8, code === PROTOCOL_3);
      return;
    }
    this.type = this.header[0];
    const length = this.header.readInt32BE(1);
    if (length < 4) return this.becomeOpaque(`message length ${length}`);
    this.begin(length - 4, CAPTURED_TYPES.has(this.type));
  }

  private begin(bodyLength: number, capture: boolean): void {
    this.bodyLength = bodyLength;
    this.bodyRemaining = bodyLength;
    this.captured = capture ? new BoundedCapture(MAX_CAPTURED_BYTES) : undefined;
    if (bodyLength === 0) this.finishMessage();
  }

  private finishMessage(): void {
    const body = this.captured?.bytes();
    const wasStartup = this.phase === 'startup';
    this.header = Buffer.alloc(0);
    this.captured = undefined;
    if (wasStartup) {
      this.phase = 'messages';
      if (body) this.onEvent({ kind: 'startup', parameters: this.startupParameters(body) });
      return;
    }
    if (!body) return;
    const complete = body.length === this.bodyLength;
    if (this.type === 0x51) {
      // Query: String query. Its size is the body less the terminator.
      const text = cString(body, 0).value;
      this.onEvent({ kind: 'query', text, bytes: complete ? Buffer.byteLength(text) : this.bodyLength - 1 });
    } else if (this.type === 0x50) {
      // Parse: String name, String query, Int16 parameter count, Int32[] parameter types.
      const name = cString(body, 0);
      const text = name.end === -1 ? { value: '', end: -1 } : cString(body, name.end);
      // Truncated capture without the query's terminator: the query is at least what was captured.
      const bytes = text.end === -1 ? this.bodyLength - (name.end === -1 ? 0 : name.end) : Buffer.byteLength(text.value);
      this.onEvent({ kind: 'parse', name: name.value, text: text.value, bytes });
    }
  }

  private startupParameters(body: Buffer): Record<string, string> {
    const parameters: Record<string, string> = {};
    let offset = 0;
    while (offset < body.length && body[offset] !== 0) {
      const key = cString(body, offset);
      if (key.end === -1) break;
      const value = cString(body, key.end);
      parameters[key.value] = value.value;
      if (value.end === -1) break;
      offset = value.end;
    }
    return parameters;
  }

  private becomeOpaque(reason: string): void {
    this.phase = 'opaque';
    this.captured = undefined;
    this.onEvent({ kind: 'opaque', reason });
  }
}
