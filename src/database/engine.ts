import * as rds from 'aws-cdk-lib/aws-rds';

/** The database engine family: decides port, TLS parameter, log exports and max_connections formula. */
export enum DatabaseEngineFamily {
  /** PostgreSQL (RDS for PostgreSQL or Aurora PostgreSQL). */
  POSTGRES = 'postgres',
  /** MySQL (RDS for MySQL or Aurora MySQL). */
  MYSQL = 'mysql',
}

/** The engine's default port. */
export function defaultPort(engine: DatabaseEngineFamily): number {
  return engine === DatabaseEngineFamily.POSTGRES ? 5432 : 3306;
}

/**
 * The parameter that makes the server refuse unencrypted connections.
 * PostgreSQL (RDS and Aurora): `rds.force_ssl=1`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html#PostgreSQL.Concepts.General.SSL.Requiring;
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html#AuroraPostgreSQL.Security.SSL.RequireSSL).
 * RDS for MySQL: `require_secure_transport=1` — "For MySQL 8.4 and lower, the require_secure_transport
 * parameter is set to 0 (OFF) by default. You can set the require_secure_transport parameter to 1 (ON)
 * to require SSL/TLS for connections to your DB instance." The DB parameter group takes the number
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html).
 * Aurora MySQL: `require_secure_transport=ON` in the DB cluster parameter group — "you can set the
 * require_secure_transport parameter to ON"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html#AuroraMySQL.Security.SSL.RequireSSL).
 */
export function forceTlsParameters(engine: DatabaseEngineFamily, isAurora: boolean): { [name: string]: string } {
  if (engine === DatabaseEngineFamily.POSTGRES) return { 'rds.force_ssl': '1' };
  return { require_secure_transport: isAurora ? 'ON' : '1' };
}

/**
 * Every log type each engine can export to CloudWatch Logs, which the cfn-guard Control Tower rule
 * CT.RDS.PR.14 and cdk-nag's RDSLoggingEnabled require. The RDS API (CreateDBCluster /
 * CreateDBInstance, EnableCloudwatchLogsExports) lists "the following values are valid for each DB engine":
 *   Aurora MySQL - audit | error | general | instance | slowquery | iam-db-auth-error
 *   Aurora PostgreSQL - instance | postgresql | iam-db-auth-error
 *   RDS for MySQL - audit | error | general | slowquery | iam-db-auth-error
 *   RDS for PostgreSQL - postgresql | upgrade | iam-db-auth-error
 * (node_modules/@aws-sdk/client-rds/dist-types/models/models_0.d.ts;
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
 * `iam-db-auth-error` carries the IAM authentication failures of the IAM-authenticated connections this
 * library uses (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Troubleshooting.html).
 * A type is empty until the engine writes it (MySQL's general log needs general_log=1, the audit log the
 * MARIADB_AUDIT_PLUGIN option), so exporting it is free.
 */
export function defaultLogExports(engine: DatabaseEngineFamily, isAurora: boolean): string[] {
  if (engine === DatabaseEngineFamily.MYSQL) {
    return isAurora
      ? ['audit', 'error', 'general', 'instance', 'slowquery', 'iam-db-auth-error']
      : ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error'];
  }
  return isAurora ? ['instance', 'postgresql', 'iam-db-auth-error'] : ['postgresql', 'upgrade', 'iam-db-auth-error'];
}

/** Latest Aurora engine versions this library is tested against (override with `engineVersion`). */
export function defaultAuroraEngine(engine: DatabaseEngineFamily): rds.IClusterEngine {
  return engine === DatabaseEngineFamily.POSTGRES
    ? rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 })
    : rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_10_4 });
}

/** Latest RDS engine versions this library is tested against (override with `engineVersion`). */
export function defaultInstanceEngine(engine: DatabaseEngineFamily): rds.IInstanceEngine {
  return engine === DatabaseEngineFamily.POSTGRES
    ? rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_9 })
    : rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_10 });
}

/** An unversioned engine, enough for RDS Proxy to know the engine family of an imported database. */
export function unversionedClusterEngine(engine: DatabaseEngineFamily): rds.IClusterEngine {
  return engine === DatabaseEngineFamily.POSTGRES ? rds.DatabaseClusterEngine.AURORA_POSTGRESQL : rds.DatabaseClusterEngine.AURORA_MYSQL;
}

/** An unversioned instance engine, enough for RDS Proxy to know the engine family of an imported instance. */
export function unversionedInstanceEngine(engine: DatabaseEngineFamily): rds.IInstanceEngine {
  return engine === DatabaseEngineFamily.POSTGRES ? rds.DatabaseInstanceEngine.POSTGRES : rds.DatabaseInstanceEngine.MYSQL;
}
