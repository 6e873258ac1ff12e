import { ChangeMessageVisibilityBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { correlationIdOf, receiveCountOf } from './write-message';
import { ATTRIBUTES, stringAttribute } from '../queue/message-attributes';
import { sqsClient } from '../queue/sqs-client';
import type { ErrorClassification } from '../resilience/error-classification';
import { VisibilityBackoffOptions, visibilityTimeoutSeconds } from '../resilience/visibility-backoff';

// Keeps the dead-letter context readable; SQS caps the whole message (body + attributes) anyway.
const MAX_ERROR_MESSAGE_LENGTH = 1024;

/** The SendMessage input that dead-letters `record` with its replay context. */
export function deadLetterInput(record: SQSRecord, verdict: ErrorClassification, deadLetterQueueUrl: string, idempotencyKey?: string) {
  const attributes: Record<string, ReturnType<typeof stringAttribute>> = {
    [ATTRIBUTES.errorClass]: stringAttribute(verdict.errorClass),
    [ATTRIBUTES.errorCode]: stringAttribute(verdict.code || 'UNKNOWN'),
    [ATTRIBUTES.errorMessage]: stringAttribute((verdict.message || '-').slice(0, MAX_ERROR_MESSAGE_LENGTH)),
    [ATTRIBUTES.attempts]: stringAttribute(String(receiveCountOf(record))),
    [ATTRIBUTES.originalMessageId]: stringAttribute(record.messageId),
  };
  // Where `eda redrive` returns it (see ATTRIBUTES.sourceQueueArn).
  if (record.eventSourceARN) attributes[ATTRIBUTES.sourceQueueArn] = stringAttribute(record.eventSourceARN);
  const correlationId = correlationIdOf(record);
  if (correlationId) attributes[ATTRIBUTES.correlationId] = stringAttribute(correlationId);
  const key = idempotencyKey ?? record.messageAttributes?.[ATTRIBUTES.idempotencyKey]?.stringValue;
  if (key) attributes[ATTRIBUTES.idempotencyKey] = stringAttribute(key);
  const fifo = deadLetterQueueUrl.endsWith('.fifo');
  return {
    QueueUrl: deadLetterQueueUrl,
    // The original body, byte for byte, so that a replay re-sends exactly what failed.
    MessageBody: record.body,
    MessageAttributes: attributes,
    ...(fifo ? { MessageGroupId: record.attributes?.MessageGroupId ?? 'eda-dead-letter', MessageDeduplicationId: record.messageId } : {}),
  };
}

/** Sends `record` to the dead-letter queue with its context; throws if SQS refuses. */
export async function sendToDeadLetterQueue(
  record: SQSRecord,
  verdict: ErrorClassification,
  deadLetterQueueUrl: string,
  idempotencyKey?: string,
): Promise<void> {
  await sqsClient().send(new SendMessageCommand(deadLetterInput(record, verdict, deadLetterQueueUrl, idempotencyKey)));
}

/** ChangeMessageVisibilityBatch accepts at most 10 entries per call. */
const MAX_VISIBILITY_ENTRIES = 10;

/**
 * Delays the next delivery of transiently failed records by an exponential backoff over their
 * receive count. Returns the ids SQS refused (those come back after the queue's visibility timeout).
 */
export async function extendVisibility(
  records: readonly SQSRecord[],
  queueUrl: string,
  backoff: VisibilityBackoffOptions = {},
  random: () => number = Math.random,
): Promise<string[]> {
  const refused: string[] = [];
  for (let i = 0; i < records.length; i += MAX_VISIBILITY_ENTRIES) {
    const chunk = records.slice(i, i + MAX_VISIBILITY_ENTRIES);
    const result = await sqsClient().send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: chunk.map((record, j) => ({
        Id: `v${j}`,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: visibilityTimeoutSeconds(receiveCountOf(record), backoff, random),
      })),
    }));
    for (const failure of result.Failed ?? []) {
      const index = Number(failure.Id?.slice(1));
      if (chunk[index]) refused.push(chunk[index].messageId);
    }
  }
  return refused;
}
