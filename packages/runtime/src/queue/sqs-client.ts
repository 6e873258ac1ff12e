import type { SQSClient } from '@aws-sdk/client-sqs';
import { sqsModule } from './sqs-module';
import { readQueueSettings } from '../config/environment';

let client: SQSClient | undefined;

/**
 * The shared SQS client, created on first use. EDA_SQS_ENDPOINT (local stack only) overrides the
 * endpoint; in Lambda the region and credentials come from the runtime.
 */
export function sqsClient(): SQSClient {
  if (!client) {
    const endpoint = readQueueSettings().sqsEndpoint;
    client = new (sqsModule().SQSClient)(endpoint ? { endpoint } : {});
  }
  return client;
}

/** Replaces the shared SQS client (tests, X-Ray: `useSqsClient(tracer.captureAWSv3Client(new SQSClient({})))`). */
export function useSqsClient(replacement: SQSClient | undefined): void {
  client = replacement;
}

/** The queue URL of an SQS event source ARN (arn:aws:sqs:region:account:name). */
export function queueUrlFromArn(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[2] !== 'sqs') return undefined;
  const [, partition, , region, account, name] = parts;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
