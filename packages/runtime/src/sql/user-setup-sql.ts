import type { DatabaseEngine } from '../config/environment';

/**
 * SQL an administrator runs once for each database user of the runtime, next to `GRANT rds_iam` and the
 * table grants (README, "Database users").
 *
 * PostgreSQL: the server-side statement timeout is the user's default (`ALTER ROLE … SET statement_timeout`),
 * which every new session of the user, including those RDS Proxy opens, starts with. The runtime itself
 * sends no `SET`/`SET LOCAL`: on PostgreSQL, RDS Proxy pins the session on "Using SET commands" ("SET LOCAL
 * does not pin" is listed for MySQL only, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html).
 * Use the value of EDA_STATEMENT_TIMEOUT_MS (`statementTimeout` of the connect options): the runtime's client
 * deadlines are set a little above it, so the server cancels first (SQLSTATE 57014) and keeps the connection.
 *
 * MySQL: there is no per-user default of `max_execution_time` (and it would bound SELECTs only), so nothing is
 * returned: the runtime bounds each statement with mysql2's client-side `timeout` instead.
 */
export function userSetupSql(engine: DatabaseEngine, user: string, statementTimeoutMs: number): string[] {
  // PostgreSQL keeps statement_timeout as a 32-bit integer of milliseconds
  // (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-STATEMENT-TIMEOUT: "0 … disables the timeout").
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 1 || statementTimeoutMs > 2_147_483_647) {
    throw new RangeError(`statementTimeoutMs must be an integer between 1 and 2147483647, got ${statementTimeoutMs}`);
  }
  if (user.length === 0 || user.includes('\0')) throw new RangeError(`user must be a non-empty name, got '${user}'`);
  if (engine === 'mysql') return [];
  return [`ALTER ROLE ${quoteIdentifier(user)} SET statement_timeout = ${statementTimeoutMs}`];
}

/** A PostgreSQL quoted identifier ("" doubles an embedded quote). */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
