import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { newDatabase } from './fixtures';
import { DatabaseEngineFamily, DatabaseSource } from '../../src/database';
import { estimateInstanceMaxConnections, estimatedInstanceClassMemory, estimateServerlessV2MaxConnections, instanceMemoryGiB } from '../../src/database/capacity';

const type = (cls: ec2.InstanceClass, size: ec2.InstanceSize) => ec2.InstanceType.of(cls, size);
const { POSTGRES, MYSQL } = DatabaseEngineFamily;

describe('instance memory', () => {
  test.each([
    [ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE, 16],
    [ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE4, 128],
    [ec2.InstanceClass.M7G, ec2.InstanceSize.XLARGE, 16],
    [ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM, 4],
    [ec2.InstanceClass.T3, ec2.InstanceSize.MICRO, 1],
  ])('db.%s.%s has %d GiB', (cls, size, gib) => {
    expect(instanceMemoryGiB(type(cls, size))).toBe(gib);
  });
});

describe('max_connections estimates', () => {
  test('RDS PostgreSQL: LEAST(DBInstanceClassMemory/9531392, 5000) with the conservative DBInstanceClassMemory', () => {
    // 0.92 × 16 GiB − 0.17 GiB = 14.55 GiB → 1,639 (nominal 16 GiB would promise 1,802)
    expect(estimateInstanceMaxConnections(POSTGRES, false, type(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE))?.maxConnections).toBe(1639);
    expect(estimateInstanceMaxConnections(POSTGRES, false, type(ec2.InstanceClass.R6G, ec2.InstanceSize.XLARGE4))?.maxConnections).toBe(5000);
  });

  test('RDS MySQL: DBInstanceClassMemory/12582880', () => {
    expect(estimateInstanceMaxConnections(MYSQL, false, type(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE))?.maxConnections).toBe(1241);
  });

  // Every row of AWS's "Maximum connections to an Aurora MySQL DB instance" table for the classes whose
  // memory we know (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections).
  test.each([
    ['t3.small', 45], ['t3.medium', 90], ['t3.large', 135], ['t4g.medium', 90], ['t4g.large', 135],
    ['r4.large', 1000], ['r4.xlarge', 2000], ['r4.2xlarge', 3000], ['r4.4xlarge', 4000], ['r4.8xlarge', 5000], ['r4.16xlarge', 6000],
    ['r5.large', 1000], ['r5.xlarge', 2000], ['r5.2xlarge', 3000], ['r5.4xlarge', 4000], ['r5.8xlarge', 5000],
    ['r5.12xlarge', 6000], ['r5.16xlarge', 6000], ['r5.24xlarge', 7000],
    ['r6g.large', 1000], ['r6g.xlarge', 2000], ['r6g.12xlarge', 6000],
  ])('Aurora MySQL db.%s matches AWS\'s table: %d', (cls, expected) => {
    expect(estimateInstanceMaxConnections(MYSQL, true, new ec2.InstanceType(cls))?.maxConnections).toBe(expected);
  });

  test('rounding the log down (the old estimate) misses the table at db.r6g.12xlarge and db.r5.24xlarge', () => {
    // The same formula with Math.floor gives 5,000 and 6,000; AWS documents 6,000 and 7,000.
    const floorEstimate = (gib: number) => Math.floor(Math.log2(estimatedInstanceClassMemory(gib) / 8187281408)) * 1000;
    expect([floorEstimate(384), floorEstimate(768)]).toEqual([5000, 6000]);
    expect(estimateInstanceMaxConnections(MYSQL, true, new ec2.InstanceType('r6g.12xlarge'))?.maxConnections).toBe(6000);
    expect(estimateInstanceMaxConnections(MYSQL, true, new ec2.InstanceType('r5.24xlarge'))?.maxConnections).toBe(7000);
  });

  test('the DBInstanceClassMemory model stays at or below every value AWS publishes with its memory (Serverless v2 PostgreSQL)', () => {
    // [ACU, GiB (≈ 2 per ACU), AWS's max_connections]; rows below the 5,000 cap of LEAST(…, 5000).
    const published: Array<[number, number, number]> = [[1, 2, 189], [4, 8, 823], [8, 16, 1669], [16, 32, 3360]];
    for (const [acu, gib, aws] of published) {
      const ours = Math.floor(estimatedInstanceClassMemory(gib) / 9531392);
      const nominal = Math.floor((gib * 1024 ** 3) / 9531392);
      expect({ acu, conservative: ours <= aws }).toEqual({ acu, conservative: true });
      // the nominal-memory formula overestimates every row: that is the defect this model fixes
      expect({ acu, overestimates: nominal > aws }).toEqual({ acu, overestimates: true });
      expect(estimateServerlessV2MaxConnections(POSTGRES, 1, acu).maxConnections).toBe(aws);
    }
  });

  test('Aurora Serverless v2 uses the maximum-ACU table, the lower row between rows', () => {
    expect(estimateServerlessV2MaxConnections(POSTGRES, 1, 16).maxConnections).toBe(3360);
    expect(estimateServerlessV2MaxConnections(POSTGRES, 1, 32).maxConnections).toBe(5000);
    expect(estimateServerlessV2MaxConnections(POSTGRES, 1, 1).maxConnections).toBe(189);
    expect(estimateServerlessV2MaxConnections(MYSQL, 0.5, 16).maxConnections).toBe(2000);
    expect(estimateServerlessV2MaxConnections(MYSQL, 0.5, 10).maxConnections).toBe(1000);
    expect(estimateServerlessV2MaxConnections(MYSQL, 0.5, 256).maxConnections).toBe(6000);
  });

  test('Aurora Serverless v2 PostgreSQL with a 0.5 ACU minimum is capped at 2,000', () => {
    const estimate = estimateServerlessV2MaxConnections(POSTGRES, 0.5, 64);
    expect(estimate.maxConnections).toBe(2000);
    expect(estimate.explanation).toBe('Aurora Serverless v2 PostgreSQL table value for max 64 ACU (configured 64) = 5000, capped at 2000 because minCapacity 0.5 ≤ 0.5');
  });
});

describe('connection targets', () => {
  test('the proxy writer target is floor(maxConnectionsPercent × writer max_connections), owned by the proxy', () => {
    // GIVEN RDS PostgreSQL on db.r6g.large (1,639) behind the default 90% pool
    const { db } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: POSTGRES }) });
    // THEN
    expect(db.writeTarget).toEqual({
      name: 'Stack/Orders/Proxy (writer)',
      kind: 'proxy-writer',
      capacity: 1475,
      owner: db.proxy,
      capacityExplanation: 'floor(maxConnectionsPercent 90% × writer max_connections 1639) = 1475; writer max_connections: PostgreSQL default LEAST(DBInstanceClassMemory/9531392, 5000) for db.r6g.large (16 GiB, DBInstanceClassMemory ≈ 14.55 GiB) = 1639',
    });
  });

  test('the READ_ONLY endpoint target sums the pool share of every reader', () => {
    // GIVEN Aurora provisioned MySQL on db.r6g.large (1,000) with two readers, pool at 50%
    const { db } = newDatabase({
      source: DatabaseSource.auroraProvisioned({ engine: MYSQL, readers: 2 }),
      proxy: { maxConnectionsPercent: 50 },
    });
    // THEN
    expect(db.readTargets).toHaveLength(1);
    expect(db.readTargets[0]).toMatchObject({ kind: 'proxy-read-only', capacity: 1000, name: 'Stack/Orders/Proxy (read-only endpoint)' });
    expect(db.readTargets[0].capacityExplanation).toMatch(/^Σ over 2 readers of floor\(maxConnectionsPercent 50% × reader max_connections\) = 500 \+ 500 = 1000; /);
  });

  test('one reader\'s pool share is written once, not as a one-term sum that repeats its total', () => {
    // GIVEN Aurora provisioned MySQL on db.r6g.large (1,000) with one reader, pool at 50%
    const { db } = newDatabase({
      source: DatabaseSource.auroraProvisioned({ engine: MYSQL, readers: 1 }),
      proxy: { maxConnectionsPercent: 50 },
    });
    // THEN
    const explanation = db.readTargets[0].capacityExplanation;
    expect(explanation.split(';')[0]).toBe('floor(maxConnectionsPercent 50% × reader max_connections) = 500');
    expect(explanation).not.toMatch(/= (\d+) = \1\b/);
  });

  test('each RDS replica is a direct target of 90% of its max_connections by default', () => {
    const { db } = newDatabase({ source: DatabaseSource.rdsInstance({ engine: MYSQL, readReplicas: 2 }) });
    expect(db.readTargets.map((t) => [t.name, t.kind, t.capacity])).toEqual([
      ['Stack/Orders/ReadReplica1', 'direct', 1116],
      ['Stack/Orders/ReadReplica2', 'direct', 1116],
    ]);
    expect(db.readTargets[0].owner).toBe(db.readReplicas[0]);
  });

  test('maxConnections overrides the estimate and directConnectionsFraction the replica share', () => {
    const { db } = newDatabase({
      source: DatabaseSource.rdsInstance({ engine: POSTGRES, readReplicas: 1, maxConnections: 1000 }),
      directConnectionsFraction: 0.5,
    });
    expect(db.writeTarget.capacity).toBe(900);
    expect(db.writeTarget.capacityExplanation).toBe('floor(maxConnectionsPercent 90% × writer max_connections 1000) = 900; writer max_connections: maxConnections set to 1000');
    expect(db.readTargets[0].capacity).toBe(500);
  });
});
