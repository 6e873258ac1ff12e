import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DataAccessAlarmsOptions } from '../alarm-options';
import { AuroraRole, DataAccessMetrics } from '../data-access-metrics';
import { MonitoredDatabaseAttributes } from '../monitored-database';
import { SymptomAlarmFactory, whenAbove, whenBelow } from '../symptom-alarm-factory';

const FIVE_MINUTES = Duration.minutes(5);
/** 256 MiB: below it the engine starts evicting its cache and swapping. */
const DEFAULT_FREEABLE_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * Replica lag, writer CPU and memory, and Aurora Serverless v2 capacity.
 *
 * Aurora alarms use the WRITER/READER role metrics of the cluster, not one instance's, because roles
 * move on failover. https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/creating_alarms.html
 * RDS instances publish every minute while they run; a stopped or replaced writer is the proxy
 * availability alarm's job, so CPU, memory and capacity alarms treat missing data as not breaching.
 */
export function addDatabaseAlarms(
  factory: SymptomAlarmFactory, metrics: DataAccessMetrics, database: MonitoredDatabaseAttributes, options: DataAccessAlarmsOptions,
): void {
  const cluster = database.clusterIdentifier;
  const instance = database.instanceIdentifier;

  // RDS read replicas are read directly, not through the proxy, so no other alarm notices a replica that
  // stops publishing (stopped, rebooting for long, replication broken): missing lag is breaching here.
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
  (database.readReplicaIdentifiers ?? []).forEach((replica, i) => {
    factory.create({
      id: `ReadReplica${i + 1}Lag`,
      tuningName: 'alarms.replicaLag',
      metric: metrics.metricReplicaLag(replica),
      defaults: whenAbove(30, 5, 5, cloudwatch.TreatMissingData.BREACHING),
      description: {
        symptom: `reads from read replica ${i + 1} return data more than {threshold} s old (users miss their own recent writes), or the replica stopped reporting.`,
        likelyCause: 'write bursts the replica cannot replay, long queries on the replica blocking replay, or a smaller replica instance class.',
        firstCheck: 'ReplicaLag and the writer write IOPS on the dashboard, then long-running queries on the replica.',
      },
    }, options.replicaLag);
  });

  if (cluster !== undefined && database.auroraReaders) {
    // Aurora readers share the cluster volume: there is no replication stream to break, and a reader that
    // stops is seen by the proxy READ_ONLY availability alarm, so missing data is not breaching.
    factory.create({
      id: 'AuroraReplicaLag',
      tuningName: 'alarms.auroraReplicaLag',
      metric: metrics.metricAuroraReplicaLag(cluster),
      defaults: whenAbove(2000, 5, 5),
      description: {
        symptom: 'reads from the Aurora readers return data more than {threshold} ms old (users miss their own recent writes).',
        likelyCause: 'a write burst, or readers too small to apply the log (Serverless v2 readers at their minimum ACU).',
        firstCheck: 'AuroraReplicaLag and reader CPU / ACU on the dashboard.',
      },
    }, options.auroraReplicaLag);
  }

  const writerMetric = (metricName: string, statistic: string): cloudwatch.IMetric | undefined => {
    if (cluster !== undefined) return metrics.metricCluster(cluster, metricName, AuroraRole.WRITER, { statistic, period: FIVE_MINUTES });
    if (instance !== undefined) return metrics.metricInstance(instance, metricName, { statistic, period: FIVE_MINUTES });
    return undefined;
  };

  const cpu = writerMetric('CPUUtilization', 'Average');
  if (cpu) {
    factory.create({
      id: 'DatabaseCpuHigh',
      tuningName: 'alarms.databaseCpuHigh',
      metric: cpu,
      defaults: whenAbove(80, 3, 3),
      description: {
        symptom: 'queries on the writer slow down: its CPU stayed above {threshold} %.',
        likelyCause: 'a missing index or a new expensive query, too many concurrent writers, or an instance (max ACU) too small.',
        firstCheck: 'Database Insights / Performance Insights top SQL of the writer.',
      },
    }, options.databaseCpuHigh);
  }

  const memory = writerMetric('FreeableMemory', 'Minimum');
  if (memory) {
    factory.create({
      id: 'DatabaseFreeableMemoryLow',
      tuningName: 'alarms.databaseFreeableMemoryLow',
      metric: memory,
      defaults: whenBelow(DEFAULT_FREEABLE_MEMORY_BYTES, 3, 3),
      description: {
        symptom: 'the writer slows down or restarts: less than {threshold} bytes of memory stayed free.',
        likelyCause: 'too many database connections (each holds memory), large sorts or hashes (work_mem), or an instance (max ACU) too small.',
        firstCheck: 'DatabaseConnections against the proxy pool size, then the memory-heavy queries in Performance Insights.',
      },
    }, options.databaseFreeableMemoryLow);
  }

  if (cluster !== undefined && database.serverlessV2) {
    factory.create({
      id: 'ServerlessCapacityNearMax',
      tuningName: 'alarms.serverlessCapacityNearMax',
      metric: metrics.metricAuroraCapacityUtilization(cluster, { period: FIVE_MINUTES }),
      defaults: whenAbove(90, 3, 3),
      description: {
        symptom: 'Aurora Serverless v2 cannot scale further: it has run above {threshold} % of its maximum ACU.',
        likelyCause: 'load beyond maxCapacity (max_connections also derives from it), or an expensive query holding capacity.',
        firstCheck: 'ServerlessDatabaseCapacity against maxCapacity on the dashboard, then top SQL in Performance Insights.',
      },
    }, options.serverlessCapacityNearMax);
  }
}
