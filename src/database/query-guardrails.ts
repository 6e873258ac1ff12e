import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DatabaseEngineFamily, forceTlsParameters } from './engine';
import { validateRange, warn } from '../validation';

/**
 * Server-side limits written into the parameter groups of databases this library creates. They are
 * upper bounds: the runtime's tighter timeout (`EDA_STATEMENT_TIMEOUT_MS`: the database user's
 * `statement_timeout` on PostgreSQL, see userSetupSql, and client-side deadlines), and these catch what escapes it (admin sessions, direct readers,
 * forgotten transactions). Each parameter they set can still be overridden with `parameters`.
 */
export interface QueryGuardrails {
  /**
   * Write the guardrail parameters at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Longest a statement may run. PostgreSQL `statement_timeout`; MySQL `max_execution_time`
   * (which MySQL applies to read-only SELECT statements only).
   * @default Duration.seconds(30)
   */
  readonly statementTimeout?: Duration;
  /**
   * Longest a session may sit idle inside an open transaction, holding locks and a pooled
   * connection. PostgreSQL `idle_in_transaction_session_timeout` (MySQL has no equivalent: see `idleSessionTimeout`).
   * @default Duration.seconds(60)
   */
  readonly idleInTransactionTimeout?: Duration;
  /**
   * Statements running at least this long are written to the slow-query log, which is exported to
   * CloudWatch Logs. PostgreSQL `log_min_duration_statement`; MySQL `long_query_time` with
   * `slow_query_log=1` and `log_output=FILE`.
   * @default Duration.seconds(1)
   */
  readonly slowQueryThreshold?: Duration;
  /**
   * MySQL only: idle sessions are closed after this long (`wait_timeout` and `interactive_timeout`,
   * set alike because Aurora MySQL applies the smaller of the two to every session). It must be at least
   * the proxy's `idleClientTimeout`: a client session the proxy keeps open (and a session pinned to a
   * database connection) must not be closed by the database first.
   * @default Duration.hours(8) (28,800 s: MySQL's own default, and the longest idle client timeout RDS Proxy accepts)
   */
  readonly idleSessionTimeout?: Duration;
}

/** Default statement timeout (upper bound; the runtime's per-transaction default is 5 s). */
export const DEFAULT_GUARDRAIL_STATEMENT_TIMEOUT = Duration.seconds(30);
/** Default idle-in-transaction timeout. */
export const DEFAULT_GUARDRAIL_IDLE_IN_TRANSACTION_TIMEOUT = Duration.seconds(60);
/** Default slow-query threshold. */
export const DEFAULT_GUARDRAIL_SLOW_QUERY_THRESHOLD = Duration.seconds(1);
/**
 * Default MySQL idle-session timeout: 8 hours, MySQL's own `wait_timeout` default
 * (https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html#sysvar_wait_timeout) and the
 * maximum RDS Proxy IdleClientTimeout ("Constraints: 1 to 28,800", RDS API DBProxy), so the database never
 * closes an idle session before any proxy setting does. The previous 30 minutes equalled the proxy's
 * default IdleClientTimeout exactly, which races: both sides close at the same moment.
 */
export const DEFAULT_GUARDRAIL_IDLE_SESSION_TIMEOUT = Duration.hours(8);

/**
 * PostgreSQL keeps these settings as 32-bit integers of milliseconds (`statement_timeout`,
 * `idle_in_transaction_session_timeout`, `log_min_duration_statement`: max INT_MAX ms,
 * https://www.postgresql.org/docs/current/runtime-config-client.html); we use the same bound for
 * MySQL, whose `max_execution_time` allows more.
 */
const MAX_MILLISECONDS = 2147483647;
/** MySQL `wait_timeout` / `interactive_timeout`: 1–31,536,000 s (https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html#sysvar_wait_timeout). */
const MAX_MYSQL_IDLE_SECONDS = 31536000;

/**
 * Aurora MySQL parameters that exist only at the instance level, so they must go in a DB parameter
 * group rather than the DB cluster parameter group ("Instance-level parameters" table of
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Reference.ParameterGroups.html#AuroraMySQL.Reference.Parameters.Instance;
 * `require_secure_transport` is in the cluster-level table). `max_execution_time` is not listed in
 * either table; as a per-session system variable like `wait_timeout` it is placed with them.
 * Aurora PostgreSQL lists every guardrail parameter in both tables and `rds.force_ssl` at cluster
 * level only, so there everything goes in the cluster parameter group, whose values are the defaults
 * of every instance
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Reference.ParameterGroups.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.parameter-groups).
 */
export const AURORA_MYSQL_INSTANCE_LEVEL_PARAMETERS = [
  'max_execution_time',
  'slow_query_log',
  'long_query_time',
  'log_output',
  'wait_timeout',
  'interactive_timeout',
  'performance_schema',
];

/** Parameters of a new database, split by the parameter group they belong in. */
export interface EngineParameters {
  /** RDS instances: their DB parameter group; Aurora: the DB cluster parameter group. */
  readonly primary: { [name: string]: string };
  /** Aurora only: a DB parameter group shared by the writer and the readers (empty when not needed). */
  readonly instance: { [name: string]: string };
}

/** Validates the guardrail durations (range and whole milliseconds). */
export function validateQueryGuardrails(scope: IConstruct, guardrails: QueryGuardrails | undefined): void {
  if (!guardrails) return;
  validateRange(scope, 'queryGuardrails.statementTimeout (ms)', guardrails.statementTimeout?.toMilliseconds(), 1, MAX_MILLISECONDS);
  validateRange(scope, 'queryGuardrails.idleInTransactionTimeout (ms)', guardrails.idleInTransactionTimeout?.toMilliseconds(), 1, MAX_MILLISECONDS);
  validateRange(scope, 'queryGuardrails.slowQueryThreshold (ms)', guardrails.slowQueryThreshold?.toMilliseconds(), 0, MAX_MILLISECONDS);
  validateRange(scope, 'queryGuardrails.idleSessionTimeout (seconds)', guardrails.idleSessionTimeout?.toSeconds({ integral: false }), 1, MAX_MYSQL_IDLE_SECONDS);
}

/**
 * The guardrail parameters of an engine. 0 disables a PostgreSQL timeout, so the minimum of 1 ms in
 * `validateQueryGuardrails` keeps them on; use `enabled: false` or `parameters` to turn one off.
 */
export function guardrailParameters(engine: DatabaseEngineFamily, guardrails: QueryGuardrails = {}): { [name: string]: string } {
  if (guardrails.enabled === false) return {};
  const statementMs = (guardrails.statementTimeout ?? DEFAULT_GUARDRAIL_STATEMENT_TIMEOUT).toMilliseconds();
  const slowMs = (guardrails.slowQueryThreshold ?? DEFAULT_GUARDRAIL_SLOW_QUERY_THRESHOLD).toMilliseconds();
  if (engine === DatabaseEngineFamily.POSTGRES) {
    // Slow statements go to the `postgresql` log, which every source exports to CloudWatch Logs.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Concepts.PostgreSQL.Query_Logging.html
    // pg_stat_statements is already in shared_preload_libraries by default (RDS for PostgreSQL 11+,
    // Aurora PostgreSQL 10+; our defaults are 17), so we leave that static, list-valued parameter alone
    // (a user list would replace the default) and only make it track statements inside functions too
    // ('all'; the allowed values are none, top, all).
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.UsingDashboard.AnalyzeDBLoad.AdditionalMetrics.PostgreSQL.html
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.UsingDashboard.AnalyzeDBLoad.AdditionalMetrics.PostgreSQL.html
    return {
      'statement_timeout': `${statementMs}`,
      'idle_in_transaction_session_timeout': `${(guardrails.idleInTransactionTimeout ?? DEFAULT_GUARDRAIL_IDLE_IN_TRANSACTION_TIMEOUT).toMilliseconds()}`,
      'log_min_duration_statement': `${slowMs}`,
      'pg_stat_statements.track': 'all',
    };
  }
  const idleSeconds = `${Math.ceil((guardrails.idleSessionTimeout ?? DEFAULT_GUARDRAIL_IDLE_SESSION_TIMEOUT).toSeconds({ integral: false }))}`;
  // The slow-query log reaches CloudWatch Logs (the `slowquery` export) only with log_output=FILE;
  // long_query_time takes fractions of a second with FILE output.
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQL.Generallog.html
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.SlowSQL.html
  // max_execution_time applies to read-only SELECT statements only (MySQL 8.4 reference).
  // https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html#sysvar_max_execution_time
  return {
    max_execution_time: `${statementMs}`,
    slow_query_log: '1',
    long_query_time: `${slowMs / 1000}`,
    log_output: 'FILE',
    wait_timeout: idleSeconds,
    interactive_timeout: idleSeconds,
    performance_schema: '1',
  };
}

/**
 * Guardrails, then the caller's `parameters`, then the TLS-forcing parameter (never overridable),
 * split into the parameter groups they belong in.
 */
export function engineParameters(
  scope: IConstruct,
  engine: DatabaseEngineFamily,
  isAurora: boolean,
  guardrails: QueryGuardrails | undefined,
  parameters: { [name: string]: string } | undefined,
): EngineParameters {
  validateQueryGuardrails(scope, guardrails);
  const merged = { ...guardrailParameters(engine, guardrails), ...parameters, ...forceTlsParameters(engine, isAurora) };
  const preload = parameters?.shared_preload_libraries;
  if (engine === DatabaseEngineFamily.POSTGRES && guardrails?.enabled !== false && preload !== undefined && !preload.split(',').map((s) => s.trim()).includes('pg_stat_statements')) {
    warn(scope, 'PgStatStatementsNotPreloaded', `parameters.shared_preload_libraries is '${preload}' without pg_stat_statements: query statistics (pg_stat_statements.track) will not be collected`);
  }
  if (!isAurora || engine === DatabaseEngineFamily.POSTGRES) return { primary: merged, instance: {} };
  const primary: { [name: string]: string } = {};
  const instance: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(merged)) {
    (AURORA_MYSQL_INSTANCE_LEVEL_PARAMETERS.includes(name) ? instance : primary)[name] = value;
  }
  return { primary, instance };
}

/**
 * The idle timeout the MySQL server applies to a proxy's sessions, in seconds: the smaller of
 * `wait_timeout` and `interactive_timeout` in the parameters written (whoever set them: the guardrails or
 * `parameters`). Undefined for PostgreSQL, and when neither is set (the engine default, 28,800 s, applies).
 */
export function mysqlIdleTimeoutSeconds(engine: DatabaseEngineFamily, parameters: EngineParameters): number | undefined {
  if (engine !== DatabaseEngineFamily.MYSQL) return undefined;
  const all = { ...parameters.primary, ...parameters.instance };
  const values = ['wait_timeout', 'interactive_timeout'].map((name) => all[name]).filter((v) => v !== undefined).map(Number).filter((v) => Number.isFinite(v));
  return values.length > 0 ? Math.min(...values) : undefined;
}
