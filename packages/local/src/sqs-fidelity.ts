import type { IncomingHttpHeaders } from 'node:http';

/*
 * What local-aws-sqs 2.0.2 gets wrong against SQS's documented behaviour, corrected around it (docs/local-stack.md,
 * "The local SQS"):
 *
 * 1. Receive counts. SQS: "ApproximateReceiveCount – Returns the number of times a message has been received
 *    across all queues but not deleted" and, for the redrive policy, "When the ReceiveCount for a message exceeds
 *    the maxReceiveCount for a queue, Amazon SQS moves the message to the dead-letter-queue"
 *    (@aws-sdk/client-sqs, dist-types/models/models_0.d.ts, ReceiveMessageRequest and RedrivePolicy).
 *    The emulator sets a message's visibility through one private routine for receives and for
 *    ChangeMessageVisibility, and that routine adds one to the count: every visibility change counted as a receive,
 *    so a message retried with backoff reached the DLQ after about 3 deliveries instead of 5.
 * 2. `MessageSystemAttributeNames` (ReceiveMessage): "To provide attribute names, you are encouraged to use
 *    MessageSystemAttributeNames" (same file); the emulator reads only the deprecated `AttributeNames`.
 * 3. Message size: "All parts of the message attribute, including Name, Type, and Value, are part of the message
 *    size restriction (1 MiB or 1,048,576 bytes)" (MessageAttributeValue). The emulator adds up string lengths
 *    (UTF-16 code units), not bytes, so a message of multi-byte characters that SQS refuses was accepted.
 *    SendMessage is checked in bytes here (SendMessageBatch entries are not).
 */

/** The parts of a local-aws-sqs queue this module touches (structural: the package exports no such type). */
interface EmulatedQueue {
  readonly QueueName: string;
  readonly MaximumMessageSize: number;
  newRecord: (record: EmulatedRecord, delay?: number) => EmulatedEntry;
  changeVisibility(receiptHandle: string, visibilityTimeout: string): boolean;
  delete(receiptHandle: string): boolean;
}

interface EmulatedRecord {
  readonly MessageId: string;
  readonly attributes: { ApproximateReceiveCount: string };
}

interface EmulatedEntry {
  readonly record: EmulatedRecord;
}

const patched = new WeakSet<object>();

/** The MessageId inside one of the emulator's receipt handles (base64 of a UUID followed by JSON). */
function messageIdOf(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const start = text.indexOf('{');
    return start < 0 ? undefined : (JSON.parse(text.slice(start)) as { MessageId?: string }).MessageId;
  } catch {
    return undefined;
  }
}

/**
 * Makes every queue of the emulator count receives only: ChangeMessageVisibility(Batch) no longer adds to
 * ApproximateReceiveCount, so the redrive policy (which the emulator evaluates against that count when the
 * visibility runs out) moves a message after exactly maxReceiveCount receives. Idempotent per queue.
 *
 * It keeps a reference to each message the queue stores (newRecord hands it out) and restores the count that
 * a visibility change bumped. If the emulator ever changes a message it did not store through newRecord, the
 * count cannot be corrected and the call throws, rather than serve a count that is not SQS's.
 */
export function makeReceiveCountsFaithful(service: { Queues: readonly unknown[] }): void {
  for (const candidate of service.Queues) {
    const queue = candidate as EmulatedQueue;
    if (patched.has(queue)) continue;
    if (typeof queue.newRecord !== 'function' || typeof queue.changeVisibility !== 'function' || typeof queue.delete !== 'function') {
      throw new Error(`local-aws-sqs changed: queue ${queue.QueueName} has no newRecord/changeVisibility/delete to wrap`);
    }
    patched.add(queue);
    const stored = new Map<string, EmulatedEntry>();
    const newRecord = queue.newRecord;
    queue.newRecord = (record, delay) => {
      const entry = newRecord(record, delay);
      stored.set(entry.record.MessageId, entry);
      return entry;
    };
    const changeVisibility = queue.changeVisibility.bind(queue);
    queue.changeVisibility = (receiptHandle, visibilityTimeout) => {
      const id = messageIdOf(receiptHandle);
      const entry = id === undefined ? undefined : stored.get(id);
      const before = entry?.record.attributes.ApproximateReceiveCount;
      const changed = changeVisibility(receiptHandle, visibilityTimeout);
      if (changed && !entry) {
        throw new Error(`local-aws-sqs changed: message ${id} of ${queue.QueueName} was not stored through newRecord, its receive count cannot be kept faithful`);
      }
      // Synchronous, so no timer of the emulator runs between the bump and the correction.
      if (entry && before !== undefined) entry.record.attributes.ApproximateReceiveCount = before;
      return changed;
    };
    const remove = queue.delete.bind(queue);
    queue.delete = (receiptHandle) => {
      const deleted = remove(receiptHandle);
      const id = messageIdOf(receiptHandle);
      if (deleted && id !== undefined) stored.delete(id);
      return deleted;
    };
  }
}

/** What to do with one request: hand the (possibly rewritten) body to the emulator, or answer it here. */
export type EmulatorRequest =
  | { readonly kind: 'forward'; readonly body: string }
  | { readonly kind: 'answer'; readonly statusCode: number; readonly headers: Record<string, string>; readonly body: string };

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** SQS's maximum message size (the emulator's queues use it as their MaximumMessageSize default). */
export const SQS_MAXIMUM_MESSAGE_SIZE_BYTES = 1_048_576;

interface SendMessageBody {
  MessageBody?: unknown;
  MessageAttributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }>;
}

/** Bytes of a SendMessage body and its message attributes (names, types and values), as SQS counts them. */
export function messageSizeBytes(message: SendMessageBody): number {
  let size = typeof message.MessageBody === 'string' ? Buffer.byteLength(message.MessageBody, 'utf8') : 0;
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value?.DataType ?? '', 'utf8');
    if (typeof value?.StringValue === 'string') size += Buffer.byteLength(value.StringValue, 'utf8');
    // JSON carries binary values base64-encoded; SQS counts the bytes.
    if (typeof value?.BinaryValue === 'string') size += Buffer.from(value.BinaryValue, 'base64').length;
  }
  return size;
}

/**
 * Adapts one request of the AWS JSON protocol (the only one @aws-sdk/client-sqs v3 speaks) before the emulator
 * sees it: MessageSystemAttributeNames joins AttributeNames, and a SendMessage above the size limit in bytes is
 * refused with SQS's error. Other protocols pass through unchanged.
 */
export function rewriteForEmulator(headers: IncomingHttpHeaders, body: string, maximumMessageSize = SQS_MAXIMUM_MESSAGE_SIZE_BYTES): EmulatorRequest {
  const target = headers['x-amz-target'];
  if (headers['content-type'] !== JSON_CONTENT_TYPE || typeof target !== 'string') return { kind: 'forward', body };
  const action = target.split('.')[1];
  // Only these two are adapted: the others (most of the traffic) are not parsed at all.
  if (action !== 'ReceiveMessage' && action !== 'SendMessage') return { kind: 'forward', body };
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { kind: 'forward', body };
  }
  if (action === 'ReceiveMessage' && Array.isArray(input.MessageSystemAttributeNames)) {
    const names = new Set<unknown>([...(Array.isArray(input.AttributeNames) ? input.AttributeNames : []), ...input.MessageSystemAttributeNames]);
    const { MessageSystemAttributeNames: _, ...rest } = input;
    return { kind: 'forward', body: JSON.stringify({ ...rest, AttributeNames: [...names] }) };
  }
  if (action === 'SendMessage') {
    const size = messageSizeBytes(input as SendMessageBody);
    if (size > maximumMessageSize) {
      return {
        kind: 'answer',
        statusCode: 400,
        headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-query-error': 'InvalidParameterValue;Sender' },
        body: JSON.stringify({
          __type: 'com.amazon.coral.service#InvalidParameterValueException',
          message: `One or more parameters are invalid. Reason: Message must be shorter than ${maximumMessageSize} bytes.`,
        }),
      };
    }
  }
  return { kind: 'forward', body };
}
