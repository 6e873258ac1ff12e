import {
  MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageBatchRequestEntry,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { readQueueSettings } from '../config/environment';
import { ConfigurationError, EnqueueError, FailedEnqueueEntry, MissingIdempotencyKeyError } from '../errors';
import { ATTRIBUTES, stringAttribute } from './message-attributes';
import { sqsClient } from './sqs-client';
import { currentCorrelationId } from '../observability/correlation';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../sql/idempotency-sql';

/** Options of one enqueued write. */
export interface EnqueueOptions {
  /** Identifies the write: the writer applies each key once. Required; never generated for you. */
  readonly idempotencyKey: string;
  /** Correlation id carried to the writer's logs. @default the id set by useCorrelationId, if any */
  readonly correlationId?: string;
  /** FIFO queues: ordering group. @default the idempotency key (no ordering between writes) */
  readonly messageGroupId?: string;
}

/** One write of {@link enqueueWrites}. */
export interface EnqueueEntry extends EnqueueOptions {
  readonly body: unknown;
}

/** Options of {@link enqueueWrites}. */
export interface EnqueueBatchOptions {
  /** Attempts per entry (first call + retries of the entries SQS failed). @default 3 */
  readonly maxAttempts?: number;
  /** Delay before the first retry, doubled on each further retry. @default 100 */
  readonly retryDelayMs?: number;
  /** How to wait between attempts (tests pass a fake). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Where the writes go. @default EDA_WRITE_QUEUE_URL / EDA_WRITE_QUEUE_FIFO */
export interface QueueTarget {
  readonly queueUrl?: string;
  readonly fifo?: boolean;
}

/** SendMessageBatch takes at most 10 entries (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html). */
export const MAX_BATCH_ENTRIES = 10;

function target(override: QueueTarget = {}): { queueUrl: string; fifo: boolean } {
  const settings = readQueueSettings();
  const queueUrl = override.queueUrl ?? settings.writeQueueUrl;
  if (!queueUrl) throw new ConfigurationError('EDA_WRITE_QUEUE_URL', 'is required to enqueue writes (set by connectProducer)');
  return { queueUrl, fifo: override.fifo ?? (override.queueUrl ? override.queueUrl.endsWith('.fifo') : settings.writeQueueFifo) };
}

function checkKey(options: EnqueueOptions | undefined, where: string): string {
  const key = options?.idempotencyKey;
  if (typeof key !== 'string' || key.trim() === '') throw new MissingIdempotencyKeyError(`${where} has no idempotencyKey`);
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new MissingIdempotencyKeyError(`${where} has an idempotencyKey longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return key;
}

function messageFields(body: unknown, options: EnqueueOptions, key: string, fifo: boolean) {
  const correlationId = options.correlationId ?? currentCorrelationId();
  const attributes: Record<string, MessageAttributeValue> = { [ATTRIBUTES.idempotencyKey]: stringAttribute(key) };
  if (correlationId) attributes[ATTRIBUTES.correlationId] = stringAttribute(correlationId);
  const messageBody = JSON.stringify(body);
  if (messageBody === undefined) throw new TypeError(`write ${key} has a body that is not JSON-serialisable`);
  return {
    MessageBody: messageBody,
    MessageAttributes: attributes,
    // FIFO: SQS drops a second message with the same deduplication id within 5 minutes; the
    // idempotency table covers every later duplicate.
    ...(fifo ? { MessageDeduplicationId: key, MessageGroupId: options.messageGroupId ?? key } : {}),
  };
}

/**
 * Enqueues one write on the write-buffer queue. The body is sent as JSON; the idempotency key and
 * correlation id travel as message attributes. Returns the SQS message id.
 */
export async function enqueueWrite(body: unknown, options: EnqueueOptions, queue?: QueueTarget): Promise<string> {
  const key = checkKey(options, 'enqueueWrite');
  const { queueUrl, fifo } = target(queue);
  const result = await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, ...messageFields(body, options, key, fifo) }));
  return result.MessageId ?? '';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Enqueues many writes, 10 per SendMessageBatch call, retrying the entries SQS failed (server-side
 * faults) up to `maxAttempts`. Throws {@link EnqueueError} listing the keys still failing; entries
 * not listed were enqueued. Every entry needs an idempotency key (checked before anything is sent).
 */
export async function enqueueWrites(entries: readonly EnqueueEntry[], options: EnqueueBatchOptions = {}, queue?: QueueTarget): Promise<void> {
  const keys = entries.map((entry, i) => checkKey(entry, `enqueueWrites entry ${i}`));
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  const sleep = options.sleep ?? defaultSleep;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const { queueUrl, fifo } = target(queue);
  const failed: FailedEnqueueEntry[] = [];

  for (let start = 0; start < entries.length; start += MAX_BATCH_ENTRIES) {
    let pending = entries.slice(start, start + MAX_BATCH_ENTRIES).map((entry, i) => ({ entry, key: keys[start + i], id: `m${i}` }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const batch: SendMessageBatchRequestEntry[] = pending.map((p) => ({ Id: p.id, ...messageFields(p.entry.body, p.entry, p.key, fifo) }));
      const result = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
      const failures = new Map((result.Failed ?? []).map((f) => [f.Id, f]));
      const retryable = pending.filter((p) => failures.has(p.id) && !failures.get(p.id)!.SenderFault);
      for (const p of pending) {
        const f = failures.get(p.id);
        if (f && (f.SenderFault || attempt >= maxAttempts)) {
          failed.push({ idempotencyKey: p.key, code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? false });
        }
      }
      if (attempt >= maxAttempts) break;
      pending = retryable;
      if (pending.length > 0) await sleep(retryDelayMs * Math.pow(2, attempt - 1));
    }
  }
  if (failed.length > 0) throw new EnqueueError(failed);
}
