import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ATTRIBUTES, stringAttribute } from '../queue/message-attributes';

/*
 * The attributes of a dead-lettered copy: the producer's own (e.g. tenant-id) plus the writer's context, within
 * SQS's two limits:
 *
 * - count: "Each message can have up to 10 attributes"
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html; the
 *   @aws-sdk/client-sqs model does not state it, SQS answers "Number of message attributes [11] exceeds the
 *   allowed maximum [10]"). The context wins: the error attributes are what the DLQ is for, and the idempotency
 *   and correlation ids make a replay safe. The producer's other attributes fill the remaining slots in name
 *   order; those that do not fit are dropped and named in the writer's log.
 * - size: "All parts of the message attribute, including Name, Type, and Value, are part of the message size
 *   restriction (1 MiB or 1,048,576 bytes)" (@aws-sdk/client-sqs MessageAttributeValue), body included ("The
 *   maximum size is 1 MiB or 1,048,576 bytes", SendMessageRequest.MessageBody). The body is kept byte for byte,
 *   so the context gives way: first the error message is truncated (to whole UTF-8 characters), then only
 *   eda-error-class is kept (plus the producer's attributes), then the producer's attributes are dropped
 *   (eda-idempotency-key last). If not even body + eda-error-class fit, there is no copy: the caller leaves the
 *   message to the queue's redrive policy and logs the error class.
 */

/** SQS's attribute limit per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** SQS's maximum message size, body and attributes. */
export const MAX_MESSAGE_SIZE_BYTES = 1_048_576;
/** Keeps the error message readable; the size limit may cut it shorter. */
export const MAX_ERROR_MESSAGE_LENGTH = 1024;

/** The writer's own context of one dead-lettered message. */
export interface DeadLetterContext {
  readonly errorClass: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly originalMessageId: string;
  /** The key the writer used (an attribute, or extracted from the body). */
  readonly idempotencyKey?: string;
  /** The queue the message was received from: where `eda redrive` returns it. */
  readonly sourceQueueArn?: string;
}

/** The attributes to send, what had to give way, or undefined when not even the error class fits. */
export interface DeadLetterAttributes {
  readonly attributes: Record<string, MessageAttributeValue>;
  /** Producer attributes left out (count or size). */
  readonly droppedAttributes: string[];
  /** 'full', 'truncated-message' (error message cut to fit), or 'error-class-only'. */
  readonly context: 'full' | 'truncated-message' | 'error-class-only';
}

/** The producer's attributes of a Lambda SQS record, in SendMessage form (binary values decoded from base64). */
export function producerAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined) attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    else if (value.binaryValue !== undefined) attributes[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') };
  }
  return attributes;
}

/** Bytes an attribute adds to the message size: its name, type and value. */
export function attributeBytes(name: string, value: MessageAttributeValue): number {
  return Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8')
    + (value.StringValue !== undefined ? Buffer.byteLength(value.StringValue, 'utf8') : 0)
    + (value.BinaryValue !== undefined ? value.BinaryValue.length : 0);
}

function sizeOf(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce((sum, [name, value]) => sum + attributeBytes(name, value), 0);
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, cut between characters. */
function truncateToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let result = '';
  let used = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (used + size > bytes) break;
    result += character;
    used += size;
  }
  return result;
}

/** Producer attributes by priority: the ids a replay needs first, then by name. */
function byPriority(producer: Record<string, MessageAttributeValue>): string[] {
  const first: string[] = [ATTRIBUTES.idempotencyKey, ATTRIBUTES.correlationId];
  return Object.keys(producer).sort((a, b) => {
    const rank = (name: string) => (first.includes(name) ? first.indexOf(name) : first.length);
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** Chooses the dead-letter attributes for a message of `bodyBytes` bytes. */
export function deadLetterAttributes(
  bodyBytes: number,
  producer: Record<string, MessageAttributeValue>,
  context: DeadLetterContext,
  maxSizeBytes = MAX_MESSAGE_SIZE_BYTES,
): DeadLetterAttributes | undefined {
  const fixed: Record<string, MessageAttributeValue> = {
    [ATTRIBUTES.errorClass]: stringAttribute(context.errorClass),
    [ATTRIBUTES.errorCode]: stringAttribute(context.errorCode || 'UNKNOWN'),
    [ATTRIBUTES.attempts]: stringAttribute(String(context.attempts)),
    [ATTRIBUTES.originalMessageId]: stringAttribute(context.originalMessageId),
  };
  if (context.idempotencyKey && !producer[ATTRIBUTES.idempotencyKey]) fixed[ATTRIBUTES.idempotencyKey] = stringAttribute(context.idempotencyKey);
  if (context.sourceQueueArn) fixed[ATTRIBUTES.sourceQueueArn] = stringAttribute(context.sourceQueueArn);
  // One slot for the error message. The producer's own copies of context names (a replayed message) are replaced.
  const slots = MAX_MESSAGE_ATTRIBUTES - Object.keys(fixed).length - 1;
  const ordered = byPriority(producer).filter((name) => !(name in fixed) && name !== ATTRIBUTES.errorMessage);
  const kept = ordered.slice(0, Math.max(0, slots));
  const dropped = ordered.slice(kept.length);
  const copied = Object.fromEntries(kept.map((name) => [name, producer[name]]));

  // Full context, the error message cut to what is left.
  const withoutMessage = { ...copied, ...fixed };
  const messageOverhead = attributeBytes(ATTRIBUTES.errorMessage, stringAttribute(''));
  const room = maxSizeBytes - bodyBytes - sizeOf(withoutMessage) - messageOverhead;
  const message = (context.errorMessage || '-').slice(0, MAX_ERROR_MESSAGE_LENGTH);
  if (room >= 1) {
    const fitted = truncateToBytes(message, room) || '-';
    return {
      attributes: { ...withoutMessage, [ATTRIBUTES.errorMessage]: stringAttribute(fitted) },
      droppedAttributes: dropped,
      context: fitted === message ? 'full' : 'truncated-message',
    };
  }
  // The error class alone (and where a redrive returns the message), with as many producer attributes as fit (the
  // idempotency key last to go).
  const errorClass: Record<string, MessageAttributeValue> = { [ATTRIBUTES.errorClass]: fixed[ATTRIBUTES.errorClass] };
  if (fixed[ATTRIBUTES.sourceQueueArn]) errorClass[ATTRIBUTES.sourceQueueArn] = fixed[ATTRIBUTES.sourceQueueArn];
  for (let count = kept.length; count >= 0; count--) {
    const candidates = kept.slice(0, count);
    const attributes = { ...Object.fromEntries(candidates.map((name) => [name, producer[name]])), ...errorClass };
    if (bodyBytes + sizeOf(attributes) <= maxSizeBytes) {
      return { attributes, droppedAttributes: ordered.filter((name) => !candidates.includes(name)), context: 'error-class-only' };
    }
  }
  return undefined;
}
