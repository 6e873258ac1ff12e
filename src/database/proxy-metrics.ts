import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Which proxy endpoint role a proxy availability metric describes. */
export enum ProxyTargetRole {
  /** The default endpoint, in front of the writer. */
  READ_WRITE = 'READ_WRITE',
  /** A READ_ONLY endpoint, in front of the Aurora readers. */
  READ_ONLY = 'READ_ONLY',
}

/**
 * CloudWatch metrics of an RDS Proxy (namespace `AWS/RDS`, dimension `ProxyName`), which aws-cdk-lib's
 * DatabaseProxy does not provide.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
 */
export class ProxyMetrics {
  /**
   * @param proxyName the proxy's name (`IDatabaseProxy.dbProxyName`)
   */
  public constructor(public readonly proxyName: string) {}

  /**
   * Any RDS Proxy metric of this proxy. Every proxy metric aggregates by `ProxyName` alone; pass
   * `dimensionsMap` to split it by endpoint (`EndpointName`), target (`TargetGroup`, `Target`) or role
   * (`TargetGroup`, `TargetRole`: READ_WRITE / READ_ONLY).
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: { ProxyName: this.proxyName },
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Client connections open to the proxy (Sum per minute). */
  public metricClientConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ClientConnections', { statistic: 'Sum', ...props });
  }

  /** Connections from the proxy to the database (Sum per minute). */
  public metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DatabaseConnections', { statistic: 'Sum', ...props });
  }

  /** Database connections currently lent to clients (Sum per minute). */
  public metricDatabaseConnectionsCurrentlyBorrowed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DatabaseConnectionsCurrentlyBorrowed', { statistic: 'Sum', ...props });
  }

  /** Database connections pinned to one client session, lost to multiplexing (Sum per minute). */
  public metricDatabaseConnectionsCurrentlySessionPinned(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DatabaseConnectionsCurrentlySessionPinned', { statistic: 'Sum', ...props });
  }

  /** Database connections the pool may open (Sum per minute). */
  public metricMaxDatabaseConnectionsAllowed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MaxDatabaseConnectionsAllowed', { statistic: 'Sum', ...props });
  }

  /**
   * Time to borrow a pooled connection, in microseconds (Average: "The most useful statistic for this
   * metric is Average"; RDS publishes it by ProxyName or by ProxyName and EndpointName).
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
   */
  public metricDatabaseConnectionsBorrowLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DatabaseConnectionsBorrowLatency', { statistic: 'Average', ...props });
  }

  /** Time the database takes to answer a query, in microseconds (Average). */
  public metricQueryDatabaseResponseLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('QueryDatabaseResponseLatency', { statistic: 'Average', ...props });
  }

  /**
   * Percent of time the targets in one role were available (Average). RDS publishes this metric only
   * per target group and role (dimensions ProxyName, TargetGroup, TargetRole), never by ProxyName
   * alone, so this metric carries all three; the proxy's only target group is `default`.
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
   * @param targetRole READ_WRITE for the writer behind the default endpoint, READ_ONLY for the readers
   */
  public metricAvailabilityPercentage(targetRole: ProxyTargetRole = ProxyTargetRole.READ_WRITE, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('AvailabilityPercentage', {
      statistic: 'Average',
      ...props,
      dimensionsMap: { ProxyName: this.proxyName, TargetGroup: 'default', TargetRole: targetRole },
    });
  }

  /** Client connections refused for failed authentication (Sum per minute). */
  public metricClientConnectionsSetupFailedAuth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ClientConnectionsSetupFailedAuth', { statistic: 'Sum', ...props });
  }

  /**
   * Pool utilisation of the targets in one role, in percent: borrowed ÷ max allowed × 100. Near 100 the
   * proxy queues that role's clients until `connectionBorrowTimeout`. Both metrics are taken per target
   * role (dimension set ProxyName, TargetGroup, TargetRole, which RDS publishes for
   * DatabaseConnectionsCurrentlyBorrowed and MaxDatabaseConnectionsAllowed): summed over the whole proxy,
   * an idle READ_ONLY pool would hide a saturated writer.
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
   * @param targetRole READ_WRITE for the writer's pool, READ_ONLY for the readers' pools behind a READ_ONLY endpoint
   */
  public metricPoolUtilization(
    targetRole: ProxyTargetRole = ProxyTargetRole.READ_WRITE, props?: cloudwatch.MathExpressionOptions,
  ): cloudwatch.MathExpression {
    const dimensionsMap = { ProxyName: this.proxyName, TargetGroup: 'default', TargetRole: targetRole };
    // Ids per role, so both roles' expressions can share one graph.
    const prefix = targetRole === ProxyTargetRole.READ_ONLY ? 'readOnly' : 'writer';
    return new cloudwatch.MathExpression({
      expression: `100 * ${prefix}Borrowed / ${prefix}MaxAllowed`,
      usingMetrics: {
        [`${prefix}Borrowed`]: this.metricDatabaseConnectionsCurrentlyBorrowed({ dimensionsMap }),
        [`${prefix}MaxAllowed`]: this.metricMaxDatabaseConnectionsAllowed({ dimensionsMap }),
      },
      label: `Proxy pool utilisation ${targetRole} (%)`,
      period: Duration.minutes(1),
      ...props,
    });
  }
}
