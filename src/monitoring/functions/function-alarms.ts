import { Duration, Names } from 'aws-cdk-lib';
import { MonitoredFunction } from './monitored-function';
import { timeoutSecondsOf } from '../../function-facts';
import { fail, isConcrete } from '../../validation';
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS } from '../../write-buffer/sqs-lambda-limits';
import { DataAccessAlarmsOptions } from '../alarm-options';
import { DataAccessMetrics } from '../data-access-metrics';
import { SymptomAlarmFactory, whenAbove } from '../symptom-alarm-factory';

const FIVE_MINUTES = Duration.minutes(5);

/** The timeout of a monitored function in seconds, when known. */
export function timeoutOfMonitored(monitored: MonitoredFunction): number | undefined {
  if (monitored.timeout) return monitored.timeout.isUnresolved() ? undefined : monitored.timeout.toSeconds();
  return timeoutSecondsOf(monitored.function, DEFAULT_FUNCTION_TIMEOUT_SECONDS);
}

/**
 * Errors, throttles (database-facing functions only) and duration near the timeout, one alarm each per
 * function. Lambda publishes these metrics only for invocations that happened, so no data means no
 * invocations: every function alarm treats missing data as not breaching.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */
export function addFunctionAlarms(
  factory: SymptomAlarmFactory, metrics: DataAccessMetrics, functions: MonitoredFunction[], options: DataAccessAlarmsOptions,
): void {
  const percent = options.functionDurationNearTimeout?.threshold;
  if (isConcrete(percent) && (percent <= 0 || percent > 100)) {
    fail(factory.scope, 'EdaOutOfRange', `alarms.functionDurationNearTimeout.threshold is a percent of the timeout and must be greater than 0 and at most 100, got ${percent}`);
  }
  for (const monitored of functions) {
    const fn = monitored.function;
    const id = Names.nodeUniqueId(fn.node);
    const path = fn.node.path;

    factory.create({
      id: `${id}Errors`,
      tuningName: 'alarms.functionErrors',
      metric: metrics.metricFunctionErrors(fn, { period: FIVE_MINUTES }),
      defaults: whenAbove(0, 1, 1),
      description: {
        symptom: `invocations of ${path} fail (requests get errors, or write batches are retried).`,
        likelyCause: 'an unhandled exception, a timeout, or the database refusing connections or statements.',
        firstCheck: 'the function\'s log group for ERROR lines and the correlation id of the failed requests.',
      },
    }, options.functionErrors);

    if (monitored.databaseFacing ?? true) {
      factory.create({
        id: `${id}Throttles`,
        tuningName: 'alarms.functionThrottles',
        metric: metrics.metricFunctionThrottles(fn),
        defaults: whenAbove(0, 1, 1),
        description: {
          symptom: `requests to ${path} are refused (429 TooManyRequests) or its queue messages are retried.`,
          likelyCause: 'traffic needs more environments than its reserved concurrency, the connection budget of this function.',
          firstCheck: 'ConcurrentExecutions against the reserved concurrency on the dashboard; raise both only if the proxy pool has headroom.',
        },
      }, options.functionThrottles);
    }

    const timeoutSeconds = timeoutOfMonitored(monitored);
    if (timeoutSeconds !== undefined) {
      factory.create({
        id: `${id}DurationNearTimeout`,
        tuningName: 'alarms.functionDurationNearTimeout',
        metric: metrics.metricFunctionDurationP99(fn, { period: FIVE_MINUTES }),
        defaults: whenAbove(80, 3, 3),
        // The tuning is a percent of the timeout; Duration is in milliseconds.
        thresholdToMetricUnit: (p) => Math.round(timeoutSeconds * 1000 * p / 100),
        description: {
          symptom: `the slowest 1 % of invocations of ${path} run above {threshold} % of its ${timeoutSeconds} s timeout, so timeouts are next.`,
          likelyCause: 'slow queries, waiting for a pooled connection (proxy borrow latency), or too large batches.',
          firstCheck: 'proxy borrow latency and database CPU on the dashboard, then the slow query log.',
        },
      }, options.functionDurationNearTimeout);
    }
  }
}
