/**
 * SQS message attribute names shared by the producer, the writer and the dead-letter context.
 * SQS allows at most 10 message attributes per message
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html):
 * dead-lettered messages carry these 7 and up to 3 of the producer's own (runtime/writer/dead-letter-context.ts).
 */
export const ATTRIBUTES = {
  idempotencyKey: 'eda-idempotency-key',
  correlationId: 'eda-correlation-id',
  errorClass: 'eda-error-class',
  errorCode: 'eda-error-code',
  errorMessage: 'eda-error-message',
  attempts: 'eda-attempts',
  originalMessageId: 'eda-original-message-id',
} as const;

/** A String message attribute value as the SQS API expects it. */
export function stringAttribute(value: string): { DataType: 'String'; StringValue: string } {
  return { DataType: 'String', StringValue: value };
}
