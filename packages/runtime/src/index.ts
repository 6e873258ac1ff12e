/**
 * Runtime helpers for functions deployed with cdk-elastic-data-access:
 * `import { sqlWriter, enqueueWrite, withReader } from '@cdk-elastic-data-access/runtime'`.
 *
 * Configuration comes only from the environment contract (docs/environment-contract.md). Nothing
 * connects or reads the environment at import time: pools, clients, Logger and Metrics are created
 * on first use and reused by later invocations of the execution environment.
 */

// Writer (SQS → database, exactly once per idempotency key)
export { sqlWriter } from './writer/sql-writer';
export type {
  AfterBatchCommitHook, AfterCommitHook, BatchWriteEffect, CommittedWrite, SqlWriterOptions, SqsWriterHandler, WriteEffect, WriterMode,
} from './writer/sql-writer';
export type { WriteMessage, IdempotencyKeyExtractor } from './writer/write-message';
export { ensureIdempotencyTable, claimKey, claimKeys, purgeIdempotencyKeys, bodyFingerprint } from './writer/idempotency-store';
export type {
  EnsureIdempotencyTableOptions,
  IdempotencyTableLayout,
  PurgeIdempotencyKeysOptions,
  PurgeIdempotencyKeysResult,
} from './writer/idempotency-store';
export {
  migrationSql, migrationStatements, upgradeStatements, IDEMPOTENCY_TABLE, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_UNPINNED_STATEMENT_BYTES,
} from './sql/idempotency-sql';
export type { IdempotencyRow } from './sql/idempotency-sql';
export { userSetupSql } from './sql/user-setup-sql';

// Producer (API → write-buffer queue)
export { enqueueWrite, enqueueWrites, MAX_BATCH_ENTRIES, MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from './queue/producer';
export type { EnqueueOptions, EnqueueEntry, EnqueueBatchOptions, QueueTarget } from './queue/producer';
export { ATTRIBUTES } from './queue/message-attributes';
export { useSqsClient } from './queue/sqs-client';

// Reader / writer queries and the circuit breaker
export { withReader, withWriter, configureDatabases, closeDatabases, database } from './connections/database-registry';
export type { Database, DatabaseRegistryOptions } from './connections/database-registry';
export type { SqlExecutor, SqlPool, QueryResult, TransactionOptions } from './connections/sql-pool';
export { useMysqlDriver } from './connections/mysql-pool';
export type { MysqlDriver } from './connections/mysql-pool';
export { CircuitBreaker } from './resilience/circuit-breaker';
export type { BreakerState, CircuitBreakerOptions } from './resilience/circuit-breaker';
export { AuthTokenCache, IAM_TOKEN_LIFETIME_MS } from './connections/auth-token-cache';

// Errors and their classification
export {
  ConfigurationError,
  DatabaseUnavailableError,
  MissingIdempotencyKeyError,
  PermanentWriteError,
  EnqueueError,
  IdempotencyKeyReuseError,
  IdempotencyTableLayoutError,
  IDEMPOTENCY_ERROR_CODES,
  TransactionRolledBackError,
  TimeBudgetExhaustedError,
} from './errors';
export type { FailedEnqueueEntry } from './errors';
export { classifyError, PoisonMessageError, POISON_CODES } from './resilience/error-classification';
export type { ErrorClass, ErrorClassification } from './resilience/error-classification';
export {
  visibilityTimeoutSeconds, toleratedOutageSeconds, worstCaseDelayAfterRecoverySeconds, backoffFloorSeconds, MAX_VISIBILITY_TIMEOUT_SECONDS,
} from './resilience/visibility-backoff';
export type { OutageModelOptions, VisibilityBackoffOptions } from './resilience/visibility-backoff';

// Correlation ids and telemetry
export { useCorrelationId, correlationIdFromEvent, currentCorrelationId, setCorrelationId, CORRELATION_HEADER, CORRELATION_LOG_KEY } from './observability/correlation';
export type { CorrelationSource } from './observability/correlation';
export { useTelemetry, runtimeLogger, runtimeMetrics, METRIC_NAMES, DEFAULT_METRICS_NAMESPACE } from './observability/telemetry';
export type { RuntimeLogger, RuntimeMetrics } from './observability/telemetry';

// Configuration
export { readConnectionSettings, readQueueSettings, readIdempotencySettings } from './config/environment';
export type { ConnectionSettings, QueueSettings, IdempotencySettings, DatabaseEngine, AuthMode, TlsMode, EndpointRole, Environment } from './config/environment';
export type { Clock } from './clock';

// The read cache (`@cdk-elastic-data-access/runtime/cache`, with ioredis) and the Data API reader
// (`@cdk-elastic-data-access/runtime/data-api`) have entries of their own: the compiled runtime is
// CommonJS, so bundlers cannot drop what a handler does not use (BENCHMARKS.md, bundle sizes).
