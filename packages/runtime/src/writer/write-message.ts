import type { SQSRecord } from 'aws-lambda';
import { ATTRIBUTES } from '../queue/message-attributes';
import { POISON_CODES, PoisonMessageError } from '../resilience/error-classification';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../sql/idempotency-sql';

// Read once per record: module-level copies of the attribute names.
const KEY_ATTRIBUTE = ATTRIBUTES.idempotencyKey;
const CORRELATION_ATTRIBUTE = ATTRIBUTES.correlationId;

/** One write, as the effect sees it. */
export interface WriteMessage<Body = unknown> {
  /** The JSON-parsed message body. */
  readonly body: Body;
  /** The key recorded in eda_idempotency_keys in the effect's transaction. */
  readonly idempotencyKey: string;
  /** The correlation id propagated by the producer, if any. */
  readonly correlationId?: string;
  /** The SQS message id. */
  readonly messageId: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** The raw SQS record. */
  readonly record: SQSRecord;
}

/** Finds the idempotency key of a message that was not produced by enqueueWrite (no attribute). */
export type IdempotencyKeyExtractor = (body: unknown, record: SQSRecord) => string | undefined;

/** The receive count of a record (1 when SQS did not say). */
export function receiveCountOf(record: SQSRecord): number {
  const n = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** The correlation id attribute of a record, readable even when the body is malformed. */
export function correlationIdOf(record: SQSRecord): string | undefined {
  return record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue || undefined;
}

/**
 * Parses a record into a {@link WriteMessage}. Throws {@link PoisonMessageError} (permanent) for a
 * body that is not JSON and for a missing, empty or oversized idempotency key — a random key would
 * make every redelivery a new write.
 */
export function parseWriteMessage<Body>(record: SQSRecord, extractKey?: IdempotencyKeyExtractor): WriteMessage<Body> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new PoisonMessageError(POISON_CODES.badJson, `message body is not JSON: ${(error as Error).message}`);
  }
  const key = record.messageAttributes?.[KEY_ATTRIBUTE]?.stringValue ?? extractKey?.(body, record);
  if (typeof key !== 'string' || key.trim() === '') {
    throw new PoisonMessageError(POISON_CODES.missingIdempotencyKey, `message has no ${ATTRIBUTES.idempotencyKey} attribute`);
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new PoisonMessageError(POISON_CODES.invalidIdempotencyKey, `idempotency key is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  // A lone surrogate becomes U+FFFD in UTF-8, so two such keys would be the same bytes in the table.
  if (/\p{Cs}/u.test(key)) {
    throw new PoisonMessageError(POISON_CODES.invalidIdempotencyKey, 'idempotency key is not well-formed Unicode (lone surrogate)');
  }
  return {
    body: body as Body,
    idempotencyKey: key,
    correlationId: correlationIdOf(record),
    messageId: record.messageId,
    receiveCount: receiveCountOf(record),
    record,
  };
}
