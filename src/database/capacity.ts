import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DatabaseEngineFamily } from './engine';

/**
 * Estimates of the engines' default `max_connections`, the capacity facts the ConcurrencyBudget
 * checks against. The engines compute them from `DBInstanceClassMemory`, the instance memory minus what
 * the OS and the RDS processes reserve, which AWS does not publish per class. A formula fed the nominal
 * memory therefore overestimates (db.r6g.large Aurora PostgreSQL: 16 GiB / 9531392 = 1,802 where the
 * instance reports fewer), and the budget must not promise connections that do not exist: we feed the
 * formulas a conservative DBInstanceClassMemory (see `estimatedInstanceClassMemory`). Every source accepts
 * `maxConnections` to state the real value (`SHOW max_connections`) instead.
 */
export interface MaxConnectionsEstimate {
  /** The estimated default max_connections of one instance. */
  readonly maxConnections: number;
  /** Formula and inputs, for the budget report. */
  readonly explanation: string;
}

const GIB = 1024 ** 3;

/** Memory per vCPU for the RDS instance families (https://aws.amazon.com/rds/instance-types/). */
const GIB_PER_VCPU: { [family: string]: number } = { r: 8, m: 4, c: 2, x: 16, z: 8 };
/** Burstable classes do not follow a per-vCPU ratio (https://aws.amazon.com/rds/instance-types/). */
const BURSTABLE_GIB: { [size: string]: number } = { 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 };

/**
 * A conservative estimate of DBInstanceClassMemory for an instance of `nominalGiB`: 92 % of the memory
 * minus 0.17 GiB. Calibrated on the only max_connections values AWS publishes together with their memory,
 * the Aurora Serverless v2 table (each ACU is "approximately 2 gibibytes (GiB) of memory", and Aurora
 * PostgreSQL uses LEAST(DBInstanceClassMemory/9531392, 5000)): 1 ACU (2 GiB) → 189, 4 ACU (8 GiB) → 823,
 * 8 ACU (16 GiB) → 1,669, 16 ACU (32 GiB) → 3,360, i.e. 84–93 % of what nominal memory gives
 * (225, 901, 1,802, 3,604). This model gives 188, 810, 1,639 and 3,297: at or below every published value
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.max-connections),
 * and with it the Aurora MySQL formula reproduces AWS's per-class table (see below).
 */
export function estimatedInstanceClassMemory(nominalGiB: number): number {
  return Math.max(0, (CLASS_MEMORY_SHARE * nominalGiB - CLASS_MEMORY_RESERVED_GIB) * GIB);
}

/** Share of the nominal memory that DBInstanceClassMemory keeps, at least (see estimatedInstanceClassMemory). */
const CLASS_MEMORY_SHARE = 0.92;
/** GiB that DBInstanceClassMemory loses on top of that share. */
const CLASS_MEMORY_RESERVED_GIB = 0.17;

/**
 * Instance memory in GiB for an RDS/Aurora instance class, or undefined if the class is not one of
 * the regular families (metal, unusual suffixes): then `maxConnections` must be given.
 */
export function instanceMemoryGiB(instanceType: ec2.InstanceType): number | undefined {
  const [family, size] = instanceType.toString().replace(/^db\./, '').split('.');
  if (!family || !size) return undefined;
  if (family.startsWith('t')) return BURSTABLE_GIB[size];
  const perVcpu = GIB_PER_VCPU[family[0]];
  const vcpus = size === 'medium' ? 1 : size === 'large' ? 2 : size === 'xlarge' ? 4 : /^\d+xlarge$/.test(size) ? 4 * parseInt(size, 10) : undefined;
  return perVcpu !== undefined && vcpus !== undefined ? perVcpu * vcpus : undefined;
}

/**
 * Default max_connections of an instance class, by engine, computed from the conservative
 * DBInstanceClassMemory of `estimatedInstanceClassMemory`.
 * - RDS and Aurora PostgreSQL: `LEAST({DBInstanceClassMemory/9531392}, 5000)`
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html#AuroraPostgreSQL.Managing.MaxConnections)
 * - RDS for MySQL: `{DBInstanceClassMemory/12582880}` (same CHAP_Limits page)
 * - Aurora MySQL: `GREATEST({log(DBInstanceClassMemory/805306368)*45}, {log(DBInstanceClassMemory/8187281408)*1000})`
 *   with a base-2 log that AWS's table "Maximum connections to an Aurora MySQL DB instance" rounds to the
 *   nearest integer: db.t3.small 45, db.t3.medium 90, db.t3.large 135, db.r5.large 1,000 … db.r5.8xlarge
 *   5,000, db.r5.12xlarge and db.r6g.12xlarge 6,000, db.r5.16xlarge 6,000, db.r5.24xlarge 7,000. Rounding
 *   down (as we did) gave 5,000 for db.r6g.12xlarge and 6,000 for db.r5.24xlarge; rounding to nearest with
 *   the conservative memory reproduces every row of the table
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections).
 */
export function estimateInstanceMaxConnections(
  engine: DatabaseEngineFamily,
  isAurora: boolean,
  instanceType: ec2.InstanceType,
): MaxConnectionsEstimate | undefined {
  const gib = instanceMemoryGiB(instanceType);
  if (gib === undefined) return undefined;
  const memory = estimatedInstanceClassMemory(gib);
  const cls = `db.${instanceType.toString()} (${gib} GiB, DBInstanceClassMemory ≈ ${(memory / GIB).toFixed(2)} GiB)`;
  if (engine === DatabaseEngineFamily.POSTGRES) {
    const value = Math.min(Math.floor(memory / 9531392), 5000);
    return { maxConnections: value, explanation: `${isAurora ? 'Aurora ' : ''}PostgreSQL default LEAST(DBInstanceClassMemory/9531392, 5000) for ${cls} = ${value}` };
  }
  if (!isAurora) {
    const value = Math.floor(memory / 12582880);
    return { maxConnections: value, explanation: `MySQL default DBInstanceClassMemory/12582880 for ${cls} = ${value}` };
  }
  const small = Math.round(Math.log2(memory / 805306368)) * 45;
  const large = Math.round(Math.log2(memory / 8187281408)) * 1000;
  const value = Math.max(small, large);
  return { maxConnections: value, explanation: `Aurora MySQL default GREATEST(log2(DBInstanceClassMemory/805306368)*45, log2(DBInstanceClassMemory/8187281408)*1000), logs rounded to nearest as in AWS's table, for ${cls} = ${value}` };
}

/**
 * Aurora Serverless v2 derives max_connections from the maximum ACU, not the current one. Rows of the
 * AWS table "Maximum connections for Aurora Serverless v2"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.max-connections):
 * [max ACU, Aurora MySQL, Aurora PostgreSQL]. A max ACU between rows uses the lower row.
 * Verified: the rows for 1–128 ACU, both columns (including 4 ACU: MySQL 135, PostgreSQL 823), match
 * the table in the AWS documentation source (github.com/awsdocs/amazon-aurora-user-guide,
 * doc_source/aurora-serverless-v2.setting-capacity.md at commit 287c604, 2023-06-09), as does the
 * 2,000 cap for a 0.5 ACU minimum on PostgreSQL. UNVERIFIED: the 256 ACU row (MySQL 6,000,
 * PostgreSQL 5,000); that snapshot predates 256 ACU and its table stops at 128.
 */
const SERVERLESS_V2_TABLE: Array<[number, number, number]> = [
  [1, 90, 189],
  [4, 135, 823],
  [8, 1000, 1669],
  [16, 2000, 3360],
  [32, 3000, 5000],
  [64, 4000, 5000],
  [128, 5000, 5000],
  [256, 6000, 5000],
];

/**
 * With a minimum of 0 or 0.5 ACU, Aurora PostgreSQL caps max_connections at 2,000 (same AWS page).
 */
const POSTGRES_LOW_MIN_ACU_CAP = 2000;

/** Default max_connections of an Aurora Serverless v2 instance with the given capacity range. */
export function estimateServerlessV2MaxConnections(engine: DatabaseEngineFamily, minCapacity: number, maxCapacity: number): MaxConnectionsEstimate {
  const row = [...SERVERLESS_V2_TABLE].reverse().find(([acu]) => acu <= maxCapacity) ?? SERVERLESS_V2_TABLE[0];
  let value = engine === DatabaseEngineFamily.POSTGRES ? row[2] : row[1];
  let explanation = `Aurora Serverless v2 ${engine === DatabaseEngineFamily.POSTGRES ? 'PostgreSQL' : 'MySQL'} table value for max ${row[0]} ACU (configured ${maxCapacity}) = ${value}`;
  if (engine === DatabaseEngineFamily.POSTGRES && minCapacity <= 0.5 && value > POSTGRES_LOW_MIN_ACU_CAP) {
    value = POSTGRES_LOW_MIN_ACU_CAP;
    explanation += `, capped at ${POSTGRES_LOW_MIN_ACU_CAP} because minCapacity ${minCapacity} ≤ 0.5`;
  }
  return { maxConnections: value, explanation };
}
