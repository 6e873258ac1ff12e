/**
 * The local stack (`@cdk-elastic-data-access/local`): PostgreSQL 15, PgBouncer in transaction mode (the RDS Proxy
 * stand-in) behind a session-pinning detector, and a local SQS with the write queue and its DLQ, all on 127.0.0.1. Node-only test tooling: not part
 * of the jsii API and never bundled into Lambda functions.
 */
export { LocalStack } from './local-stack';
export type { LocalStackOptions } from './local-stack';
export { startPgBouncer } from './pgbouncer';
export type { LocalPgBouncer, PgBouncerOptions, PgBouncerUpstream } from './pgbouncer';
export { startMariaDb } from './mariadb-server';
export type { LocalMariaDb, MariaDbServerOptions } from './mariadb-server';
export { PinningDetector, PinningError } from './pinning-detector';
export type { PinningDetectorOptions, PinningDetectorStats, PinningFinding } from './pinning-detector';
export { PINNING_CONDITIONS, MAX_UNPINNED_STATEMENT_BYTES, pinningMatches } from './pinning-rules';
export type { PinningEngine, PinningMatch, PinningRule } from './pinning-rules';
export { startPostgres } from './postgres-server';
export type { LocalPostgres, PostgresServerOptions } from './postgres-server';
export { startSqs } from './sqs-server';
export type { LocalSqs, SqsServerOptions } from './sqs-server';
export { runConnectionStorm, percentile } from './connection-storm';
export type { ConnectionStormOptions, ConnectionStormResult } from './connection-storm';
export { InvocationError, LocalFunction } from './local-function';
export type { LocalFunctionOptions, LocalFunctionStats } from './local-function';
export { LocalSqsEventSource, recordsToDelete } from './sqs-event-source';
export type { InvokeTarget, LocalSqsEventSourceOptions, LocalSqsEventSourceStats } from './sqs-event-source';
