import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ProxyTargetRole } from '../../database/proxy-metrics';
import { reservedConcurrencyOf } from '../../function-facts';
import { WriteBuffer } from '../../write-buffer/write-buffer';
import { AuroraRole, DataAccessMetrics } from '../data-access-metrics';
import { MonitoredFunction } from '../functions/monitored-function';
import { MonitoredDatabaseAttributes } from '../monitored-database';

/** What the dashboard shows. */
export interface DashboardInputs {
  readonly metrics: DataAccessMetrics;
  readonly functions: MonitoredFunction[];
  readonly accountConcurrency: number;
  /** The threshold of the account alarm (its tuning, else its default), drawn on the account graph. */
  readonly accountAlarmThreshold: number;
  readonly writeBuffer?: WriteBuffer;
  readonly database?: MonitoredDatabaseAttributes;
  readonly alarms: cloudwatch.IAlarm[];
}

/** Titles of the widget groups, in order (each group starts with a text widget holding its title). */
export const DASHBOARD_GROUPS = {
  alarms: 'Alarms',
  traffic: 'Traffic',
  buffer: 'Write buffer',
  database: 'Database',
};

const FULL_WIDTH = 24;
const HALF = 12;
const THIRD = 8;
const HEIGHT = 6;

/**
 * One dashboard per pattern, following the data flow: alarm states, traffic (invocations and
 * concurrency against reserved concurrency and the account limit), the write buffer (depth, age, DLQ)
 * and the database (client vs database connections, borrow latency, pinning, replica lag, CPU / ACU).
 */
export function createDataAccessDashboard(scope: Construct, id: string, inputs: DashboardInputs): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, id);
  const { metrics } = inputs;

  if (inputs.alarms.length > 0) {
    dashboard.addWidgets(header(DASHBOARD_GROUPS.alarms));
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Symptom alarms', alarms: inputs.alarms, width: FULL_WIDTH }));
  }

  dashboard.addWidgets(header(DASHBOARD_GROUPS.traffic));
  const fns = inputs.functions.map((m) => m.function);
  const reservedAnnotations = inputs.functions.flatMap((m) => {
    const reserved = m.reservedConcurrency ?? reservedConcurrencyOf(m.function);
    return reserved === undefined ? [] : [{ value: reserved, label: `${m.function.node.id} reserved` }];
  });
  const account = new cloudwatch.GraphWidget({
    title: 'Account concurrency claimed vs limit',
    left: [
      metrics.metricAccountClaimedConcurrency({ label: 'Claimed (reserved + provisioned + running unreserved)' }),
      metrics.metricAccountConcurrentExecutions({ label: 'Running (concurrent executions)' }),
    ],
    leftAnnotations: [
      { value: inputs.accountConcurrency, label: 'Account limit' },
      { value: inputs.accountAlarmThreshold, label: 'Alarm threshold' },
    ],
    width: fns.length > 0 ? THIRD : FULL_WIDTH,
    height: HEIGHT,
  });
  if (fns.length === 0) {
    dashboard.addWidgets(account);
  } else {
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Invocations',
        left: fns.map((fn) => metrics.metricFunctionInvocations(fn, { label: fn.node.id })),
        width: THIRD,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Concurrent executions vs reserved concurrency',
        left: fns.map((fn) => metrics.metricFunctionConcurrentExecutions(fn, { label: fn.node.id })),
        leftAnnotations: reservedAnnotations,
        width: THIRD,
        height: HEIGHT,
      }),
      account,
      new cloudwatch.GraphWidget({
        title: 'Errors and throttles',
        left: fns.map((fn) => metrics.metricFunctionErrors(fn, { label: `${fn.node.id} errors` })),
        right: fns.map((fn) => metrics.metricFunctionThrottles(fn, { label: `${fn.node.id} throttles` })),
        width: HALF,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Duration p99 (ms)',
        left: fns.map((fn) => metrics.metricFunctionDurationP99(fn, { label: fn.node.id })),
        width: HALF,
        height: HEIGHT,
      }),
    );
  }

  if (inputs.writeBuffer) {
    const buffer = inputs.writeBuffer;
    dashboard.addWidgets(header(DASHBOARD_GROUPS.buffer));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Queue depth', left: [metrics.metricQueueDepth(buffer.queue, { label: 'Visible messages' })], width: THIRD, height: HEIGHT }),
      new cloudwatch.GraphWidget({ title: 'Oldest message age (s)', left: [metrics.metricQueueOldestMessageAge(buffer.queue, { label: 'Age of oldest message' })], width: THIRD, height: HEIGHT }),
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue', left: [metrics.metricQueueDepth(buffer.deadLetterQueue, { label: 'DLQ visible messages' })], width: THIRD, height: HEIGHT }),
    );
  }

  const db = inputs.database;
  if (db) {
    dashboard.addWidgets(header(DASHBOARD_GROUPS.database));
    const widgets: cloudwatch.IWidget[] = [];
    if (db.proxyName !== undefined) {
      const proxy = metrics.proxy(db.proxyName);
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'Client vs database connections',
          left: [
            proxy.metricClientConnections({ label: 'Client connections' }),
            proxy.metricDatabaseConnections({ label: 'Database connections' }),
            proxy.metricDatabaseConnectionsCurrentlyBorrowed({ label: 'Borrowed' }),
            proxy.metricMaxDatabaseConnectionsAllowed({ label: 'Max allowed' }),
          ],
          width: THIRD,
          height: HEIGHT,
        }),
        new cloudwatch.GraphWidget({
          title: 'Borrow latency (µs) and pool utilisation per role (%)',
          left: [metrics.metricProxyBorrowLatency(db.proxyName, { label: 'Borrow latency (average)' })],
          right: [
            metrics.metricProxyPoolUtilization(db.proxyName, ProxyTargetRole.READ_WRITE),
            ...(db.proxyHasReadOnlyEndpoint ? [metrics.metricProxyPoolUtilization(db.proxyName, ProxyTargetRole.READ_ONLY)] : []),
          ],
          width: THIRD,
          height: HEIGHT,
        }),
        new cloudwatch.GraphWidget({
          title: 'Session pinning and availability',
          left: [proxy.metricDatabaseConnectionsCurrentlySessionPinned({ label: 'Pinned connections' })],
          right: [
            metrics.metricProxyAvailability(db.proxyName, ProxyTargetRole.READ_WRITE, { label: 'Availability READ_WRITE' }),
            ...(db.proxyHasReadOnlyEndpoint ? [metrics.metricProxyAvailability(db.proxyName, ProxyTargetRole.READ_ONLY, { label: 'Availability READ_ONLY' })] : []),
          ],
          width: THIRD,
          height: HEIGHT,
        }),
      );
    }
    const lag = [
      ...(db.readReplicaIdentifiers ?? []).map((replica, i) => metrics.metricReplicaLag(replica, { label: `Read replica ${i + 1} lag (s)` })),
      ...(db.clusterIdentifier !== undefined && db.auroraReaders ? [metrics.metricAuroraReplicaLag(db.clusterIdentifier, { label: 'Aurora replica lag (ms)' })] : []),
    ];
    if (lag.length > 0) {
      widgets.push(new cloudwatch.GraphWidget({ title: 'Replica lag', left: lag, width: THIRD, height: HEIGHT }));
    }
    const cpu = db.clusterIdentifier !== undefined
      ? [
        metrics.metricCluster(db.clusterIdentifier, 'CPUUtilization', AuroraRole.WRITER, { label: 'Writer CPU (%)' }),
        ...(db.auroraReaders ? [metrics.metricCluster(db.clusterIdentifier, 'CPUUtilization', AuroraRole.READER, { label: 'Readers CPU (%)' })] : []),
      ]
      : db.instanceIdentifier !== undefined ? [metrics.metricInstance(db.instanceIdentifier, 'CPUUtilization', { label: 'Writer CPU (%)' })] : [];
    const capacity = db.clusterIdentifier !== undefined && db.serverlessV2
      ? [metrics.metricAuroraCapacityUtilization(db.clusterIdentifier, { label: 'ACU utilisation (% of max)' })]
      : [];
    if (cpu.length + capacity.length > 0) {
      widgets.push(new cloudwatch.GraphWidget({
        title: capacity.length > 0 ? 'CPU and ACU utilisation (%)' : 'CPU utilisation (%)',
        left: [...cpu, ...capacity],
        leftYAxis: { min: 0, max: 100 },
        width: THIRD,
        height: HEIGHT,
      }));
    }
    dashboard.addWidgets(...widgets);
  }
  return dashboard;
}

function header(title: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${title}`, width: FULL_WIDTH, height: 1 });
}
