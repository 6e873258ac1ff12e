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
 * PostgreSQL: `rds.force_ssl=1`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html#PostgreSQL.Concepts.General.SSL.Requiring);
 * MySQL: `require_secure_transport=ON`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html).
 * Aurora accepts the same names in the cluster parameter group
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html#AuroraPostgreSQL.Security.SSL.RequireSSL).
 */
export function forceTlsParameters(engine: DatabaseEngineFamily): { [name: string]: string } {
  return engine === DatabaseEngineFamily.POSTGRES ? { 'rds.force_ssl': '1' } : { require_secure_transport: 'ON' };
}

/**
 * Logs exported to CloudWatch Logs. MySQL's general and audit logs are left out: they log every
 * statement and cost more than the database under a connection storm.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
 */
export function defaultLogExports(engine: DatabaseEngineFamily, isAurora: boolean): string[] {
  // Every log type each engine can export, which the cfn-guard Control Tower rule CT.RDS.PR.14 and
  // cdk-nag's RDSLoggingEnabled require. A type is empty until the engine writes it (MySQL's general
  // log needs general_log=1, the audit log the MARIADB_AUDIT_PLUGIN option), so exporting it is free.
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
  if (engine === DatabaseEngineFamily.MYSQL) return ['audit', 'error', 'general', 'slowquery'];
  return isAurora ? ['postgresql'] : ['postgresql', 'upgrade'];
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
