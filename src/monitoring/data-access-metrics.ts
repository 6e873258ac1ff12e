import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ProxyMetrics, ProxyTargetRole } from '../database/proxy-metrics';

/** Settings shared by every metric a DataAccessMetrics builds. */
export interface DataAccessMetricsProps {
  /**
   * Default period of the metrics (methods that need a longer window say so).
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/** Which Aurora instances a cluster metric aggregates. */
export enum AuroraRole {
  /** The writer instance, whichever instance holds the role now. */
  WRITER = 'WRITER',
  /** All reader instances. */
  READER = 'READER',
}

/**
 * The single place where the metrics of the pattern are built: every alarm and dashboard widget of
 * DataAccessMonitoring uses it, and it is public so you can build your own alarms on the same metrics.
 * Methods are grouped by the arrow of the data flow they watch: functions, the write buffer, the RDS
 * Proxy, the database and the account.
 */
export class DataAccessMetrics {
  private readonly period: Duration;

  public constructor(props: DataAccessMetricsProps = {}) {
    this.period = props.period ?? Duration.minutes(1);
  }

  // ---- Functions (AWS/Lambda, dimension FunctionName) --------------------------------------------
  // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html

  /** Invocations of `fn` (Sum). */
  public metricFunctionInvocations(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return fn.metricInvocations({ statistic: 'Sum', period: this.period, ...props });
  }

  /** Invocations of `fn` that ended in a function error, including timeouts (Sum). */
  public metricFunctionErrors(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return fn.metricErrors({ statistic: 'Sum', period: this.period, ...props });
  }

  /** Invocation requests of `fn` refused because its concurrency (reserved or account) was exhausted (Sum). */
  public metricFunctionThrottles(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return fn.metricThrottles({ statistic: 'Sum', period: this.period, ...props });
  }

  /** 99th percentile of the run time of `fn` in milliseconds (p99). */
  public metricFunctionDurationP99(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return fn.metricDuration({ statistic: 'p99', period: this.period, ...props });
  }

  /** Environments of `fn` running at once (Maximum): compare with its reserved concurrency. */
  public metricFunctionConcurrentExecutions(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: this.period, ...props });
  }

  // ---- Account (AWS/Lambda, no dimension) --------------------------------------------------------

  /**
   * Environments running at once across every function of the account in this Region (AWS/Lambda
   * ConcurrentExecutions without dimensions, Maximum). It leaves out reserved concurrency that is not
   * running, so it is not what Lambda throttles by: see `metricAccountClaimedConcurrency`.
   * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html
   */
  public metricAccountConcurrentExecutions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accountMetric('ConcurrentExecutions', props);
  }

  /**
   * Account concurrency unavailable for on-demand invocations (AWS/Lambda ClaimedAccountConcurrency
   * without dimensions, Maximum): unreserved concurrent executions plus every function's reserved and
   * provisioned concurrency. When it reaches the account limit, every function without reserved
   * concurrency is throttled. AWS: "View this metric using MAX."
   * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html
   */
  public metricAccountClaimedConcurrency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accountMetric('ClaimedAccountConcurrency', props);
  }

  /** An account-level Lambda metric (AWS/Lambda without dimensions), Maximum by default. */
  private accountMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, statistic: 'Maximum', period: this.period, ...props });
  }

  // ---- Write buffer (AWS/SQS, dimension QueueName) -----------------------------------------------
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html

  /** Messages waiting in `queue` (ApproximateNumberOfMessagesVisible, Maximum). */
  public metricQueueDepth(queue: sqs.IQueue, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: this.period, ...props });
  }

  /** Age of the oldest message in `queue` in seconds (ApproximateAgeOfOldestMessage, Maximum). */
  public metricQueueOldestMessageAge(queue: sqs.IQueue, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: this.period, ...props });
  }

  /**
   * Change of the depth of `queue` from one period to the next (`DIFF` of the Maximum depth): positive
   * for period after period means messages arrive faster than the writers apply them. Defaults to
   * 5-minute periods, so a burst the writers drain within minutes is not growth.
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
   */
  public metricQueueDepthGrowth(queue: sqs.IQueue, period: Duration = Duration.minutes(5)): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'DIFF(depth)',
      usingMetrics: { depth: this.metricQueueDepth(queue, { period }) },
      label: 'Queue depth change per period',
      period,
    });
  }

  // ---- RDS Proxy (AWS/RDS, dimension ProxyName) --------------------------------------------------
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html

  /** All metrics of a proxy by name (client and database connections, pinning, failed auth, …). */
  public proxy(proxyName: string): ProxyMetrics {
    return new ProxyMetrics(proxyName);
  }

  /**
   * Pool utilisation of the proxy's targets in `role`, in percent: DatabaseConnectionsCurrentlyBorrowed
   * ÷ MaxDatabaseConnectionsAllowed × 100 (both Sum, per ProxyName, TargetGroup and TargetRole). Near 100
   * clients of that role queue for up to the borrow timeout.
   */
  public metricProxyPoolUtilization(proxyName: string, role: ProxyTargetRole = ProxyTargetRole.READ_WRITE): cloudwatch.MathExpression {
    return this.proxy(proxyName).metricPoolUtilization(role, { period: this.period });
  }

  /**
   * Average time to borrow a pooled connection, in microseconds (DatabaseConnectionsBorrowLatency,
   * Average: the statistic AWS documents as the most useful for this metric).
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
   */
  public metricProxyBorrowLatency(proxyName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.proxy(proxyName).metricDatabaseConnectionsBorrowLatency({ statistic: 'Average', period: this.period, ...props });
  }

  /**
   * Percent of time the proxy's targets in `role` were available (AvailabilityPercentage, Average).
   * RDS publishes this metric only with the dimensions ProxyName, TargetGroup and TargetRole (not
   * ProxyName alone); a DatabaseProxy always has the single target group `default`.
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
   */
  public metricProxyAvailability(
    proxyName: string, role: ProxyTargetRole = ProxyTargetRole.READ_WRITE, props?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName: 'AvailabilityPercentage',
      dimensionsMap: { ProxyName: proxyName, TargetGroup: 'default', TargetRole: role },
      statistic: 'Average',
      period: this.period,
      ...props,
    });
  }

  // ---- Aurora cluster (AWS/RDS, dimensions DBClusterIdentifier [+ Role]) -------------------------
  // Alarms use the WRITER/READER role metrics rather than one instance's, because roles move on failover.
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/creating_alarms.html

  /** Any metric of an Aurora cluster, aggregated over the instances in `role` when given. */
  public metricCluster(clusterIdentifier: string, metricName: string, role?: AuroraRole, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: role ? { DBClusterIdentifier: clusterIdentifier, Role: role } : { DBClusterIdentifier: clusterIdentifier },
      statistic: 'Average',
      period: this.period,
      ...props,
    });
  }

  /**
   * Lag of the Aurora readers behind the writer in milliseconds (AuroraReplicaLag, Role READER, Maximum).
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   */
  public metricAuroraReplicaLag(clusterIdentifier: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricCluster(clusterIdentifier, 'AuroraReplicaLag', AuroraRole.READER, { statistic: 'Maximum', ...props });
  }

  /**
   * Aurora Serverless v2 capacity in use as a percent of the cluster's maximum ACU (ACUUtilization, Maximum).
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html
   */
  public metricAuroraCapacityUtilization(clusterIdentifier: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricCluster(clusterIdentifier, 'ACUUtilization', undefined, { statistic: 'Maximum', ...props });
  }

  /** Aurora Serverless v2 capacity in ACU (ServerlessDatabaseCapacity, Maximum). */
  public metricAuroraServerlessCapacity(clusterIdentifier: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricCluster(clusterIdentifier, 'ServerlessDatabaseCapacity', undefined, { statistic: 'Maximum', ...props });
  }

  // ---- RDS instance (AWS/RDS, dimension DBInstanceIdentifier) ------------------------------------
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html

  /** Any metric of an RDS instance. */
  public metricInstance(instanceIdentifier: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
      statistic: 'Average',
      period: this.period,
      ...props,
    });
  }

  /** Lag of an RDS read replica behind its source in seconds (ReplicaLag, Maximum). */
  public metricReplicaLag(replicaIdentifier: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricInstance(replicaIdentifier, 'ReplicaLag', { statistic: 'Maximum', ...props });
  }
}
