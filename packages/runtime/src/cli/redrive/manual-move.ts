import { DeleteMessageBatchCommand, Message, MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ERROR_ATTRIBUTES, receiveMessages, releaseMessages } from './dead-letter-messages';
import type { MessageDestination } from './message-sources';
import { nextReplayAttempt, REPLAY_ATTEMPT_ATTRIBUTE, replayAttemptAttribute, replayDeduplicationId } from './replay-ids';
import { awsFailure } from '../cli-context';

/** Result of a manual move. */
export interface ManualMoveResult {
  readonly moved: number;
  /** Messages left in the DLQ because no destination could be determined, with the reason of the first. */
  readonly unroutable: number;
  readonly unroutableReason?: string;
  /** Set when a send failed: the message stays in the dead-letter queue, the move stopped there. */
  readonly failure?: string;
}

/** Options of {@link moveManually}. */
export interface ManualMoveOptions {
  readonly fifo: boolean;
  /** Messages to move at most. */
  readonly max: number;
  /** Long-poll seconds per receive. */
  readonly waitSeconds: number;
  /** Where each message goes. */
  readonly destinationOf: (message: Message) => Promise<MessageDestination>;
}

/** While messages are being moved they stay invisible to others this long. */
const MOVE_VISIBILITY_SECONDS = 60;

/**
 * The attributes a replayed message carries: everything the producer sent, minus the writer's error
 * attributes, which describe the failure being replayed (the next failure writes its own), plus the replay attempt.
 */
function forwardedAttributes(message: Message, attempt: number): Record<string, MessageAttributeValue> {
  const forwarded: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if ((ERROR_ATTRIBUTES as readonly string[]).includes(name)) continue;
    // Receive returns empty list members that SendMessage rejects as reserved.
    const { StringListValues: _s, BinaryListValues: _b, ...rest } = value;
    forwarded[name] = rest;
  }
  forwarded[REPLAY_ATTEMPT_ATTRIBUTE] = replayAttemptAttribute(attempt);
  return forwarded;
}

/**
 * Moves up to `max` messages from `sourceUrl` one by one: receive, send to the message's destination, then
 * delete from the source. FIFO: the original MessageGroupId and a fresh, deterministic MessageDeduplicationId
 * (replay-ids.ts), in the order received, so per-group order is kept. A message without a destination stays
 * invisible until the end of the move and is then released (counted as unroutable). A failed send stops the move
 * and releases the messages not yet moved.
 */
export async function moveManually(client: SQSClient, sourceUrl: string, options: ManualMoveOptions): Promise<ManualMoveResult> {
  let moved = 0;
  const unroutable: Message[] = [];
  let unroutableReason: string | undefined;
  let failure: string | undefined;
  // Bounded: every round handles at least one message or ends.
  for (let round = 0; moved + unroutable.length < options.max && round < options.max && !failure; round++) {
    const wanted = Math.min(10, options.max - moved - unroutable.length);
    const batch = await receiveMessages(client, sourceUrl, wanted, MOVE_VISIBILITY_SECONDS, options.waitSeconds);
    if (batch.length === 0) break;
    const sent: Message[] = [];
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i];
      try {
        const destination = await options.destinationOf(message);
        if (destination.url === undefined) {
          unroutable.push(message);
          unroutableReason ??= destination.reason;
          continue;
        }
        const attempt = nextReplayAttempt(message);
        await client.send(new SendMessageCommand({
          QueueUrl: destination.url,
          MessageBody: message.Body ?? '',
          MessageAttributes: forwardedAttributes(message, attempt),
          ...(options.fifo ? {
            MessageGroupId: message.Attributes?.MessageGroupId,
            MessageDeduplicationId: replayDeduplicationId(message, attempt),
          } : {}),
        }));
        sent.push(message);
      } catch (error) {
        await releaseMessages(client, sourceUrl, batch.slice(i).filter((m) => !unroutable.includes(m)));
        failure = `${error instanceof Error && error.name === 'CliError' ? error.message : awsFailure('SendMessage', error).message} (message ${message.MessageId} stays in the dead-letter queue)`;
        break;
      }
    }
    await deleteMessages(client, sourceUrl, sent);
    moved += sent.length;
  }
  await releaseMessages(client, sourceUrl, unroutable);
  return { moved, unroutable: unroutable.length, unroutableReason, failure };
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
