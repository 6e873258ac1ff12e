/**
 * SQS message attribute names shared by the producer, the writer and the dead-letter context.
 * SQS allows at most 10 message attributes per message
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html):
 * dead-lettered messages carry these 8 and up to 2 of the producer's own (runtime/writer/dead-letter-context.ts);
 * eda redrive adds eda-replay-attempt to a replay, minus the 4 error ones.
 */
export const ATTRIBUTES = {
  idempotencyKey: 'eda-idempotency-key',
  correlationId: 'eda-correlation-id',
  errorClass: 'eda-error-class',
  errorCode: 'eda-error-code',
  errorMessage: 'eda-error-message',
  attempts: 'eda-attempts',
  originalMessageId: 'eda-original-message-id',
  /**
   * ARN of the queue the writer received a message from, on its dead-letter copy: SQS records the source
   * (DeadLetterQueueSourceArn) only for messages its redrive policy moved, so without it a message move task
   * fails with CouldNotDetermineMessageSource and `eda redrive` could not route the writer's own dead letters.
   */
  sourceQueueArn: 'eda-source-queue-arn',
} as const;

/** A String message attribute value as the SQS API expects it. */
export function stringAttribute(value: string): { DataType: 'String'; StringValue: string } {
  return { DataType: 'String', StringValue: value };
}
