import { DatabaseUnavailableError, IdempotencyKeyReuseError, IdempotencyTableLayoutError, PermanentWriteError, TimeBudgetExhaustedError, TransactionRolledBackError } from '../../src/errors';
import { classifyError, isStatementTimeout, POISON_CODES, PoisonMessageError } from '../../src/resilience/error-classification';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: 'ERROR' });
const mysqlError = (code: string, errno: number, sqlState = 'HY000') => Object.assign(new Error(`mysql ${code}`), { code, errno, sqlState });
const socketError = (code: string) => Object.assign(new Error(`socket ${code}`), { code, syscall: 'connect' });

describe('classifyError', () => {
  test.each([
    ['ECONNRESET'], ['ECONNREFUSED'], ['ETIMEDOUT'], ['EPIPE'], ['ENOTFOUND'],
  ])('socket error %s is a transient connection failure', (code) => {
    expect(classifyError(socketError(code))).toMatchObject({ errorClass: 'transient', code, connectionFailure: true });
  });

  test.each([
    ['53300', 'too_many_connections'], ['57P01', 'admin_shutdown'], ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now'], ['08006', 'connection_failure'], ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['28P01', 'invalid_password (expired IAM token)'],
  ])('PostgreSQL %s (%s) is a transient connection failure', (code) => {
    expect(classifyError(pgError(code))).toMatchObject({ errorClass: 'transient', code, connectionFailure: true });
  });

  test.each([
    ['40001', 'serialization_failure'], ['40P01', 'deadlock_detected'], ['55P03', 'lock_not_available'], ['57014', 'query_canceled'],
  ])('PostgreSQL %s (%s) is transient without counting as a connection failure', (code) => {
    expect(classifyError(pgError(code))).toMatchObject({ errorClass: 'transient', code, connectionFailure: false });
  });

  test('server-side statement timeouts (PostgreSQL 57014, MySQL ER_QUERY_TIMEOUT) are recognised for the breaker; other codes are not', () => {
    expect([pgError('57014'), mysqlError('ER_QUERY_TIMEOUT', 3024), pgError('40P01'), socketError('ECONNRESET')].map(isStatementTimeout))
      .toEqual([true, true, false, false]);
  });

  test('mysql2 PROTOCOL_SEQUENCE_TIMEOUT (client-side statement deadline) counts toward the breaker', () => {
    expect(classifyError(Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true })))
      .toMatchObject({ errorClass: 'transient', code: 'PROTOCOL_SEQUENCE_TIMEOUT', connectionFailure: true });
  });

  test.each([
    ['23505', 'permanent'], ['40P01', 'transient'],
  ])('a COMMIT answered with ROLLBACK after a caught %s is %s (as retriable as the caught error)', (code, errorClass) => {
    expect(classifyError(new TransactionRolledBackError(pgError(code)))).toMatchObject({ errorClass, code: 'EDA_TRANSACTION_ROLLED_BACK', connectionFailure: false });
  });

  test('a mysql2 error marked fatal without a code (statement on a connection the server closed) is a transient connection failure', () => {
    const closed = Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true });
    expect(classifyError(closed)).toMatchObject({ errorClass: 'transient', code: 'CONNECTION_LOST', connectionFailure: true });
  });

  test('an exhausted time budget is transient and not a connection failure', () => {
    expect(classifyError(new TimeBudgetExhaustedError('transaction'))).toMatchObject({ errorClass: 'transient', code: 'EDA_TIME_BUDGET', connectionFailure: false });
  });

  test.each([
    ['22P02', 'invalid_text_representation'], ['22003', 'numeric_value_out_of_range'], ['23505', 'unique_violation'],
    ['23503', 'foreign_key_violation'], ['23502', 'not_null_violation'], ['23514', 'check_violation'],
    ['42P01', 'undefined_table'], ['42703', 'undefined_column'], ['42601', 'syntax_error'],
  ])('PostgreSQL %s (%s) is permanent', (code) => {
    expect(classifyError(pgError(code))).toMatchObject({ errorClass: 'permanent', code, connectionFailure: false });
  });

  test.each([
    ['Connection terminated unexpectedly'], ['timeout exceeded when trying to connect'],
  ])('node-postgres error "%s" without a code is a transient connection failure', (message) => {
    expect(classifyError(new Error(message))).toMatchObject({ errorClass: 'transient', connectionFailure: true });
  });

  test.each([
    ['ER_CON_COUNT_ERROR', 1040], ['ER_TOO_MANY_USER_CONNECTIONS', 1203], ['ER_SERVER_SHUTDOWN', 1053],
    ['ER_ACCESS_DENIED_ERROR', 1045],
  ])('MySQL %s (%i) is a transient connection failure', (code, errno) => {
    expect(classifyError(mysqlError(code, errno))).toMatchObject({ errorClass: 'transient', code, connectionFailure: true });
  });

  test('mysql2 PROTOCOL_CONNECTION_LOST is a transient connection failure', () => {
    const error = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    expect(classifyError(error)).toMatchObject({ errorClass: 'transient', code: 'PROTOCOL_CONNECTION_LOST', connectionFailure: true });
  });

  test.each([
    ['ER_LOCK_DEADLOCK', 1213, '40001'], ['ER_LOCK_WAIT_TIMEOUT', 1205, 'HY000'], ['ER_QUERY_TIMEOUT', 3024, 'HY000'],
  ])('MySQL %s (%i) is transient without counting as a connection failure', (code, errno, sqlState) => {
    expect(classifyError(mysqlError(code, errno, sqlState))).toMatchObject({ errorClass: 'transient', code, connectionFailure: false });
  });

  test.each([
    ['ER_DUP_ENTRY', 1062, '23000'], ['ER_NO_REFERENCED_ROW_2', 1452, '23000'], ['ER_BAD_NULL_ERROR', 1048, '23000'],
    ['ER_DATA_TOO_LONG', 1406, '22001'], ['ER_TRUNCATED_WRONG_VALUE', 1292, '22007'], ['ER_NO_SUCH_TABLE', 1146, '42S02'],
    ['ER_BAD_FIELD_ERROR', 1054, '42S22'], ['ER_PARSE_ERROR', 1064, '42000'],
  ])('MySQL %s (%i, SQLSTATE %s) is permanent', (code, errno, sqlState) => {
    expect(classifyError(mysqlError(code, errno, sqlState))).toMatchObject({ errorClass: 'permanent', code, connectionFailure: false });
  });

  test('an open circuit breaker is a transient connection failure', () => {
    expect(classifyError(new DatabaseUnavailableError(500))).toMatchObject({ errorClass: 'transient', code: 'EDA_BREAKER_OPEN', connectionFailure: true });
  });

  test('a reused idempotency key is permanent with its own code, and a colliding table layout is retried', () => {
    expect(classifyError(new IdempotencyKeyReuseError('order-1', 'm2'))).toMatchObject({
      errorClass: 'permanent',
      code: 'EDA_IDEMPOTENCY_KEY_REUSED',
      connectionFailure: false,
      message: 'idempotency key "order-1" of message m2 is already recorded for a different message body',
    });
    expect(classifyError(new IdempotencyTableLayoutError('key column collates'))).toMatchObject({
      errorClass: 'transient', code: 'EDA_IDEMPOTENCY_TABLE_LAYOUT', connectionFailure: false,
    });
  });

  test('a PermanentWriteError thrown by an effect is permanent with its code', () => {
    expect(classifyError(new PermanentWriteError('order already shipped', 'ORDER_SHIPPED'))).toMatchObject({ errorClass: 'permanent', code: 'ORDER_SHIPPED' });
  });

  test('a poison message is permanent with its code', () => {
    expect(classifyError(new PoisonMessageError(POISON_CODES.badJson, 'not JSON'))).toMatchObject({ errorClass: 'permanent', code: 'EDA_BAD_JSON' });
  });

  test('an unknown error is transient (retried, then left to the redrive policy) and not a connection failure', () => {
    expect(classifyError(new TypeError('boom'))).toMatchObject({ errorClass: 'transient', code: 'UNKNOWN', connectionFailure: false, message: 'boom' });
  });

  test('a thrown non-error value is classified with its string form', () => {
    expect(classifyError('plain string')).toMatchObject({ errorClass: 'transient', message: 'plain string' });
  });
});
