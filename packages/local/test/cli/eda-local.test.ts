import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Client } from 'pg';
import { edaLocal, EdaLocalProcess, startEdaLocal } from './eda-local-process';
import { parseEnvFile } from '../../src/cli/state-dir';
import { portOpen } from '../port-probe';
import { drainQueue, order, sendAll, waitFor } from '../writer-harness';

/*
 * EDA-17 item 4: the local stack from a user's project. Every command runs as a separate process in a temporary
 * project directory holding what a user writes: a schema file and a writer built with sqlWriter.
 */

const SCHEMA = `create table orders(
  id text not null,
  total int not null check (total >= 0)
);
`;
const WRITER = `import { sqlWriter } from '@cdk-elastic-data-access/runtime';

export const handler = sqlWriter<{ id: string; total: number }>(async (tx, message) => {
  await tx.query('insert into orders(id, total) values ($1, $2)', [message.body.id, message.body.total]);
});
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eda-local-project-'));
  writeFileSync(join(dir, 'schema.sql'), SCHEMA);
  writeFileSync(join(dir, 'order-writer.ts'), WRITER);
  return dir;
}

/** The summary `up` and `status` print, from the stack's environment file. */
function expectedSummary(env: Record<string, string>, pid: string): string {
  const direct = new URL(env.EDA_LOCAL_DIRECT_URL);
  return `local stack running (pid ${pid})
  database          PostgreSQL at 127.0.0.1:${direct.port}, database app, user app_user
  psql              psql '${env.EDA_LOCAL_DIRECT_URL}'
  runtime connects  127.0.0.1:${env.EDA_WRITE_PORT} (pinning detector → PgBouncer, as through RDS Proxy): ${env.EDA_LOCAL_POOLED_URL}
  write queue       ${env.EDA_WRITE_QUEUE_URL}
  dead-letter queue ${env.EDA_DEAD_LETTER_QUEUE_URL}
  SQS endpoint      ${env.EDA_SQS_ENDPOINT} (region us-east-1)
  schema            ${env.EDA_LOCAL_SCHEMA ? `${env.EDA_LOCAL_SCHEMA} applied` : 'none (pass --schema <file.sql>)'}; idempotency table created
  environment       .local-stack/env: node --env-file=.local-stack/env …, or: set -a; . .local-stack/env; set +a
  run a writer      npx eda-local writer <handler file>
  stop              npx eda-local down
`;
}

const readEnv = (dir: string) => parseEnvFile(readFileSync(join(dir, '.local-stack', 'env'), 'utf8'));
const sqsOf = (env: Record<string, string>) => new SQSClient({
  endpoint: env.EDA_SQS_ENDPOINT,
  region: env.AWS_REGION,
  credentials: {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
  },
});

async function query<Row>(url: string, sql: string): Promise<Row[]> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query(sql)).rows as Row[];
  } finally {
    await db.end();
  }
}

const countLines = (run: EdaLocalProcess) => run.stdout().split('\n').filter((line) => line.startsWith('messages: '));

/** Waits for a line of counts; a timeout shows everything the writer printed. */
async function waitForCounts(run: EdaLocalProcess, line: string): Promise<void> {
  try {
    await waitFor(async () => countLines(run).includes(line), 90_000, line);
  } catch (error) {
    throw new Error(`${String(error)}\nwriter stdout:\n${run.stdout()}\nwriter stderr:\n${run.stderr()}`);
  }
}

/** Starts `eda-local writer` and waits for it to poll. */
async function startWriter(dir: string): Promise<EdaLocalProcess> {
  const run = startEdaLocal(['writer', 'order-writer.ts'], dir);
  await waitFor(async () => run.stdout().includes('Ctrl-C to stop') || run.child.exitCode !== null, 60_000, 'the writer to poll');
  expect(run.stderr()).not.toContain('eda-local writer:');
  return run;
}

async function stopWriter(run: EdaLocalProcess) {
  run.child.kill('SIGTERM');
  return run.exited;
}

describe('eda-local in a project directory, with --schema', () => {
  let dir: string;
  let env: Record<string, string>;
  let upOutput: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = project();
    upOutput = await edaLocal(['up', '--schema', 'schema.sql'], dir);
    env = readEnv(dir);
  }, 120_000);

  afterAll(async () => {
    if (existsSync(join(dir, '.local-stack'))) await edaLocal(['down'], dir);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('up prints where the database is, the psql command, the queues and the environment file', () => {
    const pid = readFileSync(join(dir, '.local-stack', 'pid'), 'utf8').trim();
    expect(upOutput.stderr).toBe('');
    expect(upOutput.code).toBe(0);
    expect(upOutput.stdout).toBe(expectedSummary(env, pid));
    expect(env.EDA_LOCAL_SCHEMA).toBe(join(dir, 'schema.sql'));
  });

  test('up created the idempotency table and the schema file\'s table, owned by the application role', async () => {
    const tables = await query<{ tablename: string; tableowner: string }>(env.EDA_LOCAL_DIRECT_URL,
      "select tablename, tableowner from pg_tables where schemaname = 'public' order by tablename");
    expect(tables).toEqual([{ tablename: 'eda_idempotency_keys', tableowner: 'app_user' }, { tablename: 'orders', tableowner: 'app_user' }]);
  });

  test('status prints the same summary', async () => {
    const result = await edaLocal(['status'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(upOutput.stdout);
  });

  test('writer applies each key once, counts applied, duplicates and DLQ messages, and prints a line only when they change', async () => {
    const run = await startWriter(dir);
    const sqs = sqsOf(env);
    try {
      // GIVEN 20 orders, 5 of them delivered twice, and one the table's check constraint refuses (23514, permanent)
      const orders = Array.from({ length: 20 }, (_, i) => order(`o-${i}`, i));
      await sendAll(sqs, env.EDA_WRITE_QUEUE_URL, [...orders, ...orders.slice(0, 5), order('o-negative', -1)]);
      const final = 'messages: received 26, applied 20, duplicates skipped 5, failed and retried 0, sent to the DLQ 1; the DLQ holds 1';
      // WHEN the writer has processed them
      await waitForCounts(run, final);
      // THEN each key is in the table once
      const rows = await query<{ id: string; n: number }>(env.EDA_LOCAL_DIRECT_URL,
        'select id, count(*)::int as n from orders group by id order by id');
      expect(rows).toHaveLength(20);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      // AND while idle it prints nothing more (it used to print a stats line every 5 s). Nothing else touches the
      // queues meanwhile: right after a receive the local SQS counts an in-flight message both as visible and as not
      // visible for a moment (measured: 1+1, then 1+0), which would change "the DLQ holds" by itself.
      const printed = countLines(run).length;
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect({ idle: countLines(run).slice(printed), all: countLines(run) }).toEqual({ idle: [], all: countLines(run).slice(0, printed) });
      const lines = countLines(run);
      expect(lines.every((line, i) => i === 0 || line !== lines[i - 1])).toBe(true);
      // AND the one dead letter is the refused order, with its SQLSTATE
      const dead = await drainQueue(sqs, env.EDA_DEAD_LETTER_QUEUE_URL);
      expect(dead.map((m) => m.MessageAttributes?.['eda-error-code']?.StringValue)).toEqual(['23514']);
    } finally {
      sqs.destroy();
      const result = await stopWriter(run);
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').pop()).toBe('writer stopped');
    }
  }, 120_000);

  test('down stops every server (PostgreSQL, PgBouncer, the pinning detector, SQS) and deletes the state directory', async () => {
    const pid = readFileSync(join(dir, '.local-stack', 'pid'), 'utf8').trim();
    const ports = [
      Number(new URL(env.EDA_LOCAL_DIRECT_URL).port),
      Number(new URL(env.EDA_LOCAL_PGBOUNCER_URL).port),
      Number(env.EDA_WRITE_PORT),
      Number(new URL(env.EDA_SQS_ENDPOINT).port),
    ];
    expect(await Promise.all(ports.map(portOpen))).toEqual([true, true, true, true]);

    const result = await edaLocal(['down'], dir);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`local stack stopped (pid ${pid}); deleted ${join(dir, '.local-stack')}\n`);
    expect(await Promise.all(ports.map(portOpen))).toEqual([false, false, false, false]);
    expect(existsSync(join(dir, '.local-stack'))).toBe(false);
    const status = await edaLocal(['status'], dir);
    expect(status.code).toBe(1);
    expect(status.stderr).toBe(`eda-local status: no local stack running in ${join(dir, '.local-stack')}: start it with npx eda-local up\n`);
  }, 60_000);
});

describe('eda-local without a schema', () => {
  test('the writer\'s writes to a table nobody created go to the DLQ with 42P01 (run the schema with up --schema)', async () => {
    const dir = project();
    try {
      const up = await edaLocal(['up'], dir);
      expect(up.code).toBe(0);
      expect(up.stdout).toContain('  schema            none (pass --schema <file.sql>); idempotency table created\n');
      const env = readEnv(dir);
      const run = await startWriter(dir);
      const sqs = sqsOf(env);
      try {
        await sendAll(sqs, env.EDA_WRITE_QUEUE_URL, [order('o-1'), order('o-2')]);
        const final = 'messages: received 2, applied 0, duplicates skipped 0, failed and retried 0, sent to the DLQ 2; the DLQ holds 2';
        await waitForCounts(run, final);
        const dead = await drainQueue(sqs, env.EDA_DEAD_LETTER_QUEUE_URL);
        expect(dead.map((m) => m.MessageAttributes?.['eda-error-code']?.StringValue)).toEqual(['42P01', '42P01']);
        expect(dead[0].MessageAttributes?.['eda-error-message']?.StringValue).toBe('relation "orders" does not exist');
      } finally {
        sqs.destroy();
        await stopWriter(run);
      }
    } finally {
      await edaLocal(['down'], dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('eda-local messages', () => {
  let dir: string;
  beforeAll(() => {
    dir = project();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing schema file is named, and nothing starts', async () => {
    const result = await edaLocal(['up', '--schema', 'missing.sql'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eda-local up: schema file missing.sql not found (looked for ${join(dir, 'missing.sql')}); pass --schema <file.sql> or set EDA_LOCAL_SCHEMA\n`);
    expect(existsSync(join(dir, '.local-stack'))).toBe(false);
  });

  test('EDA_LOCAL_SCHEMA names the schema file when --schema is not given', async () => {
    const result = await edaLocal(['up'], dir, { EDA_LOCAL_SCHEMA: 'db/missing.sql' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eda-local up: schema file db/missing.sql not found (looked for ${join(dir, 'db', 'missing.sql')}); pass --schema <file.sql> or set EDA_LOCAL_SCHEMA\n`);
  });

  test('a schema file that fails names the file and the SQLSTATE, and stops what had started', async () => {
    writeFileSync(join(dir, 'broken.sql'), 'create tabel orders(id text);\n');
    const result = await edaLocal(['up', '--schema', 'broken.sql'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eda-local up: the local stack did not start: schema file ${join(dir, 'broken.sql')} failed: syntax error at or near "tabel" (SQLSTATE 42601)\n`
      + `  log: ${join(dir, '.local-stack', 'serve.log')}\n`);
    const down = await edaLocal(['down'], dir);
    expect(down.stdout).toBe(`no local stack running in ${join(dir, '.local-stack')}\n`);
  }, 120_000);

  test('writer without a running stack says how to start one', async () => {
    const result = await edaLocal(['writer', 'order-writer.ts'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eda-local writer: no local stack running in ${join(dir, '.local-stack')}: start it with npx eda-local up\n`);
  });

  test('writer with a handler file that does not exist names it', async () => {
    const result = await edaLocal(['writer', 'src/missing-writer.ts'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eda-local writer: handler file src/missing-writer.ts not found (looked for ${join(dir, 'src', 'missing-writer.ts')})\n`);
  });

  test('a handler file that throws while loading is named with its error (needs a running stack)', async () => {
    const up = await edaLocal(['up'], dir);
    expect(up.code).toBe(0);
    try {
      writeFileSync(join(dir, 'broken-writer.ts'), "throw new Error('EDA_ORDERS_TABLE is not set');\n");
      const result = await edaLocal(['writer', 'broken-writer.ts'], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('eda-local writer: handler file broken-writer.ts failed to load: init failed: Error: EDA_ORDERS_TABLE is not set\n');
    } finally {
      await edaLocal(['down'], dir);
    }
  }, 120_000);

  test('--version prints the package name and version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const result = await edaLocal(['--version'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`@cdk-elastic-data-access/local ${pkg.version}\n`);
  });
});
