import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { LocalPostgres, startPostgres } from '../../../local/src/postgres-server';
import { closeDatabases, configureDatabases, withWriter } from '../../src/connections/database-registry';
import { idleErrorRecord, MAX_IDLE_ERROR_MESSAGE_CHARS } from '../../src/connections/idle-error-record';
import { useTelemetry } from '../../src/observability/telemetry';
import { RecordingMetrics } from '../support/fakes';
import { postgresEnvironment, withClient } from '../support/postgres-env';

/*
 * pg-pool emits an idle connection's error with the whole pg Client attached (`err.client = client`); the
 * Logger serialises every enumerable property of an error, so each such warning used to be a 3.9 KB line of
 * client internals. The line must carry the classified fields only.
 */

/** Upper bound of one idle-error line: the Logger's own keys, the host, the classification and a 300-character message. */
const MAX_LINE_BYTES = 1024;

let pg: LocalPostgres;
const written: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  // The real Powertools Logger (not a recorder), so the test sees the line as it would be in CloudWatch.
  const logger = new Logger({ serviceName: 'idle-error-test' });
  // The Logger prints through its own Console (as in Lambda); give it one that writes here.
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  (logger as unknown as { console: Console }).console = new Console({ stdout: capture, stderr: capture });
  useTelemetry({ logger, metrics: new RecordingMetrics() });
});

afterAll(async () => {
  await closeDatabases();
  await pg?.stop();
});

test('an idle connection terminated by the server logs host, error class, code and message only, in one short line', async () => {
  // GIVEN a writer pool holding one idle connection
  await configureDatabases({ env: postgresEnvironment(pg) });
  await withWriter((tx) => tx.query('select 1'));
  // WHEN the server terminates it (as a failover, a restart or a proxy's idle timeout would)
  const terminated = await withClient(pg.superuserConnectionString, async (db) =>
    (await db.query('select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where usename = $1) t', [pg.user])).rows[0].n);
  const deadline = Date.now() + 10_000;
  const idleLines = () => written.filter((line) => line.includes('idle database connection failed'));
  while (idleLines().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  // THEN one warning with exactly the classified fields
  expect(terminated).toBe(1);
  expect(idleLines()).toHaveLength(1);
  const line = idleLines()[0];
  const { level, message, service, host, error_class, error_code, error, ...rest } = JSON.parse(line);
  expect({ level, message, service, host, error_class, error_code, error }).toEqual({
    level: 'WARN',
    message: 'idle database connection failed',
    service: 'idle-error-test',
    host: pg.host,
    error_class: 'transient',
    error_code: '57P01',
    error: 'terminating connection due to administrator command',
  });
  // Only the Logger's own keys besides (timestamp, sampling_rate, and Lambda context keys when in Lambda).
  expect(Object.keys(rest).sort()).toEqual(['sampling_rate', 'timestamp']);
  expect(Buffer.byteLength(line)).toBeLessThan(MAX_LINE_BYTES);
  // The pool recovers: the next write opens a new connection.
  await expect(withWriter((tx) => tx.query<{ n: number }>('select 2 as n'))).resolves.toMatchObject({ rows: [{ n: 2 }] });
});

test('a long error message is cut to 300 characters', () => {
  const record = idleErrorRecord('db.local', Object.assign(new Error('x'.repeat(5_000)), { code: 'ECONNRESET', client: { huge: 'y'.repeat(5_000) } }));
  expect(record).toEqual({ host: 'db.local', error_class: 'transient', error_code: 'ECONNRESET', error: `${'x'.repeat(MAX_IDLE_ERROR_MESSAGE_CHARS - 1)}…` });
});
