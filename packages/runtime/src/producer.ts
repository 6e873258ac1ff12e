/**
 * The producer side alone (`@cdk-elastic-data-access/runtime/producer`, once package.json exports it):
 * the compiled library is CommonJS, which bundlers cannot tree-shake, so an API function that only
 * enqueues writes imports this entry instead of `runtime` and bundles no database driver.
 */
export { enqueueWrite, enqueueWrites, MAX_BATCH_ENTRIES, MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from './queue/producer';
export type { EnqueueOptions, EnqueueEntry, EnqueueBatchOptions, QueueTarget } from './queue/producer';
export { ATTRIBUTES } from './queue/message-attributes';
export { useSqsClient } from './queue/sqs-client';
export { useCorrelationId, correlationIdFromEvent, currentCorrelationId, setCorrelationId, CORRELATION_HEADER, CORRELATION_LOG_KEY } from './observability/correlation';
export type { CorrelationSource } from './observability/correlation';
export { ConfigurationError, MissingIdempotencyKeyError, EnqueueError } from './errors';
export type { FailedEnqueueEntry } from './errors';
