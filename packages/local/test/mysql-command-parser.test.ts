/* eslint-disable no-bitwise -- MySQL capability flags are a bit field (Protocol::CapabilityFlags) */
import { CAPABILITY, COM_QUERY, COM_STMT_PREPARE, MAX_CAPTURED_PAYLOAD, MysqlCommandEvent, MysqlCommandParser } from '../src/mysql-command-parser';
import { pinningMatches } from '../src/pinning-rules';

// Client packets built by hand from the MySQL client/server protocol
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html).
const packet = (sequence: number, payload: Buffer) => {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
};
const { CONNECT_WITH_DB, PROTOCOL_41, SSL, SECURE_CONNECTION, PLUGIN_AUTH, QUERY_ATTRIBUTES } = CAPABILITY;

/** HandshakeResponse41 as mysql2 sends it: user, 20 bytes of mysql_native_password scramble, database, plugin. */
function handshakeResponse(user: string, database: string, extraFlags = 0): Buffer {
  const fixed = Buffer.alloc(32);
  fixed.writeUInt32LE(PROTOCOL_41 | SECURE_CONNECTION | CONNECT_WITH_DB | PLUGIN_AUTH | extraFlags, 0);
  fixed.writeUInt32LE(0xffffff, 4);
  fixed[8] = 45; // utf8mb4_general_ci
  return packet(1, Buffer.concat([fixed, Buffer.from(`${user}\0`), Buffer.from([20]), Buffer.alloc(20, 7),
    Buffer.from(`${database}\0`), Buffer.from('mysql_native_password\0')]));
}
const command = (code: number, text: string) => packet(0, Buffer.concat([Buffer.from([code]), Buffer.from(text, 'utf8')]));
const sslRequest = () => {
  const payload = Buffer.alloc(32);
  payload.writeUInt32LE(PROTOCOL_41 | SECURE_CONNECTION | SSL, 0);
  return packet(1, payload);
};

/** Protocol::HandshakeV10 of a server with these capabilities. */
function greeting(capabilities: number): Buffer {
  const low = Buffer.alloc(2);
  low.writeUInt16LE(capabilities & 0xffff);
  const high = Buffer.alloc(2);
  high.writeUInt16LE(capabilities >>> 16);
  return packet(0, Buffer.concat([Buffer.from([10]), Buffer.from('10.11.6-MariaDB\0'), Buffer.alloc(4, 1), Buffer.alloc(8, 2), Buffer.from([0]),
    low, Buffer.from([45]), Buffer.from([2, 0]), high, Buffer.from([21]), Buffer.alloc(10), Buffer.alloc(12, 3), Buffer.from([0]),
    Buffer.from('mysql_native_password\0')]));
}

function eventsOf(chunks: Buffer[], serverGreeting?: Buffer): MysqlCommandEvent[] {
  const events: MysqlCommandEvent[] = [];
  const parser = new MysqlCommandParser((e) => events.push(e));
  // The greeting comes in pieces too: the parser waits for the whole packet.
  if (serverGreeting) for (const b of serverGreeting) parser.serverBytes(Buffer.from([b]));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

const SESSION = Buffer.concat([
  handshakeResponse('app_user', 'app'),
  packet(3, Buffer.from('auth switch response')), // an auth exchange packet: not a command
  command(COM_QUERY, 'START TRANSACTION'),
  command(COM_QUERY, 'SET @n = 1'),
  command(COM_STMT_PREPARE, 'select ? as n'),
  packet(0, Buffer.from([0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0])), // COM_STMT_EXECUTE: not read
  command(COM_QUERY, 'COMMIT'),
  packet(0, Buffer.from([0x0e])), // COM_PING
]);
const EXPECTED: MysqlCommandEvent[] = [
  { kind: 'login', user: 'app_user', database: 'app' },
  { kind: 'query', text: 'START TRANSACTION', bytes: 17 },
  { kind: 'query', text: 'SET @n = 1', bytes: 10 },
  { kind: 'prepare', text: 'select ? as n', bytes: 13 },
  { kind: 'query', text: 'COMMIT', bytes: 6 },
];

describe('GIVEN a MySQL client session on the wire', () => {
  test('THEN the login, COM_QUERY and COM_STMT_PREPARE are read, other commands and auth packets skipped', () => {
    expect(eventsOf([SESSION])).toEqual(EXPECTED);
  });

  test('THEN the same events come out whatever the chunking (one byte at a time)', () => {
    expect(eventsOf([...SESSION].map((b) => Buffer.from([b])))).toEqual(EXPECTED);
  });

  test('THEN what it reads is what the rules judge: the user variable and the binary-protocol prepare pin', () => {
    const judged = eventsOf([SESSION]).flatMap((e) => e.kind === 'query' ? pinningMatches('mysql', e.text, e.bytes).map((m) => m.rule)
      : e.kind === 'prepare' ? ['prepared-statement'] : []);
    expect(judged).toEqual(['variable', 'prepared-statement']);
  });

  test('THEN a command longer than one packet (16 MiB) is read across its continuation packets, with its full size', () => {
    const text = `select '${'x'.repeat(0xffffff + 100)}'`;
    const payload = Buffer.concat([Buffer.from([COM_QUERY]), Buffer.from(text)]);
    const chunks = [handshakeResponse('u', 'd'), packet(0, payload.subarray(0, 0xffffff)), packet(1, payload.subarray(0xffffff)), command(COM_QUERY, 'select 1')];
    expect(eventsOf(chunks).slice(1)).toEqual([
      { kind: 'query', text: text.slice(0, MAX_CAPTURED_PAYLOAD - 1), bytes: Buffer.byteLength(text) },
      { kind: 'query', text: 'select 1', bytes: 8 },
    ]);
  });

  test('THEN with query attributes on both sides (MySQL ≥ 8.0.23) the text after the empty attribute set is read', () => {
    const chunks = [handshakeResponse('u', 'd', QUERY_ATTRIBUTES), packet(0, Buffer.concat([Buffer.from([COM_QUERY, 0, 1]), Buffer.from('SET @a = 1')]))];
    const server = greeting(PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH | QUERY_ATTRIBUTES);
    expect(eventsOf(chunks, server).slice(1)).toEqual([{ kind: 'query', text: 'SET @a = 1', bytes: 10 }]);
  });

  test('THEN with query attributes asked by the client (mysql2 does) but not offered by the server (MariaDB) the text starts after the command byte', () => {
    const chunks = [handshakeResponse('u', 'd', QUERY_ATTRIBUTES), command(COM_QUERY, 'SET @a = 1')];
    const server = greeting(PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH);
    expect(eventsOf(chunks, server).slice(1)).toEqual([{ kind: 'query', text: 'SET @a = 1', bytes: 10 }]);
  });
});

describe('GIVEN a MySQL client that asks for TLS', () => {
  test('THEN the connection is opaque and nothing more is read', () => {
    expect(eventsOf([sslRequest(), command(COM_QUERY, 'SET @n = 1')])).toEqual([{ kind: 'opaque', reason: 'the connection switched to TLS' }]);
  });
});
