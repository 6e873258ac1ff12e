import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { withConnection } from './writer-harness';
import { findFreePort } from '../src/free-port';
import { LocalStack } from '../src/local-stack';
import { PinningDetector, PinningError, PinningFinding } from '../src/pinning-detector';
import { PinningRule } from '../src/pinning-rules';

// Real node-postgres clients through the detector to the real PgBouncer (transaction mode) and PostgreSQL 15: each
// AWS pinning condition is flagged, plain statements are not, and the bytes arrive unchanged.

let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await LocalStack.up();
  await withConnection(stack.postgres.connectionString, async (db) => {
    await db.query('create sequence pin_seq');
    await db.query('create table pin_t(id int primary key, v text)');
  });
}, 30_000);

afterAll(async () => {
  await stack?.down();
}, 30_000);

/** Runs `fn` through the detector (and PgBouncer) on a fresh connection; returns the findings it caused. */
async function findingsOf(fn: (db: Client) => Promise<unknown>): Promise<Array<Pick<PinningFinding, 'rule' | 'statement'>>> {
  stack!.pinning.clear();
  await withConnection(stack!.pooledConnectionString, fn);
  return stack!.pinningReport().map(({ rule, statement }) => ({ rule, statement }));
}

/** The query's outcome does not matter to the detector (the server may refuse it): the statement was sent. */
const sent = (db: Client, sql: string) => db.query(sql).catch(() => undefined);

describe('GIVEN a real client through the pinning detector WHEN it sends what AWS lists as pinning on PostgreSQL', () => {
  const cases: Array<{ what: string; sql: string; rule: PinningRule; statement?: string }> = [
    { what: 'SET', sql: 'SET search_path = public', rule: 'set-command' },
    { what: 'SET LOCAL (no exception on PostgreSQL)', sql: 'BEGIN; SET LOCAL statement_timeout = 5000; COMMIT', rule: 'set-command', statement: 'SET LOCAL statement_timeout = 5000' },
    { what: 'RESET', sql: 'RESET search_path', rule: 'set-command' },
    { what: 'set_config', sql: "select set_config('application_name', 'x', false)", rule: 'set-command' },
    { what: 'PREPARE', sql: 'PREPARE pin_p AS SELECT 1', rule: 'sql-prepared-statement' },
    { what: 'a temporary table', sql: 'BEGIN; CREATE TEMP TABLE pin_tmp(a int) ON COMMIT DROP; COMMIT', rule: 'temporary-object', statement: 'CREATE TEMP TABLE pin_tmp(a int) ON COMMIT DROP' },
    { what: 'a temporary sequence', sql: 'CREATE TEMPORARY SEQUENCE pin_tmp_seq', rule: 'temporary-object' },
    { what: 'a cursor', sql: 'BEGIN; DECLARE pin_c CURSOR FOR SELECT 1; COMMIT', rule: 'cursor', statement: 'DECLARE pin_c CURSOR FOR SELECT 1' },
    { what: 'DISCARD', sql: 'DISCARD ALL', rule: 'discard' },
    { what: 'LISTEN', sql: 'LISTEN pin_channel', rule: 'listen' },
    { what: 'LOAD', sql: "LOAD 'auto_explain'", rule: 'load-library' },
    { what: 'nextval', sql: "select nextval('pin_seq')", rule: 'sequence-function' },
    { what: 'setval', sql: "select setval('pin_seq', 10)", rule: 'sequence-function' },
    { what: 'a session advisory lock', sql: 'select pg_advisory_lock(42), pg_advisory_unlock(42)', rule: 'advisory-lock' },
    { what: 'a try advisory lock', sql: 'select pg_try_advisory_lock(42)', rule: 'advisory-lock' },
  ];

  test.each(cases)('THEN $what is reported', async ({ sql, rule, statement }) => {
    expect(await findingsOf((db) => sent(db, sql))).toEqual([{ rule, statement: statement ?? sql }]);
  });

  test('THEN EXECUTE and DEALLOCATE are reported too', async () => {
    const findings = await findingsOf(async (db) => {
      await sent(db, 'PREPARE pin_q AS SELECT 1; EXECUTE pin_q; DEALLOCATE pin_q');
    });
    expect(findings).toEqual(['PREPARE pin_q AS SELECT 1', 'EXECUTE pin_q', 'DEALLOCATE pin_q']
      .map((statement) => ({ rule: 'sql-prepared-statement', statement })));
  });

  test('THEN a named (protocol-level) prepared statement is reported, and only once per Parse', async () => {
    const findings = await findingsOf(async (db) => {
      // node-postgres parses a named statement once per connection, then only binds it.
      for (let i = 0; i < 3; i++) await db.query({ name: 'pin-named', text: 'select $1::int as n', values: [i] });
    });
    expect(findings).toEqual([{ rule: 'named-prepared-statement', statement: 'select $1::int as n' }]);
    expect(stack!.pinningReport()[0].count).toBe(1);
  });

  test('THEN the BEGIN the runtime sent before EDA-13 ("BEGIN; SET LOCAL statement_timeout = …") is reported', async () => {
    expect(await findingsOf(async (db) => {
      await db.query('BEGIN; SET LOCAL statement_timeout = 5000');
      await db.query('COMMIT');
    })).toEqual([{ rule: 'set-command', statement: 'SET LOCAL statement_timeout = 5000' }]);
  });

  test('THEN a statement of 16,385 bytes is reported and one of 16,384 is not (the 16 KB rule)', async () => {
    // `select '…'` with the literal sized so the whole text has exactly `bytes` bytes.
    const ofSize = (bytes: number) => `select '${'x'.repeat(bytes - "select ''".length)}'`;
    expect(Buffer.byteLength(ofSize(16_384))).toBe(16_384);
    const findings = await findingsOf(async (db) => {
      await db.query(ofSize(16_384));
      await db.query(ofSize(16_385));
    });
    expect(findings.map((f) => f.rule)).toEqual(['statement-over-16kb']);
    // The one reported is the longer one (reports keep the first 300 characters).
    expect(stack!.pinningReport().map((f) => [f.count, f.statement.length])).toEqual([[1, 301]]);
  });

  test('THEN a parameterised statement over 16 KB of text is reported (the text, not the parameters, counts)', async () => {
    const findings = await findingsOf(async (db) => {
      await db.query('select $1::text as big', ['y'.repeat(100_000)]); // 100 KB of parameter, short text: not reported
      await db.query(`select $1::int as n /* ${'z'.repeat(16_400)} */`, [1]);
    });
    expect(findings.map((f) => f.rule)).toEqual(['statement-over-16kb']);
  });

  test('THEN the finding names the rule, AWS\'s sentence, the client and counts', async () => {
    stack!.pinning.clear();
    await withConnection(stack!.pooledConnectionString, (db) => db.query('SET search_path = public'));
    await withConnection(stack!.pooledConnectionString, (db) => db.query('SET search_path = public'));
    const [finding] = stack!.pinningReport();
    expect({ ...finding, firstClient: /^127\.0\.0\.1:\d+ app_user@app$/.test(finding.firstClient) }).toEqual({
      engine: 'postgres',
      rule: 'set-command',
      statement: 'SET search_path = public',
      count: 2,
      connections: 2,
      firstClient: true,
      condition: expect.stringContaining('Using SET commands.'),
    });
    expect(() => stack!.expectNoPinning()).toThrow(PinningError);
    expect(() => stack!.expectNoPinning()).toThrow(/\[set-command\] SET search_path = public/);
  });
});

describe('GIVEN a real client through the pinning detector WHEN it sends statements that do not pin', () => {
  test('THEN transactions of INSERT/SELECT/UPDATE, unnamed parameterised queries and transaction advisory locks are not reported', async () => {
    const findings = await findingsOf(async (db) => {
      await db.query('BEGIN');
      await db.query('insert into pin_t(id, v) values ($1, $2) on conflict (id) do nothing', [1, "SET x = 'nextval('"]);
      await db.query("update pin_t set v = 'LISTEN -- DISCARD' where id = $1", [1]);
      await db.query('select pg_advisory_xact_lock(7), pg_try_advisory_xact_lock_shared(8)');
      await db.query('select v from pin_t where id = 1 -- SET search_path = x');
      await db.query('COMMIT');
      await db.query('BEGIN READ ONLY');
      await db.query('select count(*) from pin_t');
      await db.query('ROLLBACK');
    });
    expect({ findings, checked: stack!.pinning.stats.statementsChecked }).toEqual({ findings: [], checked: 9 });
  });

  test('THEN expectNoPinning passes', async () => {
    await findingsOf((db) => db.query('select 1'));
    expect(() => stack!.expectNoPinning()).not.toThrow();
  });
});

describe('GIVEN the pinning detector in front of PgBouncer', () => {
  test('THEN query results come back unchanged through it (1 MB each way)', async () => {
    const payload = randomBytes(512 * 1024).toString('hex');
    const digest = (text: string) => createHash('sha256').update(text).digest('hex');
    const echoed = await withConnection(stack!.pooledConnectionString, async (db) => (await db.query<{ v: string }>('select $1::text as v', [payload])).rows[0].v);
    expect(digest(echoed)).toBe(digest(payload));
  });

  test('THEN a round trip through it costs less than three times one through PgBouncer alone (medians, alternating)', async () => {
    const viaDetector = new Client({ connectionString: stack!.pooledConnectionString });
    const viaPgBouncer = new Client({ connectionString: stack!.pgbouncer.connectionString });
    await Promise.all([viaDetector.connect(), viaPgBouncer.connect()]);
    const samples: { detector: number[]; pgbouncer: number[] } = { detector: [], pgbouncer: [] };
    try {
      for (let i = 0; i < 300; i++) {
        for (const [name, db] of [['detector', viaDetector], ['pgbouncer', viaPgBouncer]] as const) {
          const started = performance.now();
          await db.query('select 1');
          samples[name].push(performance.now() - started);
        }
      }
    } finally {
      await Promise.all([viaDetector.end(), viaPgBouncer.end()]);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    expect(median(samples.detector)).toBeLessThan(3 * median(samples.pgbouncer));
  });

  test('WHEN PgBouncer is down THEN a client is reset instead of left hanging, and served again once it is back', async () => {
    const client = new Client({ connectionString: stack!.pooledConnectionString, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    const down = stack!.pgbouncer.restart(1_500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const outcome = await client.connect().then(() => 'connected', (error: Error) => error.message);
    await down;
    await client.end().catch(() => undefined);
    const again = await withConnection(stack!.pooledConnectionString, async (db) => (await db.query<{ ok: number }>('select 1 as ok')).rows);
    expect({ refused: outcome !== 'connected', again }).toEqual({ refused: true, again: [{ ok: 1 }] });
  }, 20_000);
});

describe('GIVEN the pinning detector in front of an echo server', () => {
  let echo: Server;
  let detector: PinningDetector;
  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    const port = await findFreePort();
    await new Promise<void>((resolve) => echo.listen(port, '127.0.0.1', resolve));
    detector = await PinningDetector.start({ engine: 'postgres', upstream: { host: '127.0.0.1', port } });
  });
  afterAll(async () => {
    await detector.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  test('THEN 4 MB of arbitrary bytes in uneven chunks come back byte for byte', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const socket: Socket = connect({ host: '127.0.0.1', port: detector.port });
    const received: Buffer[] = [];
    let length = 0;
    const done = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      length += chunk.length;
      if (length >= data.length) resolve();
    }));
    for (let offset = 0, size = 1; offset < data.length; offset += size, size = (size * 7 + 13) % 65_521 + 1) {
      socket.write(data.subarray(offset, offset + size));
    }
    await done;
    socket.destroy();
    expect(Buffer.concat(received).equals(data)).toBe(true);
  });
});
