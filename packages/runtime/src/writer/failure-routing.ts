import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DeadLetterAttributes, deadLetterAttributes, producerAttributes } from './dead-letter-context';
import { receiveCountOf } from './write-message';
import { sqsClient } from '../queue/sqs-client';
import { sqsModule } from '../queue/sqs-module';
import type { ErrorClassification } from '../resilience/error-classification';
import { VisibilityBackoffOptions, visibilityTimeoutSeconds } from '../resilience/visibility-backoff';

/** The copy of a permanently failed message for the dead-letter queue, and what of its context had to give way. */
export interface DeadLetterCopy extends Omit<DeadLetterAttributes, 'attributes'> {
  readonly input: SendMessageCommandInput;
}

/** Raised when not even the message body and its error class fit SQS's size limit: the redrive policy moves it. */
export class DeadLetterTooLargeError extends Error {
  constructor(bodyBytes: number, errorClass: string) {
    super(`the message body (${bodyBytes} bytes) leaves no room for eda-error-class=${errorClass} within SQS's 1,048,576 bytes: left to the redrive policy`);
    this.name = 'DeadLetterTooLargeError';
  }
}

/**
 * The SendMessage input that dead-letters `record`: its body byte for byte, the producer's attributes and the
 * writer's context, within SQS's limits of 10 attributes and 1 MiB (dead-letter-context.ts says what gives way);
 * undefined when not even the error class fits.
 */
export function deadLetterCopy(
  record: SQSRecord,
  verdict: ErrorClassification,
  deadLetterQueueUrl: string,
  idempotencyKey?: string,
): DeadLetterCopy | undefined {
  const chosen = deadLetterAttributes(Buffer.byteLength(record.body, 'utf8'), producerAttributes(record), {
    errorClass: verdict.errorClass,
    errorCode: verdict.code,
    errorMessage: verdict.message,
    attempts: receiveCountOf(record),
    originalMessageId: record.messageId,
    idempotencyKey,
    // Where `eda redrive` returns it (see ATTRIBUTES.sourceQueueArn).
    sourceQueueArn: record.eventSourceARN,
  });
  if (!chosen) return undefined;
  const fifo = deadLetterQueueUrl.endsWith('.fifo');
  const { attributes, ...giveWay } = chosen;
  return {
    ...giveWay,
    input: {
      QueueUrl: deadLetterQueueUrl,
      // The original body, byte for byte, so that a replay re-sends exactly what failed.
      MessageBody: record.body,
      MessageAttributes: attributes,
      ...(fifo ? { MessageGroupId: record.attributes?.MessageGroupId ?? 'eda-dead-letter', MessageDeduplicationId: record.messageId } : {}),
    },
  };
}

/** Sends `record` to the dead-letter queue with its context; throws if SQS refuses or if it cannot carry even its error class. */
export async function sendToDeadLetterQueue(
  record: SQSRecord,
  verdict: ErrorClassification,
  deadLetterQueueUrl: string,
  idempotencyKey?: string,
): Promise<DeadLetterCopy> {
  const copy = deadLetterCopy(record, verdict, deadLetterQueueUrl, idempotencyKey);
  if (!copy) throw new DeadLetterTooLargeError(Buffer.byteLength(record.body, 'utf8'), verdict.errorClass);
  await sqsClient().send(new (sqsModule().SendMessageCommand)(copy.input));
  return copy;
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
    const result = await sqsClient().send(new (sqsModule().ChangeMessageVisibilityBatchCommand)({
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
