import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { portOpen } from './port-probe';
import { closeDatabases, configureDatabases, withReader, withWriter } from '../../runtime/src';
import { readConnectionSettings, readQueueSettings } from '../../runtime/src/config/environment';
import { LocalStack } from '../src/local-stack';

async function query<T extends Record<string, unknown>>(connectionString: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('GIVEN a local stack', () => {
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    stack = await LocalStack.up();
  }, 30_000);

  afterAll(async () => {
    await stack?.down();
  }, 30_000);

  test('THEN its environment is a valid writer configuration of the runtime, through the pinning detector and the pool', () => {
    expect(readConnectionSettings('writer', stack!.environment())).toMatchObject({
      engine: 'postgres', hosts: ['127.0.0.1'], port: stack!.pinning.port, auth: 'password', tls: 'disable', poolMax: 1,
    });
  });

  test('THEN its environment is a valid reader configuration of the runtime, through the pinning detector and the pool', () => {
    expect(readConnectionSettings('reader', stack!.environment())).toMatchObject({ hosts: ['127.0.0.1'], port: stack!.pinning.port });
  });

  test('THEN a runtime write and read reach the database through the detector, and neither would pin an RDS Proxy session', async () => {
    const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    stack!.pinning.clear();
    try {
      await configureDatabases({ env: stack!.environment() });
      const written = await withWriter(async (db) => (await db.query<{ n: number }>('select 1 as n')).rows);
      const read = await withReader(async (db) => (await db.query<{ n: number }>('select 2 as n')).rows);
      expect({ written, read, connections: stack!.pinning.stats.connections > 0, findings: stack!.pinningReport() })
        .toEqual({ written: [{ n: 1 }], read: [{ n: 2 }], connections: true, findings: [] });
    } finally {
      await closeDatabases();
      process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
    }
  });

  test('THEN its environment names the local write queue, its DLQ and the SQS endpoint', () => {
    expect(readQueueSettings(stack!.environment())).toEqual({
      writeQueueUrl: stack!.sqs.queueUrl,
      writeQueueFifo: false,
      deadLetterQueueUrl: stack!.sqs.deadLetterQueueUrl,
      sqsEndpoint: stack!.sqs.endpoint,
      backoff: { queueVisibilityTimeoutSeconds: stack!.sqs.visibilityTimeoutSeconds },
    });
  });

  test('THEN Postgres listens on 127.0.0.1 only, with max_connections 100', async () => {
    expect(await query(stack!.postgres.superuserConnectionString, "select current_setting('listen_addresses') as listen, current_setting('max_connections') as max"))
      .toEqual([{ listen: '127.0.0.1', max: '100' }]);
  });

  test('THEN the application role is not a superuser (it gets no reserved connection slots)', async () => {
    expect(await query(stack!.postgres.connectionString, 'select rolsuper from pg_roles where rolname = current_user')).toEqual([{ rolsuper: false }]);
  });

  test('THEN the pool rejects startup parameters, as RDS Proxy pins sessions on them', async () => {
    const client = new Client({ connectionString: stack!.pgbouncer.connectionString, statement_timeout: 1000 });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow('unsupported startup parameter: statement_timeout');
    await client.end().catch(() => undefined);
  });
});

describe('GIVEN a local stack WHEN it is brought down', () => {
  test('THEN its ports are closed and its data directory is gone', async () => {
    const stack = await LocalStack.up();
    const ports = [stack.postgres.port, stack.pgbouncer.port, stack.pinning.port, Number(new URL(stack.sqs.endpoint).port)];
    await stack.down();
    expect({ open: await Promise.all(ports.map(portOpen)), dataDir: existsSync(stack.postgres.dataDir) })
      .toEqual({ open: [false, false, false, false], dataDir: false });
  }, 30_000);
});
