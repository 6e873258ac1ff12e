import { createHash } from 'node:crypto';

/*
 * SQS limits of the FIFO ids, quoted from the SDK's API reference
 * (node_modules/@aws-sdk/client-sqs/dist-types/models/models_0.d.ts, SendMessageRequest;
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html):
 *   "The maximum length of MessageDeduplicationId is 128 characters. MessageDeduplicationId can contain
 *    alphanumeric characters (a-z, A-Z, 0-9) and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)."
 *   "The length of MessageGroupId is 128 characters. Valid values: alphanumeric characters and punctuation
 *    (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)."
 * An idempotency key may be up to 255 characters of any text (MAX_IDEMPOTENCY_KEY_LENGTH), so it cannot be
 * used as either id directly.
 */

/** Longest FIFO MessageDeduplicationId / MessageGroupId SQS accepts. */
export const MAX_FIFO_ID_LENGTH = 128;

/** The characters SQS accepts in a FIFO id: ASCII letters, digits and the punctuation listed above. */
const FIFO_ID_PATTERN = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;

/** True when SQS accepts `value` as a MessageDeduplicationId or MessageGroupId as it is. */
export function isValidFifoId(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_FIFO_ID_LENGTH && FIFO_ID_PATTERN.test(value);
}

/** SHA-256 of the UTF-8 text in hex: 64 characters of [0-9a-f], valid as any FIFO id and stable per input. */
export function fifoIdHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * The MessageDeduplicationId of an idempotency key: always its hash, so every key (129+ characters, Cyrillic,
 * spaces) gets a valid id and the same key always gets the same one (SQS then drops a resend within its
 * 5-minute deduplication interval; the idempotency table covers every later duplicate).
 */
export function deduplicationIdOf(idempotencyKey: string): string {
  return fifoIdHash(idempotencyKey);
}

/**
 * The MessageGroupId of a write. Without an explicit group, one group per key, as before (no ordering
 * between writes): the hash of the key. An explicit group is kept as it is when SQS accepts it (readable in
 * the console); otherwise its hash, which keeps the grouping (equal groups → equal ids) and stays valid.
 */
export function messageGroupIdOf(idempotencyKey: string, messageGroupId?: string): string {
  if (messageGroupId === undefined) return fifoIdHash(idempotencyKey);
  return isValidFifoId(messageGroupId) ? messageGroupId : fifoIdHash(messageGroupId);
}
