import { MAX_CAPTURED_BYTES, PostgresFrontendEvent, PostgresFrontendParser } from '../src/postgres-frontend-parser';

// Frontend messages built by hand from https://www.postgresql.org/docs/15/protocol-message-formats.html.
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const typed = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
const startup = (params: Record<string, string>) => {
  const body = Buffer.concat([int32(196608), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]);
};
const sslRequest = Buffer.concat([int32(8), int32(80877103)]);
const query = (text: string) => typed('Q', cstr(text));
const parse = (name: string, text: string, types: number[] = []) => typed('P', Buffer.concat([cstr(name), cstr(text), int16(types.length), ...types.map(int32)]));
const bind = typed('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(1), int32(3), Buffer.from('abc'), int16(0)]));
const execute = typed('E', Buffer.concat([cstr(''), int32(0)]));
const sync = typed('S', Buffer.alloc(0));

function eventsOf(chunks: Buffer[], answers: number[] = []): PostgresFrontendEvent[] {
  const events: PostgresFrontendEvent[] = [];
  const parser = new PostgresFrontendParser((e) => events.push(e));
  for (const chunk of chunks) {
    parser.push(chunk);
    if (parser.awaitingEncryptionAnswer) parser.encryptionAnswer(answers.shift()!);
  }
  return events;
}
const bytewise = (data: Buffer) => [...data].map((b) => Buffer.from([b]));

const SESSION = Buffer.concat([
  startup({ user: 'app_user', database: 'app' }),
  query('BEGIN; SET LOCAL statement_timeout = 5000'),
  parse('', 'insert into t values ($1)', [25]), bind, execute, sync,
  parse('s1', 'select $1::int'), sync,
  query('COMMIT'),
]);
const EXPECTED: PostgresFrontendEvent[] = [
  { kind: 'startup', parameters: { user: 'app_user', database: 'app' } },
  { kind: 'query', text: 'BEGIN; SET LOCAL statement_timeout = 5000', bytes: 41 },
  { kind: 'parse', name: '', text: 'insert into t values ($1)', bytes: 25 },
  { kind: 'parse', name: 's1', text: 'select $1::int', bytes: 14 },
  { kind: 'query', text: 'COMMIT', bytes: 6 },
];

describe('GIVEN a client session on the wire', () => {
  test('THEN startup, simple queries and Parse messages (with their statement name) are read', () => {
    expect(eventsOf([SESSION])).toEqual(EXPECTED);
  });

  test('THEN the same events come out whatever the chunking (one byte at a time)', () => {
    expect(eventsOf(bytewise(SESSION))).toEqual(EXPECTED);
  });

  test('THEN a query longer than the capture is reported with its full size and truncated text', () => {
    const long = `select '${'x'.repeat(MAX_CAPTURED_BYTES * 2)}'`;
    const [, event] = eventsOf([startup({ user: 'u' }), query(long)]);
    expect(event).toEqual({ kind: 'query', text: long.slice(0, MAX_CAPTURED_BYTES), bytes: Buffer.byteLength(long) });
  });

  test('THEN sizes are in bytes as sent (UTF-8), not characters', () => {
    expect(eventsOf([startup({ user: 'u' }), query("select 'é'")])[1]).toEqual({ kind: 'query', text: "select 'é'", bytes: 11 });
  });
});

describe('GIVEN an SSLRequest', () => {
  test('WHEN the server declines (N) THEN the startup that follows is read as usual', () => {
    expect(eventsOf([sslRequest, SESSION], [0x4e])).toEqual(EXPECTED);
  });

  test('WHEN the server accepts (S) THEN the connection is opaque and nothing more is read', () => {
    expect(eventsOf([sslRequest, SESSION], [0x53])).toEqual([{ kind: 'opaque', reason: 'the connection switched to TLS/GSS encryption' }]);
  });
});

describe('GIVEN bytes that are not protocol 3.0', () => {
  test('THEN the parser gives up on the connection instead of guessing', () => {
    expect(eventsOf([Buffer.from('GET / HTTP/1.1\r\n\r\n')])).toEqual([{ kind: 'opaque', reason: 'startup packet of 1195725856 bytes' }]);
  });
});
