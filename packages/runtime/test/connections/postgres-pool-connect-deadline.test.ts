import { createServer, Server, Socket } from 'node:net';
import type { ConnectionSettings } from '../../src/config/environment';
import { createPostgresPool } from '../../src/connections/postgres-pool';
import type { SqlPool } from '../../src/connections/sql-pool';
import { classifyError } from '../../src/resilience/error-classification';

// A "database" that accepts TCP connections and never answers the startup message: what a cold environment sees when
// the proxy or the database is too busy to finish a new connection.
let server: Server;
let port: number;
const sockets: Socket[] = [];
let pool: SqlPool | undefined;

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await pool?.end().catch(() => undefined);
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

test('EDA-11 #5: a new connection does not outlive the transaction deadline when the pool\'s connection timeout is longer', async () => {
  // GIVEN a pool whose connection timeout is 5 s, and a transaction deadline 300 ms away (a short function timeout)
  const settings = {
    engine: 'postgres',
    role: 'writer',
    hosts: ['127.0.0.1'],
    port,
    database: 'app',
    user: 'app',
    auth: 'password',
    password: 'x',
    tls: 'disable',
    poolMax: 1,
  } as ConnectionSettings;
  pool = createPostgresPool({ settings, host: '127.0.0.1', connectionTimeoutMillis: 5_000, credentials: { password: async () => 'x', invalidate: () => undefined } });
  // WHEN the connection never completes
  const started = Date.now();
  const error = await pool.transaction((tx) => tx.query('select 1'), { deadline: Date.now() + 300 }).catch((e: unknown) => e);
  const elapsed = Date.now() - started;
  // THEN the transaction gives up at the deadline, as a connection failure the breaker counts, not after 5 s
  expect(classifyError(error)).toMatchObject({ errorClass: 'transient', code: 'EDA_CLIENT_DEADLINE', connectionFailure: true });
  expect((error as Error).message).toMatch(/^connect got no answer within \d+ ms/);
  expect(elapsed).toBeGreaterThanOrEqual(250);
  expect(elapsed).toBeLessThan(2_000);
});
