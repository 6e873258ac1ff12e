import { readConnectionSettings, readIdempotencySettings, readQueueSettings } from '../../src/config/environment';
import { ConfigurationError } from '../../src/errors';

const writerEnv = {
  EDA_ENGINE: 'postgres',
  EDA_WRITE_HOST: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com',
  EDA_DATABASE: 'app',
  EDA_DB_USER: 'app_writer',
  EDA_AUTH: 'iam',
};

describe('readConnectionSettings', () => {
  test('applies the documented defaults: engine port, verify-full TLS, one connection, no statement timeout', () => {
    expect(readConnectionSettings('writer', writerEnv)).toMatchObject({
      engine: 'postgres',
      hosts: ['orders.proxy-abc.eu-west-1.rds.amazonaws.com'],
      port: 5432,
      tls: 'verify-full',
      poolMax: 1,
      statementTimeoutMs: undefined,
      auth: 'iam',
    });
  });

  test('defaults the MySQL port to 3306', () => {
    expect(readConnectionSettings('writer', { ...writerEnv, EDA_ENGINE: 'mysql' }).port).toBe(3306);
  });

  test('splits EDA_READ_HOSTS on commas for the reader', () => {
    const settings = readConnectionSettings('reader', { ...writerEnv, EDA_READ_HOSTS: ' r1.example, r2.example ,', EDA_READ_PORT: '6432' });
    expect(settings).toMatchObject({ hosts: ['r1.example', 'r2.example'], port: 6432 });
  });

  test('reads pool size and statement timeout', () => {
    expect(readConnectionSettings('writer', { ...writerEnv, EDA_POOL_MAX: '2', EDA_STATEMENT_TIMEOUT_MS: '5000' }))
      .toMatchObject({ poolMax: 2, statementTimeoutMs: 5000 });
  });

  test('names the missing variable', () => {
    expect(() => readConnectionSettings('reader', writerEnv)).toThrow(new ConfigurationError('EDA_READ_HOSTS', 'is required (see docs/environment-contract.md)'));
  });

  test('rejects an unknown engine', () => {
    expect(() => readConnectionSettings('writer', { ...writerEnv, EDA_ENGINE: 'oracle' })).toThrow('EDA_ENGINE must be one of postgres, mysql, got oracle');
  });

  test('rejects an unknown TLS mode', () => {
    expect(() => readConnectionSettings('writer', { ...writerEnv, EDA_TLS: 'require' })).toThrow('EDA_TLS must be one of verify-full, disable, got require');
  });

  test('rejects a pool size of 0', () => {
    expect(() => readConnectionSettings('writer', { ...writerEnv, EDA_POOL_MAX: '0' })).toThrow('EDA_POOL_MAX must be an integer between 1 and 100, got 0');
  });

  test('requires EDA_SECRET_ARN with EDA_AUTH=secret', () => {
    expect(() => readConnectionSettings('writer', { ...writerEnv, EDA_AUTH: 'secret' })).toThrow('EDA_SECRET_ARN is required when EDA_AUTH=secret');
  });

  test('requires EDA_DB_PASSWORD with EDA_AUTH=password', () => {
    expect(() => readConnectionSettings('writer', { ...writerEnv, EDA_AUTH: 'password' })).toThrow('EDA_DB_PASSWORD is required when EDA_AUTH=password (local stack only)');
  });

  test('rejects several writer hosts', () => {
    expect(() => readConnectionSettings('writer', { ...writerEnv, EDA_WRITE_HOST: 'a,b' })).toThrow('EDA_WRITE_HOST must name exactly one host, got 2');
  });
});

describe('readQueueSettings', () => {
  test('treats a .fifo queue URL as FIFO when EDA_WRITE_QUEUE_FIFO is unset', () => {
    expect(readQueueSettings({ EDA_WRITE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/w.fifo' }).writeQueueFifo).toBe(true);
  });

  test('reads the dead-letter queue and the local endpoint override', () => {
    expect(readQueueSettings({ EDA_DEAD_LETTER_QUEUE_URL: 'https://dlq', EDA_SQS_ENDPOINT: 'http://127.0.0.1:9324', EDA_WRITE_QUEUE_FIFO: 'false' }))
      .toEqual({ writeQueueUrl: undefined, writeQueueFifo: false, deadLetterQueueUrl: 'https://dlq', sqsEndpoint: 'http://127.0.0.1:9324', backoff: {} });
  });

  test('reads the backoff and the queue visibility timeout the constructs computed the tolerated outage with', () => {
    expect(readQueueSettings({
      EDA_BACKOFF_BASE_SECONDS: '3', EDA_BACKOFF_MAX_SECONDS: '45', EDA_BACKOFF_JITTER: '0.2', EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '9',
    }).backoff).toEqual({ baseSeconds: 3, maxSeconds: 45, jitter: 0.2, queueVisibilityTimeoutSeconds: 9 });
  });

  test('accepts a visibility timeout of 43,200 s (SQS\'s maximum) and rejects 43,201', () => {
    expect(readQueueSettings({ EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '43200' }).backoff.queueVisibilityTimeoutSeconds).toBe(43_200);
    expect(() => readQueueSettings({ EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '43201' }))
      .toThrow('EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS must be an integer between 0 and 43200, got 43201');
  });

  test('rejects a jitter above 1', () => {
    expect(() => readQueueSettings({ EDA_BACKOFF_JITTER: '1.5' })).toThrow('EDA_BACKOFF_JITTER must be a number between 0 and 1, got 1.5');
  });

  test('rejects a non-boolean EDA_WRITE_QUEUE_FIFO', () => {
    expect(() => readQueueSettings({ EDA_WRITE_QUEUE_FIFO: 'yes' })).toThrow('EDA_WRITE_QUEUE_FIFO must be true or false, got yes');
  });
});

describe('readIdempotencySettings', () => {
  test('EDA_IDEMPOTENCY_RETENTION_SECONDS is optional, at least 1 and at most 2,147,483,647', () => {
    expect(readIdempotencySettings({})).toEqual({ retentionSeconds: undefined });
    expect(readIdempotencySettings({ EDA_IDEMPOTENCY_RETENTION_SECONDS: '1' })).toEqual({ retentionSeconds: 1 });
    expect(readIdempotencySettings({ EDA_IDEMPOTENCY_RETENTION_SECONDS: '2147483647' })).toEqual({ retentionSeconds: 2_147_483_647 });
    expect(() => readIdempotencySettings({ EDA_IDEMPOTENCY_RETENTION_SECONDS: '0' })).toThrow(
      new ConfigurationError('EDA_IDEMPOTENCY_RETENTION_SECONDS', 'must be an integer between 1 and 2147483647, got 0'));
    expect(() => readIdempotencySettings({ EDA_IDEMPOTENCY_RETENTION_SECONDS: '2147483648' })).toThrow(
      new ConfigurationError('EDA_IDEMPOTENCY_RETENTION_SECONDS', 'must be an integer between 1 and 2147483647, got 2147483648'));
  });
});
