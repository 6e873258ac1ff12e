import {
  MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageBatchRequestEntry,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { readQueueSettings } from '../config/environment';
import { ConfigurationError, EnqueueError, FailedEnqueueEntry, MissingIdempotencyKeyError } from '../errors';
import { deduplicationIdOf, messageGroupIdOf } from './fifo-ids';
import { ATTRIBUTES, stringAttribute } from './message-attributes';
import { MAX_MESSAGE_BYTES, messageBytes, packBatches } from './message-size';
import { sqsClient } from './sqs-client';
import { currentCorrelationId } from '../observability/correlation';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../sql/idempotency-sql';

/** Options of one enqueued write. */
export interface EnqueueOptions {
  /** Identifies the write: the writer applies each key once. Required; never generated for you. */
  readonly idempotencyKey: string;
  /** Correlation id carried to the writer's logs. @default the id set by useCorrelationId, if any */
  readonly correlationId?: string;
  /**
   * FIFO queues: ordering group; writes of one group are applied in order. Used as the MessageGroupId when SQS
   * accepts it (1–128 ASCII letters, digits, punctuation), otherwise its SHA-256 hex (same grouping).
   * @default one group per idempotency key (no ordering between writes): the SHA-256 hex of the key
   */
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

export { MAX_BATCH_ENTRIES, MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from './message-size';

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

/** The SendMessage fields of one write: JSON body, key and correlation id attributes, FIFO ids. */
function messageFields(body: unknown, options: EnqueueOptions, key: string, fifo: boolean) {
  const correlationId = options.correlationId ?? currentCorrelationId();
  const attributes: Record<string, MessageAttributeValue> = { [ATTRIBUTES.idempotencyKey]: stringAttribute(key) };
  if (correlationId) attributes[ATTRIBUTES.correlationId] = stringAttribute(correlationId);
  const messageBody = JSON.stringify(body);
  if (messageBody === undefined) throw new TypeError(`write ${key} has a body that is not JSON-serialisable`);
  return {
    MessageBody: messageBody,
    MessageAttributes: attributes,
    // FIFO: ids derived from the key (see fifo-ids.ts), the key itself travels in its attribute. SQS drops a
    // second message with the same deduplication id within 5 minutes; the idempotency table covers the rest.
    ...(fifo ? { MessageDeduplicationId: deduplicationIdOf(key), MessageGroupId: messageGroupIdOf(key, options.messageGroupId) } : {}),
  };
}

type MessageFields = ReturnType<typeof messageFields>;

/** The rejection of a message larger than SQS accepts, before it is sent. */
function tooLong(bytes: number): { code: string; message: string } {
  return { code: 'MessageTooLong', message: `message is ${bytes} bytes (body + attributes); SQS accepts at most ${MAX_MESSAGE_BYTES}` };
}

/**
 * Enqueues one write on the write-buffer queue. The body is sent as JSON; the idempotency key and
 * correlation id travel as message attributes. Returns the SQS message id. A message larger than SQS accepts
 * is an {@link EnqueueError} before any call; an error of the SendMessage call is thrown as the SDK reports it.
 */
export async function enqueueWrite(body: unknown, options: EnqueueOptions, queue?: QueueTarget): Promise<string> {
  const key = checkKey(options, 'enqueueWrite');
  const { queueUrl, fifo } = target(queue);
  const fields = messageFields(body, options, key, fifo);
  const bytes = messageBytes(fields.MessageBody, fields.MessageAttributes);
  if (bytes > MAX_MESSAGE_BYTES) throw new EnqueueError([{ idempotencyKey: key, ...tooLong(bytes), senderFault: true }], []);
  const result = await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, ...fields }));
  return result.MessageId ?? '';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One entry on its way: its index in the caller's list, batch entry id, SendMessage fields and size. */
interface PendingEntry {
  readonly index: number;
  readonly key: string;
  readonly id: string;
  readonly fields: MessageFields;
  readonly bytes: number;
}

/**
 * Enqueues many writes in SendMessageBatch calls packed by count (≤ 10) and size (≤ 1 MiB in total, see
 * message-size.ts), in order, retrying the entries SQS failed on its side (and calls that failed as a whole
 * with a server fault or no answer) up to `maxAttempts`. A message larger than 1 MiB is not sent. Every
 * failure is an {@link EnqueueError} whose `failed` lists the keys not enqueued and `enqueued` the keys
 * enqueued. Every entry needs an idempotency key and a JSON body (checked before anything is sent).
 */
export async function enqueueWrites(entries: readonly EnqueueEntry[], options: EnqueueBatchOptions = {}, queue?: QueueTarget): Promise<void> {
  const keys = entries.map((entry, i) => checkKey(entry, `enqueueWrites entry ${i}`));
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  const sleep = options.sleep ?? defaultSleep;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const { queueUrl, fifo } = target(queue);
  const failed: FailedEnqueueEntry[] = [];
  const enqueued: string[] = [];

  // Serialised up front: a body that JSON cannot represent throws before anything is sent.
  const prepared = entries.map((entry, index): PendingEntry => {
    const fields = messageFields(entry.body, entry, keys[index], fifo);
    return { index, key: keys[index], id: `m${index}`, fields, bytes: messageBytes(fields.MessageBody, fields.MessageAttributes) };
  });
  const sendable: PendingEntry[] = [];
  for (const entry of prepared) {
    if (entry.bytes > MAX_MESSAGE_BYTES) failed.push({ idempotencyKey: entry.key, ...tooLong(entry.bytes), senderFault: true });
    else sendable.push(entry);
  }

  for (const batch of packBatches(sendable)) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const last = attempt >= maxAttempts;
      let outcome: { succeeded: PendingEntry[]; retry: PendingEntry[]; rejected: FailedEnqueueEntry[] };
      try {
        outcome = await sendBatch(queueUrl, pending, last);
      } catch (error) {
        // The call failed as a whole: none of its entries is known to be enqueued.
        const verdict = callFailure(error);
        outcome = verdict.retryable && !last
          ? { succeeded: [], retry: pending, rejected: [] }
          : { succeeded: [], retry: [], rejected: pending.map((p) => ({ idempotencyKey: p.key, ...verdict.entry })) };
      }
      enqueued.push(...outcome.succeeded.map((p) => p.key));
      failed.push(...outcome.rejected);
      pending = outcome.retry;
      if (pending.length > 0) await sleep(retryDelayMs * Math.pow(2, attempt - 1));
    }
  }
  if (failed.length > 0) throw new EnqueueError(failed, enqueued);
}

/** One SendMessageBatch call: which entries SQS took, which to retry (server faults, unless `last`), which it rejected. */
async function sendBatch(queueUrl: string, pending: readonly PendingEntry[], last: boolean) {
  const request: SendMessageBatchRequestEntry[] = pending.map((p) => ({ Id: p.id, ...p.fields }));
  const result = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: request }));
  const failures = new Map((result.Failed ?? []).map((f) => [f.Id, f]));
  const succeeded: PendingEntry[] = [];
  const retry: PendingEntry[] = [];
  const rejected: FailedEnqueueEntry[] = [];
  for (const p of pending) {
    const f = failures.get(p.id);
    if (!f) succeeded.push(p);
    else if (!f.SenderFault && !last) retry.push(p);
    else rejected.push({ idempotencyKey: p.key, code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? false });
  }
  return { succeeded, retry, rejected };
}

/** Classifies an error of a whole call: a client fault (e.g. BatchRequestTooLong) is final, anything else may pass on retry. */
function callFailure(error: unknown): { retryable: boolean; entry: Omit<FailedEnqueueEntry, 'idempotencyKey'> } {
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  const code = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const senderFault = fault === 'client';
  return { retryable: !senderFault, entry: { code, message, senderFault } };
}
