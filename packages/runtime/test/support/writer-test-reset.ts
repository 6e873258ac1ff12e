import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsStub } from 'aws-sdk-client-mock';
import { FakeClock } from './fakes';
import { postgresEnvironment } from './postgres-env';
import type { LocalPostgres } from '../../../local/src/postgres-server';
import { configureDatabases } from '../../src/connections/database-registry';
import { useSqsClient } from '../../src/queue/sqs-client';

/**
 * The state every writer test against PostgreSQL starts from: SQS mocked (dead-letter sends and visibility
 * changes succeed), no idempotency table, an empty `orders` table, the writer database configured afresh.
 */
export async function resetWriterTest(
  sqs: AwsStub<any, any, any>, pg: LocalPostgres, admin: { query(text: string): Promise<unknown> },
): Promise<void> {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  useSqsClient(new SQSClient({ region: 'eu-west-1' }));
  await admin.query('drop table if exists eda_idempotency_keys');
  await admin.query('truncate orders');
  await configureDatabases({ env: postgresEnvironment(pg), breaker: { failureThreshold: 3, clock: new FakeClock() } });
}
