/* eslint-disable no-bitwise -- MySQL capability flags are a bit field (Protocol::CapabilityFlags) */
import { createServer, Server, Socket } from 'node:net';
import * as mysql from 'mysql2/promise';
import { createMysqlPool } from '../../runtime/src/connections/mysql-pool';
import { findFreePort } from '../src/free-port';
import { CAPABILITY } from '../src/mysql-command-parser';
import { PinningDetector } from '../src/pinning-detector';

// Real mysql2 clients (and the runtime's MySQL pool) through the detector, in front of a minimal MySQL server that
// speaks just enough of the protocol to accept a login and answer every command with OK: the detector reads the
// bytes mysql2 really sends (its capability flags, COM_QUERY, COM_STMT_PREPARE for execute()), no hand-built packets.

const packet = (sequence: number, payload: Buffer) => {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
};
const OK = Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]); // affected 0, insert id 0, autocommit, 0 warnings
// No SSL and no query attributes, like MariaDB; LONG_PASSWORD, LONG_FLAG, TRANSACTIONS and MULTI_RESULTS besides.
const SERVER_CAPABILITIES = CAPABILITY.PROTOCOL_41 | CAPABILITY.SECURE_CONNECTION | CAPABILITY.PLUGIN_AUTH | CAPABILITY.CONNECT_WITH_DB
  | 0x1 | 0x4 | 0x2000 | 0x20000;

function greeting(): Buffer {
  const low = Buffer.alloc(2);
  low.writeUInt16LE(SERVER_CAPABILITIES & 0xffff);
  const high = Buffer.alloc(2);
  high.writeUInt16LE(SERVER_CAPABILITIES >>> 16);
  return packet(0, Buffer.concat([Buffer.from([10]), Buffer.from('10.11.6-MariaDB-fake\0'), Buffer.alloc(4, 1), Buffer.alloc(8, 0x41),
    Buffer.from([0]), low, Buffer.from([45]), Buffer.from([2, 0]), high, Buffer.from([21]), Buffer.alloc(10), Buffer.alloc(12, 0x42),
    Buffer.from([0]), Buffer.from('mysql_native_password\0')]));
}

/** Accepts any login, answers COM_STMT_PREPARE with a statement of no columns and parameters, everything else OK. */
function serve(socket: Socket): void {
  socket.write(greeting());
  let buffered = Buffer.alloc(0);
  let loggedIn = false;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUIntLE(0, 3)) {
      const length = buffered.readUIntLE(0, 3);
      const sequence = buffered[3];
      const payload = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      if (!loggedIn) {
        loggedIn = true;
        socket.write(packet(sequence + 1, OK));
      } else if (payload[0] === 0x01) {
        socket.end(); // COM_QUIT
      } else if (payload[0] === 0x16) {
        socket.write(packet(1, Buffer.from([0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0, 0]))); // COM_STMT_PREPARE_OK
      } else if (payload[0] !== 0x19) {
        socket.write(packet(1, OK)); // not COM_STMT_CLOSE, which has no answer
      }
    }
  });
  socket.on('error', () => undefined);
}

let server: Server;
let detector: PinningDetector;

beforeAll(async () => {
  server = createServer(serve);
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  detector = await PinningDetector.start({ engine: 'mysql', upstream: { host: '127.0.0.1', port } });
});

afterAll(async () => {
  await detector.stop();
  await new Promise((resolve) => server.close(resolve));
});

async function findingsOf(fn: (db: mysql.Connection) => Promise<unknown>): Promise<Array<[string, string]>> {
  // A finding keeps `address:port user@database` of the first client that sent it (read from the login packet).
  detector.clear();
  const db = await mysql.createConnection({ host: '127.0.0.1', port: detector.port, user: 'app_user', password: 'secret', database: 'app' });
  try {
    await fn(db);
  } finally {
    await db.end();
  }
  return detector.findings().map((f) => [f.rule, f.statement]);
}

describe('GIVEN mysql2 through the pinning detector', () => {
  test('THEN execute() (a binary-protocol prepared statement) is reported', async () => {
    expect(await findingsOf((db) => db.execute('select 1 as n'))).toEqual([['prepared-statement', 'select 1 as n']]);
  });

  test('THEN a user variable, SET SESSION of an untracked variable, GET_LOCK and a temporary table are reported', async () => {
    expect(await findingsOf(async (db) => {
      await db.query('SET @n = ?', [1]);
      await db.query('SET SESSION foreign_key_checks = 0');
      await db.query("select GET_LOCK('job', 1)");
      await db.query('CREATE TEMPORARY TABLE t (a int)');
    })).toEqual([
      ['variable', 'SET @n = 1'], ['variable', 'SET SESSION foreign_key_checks = 0'], ['named-lock', "select GET_LOCK('job', 1)"],
      ['temporary-table', 'CREATE TEMPORARY TABLE t (a int)'],
    ]);
    expect(detector.findings().map((f) => /^127\.0\.0\.1:\d+ app_user@app$/.test(f.firstClient))).toEqual([true, true, true, true]);
  });

  test('THEN transactions with query(), SET LOCAL and tracked variables are not reported', async () => {
    expect(await findingsOf(async (db) => {
      await db.query('START TRANSACTION');
      await db.query('INSERT IGNORE INTO t (`key`) VALUES (?)', ['SET @x = 1']);
      await db.query('SET LOCAL max_execution_time = 1000');
      await db.query("SET NAMES utf8mb4, time_zone = '+00:00'");
      await db.query('COMMIT');
    })).toEqual([]);
    expect(detector.stats).toEqual({ connections: 1, opaqueConnections: 0, statementsChecked: 5 });
  });
});

describe('GIVEN the runtime MySQL pool through the pinning detector', () => {
  test('THEN a write transaction and a read-only one send nothing that would pin', async () => {
    detector.clear();
    const pool = createMysqlPool({
      settings: {
        engine: 'mysql',
        role: 'writer',
        hosts: ['127.0.0.1'],
        port: detector.port,
        database: 'app',
        user: 'app_user',
        auth: 'password',
        password: 'secret',
        tls: 'disable',
        poolMax: 1,
        statementTimeoutMs: 5000,
      },
      host: '127.0.0.1',
      credentials: { password: async () => 'secret', invalidate: () => undefined },
    });
    try {
      await pool.transaction((tx) => tx.query('INSERT IGNORE INTO eda_idempotency_keys (`key`) VALUES (?)', ['k1']));
      await pool.transaction((tx) => tx.query('select 1'), { readOnly: true });
    } finally {
      await pool.end();
    }
    expect({ findings: detector.findings(), checked: detector.stats.statementsChecked }).toEqual({ findings: [], checked: 6 });
  });
});
