import { DatabaseResumingException, ExecuteStatementCommand, RDSDataClient, StatementTimeoutException } from '@aws-sdk/client-rds-data';
import { mockClient } from 'aws-sdk-client-mock';
import { asUuid, dataApiExecute, dataApiQuery } from '../../src/data-api';

const rdsData = mockClient(RDSDataClient);
const env = {
  EDA_DATA_API_RESOURCE_ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
  EDA_DATA_API_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-reader-AbCdEf',
  EDA_DATABASE: 'app',
};

beforeEach(() => rdsData.reset());

describe('dataApiQuery', () => {
  test('sends the statement with the cluster, secret and database from the environment', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({ records: [], columnMetadata: [] });

    await dataApiQuery('select 1', undefined, { env });

    expect(rdsData.commandCalls(ExecuteStatementCommand)[0].args[0].input).toMatchObject({
      resourceArn: env.EDA_DATA_API_RESOURCE_ARN,
      secretArn: env.EDA_DATA_API_SECRET_ARN,
      database: 'app',
      sql: 'select 1',
      includeResultMetadata: true,
      resultSetOptions: { decimalReturnType: 'STRING', longReturnType: 'LONG' },
    });
  });

  test('passes named parameters as typed fields', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({ records: [] });

    await dataApiQuery('select * from orders where id = :id and customer = :customer and total > :min and open = :open',
      { id: asUuid('5b3c2f7e-6d1a-4c9b-8e0f-2a4d6c8e0b13'), customer: 'c-1', min: 9.5, open: true }, { env });

    expect(rdsData.commandCalls(ExecuteStatementCommand)[0].args[0].input.parameters).toEqual([
      { name: 'id', value: { stringValue: '5b3c2f7e-6d1a-4c9b-8e0f-2a4d6c8e0b13' }, typeHint: 'UUID' },
      { name: 'customer', value: { stringValue: 'c-1' } },
      { name: 'min', value: { doubleValue: 9.5 } },
      { name: 'open', value: { booleanValue: true } },
    ]);
  });

  test('maps records to rows keyed by column label', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({
      columnMetadata: [
        { name: 'id', label: 'id', typeName: 'int8' },
        { name: 'total', label: 'total', typeName: 'numeric' },
        { name: 'note', label: 'note', typeName: 'text' },
        { name: 'attrs', label: 'attrs', typeName: 'jsonb' },
        { name: 'count', label: 'items', typeName: 'int4' },
      ],
      records: [
        [{ longValue: 1 }, { stringValue: '12.50' }, { isNull: true }, { stringValue: '{"gift":true}' }, { longValue: 3 }],
        [{ longValue: 2 }, { stringValue: '0.99' }, { stringValue: 'rush' }, { stringValue: '[]' }, { longValue: 1 }],
      ],
    });

    const rows = await dataApiQuery('select id, total, note, attrs, count as items from orders', {}, { env });

    expect(rows).toEqual([
      { id: 1, total: '12.50', note: null, attrs: { gift: true }, items: 3 },
      { id: 2, total: '0.99', note: 'rush', attrs: [], items: 1 },
    ]);
  });

  test('returns no rows for a statement without a result set', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 0 });

    expect(await dataApiQuery('select 1 where false', {}, { env })).toEqual([]);
  });

  test('dataApiExecute reports the number of updated records', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 4 });

    const result = await dataApiExecute('update orders set seen = true where customer = :c', { c: 'c-1' }, { env });

    expect(result).toEqual({ rows: [], numberOfRecordsUpdated: 4 });
  });

  test('passes the transaction id', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({});

    await dataApiQuery('select 1', {}, { env, transactionId: 'tx-1' });

    expect(rdsData.commandCalls(ExecuteStatementCommand)[0].args[0].input.transactionId).toBe('tx-1');
  });

  test('retries while the cluster resumes from zero capacity', async () => {
    const resuming = new DatabaseResumingException({ message: 'resuming', $metadata: {} });
    rdsData.on(ExecuteStatementCommand)
      .rejectsOnce(resuming)
      .rejectsOnce(resuming)
      .resolves({ records: [[{ longValue: 1 }]], columnMetadata: [{ name: 'one' }] });

    const rows = await dataApiQuery('select 1 as one', {}, { env, resumeRetryDelayMs: 1 });

    expect(rows).toEqual([{ one: 1 }]);
    expect(rdsData.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
  });

  test('gives up after maxResumeRetries', async () => {
    rdsData.on(ExecuteStatementCommand).rejects(new DatabaseResumingException({ message: 'resuming', $metadata: {} }));

    await expect(dataApiQuery('select 1', {}, { env, maxResumeRetries: 2, resumeRetryDelayMs: 1 })).rejects.toThrow('resuming');
    expect(rdsData.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
  });

  test('does not retry other errors', async () => {
    rdsData.on(ExecuteStatementCommand).rejects(new StatementTimeoutException({ message: 'timeout', $metadata: {} }));

    await expect(dataApiQuery('select pg_sleep(60)', {}, { env, resumeRetryDelayMs: 1 })).rejects.toThrow('timeout');
    expect(rdsData.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
  });

  test('a missing variable fails before calling AWS', async () => {
    await expect(dataApiQuery('select 1', {}, { env: { ...env, EDA_DATA_API_SECRET_ARN: '' } })).rejects.toThrow(
      'EDA_DATA_API_SECRET_ARN is required for the Data API reader (see docs/environment-contract.md)');
    expect(rdsData.calls()).toHaveLength(0);
  });

  test('uses settings passed explicitly instead of the environment', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({});

    await dataApiQuery('select 1', {}, { settings: { resourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:x', secretArn: 's', database: 'db', schema: 'reporting' } });

    expect(rdsData.commandCalls(ExecuteStatementCommand)[0].args[0].input).toMatchObject({ database: 'db', schema: 'reporting' });
  });
});
