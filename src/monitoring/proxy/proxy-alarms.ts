import { Duration } from 'aws-cdk-lib';
import { ProxyTargetRole } from '../../database/proxy-metrics';
import { DataAccessAlarmsOptions } from '../alarm-options';
import { DataAccessMetrics } from '../data-access-metrics';
import { SymptomAlarmFactory, whenAbove, whenBelow } from '../symptom-alarm-factory';

/**
 * Pool saturation, borrow latency, session pinning, failed client authentication and availability of
 * an RDS Proxy.
 *
 * The connection metrics exist only once clients connect ("some of these metrics might not be visible
 * until after the first successful connection by a proxy"), so no data means no clients, and these
 * alarms treat missing data as not breaching.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
 */
export function addProxyAlarms(
  factory: SymptomAlarmFactory, metrics: DataAccessMetrics, proxyName: string, hasReadOnlyEndpoint: boolean, options: DataAccessAlarmsOptions,
): void {
  const proxy = metrics.proxy(proxyName);

  // One pool per target role: the writer's and, behind a READ_ONLY endpoint, the readers'. Summed, an
  // idle reader pool would hide a saturated writer, so each role gets its own alarm (RDS publishes
  // DatabaseConnectionsCurrentlyBorrowed and MaxDatabaseConnectionsAllowed per ProxyName, TargetGroup
  // and TargetRole).
  const roles = hasReadOnlyEndpoint ? [ProxyTargetRole.READ_WRITE, ProxyTargetRole.READ_ONLY] : [ProxyTargetRole.READ_WRITE];
  const forEachRole = (create: (role: ProxyTargetRole, readOnly: boolean) => void) => {
    for (const role of roles) create(role, role === ProxyTargetRole.READ_ONLY);
  };
  forEachRole((role, readOnly) => {
    factory.create({
      id: readOnly ? 'ProxyReadOnlyPoolSaturated' : 'ProxyPoolSaturated',
      tuningName: 'alarms.proxyPoolSaturated',
      metric: metrics.metricProxyPoolUtilization(proxyName, role),
      defaults: whenAbove(80, 5, 5),
      description: {
        symptom: readOnly
          ? 'reads through the proxy READ_ONLY endpoint start to queue: above {threshold} % of the readers\' pools borrowed, the next burst waits up to the borrow timeout.'
          : 'database requests to the writer start to queue in the proxy: above {threshold} % of the writer\'s pool borrowed, the next burst waits up to the borrow timeout.',
        likelyCause: 'the sum of reserved concurrency of database-facing functions exceeds what the pool serves, long transactions, or pinned sessions.',
        firstCheck: 'borrowed vs max allowed connections and session pinning on the dashboard, then the concurrency budget report.',
      },
    }, options.proxyPoolSaturated);
  });

  factory.create({
    id: 'ProxyBorrowLatencyHigh',
    tuningName: 'alarms.proxyBorrowLatencyHigh',
    metric: metrics.metricProxyBorrowLatency(proxyName),
    defaults: whenAbove(100_000, 5, 5),
    description: {
      symptom: 'queries pay extra latency waiting for a pooled connection (average borrow time above {threshold} µs).',
      likelyCause: 'the pool is exhausted (MaxConnectionsPercent reached) or the database is slow to open new connections.',
      firstCheck: 'proxy pool utilisation per role and database connections on the dashboard.',
    },
  }, options.proxyBorrowLatencyHigh);

  factory.create({
    id: 'ProxySessionPinning',
    tuningName: 'alarms.proxySessionPinning',
    metric: proxy.metricDatabaseConnectionsCurrentlySessionPinned(),
    defaults: whenAbove(0, 15, 15),
    description: {
      symptom: 'the proxy multiplexes less: connections stay pinned to client sessions, period after period, so the pool serves fewer clients.',
      likelyCause: 'code issues SET, named prepared statements, temporary tables, advisory locks or statements above 16 KB.',
      firstCheck: 'proxy logs (debug logging) for "pinned" reasons, and the SQL of the functions connected since the last deploy.',
    },
  }, options.proxySessionPinning);

  factory.create({
    id: 'ProxyFailedAuthentication',
    tuningName: 'alarms.proxyFailedAuthentication',
    metric: proxy.metricClientConnectionsSetupFailedAuth({ period: Duration.minutes(5) }),
    defaults: whenAbove(0, 1, 1),
    description: {
      symptom: 'a client cannot connect: the proxy refused its authentication or TLS handshake.',
      likelyCause: 'a missing rds-db:connect grant or wrong user, an expired IAM token, or a client connecting without TLS.',
      firstCheck: 'the errors of recently deployed functions, their EDA_DB_USER, and their rds-db:connect policy.',
    },
  }, options.proxyFailedAuthentication);

  // AvailabilityPercentage comes from the proxy's own health checks of its targets and keeps being
  // published while a target is down (it drops towards 0 rather than disappearing), so an outage shows
  // as data below 100. Before any client has connected the metric may not exist yet: treating missing
  // data as breaching would page about a proxy nobody uses, so missing data is not breaching here too.
  forEachRole((role, readOnly) => {
    factory.create({
      id: readOnly ? 'ProxyReadOnlyUnavailable' : 'ProxyUnavailable',
      tuningName: 'alarms.proxyUnavailable',
      metric: metrics.metricProxyAvailability(proxyName, role),
      defaults: whenBelow(100, 3, 2),
      description: {
        symptom: readOnly
          ? 'reads through the proxy READ_ONLY endpoint fail or hang: the proxy cannot reach the Aurora readers.'
          : 'reads and writes through the proxy fail or hang: the proxy cannot reach the writer.',
        likelyCause: 'a failover or reboot in progress, the database stopped, or a security group / secret change that cuts the proxy off.',
        firstCheck: 'RDS events of the database, then the proxy target health (aws rds describe-db-proxy-targets).',
      },
    }, options.proxyUnavailable);
  });
}
