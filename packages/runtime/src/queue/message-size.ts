import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/*
 * SQS size limits, quoted from the SDK's API reference (node_modules/@aws-sdk/client-sqs/dist-types/commands/
 * SendMessageBatchCommand.d.ts; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html):
 *   "The maximum allowed individual message size and the maximum total payload size (the sum of the individual
 *    lengths of all of the batched messages) are both 1 MiB 1,048,576 bytes."
 * (The limit was raised from 256 KiB to 1 MiB in 2025; this is the text of the SDK version we ship.)
 * What counts, from models_0.d.ts (MessageAttributeValue): "All parts of the message attribute, including Name,
 * Type, and Value, are part of the message size restriction (1 MiB or 1,048,576 bytes)."
 * and (SendMessageBatchCommand.d.ts): "you can send up to 10 messages" per SendMessageBatch.
 */

/** Largest message (body + attributes) SQS accepts, in bytes. */
export const MAX_MESSAGE_BYTES = 1_048_576;
/** Largest sum of the message sizes of one SendMessageBatch call, in bytes. */
export const MAX_BATCH_BYTES = 1_048_576;
/** Most entries of one SendMessageBatch call. */
export const MAX_BATCH_ENTRIES = 10;

/** What SQS counts against the size limits: the body and every attribute's name, type and value, in UTF-8 bytes. */
export function messageBytes(body: string, attributes: Record<string, MessageAttributeValue> = {}): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue, 'utf8');
    if (value.BinaryValue !== undefined) bytes += value.BinaryValue.length;
  }
  return bytes;
}

/**
 * Splits sized items, in order, into batches of at most `maxEntries` items and `maxBytes` bytes each. Every
 * item must fit on its own (callers reject larger ones first). Order is kept, so FIFO groups stay in order.
 */
export function packBatches<T extends { readonly bytes: number }>(
  items: readonly T[], maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_BATCH_BYTES,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    if (item.bytes > maxBytes) throw new RangeError(`an item of ${item.bytes} bytes cannot fit a batch of at most ${maxBytes} bytes`);
    if (current.length === maxEntries || currentBytes + item.bytes > maxBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += item.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
