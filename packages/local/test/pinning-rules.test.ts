import { format } from 'mysql2';
import { claimKeysMysqlSql, mysqlClaimRuns } from '../../runtime/src/sql/idempotency-sql';
import { MAX_UNPINNED_STATEMENT_BYTES, pinningMatches, PinningRule } from '../src/pinning-rules';
import { splitStatements } from '../src/sql-statements';

const rules = (engine: 'postgres' | 'mysql', sql: string) => pinningMatches(engine, sql).map((m) => m.rule);

describe('GIVEN SQL text WHEN it is split into statements', () => {
  test('THEN semicolons inside literals, quoted identifiers, comments and dollar quotes do not split', () => {
    expect(splitStatements('select \';\', "a;b", $$x;y$$, $t$;$t$ /* ; /* ; */ ; */ -- ;\n; SET x = 1', 'postgres').map((s) => s.text))
      .toEqual(['select \';\', "a;b", $$x;y$$, $t$;$t$ /* ; /* ; */ ; */ -- ;', 'SET x = 1']);
  });

  test('THEN literals and comments are masked, so their content never matches a rule', () => {
    expect(splitStatements("select 'nextval(' as a, E'\\'pg_advisory_lock(' /* setval( */ -- lastval(\n", 'postgres')[0].masked)
      .toBe("select '' as a, e''");
  });

  test('THEN MySQL backslash escapes, backticks and # comments are understood', () => {
    expect(splitStatements("select 'a\\';b', `x;y` # ; comment\n; set @a = 1", 'mysql').map((s) => s.masked))
      .toEqual(["select '', ``", 'set @a = 1']);
  });

  test('THEN MySQL executable comments keep their content and are marked', () => {
    expect(splitStatements('/*!40101 SET @OLD = @@SQL_MODE */', 'mysql')).toEqual([
      { text: '/*!40101 SET @OLD = @@SQL_MODE */', masked: 'set @old = @@sql_mode', executableComment: true },
    ]);
  });
});

describe('GIVEN the PostgreSQL rules', () => {
  const pins: Array<[string, PinningRule]> = [
    ['SET search_path = app', 'set-command'],
    ['set local statement_timeout = 5000', 'set-command'],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'set-command'],
    ['RESET ALL', 'set-command'],
    ["select set_config('search_path', 'app', true)", 'set-command'],
    ['PREPARE p (int) AS select $1', 'sql-prepared-statement'],
    ['execute p(1)', 'sql-prepared-statement'],
    ['DEALLOCATE ALL', 'sql-prepared-statement'],
    ['create temporary table t (a int)', 'temporary-object'],
    ['CREATE GLOBAL TEMP TABLE t (a int)', 'temporary-object'],
    ['create or replace temp view v as select 1', 'temporary-object'],
    ['create temp sequence s', 'temporary-object'],
    ['select 1 into temp table t', 'temporary-object'],
    ['create table pg_temp.t (a int)', 'temporary-object'],
    ['DECLARE c CURSOR WITH HOLD FOR select 1', 'cursor'],
    ['DISCARD TEMP', 'discard'],
    ['listen jobs', 'listen'],
    ["load 'auto_explain'", 'load-library'],
    ["select nextval('s')", 'sequence-function'],
    ["insert into t values (setval('s', 1))", 'sequence-function'],
    ['select currval($1)', 'sequence-function'],
    ['select pg_advisory_lock_shared(1)', 'advisory-lock'],
    ['select pg_try_advisory_lock(1, 2)', 'advisory-lock'],
    ['select pg_advisory_unlock_all()', 'advisory-lock'],
  ];
  test.each(pins)('THEN %s pins (%s)', (sql, rule) => {
    expect(rules('postgres', sql)).toEqual([rule]);
  });

  const plain = [
    'BEGIN', 'BEGIN READ ONLY', 'COMMIT', 'ROLLBACK', 'select 1',
    'insert into orders(id, total) values ($1, $2) on conflict do nothing',
    "update t set v = 'SET x = 1' where id = 1",
    'select pg_advisory_xact_lock(1), pg_advisory_xact_lock_shared(1), pg_try_advisory_xact_lock(1), pg_try_advisory_xact_lock_shared(1)',
    'insert into temp_results select 1',
    'alter role app_user set statement_timeout = 5000',
    'show statement_timeout',
    "do $$ begin perform set_config('x.y', '1', false); end $$",
    'call my_procedure()',
  ];
  test.each(plain)('THEN %s does not pin', (sql) => {
    expect(rules('postgres', sql)).toEqual([]);
  });

  test('THEN the BEGIN of the runtime before EDA-13 pins on its SET LOCAL', () => {
    expect(pinningMatches('postgres', 'BEGIN; SET LOCAL statement_timeout = 5000')).toEqual([
      { rule: 'set-command', statement: 'SET LOCAL statement_timeout = 5000' },
    ]);
  });
});

describe('GIVEN the 16 KB rule of every engine', () => {
  const ofBytes = (bytes: number) => `select '${'x'.repeat(bytes - "select ''".length)}'`;
  test.each(['postgres', 'mysql'] as const)('THEN on %s a statement of 16,384 bytes does not pin and one of 16,385 does', (engine) => {
    expect(MAX_UNPINNED_STATEMENT_BYTES).toBe(16_384);
    expect([rules(engine, ofBytes(16_384)), rules(engine, ofBytes(16_385))]).toEqual([[], ['statement-over-16kb']]);
  });

  test('THEN bytes count, not characters: 8,193 two-byte characters are over the limit', () => {
    const sql = `select '${'é'.repeat(8_193)}'`;
    expect([sql.length < 16_384, rules('postgres', sql)]).toEqual([true, ['statement-over-16kb']]);
  });
});

describe('GIVEN the MySQL rules', () => {
  const pins: Array<[string, PinningRule]> = [
    ['LOCK TABLES t WRITE', 'table-lock'],
    ['lock table t read', 'table-lock'],
    ['FLUSH TABLES WITH READ LOCK', 'table-lock'],
    ["select GET_LOCK('job', 10)", 'named-lock'],
    ['SET @n = 1', 'variable'],
    ["set @'quoted' = 1", 'variable'],
    ['SET SESSION foreign_key_checks = 0', 'variable'],
    ['set @@session.max_execution_time = 1000', 'variable'],
    ['SET max_execution_time = 1000', 'variable'],
    ['SET GLOBAL wait_timeout = 10', 'variable'],
    ['SET sql_mode = \'\', @x = 1', 'variable'],
    ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', 'variable'],
    ['SET TRANSACTION READ ONLY', 'variable'],
    ['select @rows := count(*) from t', 'variable'],
    ['select count(*) into @rows from t', 'variable'],
    ['CREATE TEMPORARY TABLE t (a int)', 'temporary-table'],
    ['select FOUND_ROWS()', 'row-count-function'],
    ['select row_count()', 'row-count-function'],
    ["PREPARE s FROM 'select 1'", 'prepared-statement'],
    ['EXECUTE s USING @a', 'prepared-statement'],
    ['DEALLOCATE PREPARE s', 'prepared-statement'],
    ['/*M!100100 select 1 */', 'executable-comment'],
  ];
  test.each(pins)('THEN %s pins (%s)', (sql, rule) => {
    expect(rules('mysql', sql)).toEqual([rule]);
  });

  const plain = [
    'START TRANSACTION', 'START TRANSACTION READ ONLY', 'COMMIT', 'ROLLBACK', 'select 1',
    "INSERT IGNORE INTO eda_idempotency_keys (`key`, message_id, correlation_id) VALUES ('k', 'm', NULL)",
    // "RDS Proxy does not pin connections when you use SET LOCAL."
    'SET LOCAL max_execution_time = 1000',
    // Tracked statements and variables.
    'SET NAMES utf8mb4', 'SET CHARACTER SET utf8mb4', 'set autocommit = 1', "SET SESSION sql_mode = 'ANSI'",
    "set @@time_zone = '+00:00', wait_timeout = 60", 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY',
    'USE app', 'select @@session.sql_mode', "select '@a := 1', 'GET_LOCK(' -- LOCK TABLES t",
    'update t set v = 1 where id = 1', 'call my_procedure()',
  ];
  test.each(plain)('THEN %s does not pin', (sql) => {
    expect(rules('mysql', sql)).toEqual([]);
  });
});

describe('GIVEN the MySQL batch claim of the runtime, as mysql2 query() sends it (values interpolated)', () => {
  // Keys and ids shaped like the writer's: an order key, SQS message ids and correlation ids are UUIDs.
  const uuid = (i: number) => `0b6c1a9e-7f3d-4c55-9a0e-${String(i).padStart(12, '0')}`;
  const sentText = (count: number) => {
    const rows = Array.from({ length: count }, (_, i) => ({ key: `order-${uuid(i)}`, messageId: uuid(i), correlationId: uuid(i) }));
    const claim = claimKeysMysqlSql(rows);
    const insert = claim.insert(rows);
    const interpolate = (sql: string, params: unknown[]) => format(sql, params as Parameters<typeof format>[1]);
    return { lock: interpolate(claim.lockExisting.sql, claim.lockExisting.params), insert: interpolate(insert.sql, insert.params) };
  };

  test('THEN a batch of 10 (the SQS default) stays under 16 KB', () => {
    const { lock, insert } = sentText(10);
    expect([rules('mysql', lock), rules('mysql', insert)]).toEqual([[], []]);
  });

  test('THEN a batch of 1,000 as one statement goes over 16 KB and would pin', () => {
    const { lock, insert } = sentText(1_000);
    expect([rules('mysql', lock), rules('mysql', insert)]).toEqual([['statement-over-16kb'], ['statement-over-16kb']]);
  });

  test('THEN the runs the writer claims a batch of 1,000 in (mysqlClaimRuns) pin nothing', () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => ({ key: `order-${uuid(i)}`, messageId: uuid(i), correlationId: uuid(i) }));
    const interpolate = (sql: string, params: unknown[]) => format(sql, params as Parameters<typeof format>[1]);
    const findings = mysqlClaimRuns(rows).flatMap((run) => {
      const claim = claimKeysMysqlSql(run);
      const insert = claim.insert(run);
      return [...rules('mysql', interpolate(claim.lockExisting.sql, claim.lockExisting.params)), ...rules('mysql', interpolate(insert.sql, insert.params))];
    });
    expect(findings).toEqual([]);
  });
});
