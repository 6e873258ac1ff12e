import * as rds from 'aws-cdk-lib/aws-rds';

/*
 * Facts about Aurora engine versions that decide a default or a limit at synth time. A version the
 * library cannot read (an unversioned engine, a token) is never judged: these functions return undefined.
 */

/** An Aurora engine version as numbers: Aurora MySQL `3.10.4` (from `8.0.mysql_aurora.3.10.4`), Aurora PostgreSQL `17.9`. */
interface AuroraVersion {
  readonly family: 'aurora-mysql' | 'aurora-postgresql';
  readonly parts: number[];
}

function auroraVersionOf(engine: rds.IClusterEngine): AuroraVersion | undefined {
  const full = engine.engineVersion?.fullVersion;
  if (!full || !/^[0-9.a-z_]+$/.test(full)) return undefined;
  if (engine.engineType === 'aurora-mysql') {
    const match = /mysql_aurora\.(\d+)\.(\d+)\.(\d+)$/.exec(full);
    return match ? { family: 'aurora-mysql', parts: match.slice(1).map(Number) } : undefined;
  }
  if (engine.engineType === 'aurora-postgresql') {
    const match = /^(\d+)\.(\d+)/.exec(full);
    return match ? { family: 'aurora-postgresql', parts: match.slice(1).map(Number) } : undefined;
  }
  return undefined;
}

function atLeast(parts: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const a = parts[i] ?? 0;
    if (a !== minimum[i]) return a > minimum[i];
  }
  return true;
}

/**
 * Aurora MySQL long-term support (LTS) minor versions: "The current LTS releases for Aurora MySQL are as
 * follows: Aurora MySQL version 3.10.*. Aurora MySQL version 3.04.*." and "We recommend that you disable
 * automatic minor version upgrades for LTS versions. Set the AutoMinorVersionUpgrade parameter to false"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Update.SpecialVersions.html).
 * An automatic minor upgrade moves a cluster off its LTS minor version, which is what LTS is chosen to avoid.
 */
const AURORA_MYSQL_LTS_MINORS: ReadonlyArray<[number, number]> = [[3, 4], [3, 10]];

/** True when `engine` is an Aurora MySQL LTS version (3.04.*, 3.10.*); false otherwise or when unknown. */
export function isAuroraMysqlLts(engine: rds.IClusterEngine): boolean {
  const version = auroraVersionOf(engine);
  if (version?.family !== 'aurora-mysql') return false;
  return AURORA_MYSQL_LTS_MINORS.some(([major, minor]) => version.parts[0] === major && version.parts[1] === minor);
}

/** Aurora Serverless v2 ACU ceiling of older engine versions. */
export const OLDER_ENGINE_MAX_ACU = 128;

/**
 * Engine versions whose Aurora Serverless v2 instances can scale above 128 ACU. The RDS API
 * (ServerlessV2ScalingConfiguration.MaxCapacity, @aws-sdk/client-rds `models_0.d.ts`): "The largest value
 * that you can use is 256 for recent Aurora versions, or 128 for older versions." AWS's capacity table
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html#aurora-serverless-v2.how-it-works.capacity)
 * lists 0.5–128 ACU for Aurora MySQL 3.02.0 and higher, 0.5–256 for 3.06.0 and higher, and 0.5–256 for
 * Aurora PostgreSQL from 13.13, 14.10, 15.5 and 16.1. UNVERIFIED: that table is not in the stored corpus;
 * these rows are as quoted from it in third-party verification notes. The platform version matters too
 * ("The available capacity range for Aurora Serverless v2 is a function of both the DB engine version and
 * the platform version"): new clusters start on the latest platform, so the engine version is what synth can check.
 */
const MIN_VERSION_FOR_256_ACU: { [family: string]: { [major: number]: number[] } } = {
  'aurora-mysql': { 3: [3, 6, 0] },
  'aurora-postgresql': { 13: [13, 13], 14: [14, 10], 15: [15, 5], 16: [16, 1] },
};

/**
 * The highest Serverless v2 max ACU `engine` allows: 256 for versions known to support it, 128 for versions
 * known not to, undefined when the version cannot be read or is newer than every listed major (then 256).
 */
export function serverlessV2MaxAcu(engine: rds.IClusterEngine): number | undefined {
  const version = auroraVersionOf(engine);
  if (!version) return undefined;
  const table = MIN_VERSION_FOR_256_ACU[version.family];
  const major = version.parts[0];
  const listed = Object.keys(table).map(Number);
  if (major > Math.max(...listed)) return 256;
  const minimum = table[major];
  if (!minimum) return OLDER_ENGINE_MAX_ACU;
  return atLeast(version.parts, minimum) ? 256 : OLDER_ENGINE_MAX_ACU;
}

/** The version as written in messages, e.g. `Aurora MySQL 3.05.2` or `Aurora PostgreSQL 13.12`. */
export function describeAuroraVersion(engine: rds.IClusterEngine): string {
  const version = auroraVersionOf(engine);
  if (!version) return engine.engineType;
  const name = version.family === 'aurora-mysql' ? 'Aurora MySQL' : 'Aurora PostgreSQL';
  const text = version.family === 'aurora-mysql'
    ? version.parts.map((p, i) => (i === 1 ? `${p}`.padStart(2, '0') : `${p}`)).join('.')
    : version.parts.join('.');
  return `${name} ${text}`;
}
