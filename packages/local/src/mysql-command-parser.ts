/* eslint-disable no-bitwise -- MySQL capability flags are a bit field (Protocol::CapabilityFlags) */
/**
 * Reads the MySQL/MariaDB client → server protocol as it streams past, for the pinning detector: COM_QUERY and
 * COM_STMT_PREPARE (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html,
 * https://mariadb.com/kb/en/clientserver-protocol/). A packet is a 3-byte little-endian length, a sequence id and
 * the payload; a command always starts a new sequence (id 0), so commands are recognised without following the
 * server's side, except its greeting: the capabilities both sides share decide the COM_QUERY layout. Handshake and
 * auth packets (ids ≥ 1) are skipped, except the first, which names the user and says whether TLS follows. No byte
 * is changed or held back.
 */

import { BoundedCapture } from './bounded-capture';

/** What the parser reports. */
export type MysqlCommandEvent =
  | { readonly kind: 'login'; readonly user: string; readonly database?: string }
  /** COM_QUERY (text protocol). `bytes` is the statement text's size as sent. */
  | { readonly kind: 'query'; readonly text: string; readonly bytes: number }
  /** COM_STMT_PREPARE: a server-side (binary protocol) prepared statement, what mysql2's `execute()` sends. */
  | { readonly kind: 'prepare'; readonly text: string; readonly bytes: number }
  | { readonly kind: 'opaque'; readonly reason: string };

/** Payload bytes kept for reading; longer statements are reported by size, their text truncated. */
export const MAX_CAPTURED_PAYLOAD = 64 * 1024;

export const COM_QUERY = 0x03;
export const COM_STMT_PREPARE = 0x16;
/** A payload of this length continues in the next packet. */
const MAX_PACKET_PAYLOAD = 0xffffff;
/** The SSLRequest packet: capability flags, max packet size, charset, 23 filler bytes — and nothing else. */
const SSL_REQUEST_LENGTH = 32;
/** Capability flags of the handshake (Protocol::CapabilityFlags) that the parser reads. */
export const CAPABILITY = {
  CONNECT_WITH_DB: 0x00000008,
  PROTOCOL_41: 0x00000200,
  SSL: 0x00000800,
  SECURE_CONNECTION: 0x00008000,
  PLUGIN_AUTH: 0x00080000,
  PLUGIN_AUTH_LENENC_DATA: 0x00200000,
  /** MySQL ≥ 8.0.23: COM_QUERY then carries query attributes before the text. */
  QUERY_ATTRIBUTES: 0x08000000,
} as const;

/** Incremental parser of one client connection's bytes. */
export class MysqlCommandParser {
  private header = Buffer.alloc(0);
  private payloadLength = 0;
  private payloadRemaining = 0;
  private captured: BoundedCapture | undefined;
  /** Total payload of the command being read (over continuation packets). */
  private commandBytes = 0;
  private continuing = false;
  private firstPacket = true;
  private readingHandshake = false;
  private capabilities = 0;
  /** Capabilities of the server's greeting; undefined until it is read. */
  private serverCapabilities: number | undefined;
  private greeting = Buffer.alloc(0);
  private isOpaque = false;

  constructor(private readonly onEvent: (event: MysqlCommandEvent) => void) {}

  public get opaque(): boolean {
    return this.isOpaque;
  }

  /** True until the server's greeting (its first packet) has been read through {@link serverBytes}. */
  public get awaitingGreeting(): boolean {
    return this.serverCapabilities === undefined && !this.isOpaque;
  }

  /**
   * Feeds the server's first bytes, until its greeting is complete (Protocol::HandshakeV10: version, thread id,
   * 8 bytes of auth data, filler, capabilities low 16 bits, charset, status, capabilities high 16 bits).
   */
  public serverBytes(chunk: Buffer): void {
    if (!this.awaitingGreeting) return;
    this.greeting = Buffer.concat([this.greeting, chunk]);
    if (this.greeting.length < 4 || this.greeting.length < 4 + this.greeting.readUIntLE(0, 3)) return;
    const payload = this.greeting.subarray(4, 4 + this.greeting.readUIntLE(0, 3));
    this.greeting = Buffer.alloc(0);
    const versionEnd = payload.indexOf(0, 1);
    const low = versionEnd + 1 + 4 + 8 + 1;
    if (payload[0] !== 10 || versionEnd === -1 || payload.length < low + 2) {
      this.serverCapabilities = 0; // an error packet (e.g. too many connections) or an old protocol: assume nothing
      return;
    }
    const high = payload.length >= low + 7 ? payload.readUInt16LE(low + 5) : 0;
    this.serverCapabilities = payload.readUInt16LE(low) | (high << 16);
  }

  /** Feeds bytes the client sent, in order. */
  public push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.isOpaque) {
      if (this.payloadRemaining > 0) {
        const n = Math.min(this.payloadRemaining, chunk.length - offset);
        this.captured?.add(chunk, offset, offset + n);
        offset += n;
        this.payloadRemaining -= n;
        if (this.payloadRemaining === 0) this.finishPacket();
        continue;
      }
      const take = Math.min(4 - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length === 4) this.startPacket();
    }
  }

  private startPacket(): void {
    const length = this.header.readUIntLE(0, 3);
    const sequence = this.header[3];
    this.header = Buffer.alloc(0);
    this.payloadLength = length;
    this.payloadRemaining = length;
    if (this.continuing) {
      this.commandBytes += length; // a continuation of a long command: keep capturing into it
    } else if (this.firstPacket) {
      this.firstPacket = false;
      if (length === SSL_REQUEST_LENGTH) return this.becomeOpaque('the connection switched to TLS');
      this.readingHandshake = true;
      this.captured = new BoundedCapture(MAX_CAPTURED_PAYLOAD);
      this.commandBytes = length;
    } else if (sequence === 0) {
      this.captured = new BoundedCapture(MAX_CAPTURED_PAYLOAD);
      this.commandBytes = length;
    } else {
      this.captured = undefined; // auth exchange, LOAD DATA LOCAL contents: not commands
    }
    if (length === 0) this.finishPacket();
  }

  private finishPacket(): void {
    if (!this.captured) return;
    if (this.payloadLength === MAX_PACKET_PAYLOAD) {
      this.continuing = true;
      return;
    }
    this.continuing = false;
    const payload = this.captured.bytes();
    this.captured = undefined;
    if (this.readingHandshake) {
      this.readingHandshake = false;
      if (payload.length >= 32) this.handshakeResponse(payload);
      return;
    }
    this.command(payload);
  }

  /** The first packet: HandshakeResponse41 (capabilities, max packet, charset, filler, user, auth data, database). */
  private handshakeResponse(payload: Buffer): void {
    const capabilities = payload.readUInt32LE(0);
    if ((capabilities & CAPABILITY.PROTOCOL_41) === 0) return; // pre-4.1 clients: commands are still read
    // What both sides support is what the connection uses (mysql2 asks for query attributes, MariaDB has none).
    this.capabilities = capabilities & (this.serverCapabilities ?? capabilities);
    let offset = 32;
    const userEnd = payload.indexOf(0, offset);
    if (userEnd === -1) return;
    const user = payload.toString('utf8', offset, userEnd);
    offset = userEnd + 1;
    let database: string | undefined;
    if (capabilities & (CAPABILITY.PLUGIN_AUTH_LENENC_DATA | CAPABILITY.SECURE_CONNECTION)) {
      // Both lengths fit one byte for every auth plugin this local stack meets (≤ 250 bytes of auth data).
      offset += 1 + payload[offset];
    } else {
      const end = payload.indexOf(0, offset);
      offset = end === -1 ? payload.length : end + 1;
    }
    if (capabilities & CAPABILITY.CONNECT_WITH_DB && offset < payload.length) {
      const end = payload.indexOf(0, offset);
      database = payload.toString('utf8', offset, end === -1 ? payload.length : end);
    }
    this.onEvent({ kind: 'login', user, database });
  }

  private command(payload: Buffer): void {
    if (payload.length === 0) return;
    const truncated = payload.length < this.commandBytes;
    let textStart = 1;
    if (payload[0] === COM_QUERY && (this.capabilities & CAPABILITY.QUERY_ATTRIBUTES) !== 0) {
      // parameter_count and parameter_set_count (length-encoded, one byte each when there are no attributes).
      if (payload[1] !== 0) return this.becomeOpaque('COM_QUERY with query attributes');
      textStart = 3;
    }
    const text = payload.toString('utf8', textStart);
    const bytes = truncated ? this.commandBytes - textStart : payload.length - textStart;
    if (payload[0] === COM_QUERY) this.onEvent({ kind: 'query', text, bytes });
    else if (payload[0] === COM_STMT_PREPARE) this.onEvent({ kind: 'prepare', text, bytes });
  }

  private becomeOpaque(reason: string): void {
    this.isOpaque = true;
    this.captured = undefined;
    this.onEvent({ kind: 'opaque', reason });
  }
}
