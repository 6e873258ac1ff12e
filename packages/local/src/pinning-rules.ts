import { MAX_UNPINNED_STATEMENT_BYTES } from '@cdk-elastic-data-access/runtime';
import { splitStatements, SqlStatementText } from './sql-statements';

/**
 * What would pin an RDS Proxy session, rule by rule, from AWS's page "Avoiding pinning an RDS Proxy"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html, and its Aurora twin
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-pinning.html). Each rule quotes the
 * sentence it enforces. RDS Proxy decides at run time with heuristics AWS does not publish: these rules read the
 * statement text the way the page describes and err on the side of reporting.
 */

/** The engine family whose rules apply. */
export type PinningEngine = 'postgres' | 'mysql';

/** A condition of AWS's pinning page. */
export type PinningRule =
  | 'statement-over-16kb'
  // PostgreSQL
  | 'set-command'
  | 'sql-prepared-statement'
  | 'named-prepared-statement'
  | 'temporary-object'
  | 'cursor'
  | 'discard'
  | 'listen'
  | 'load-library'
  | 'sequence-function'
  | 'advisory-lock'
  // MySQL / MariaDB
  | 'table-lock'
  | 'named-lock'
  | 'variable'
  | 'temporary-table'
  | 'row-count-function'
  | 'prepared-statement'
  | 'executable-comment';

/** AWS's sentence behind each rule (quoted in reports, so a finding says why it pins). */
export const PINNING_CONDITIONS: Readonly<Record<PinningRule, string>> = {
  // "Conditions that cause pinning for all engine families"
  'statement-over-16kb': 'Any statement with a text size greater than 16 KB causes the proxy to pin the session.',
  // "For PostgreSQL, the following interactions also cause pinning:"
  'set-command': 'Using SET commands. / Setting a parameter, or resetting a parameter to its default. Specifically, using SET and set_config commands to assign default values to session variables.',
  'sql-prepared-statement': 'Using PREPARE, DISCARD, DEALLOCATE, or EXECUTE commands to manage prepared statements.',
  // Not on the current page (which names the SQL commands only); the page's earlier revision listed "Using the
  // extended query protocol such as by using JDBC default settings" and "Using prepared statements"
  // (github.com/awsdocs/amazon-rds-user-guide, doc_source/rds-proxy.md). A named statement is session state, and
  // PgBouncer in transaction mode breaks it: reported, conservatively. Unnamed statements (what node-postgres
  // sends for a parameterised query) are not.
  'named-prepared-statement': 'Prepared statements are session state: the current page lists "Using PREPARE, DISCARD, DEALLOCATE, or EXECUTE commands to manage prepared statements."; its earlier revision listed "Using prepared statements" (protocol-level named statements included).',
  'temporary-object': 'Creating temporary sequences, tables, or views.',
  'cursor': 'Declaring cursors.',
  'discard': 'Discarding the session state.',
  'listen': 'Listening on a notification channel.',
  'load-library': 'Loading a library module such as auto_explain.',
  'sequence-function': 'Manipulating sequences using functions such as nextval and setval.',
  'advisory-lock': 'Interacting with locks using functions such as pg_advisory_lock and pg_try_advisory_lock. (RDS Proxy does not pin on transaction level advisory locks, specifically pg_advisory_xact_lock, pg_advisory_xact_lock_shared, pg_try_advisory_xact_lock, and pg_try_advisory_xact_lock_shared.)',
  // "For MySQL, the following interactions also cause pinning:"
  'table-lock': 'Explicit table lock statements LOCK TABLE, LOCK TABLES, or FLUSH TABLES WITH READ LOCK cause the proxy to pin the session.',
  'named-lock': 'Creating named locks by using GET_LOCK causes the proxy to pin the session.',
  'variable': 'Setting a user or system variable (with some exceptions) pins the session to the proxy. (RDS Proxy tracks certain statements and variables … RDS Proxy does not pin connections when you use SET LOCAL.)',
  'temporary-table': 'Creating a temporary table causes the proxy to pin the session.',
  'row-count-function': 'Calling the ROW_COUNT and FOUND_ROWS functions sometimes causes pinning.',
  'prepared-statement': 'Prepared statements cause the proxy to pin the session. This rule applies whether the prepared statement uses SQL text or the binary protocol.',
  'executable-comment': 'Queries with executable comments for MySQL (syntax /*! ... */) or MariaDB (syntax /*M! ... */) cause pinning. RDS Proxy cannot parse SQL embedded in these comments to track session state changes.',
};

/**
 * "greater than 16 KB", read as 16 × 1024 bytes of statement text (the page does not say KB or KiB): the same bound
 * the runtime keeps its MySQL batch claims under, so the detector checks exactly what the writer promises.
 */
export { MAX_UNPINNED_STATEMENT_BYTES };

/** One statement that would pin, and the rule it breaks. */
export interface PinningMatch {
  readonly rule: PinningRule;
  /** The statement (of a multi-statement query string: the one that pins), as sent. */
  readonly statement: string;
}

function postgresStatementRules(statement: SqlStatementText): PinningRule[] {
  const m = statement.masked;
  const rules: PinningRule[] = [];
  // Statement-leading SET/RESET only: `UPDATE t SET x = 1` sets no parameter. SET LOCAL, SET TRANSACTION and
  // SET CONSTRAINTS are SET commands too, and the page makes no exception for PostgreSQL ("SET LOCAL does not
  // pin" is written under MySQL only).
  if (/^(set|reset)\b/.test(m) || /\bset_config\s*\(/.test(m)) rules.push('set-command');
  if (/^(prepare|execute|deallocate)\b/.test(m)) rules.push('sql-prepared-statement');
  if (/^create\s+(or\s+replace\s+)?((global|local)\s+)?(temp|temporary)\s+(recursive\s+)?(table|sequence|view)\b/.test(m)
    || /^(select|with)\b.*\binto\s+(temp|temporary)\s/.test(m)
    || /^create\s+.*\bpg_temp\./.test(m)) {
    rules.push('temporary-object');
  }
  if (/^declare\b/.test(m)) rules.push('cursor');
  if (/^discard\b/.test(m)) rules.push('discard');
  if (/^listen\b/.test(m)) rules.push('listen');
  if (/^load\b/.test(m)) rules.push('load-library');
  // "such as": currval and lastval read the same session state that nextval writes.
  if (/\b(nextval|setval|currval|lastval)\s*\(/.test(m)) rules.push('sequence-function');
  // Session-level lock and unlock functions; the _xact_ variants do not match `advisory_(lock|unlock)`.
  if (/\bpg_(try_)?advisory_(lock|unlock)(_shared|_all)?\s*\(/.test(m)) rules.push('advisory-lock');
  return rules;
}

/** MySQL variables whose changes RDS Proxy tracks instead of pinning ("RDS Proxy tracks the following MySQL variables"). */
const MYSQL_TRACKED_VARIABLES = new Set([
  'autocommit', 'auto_increment_increment', 'character_set_client', 'character_set_database', 'character_set_filesystem',
  'character_set_connection', 'character_set_results', 'character_set_server', 'collation_connection',
  'collation_database', 'collation_server', 'interactive_timeout', 'net_write_timeout', 'query_cache_type',
  'session_track_schema', 'sql_mode', 'time_zone', 'transaction_isolation', 'tx_isolation', 'transaction_read_only',
  'tx_read_only', 'wait_timeout',
]);

/** Splits at top-level commas (the masked text has no literals left, only parentheses to respect). */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') {depth++;} else if (text[i] === ')') {depth--;} else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Whether one assignment of a MySQL SET statement pins. */
function mysqlAssignmentPins(assignment: string): boolean {
  // "CHARACTER SET (or CHAR SET)" and "NAMES" are tracked.
  if (/^(names|character\s+set|char\s+set|charset)\b/.test(assignment)) return false;
  // "RDS Proxy does not pin connections when you use SET LOCAL."
  if (/^(local\s|@@local\.)/.test(assignment)) return false;
  if (assignment.startsWith('@') && !assignment.startsWith('@@')) return true; // a user variable
  // Global and persisted variables are not session settings RDS Proxy tracks: "a user or system variable" pins.
  if (/^(global|persist|persist_only)\s|^@@(global|persist|persist_only)\./.test(assignment)) return true;
  const name = /^(?:session\s+|@@session\.|@@)?([a-z0-9_$]+)\s*:?=/.exec(assignment);
  return !(name && MYSQL_TRACKED_VARIABLES.has(name[1]));
}

/** Whether a MySQL `SET …` (the text after SET) pins. */
function mysqlSetPins(clause: string): boolean {
  // "RDS Proxy tracks changes to the TRANSACTION_ISOLATION and TRANSACTION_READ_ONLY variables when you set them at
  // the session scope. However, if you set them at the next transaction scope, RDS Proxy pins connections. This
  // behavior applies whether you use a SET statement or a SET TRANSACTION statement to configure these values."
  const transaction = /^((session|global|local)\s+)?transaction\b/.exec(clause);
  if (transaction) return transaction[2] !== 'session' && transaction[2] !== 'local';
  return topLevelParts(clause).some(mysqlAssignmentPins);
}

function mysqlStatementRules(statement: SqlStatementText): PinningRule[] {
  const m = statement.masked;
  const rules: PinningRule[] = [];
  if (statement.executableComment) rules.push('executable-comment');
  if (/^lock\s+tables?\b/.test(m) || /^flush\s+tables?\b.*\bwith\s+read\s+lock\b/.test(m)) rules.push('table-lock');
  if (/\bget_lock\s*\(/.test(m)) rules.push('named-lock');
  const setClause = /^set\s+(.*)$/.exec(m);
  if ((setClause && mysqlSetPins(setClause[1]))
    // A user variable assigned outside SET: `SELECT @n := …`, `SELECT … INTO @n`.
    || /(^|[^@\w])@(?!@)([a-z0-9_$.]+|''|""|``)\s*:=/.test(m) || /\binto\s+@(?!@)/.test(m)) {
    rules.push('variable');
  }
  if (/^create\s+(or\s+replace\s+)?temporary\s+table\b/.test(m)) rules.push('temporary-table');
  if (/\b(row_count|found_rows)\s*\(/.test(m)) rules.push('row-count-function');
  if (/^(prepare|execute|deallocate\s+prepare|drop\s+prepare)\b/.test(m)) rules.push('prepared-statement');
  return rules;
}

/**
 * The pinning conditions a query string meets: its size (in bytes as sent, over all its statements), then each
 * statement's own. Calling stored procedures and functions is not reported: "Calling stored procedures and stored
 * functions doesn't cause pinning. RDS Proxy doesn't detect any session state changes resulting from such calls."
 */
export function pinningMatches(engine: PinningEngine, sql: string, textBytes: number = Buffer.byteLength(sql)): PinningMatch[] {
  const matches: PinningMatch[] = [];
  if (textBytes > MAX_UNPINNED_STATEMENT_BYTES) matches.push({ rule: 'statement-over-16kb', statement: sql });
  const rulesOf = engine === 'postgres' ? postgresStatementRules : mysqlStatementRules;
  for (const statement of splitStatements(sql, engine)) {
    for (const rule of rulesOf(statement)) matches.push({ rule, statement: statement.text });
  }
  return matches;
}
