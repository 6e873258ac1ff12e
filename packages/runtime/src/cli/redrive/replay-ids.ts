import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { fifoIdHash } from '../../queue/fifo-ids';

/** Message attribute counting how often `eda redrive` has replayed a message (1 on the first replay). */
export const REPLAY_ATTEMPT_ATTRIBUTE = 'eda-replay-attempt';

/** The replay attempt the next send of `message` is: one more than the attempt it carries (0 when none). */
export function nextReplayAttempt(message: Message): number {
  const previous = Number(message.MessageAttributes?.[REPLAY_ATTEMPT_ATTRIBUTE]?.StringValue ?? 0);
  return (Number.isInteger(previous) && previous >= 0 ? previous : 0) + 1;
}

/** The String attribute of a replay attempt. */
export function replayAttemptAttribute(attempt: number): MessageAttributeValue {
  return { DataType: 'Number', StringValue: String(attempt) };
}

/**
 * The MessageDeduplicationId of a FIFO replay: the SHA-256 hex of the dead-letter copy's deduplication id (else
 * its message id) and the replay attempt. SQS drops a message whose deduplication id was used within the last
 * 5 minutes ("Any messages sent with the same message deduplication ID are accepted successfully but aren't
 * delivered during the 5-minute deduplication interval", SendMessageRequest in the SDK's models_0.d.ts), even
 * after the original was deleted: re-sending the original id could be swallowed while the DLQ copy is deleted.
 * A fresh id per attempt cannot collide with the original or an earlier replay, and is deterministic, so a
 * redrive re-run after a crash between send and delete re-sends the same id and SQS drops that duplicate.
 * (Further duplicates are absorbed by the writer's idempotency key.)
 */
export function replayDeduplicationId(message: Message, attempt: number): string {
  const original = message.Attributes?.MessageDeduplicationId ?? message.MessageId ?? '';
  return fifoIdHash(`${original}\u0000replay\u0000${attempt}`);
}
