import { DatabaseUnavailableError, IdempotencyTableLayoutError, PermanentWriteError, TimeBudgetExhaustedError, TransactionRolledBackError } from '../errors';

/** How the writer treats a failure. */
export type ErrorClass = 'transient' | 'permanent';

/** The verdict on one error. */
export interface ErrorClassification {
  /** transient: retry later (visibility backoff); permanent: dead-letter queue, never retried. */
  readonly errorClass: ErrorClass;
  /** SQLSTATE, driver/socket code, MySQL errno name or an `EDA_*` code of the runtime. */
  readonly code: string;
  /** true when the database could not be reached (or a client-side deadline fired): counts towards opening the circuit breaker. */
  readonly connectionFailure: boolean;
  /** The error's message (for logs and dead-letter attributes). */
  readonly message: string;
}

/** Message poisoning codes raised by the writer before any SQL runs. */
export const POISON_CODES = {
  badJson: 'EDA_BAD_JSON',
  missingIdempotencyKey: 'EDA_MISSING_IDEMPOTENCY_KEY',
  invalidIdempotencyKey: 'EDA_INVALID_IDEMPOTENCY_KEY',
} as const;

/** A message that can never be applied (bad JSON, no idempotency key); classified permanent. */
export class PoisonMessageError extends Error {
  public readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'PoisonMessageError';
    this.code = code;
  }
}

// Socket-level failures: the server (or proxy) is unreachable or dropped us.
const SOCKET_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED',
  // Client-side deadline of postgres-pool (a stuck RDS Proxy borrow): unreachable as far as we can tell.
  'EDA_CLIENT_DEADLINE',
]);

// PostgreSQL SQLSTATEs, https://www.postgresql.org/docs/15/errcodes-appendix.html
const PG_CONNECTION_CODES = new Set([
  '53300', // too_many_connections
  '53200', // out_of_memory
  '57P01', // admin_shutdown (failover, restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '28000', // invalid_authorization_specification (e.g. IAM token expired between sign and use)
  '28P01', // invalid_password
]);
const PG_TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout): load, not data, is the usual cause
]);
// Classes whose every code is permanent: the same message fails the same way on every attempt.
const PG_PERMANENT_CLASSES = new Set(['21', '22', '23', '42', '44', '0A', '2B', '2F', '3D', '3F']);

// node-postgres raises these without a code when the socket dies or the pool cannot connect.
const PG_CONNECTION_MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'client has encountered a connection error',
  'connection ended unexpectedly',
];

// MySQL error names (mysql2 `code`), https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html
const MYSQL_CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', /* 1040 */ 'ER_TOO_MANY_USER_CONNECTIONS', /* 1203 */
  'ER_SERVER_SHUTDOWN', /* 1053 */ 'ER_ACCESS_DENIED_ERROR', /* 1045, e.g. expired IAM token */
  'CR_SERVER_LOST', /* 2013 */ 'CR_SERVER_GONE_ERROR', /* 2006 */ 'CR_CONNECTION_ERROR', /* 2002 */
  'CR_CONN_HOST_ERROR', /* 2003 */ 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  // mysql2's client-side query timeout (the statement deadline): no answer in time counts toward the breaker.
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
const MYSQL_CONNECTION_ERRNOS = new Set([1040, 1203, 1053, 1045, 2002, 2003, 2006, 2013]);
const MYSQL_TRANSIENT_CODES = new Set([
  'ER_LOCK_DEADLOCK', /* 1213 */ 'ER_LOCK_WAIT_TIMEOUT', /* 1205 */ 'ER_QUERY_INTERRUPTED', /* 1317 */
  'ER_QUERY_TIMEOUT', /* 3024, max_execution_time */
]);
const MYSQL_TRANSIENT_ERRNOS = new Set([1213, 1205, 1317, 3024]);

interface ErrorLike {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly sqlState?: unknown;
  readonly message?: unknown;
  readonly fatal?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? error as ErrorLike : { message: String(error) };
}

function verdict(errorClass: ErrorClass, code: string, connectionFailure: boolean, message: string): ErrorClassification {
  return { errorClass, code, connectionFailure, message };
}

function classifySqlState(sqlState: string, code: string, message: string): ErrorClassification | undefined {
  if (PG_CONNECTION_CODES.has(sqlState) || sqlState.startsWith('08')) {
    return verdict('transient', code, true, message);
  }
  if (PG_TRANSIENT_CODES.has(sqlState)) {
    return verdict('transient', code, false, message);
  }
  if (PG_PERMANENT_CLASSES.has(sqlState.slice(0, 2))) {
    return verdict('permanent', code, false, message);
  }
  return undefined;
}

/**
 * Classifies an error thrown while applying a write or running a query.
 *
 * Unknown errors are transient: they are retried with backoff and, if they keep failing, the
 * queue's redrive policy (maxReceiveCount) moves them to the DLQ — retrying is never a silent drop.
 * Throw {@link PermanentWriteError} from an effect to dead-letter a message immediately.
 */
export function classifyError(error: unknown): ErrorClassification {
  const e = asErrorLike(error);
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;

  if (error instanceof DatabaseUnavailableError) {
    return verdict('transient', 'EDA_BREAKER_OPEN', true, message);
  }
  if (error instanceof TransactionRolledBackError) {
    // As retriable as the error the caller caught: a caught 23505 fails the same way on every attempt.
    const caught = error.cause === undefined ? 'permanent' : classifyError(error.cause).errorClass;
    return verdict(caught, error.code, false, message);
  }
  if (error instanceof TimeBudgetExhaustedError) {
    return verdict('transient', error.code, false, message);
  }
  if (error instanceof PermanentWriteError || error instanceof PoisonMessageError) {
    return verdict('permanent', error.code, false, message);
  }
  // Retried until the table is upgraded (the writer checks again on the next batch): nothing is applied under
  // a layout that lets keys collide, and nothing is dead-lettered for a deployment mistake.
  if (error instanceof IdempotencyTableLayoutError) {
    return verdict('transient', error.code, false, message);
  }
  if (code && SOCKET_CODES.has(code)) {
    return verdict('transient', code, true, message);
  }
  // mysql2 errors carry a string `code` (error name), a numeric `errno` and a `sqlState`.
  if (typeof e.errno === 'number' || (code && (code.startsWith('ER_') || code.startsWith('PROTOCOL_') || code.startsWith('CR_')))) {
    const errno = typeof e.errno === 'number' ? e.errno : -1;
    const name = code ?? `MYSQL_${errno}`;
    if ((code && MYSQL_CONNECTION_CODES.has(code)) || MYSQL_CONNECTION_ERRNOS.has(errno)) {
      return verdict('transient', name, true, message);
    }
    if ((code && MYSQL_TRANSIENT_CODES.has(code)) || MYSQL_TRANSIENT_ERRNOS.has(errno)) {
      return verdict('transient', name, false, message);
    }
    if (typeof e.sqlState === 'string' && e.sqlState !== 'HY000') {
      const bySqlState = classifySqlState(e.sqlState, name, message);
      if (bySqlState) return bySqlState;
    }
    return verdict('transient', name, false, message);
  }
  // node-postgres DatabaseError: `code` is the five-character SQLSTATE.
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return classifySqlState(code, code, message) ?? verdict('transient', code, false, message);
  }
  // mysql2 marks errors that closed the connection `fatal`; some carry no code, e.g. "Can't add new command when
  // connection is in closed state" for a statement (or COMMIT) after the server dropped the connection.
  if (e.fatal === true) {
    return verdict('transient', code ?? 'CONNECTION_LOST', true, message);
  }
  const lower = message.toLowerCase();
  if (PG_CONNECTION_MESSAGES.some((m) => lower.includes(m))) {
    return verdict('transient', code ?? 'CONNECTION_LOST', true, message);
  }
  return verdict('transient', code ?? 'UNKNOWN', false, message);
}

// Server-side statement timeouts: PostgreSQL 57014 query_canceled (statement_timeout); MySQL 3024
// ER_QUERY_TIMEOUT (max_execution_time).
const STATEMENT_TIMEOUT_CODES = new Set(['57014', 'ER_QUERY_TIMEOUT']);

/**
 * true when the server cancelled a statement at its statement timeout. Not a connection failure (the
 * connection stays usable, and the batch writer still isolates the slow message), but a database that keeps
 * answering too late is unavailable to its callers: the circuit breaker counts it like a connection failure,
 * as it counts client-side deadlines (EDA_CLIENT_DEADLINE, PROTOCOL_SEQUENCE_TIMEOUT).
 */
export function isStatementTimeout(error: unknown): boolean {
  return STATEMENT_TIMEOUT_CODES.has(classifyError(error).code);
}
