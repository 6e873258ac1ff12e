import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { useSqsClient } from '../../src/queue/sqs-client';

/** Resets the SQS mock and answers the writer's calls: dead-letter sends succeed, visibility changes succeed. */
export function answerWriterSqsCalls(sqs: AwsClientStub<SQSClient>): void {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  useSqsClient(new SQSClient({ region: 'eu-west-1' }));
}
