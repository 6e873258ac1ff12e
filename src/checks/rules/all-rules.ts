import { RuleDefinition } from '../rule-definition';
import { consumedQueueWithoutRedrive } from './consumed-queue-without-redrive';
import { databaseClientWithoutReservedConcurrency } from './database-client-without-reserved-concurrency';
import { deadLetterQueueWithoutAlarm } from './dead-letter-queue-without-alarm';
import { directDatabaseAccessDespiteProxy } from './direct-database-access-despite-proxy';
import { lambdaInvokesLambda } from './lambda-invokes-lambda';
import { maxConcurrencyAboveReservedConcurrency } from './max-concurrency-above-reserved-concurrency';
import { proxyWithoutRequireTls } from './proxy-without-require-tls';
import { sqsEventSourceWithoutBatchItemFailures } from './sqs-event-source-without-batch-item-failures';
import { sqsVisibilityTimeoutTooShort } from './sqs-visibility-timeout-too-short';

/** The rules in id order; RULES.md documents each of them. */
export const ELASTIC_DATA_ACCESS_RULES: readonly RuleDefinition[] = [
  lambdaInvokesLambda,
  directDatabaseAccessDespiteProxy,
  databaseClientWithoutReservedConcurrency,
  sqsEventSourceWithoutBatchItemFailures,
  sqsVisibilityTimeoutTooShort,
  consumedQueueWithoutRedrive,
  maxConcurrencyAboveReservedConcurrency,
  proxyWithoutRequireTls,
  deadLetterQueueWithoutAlarm,
];
