import { DeleteMessageBatchCommand, Message, MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ERROR_ATTRIBUTES, receiveMessages, releaseMessages } from './dead-letter-messages';
import { awsFailure } from '../cli-context';

/** Result of a manual move. */
export interface ManualMoveResult {
  readonly moved: number;
  /** Set when a send failed: the message stays in the dead-letter queue, the move stopped there. */
  readonly failure?: string;
}

/** While messages are being moved they stay invisible to others this long. */
const MOVE_VISIBILITY_SECONDS = 60;

/**
 * The attributes a replayed message carries: everything the producer sent, minus the writer's error
 * attributes, which describe the failure being replayed (the next failure writes its own).
 */
function forwardedAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const forwarded: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if ((ERROR_ATTRIBUTES as readonly string[]).includes(name)) continue;
    // Receive returns empty list members that SendMessage rejects as reserved.
    const { StringListValues: _s, BinaryListValues: _b, ...rest } = value;
    forwarded[name] = rest;
  }
  return Object.keys(forwarded).length > 0 ? forwarded : undefined;
}

/**
 * Moves up to `max` messages from `sourceUrl` to `destinationUrl` one by one: receive, send (with the
 * FIFO MessageGroupId, and the MessageDeduplicationId the DLQ holds: the original message id), then delete from the source. Used for
 * FIFO dead-letter queues and for bounded moves (--max). Messages are sent in the order received, so
 * per-group order is kept. A failed send stops the move and releases the messages not yet moved.
 */
export async function moveManually(
  client: SQSClient, sourceUrl: string, destinationUrl: string, fifo: boolean, max: number, waitSeconds: number,
): Promise<ManualMoveResult> {
  let moved = 0;
  // Bounded: every round moves at least one message or ends.
  for (let round = 0; moved < max && round < max; round++) {
    const batch = await receiveMessages(client, sourceUrl, Math.min(10, max - moved), MOVE_VISIBILITY_SECONDS, waitSeconds);
    if (batch.length === 0) break;
    const sent: Message[] = [];
    for (const message of batch) {
      try {
        await client.send(new SendMessageCommand({
          QueueUrl: destinationUrl,
          MessageBody: message.Body ?? '',
          MessageAttributes: forwardedAttributes(message),
          ...(fifo ? {
            MessageGroupId: message.Attributes?.MessageGroupId,
            // The original id keeps duplicates out; SQS drops a replay sent within 5 minutes of a send with the same id.
            MessageDeduplicationId: message.Attributes?.MessageDeduplicationId,
          } : {}),
        }));
        sent.push(message);
      } catch (error) {
        await deleteMessages(client, sourceUrl, sent);
        await releaseMessages(client, sourceUrl, batch.slice(sent.length));
        return { moved: moved + sent.length, failure: `${awsFailure('SendMessage', error).message} (message ${message.MessageId} stays in the dead-letter queue)` };
      }
    }
    await deleteMessages(client, sourceUrl, sent);
    moved += sent.length;
  }
  return { moved };
}

async function deleteMessages(client: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    try {
      const output = await client.send(new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
      }));
      if (output.Failed && output.Failed.length > 0) {
        throw new Error(`${output.Failed.length} message(s) not deleted: ${output.Failed.map((f) => `${f.Code} ${f.Message ?? ''}`.trim()).join(', ')}`);
      }
    } catch (error) {
      // Sent but not deleted: a duplicate will reach the writer, whose idempotency key absorbs it.
      throw awsFailure('DeleteMessageBatch', error);
    }
  }
}
