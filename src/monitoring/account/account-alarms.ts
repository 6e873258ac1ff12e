import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DataAccessAlarmsOptions } from '../alarm-options';
import { DataAccessMetrics } from '../data-access-metrics';
import { SymptomAlarmFactory } from '../symptom-alarm-factory';

/**
 * Share of the account concurrency limit at which the account alarm fires by default. Reserved
 * concurrency counts as claimed whether it runs or not, and a ConcurrencyBudget may reserve up to the
 * limit minus the unreserved minimum (900 of 1,000 by default): the threshold sits above that, so the
 * reservations alone never hold the alarm in ALARM, and below the limit, so it fires while some
 * unreserved concurrency is still left.
 */
export const CLAIMED_CONCURRENCY_ALARM_SHARE = 0.95;

/** The default threshold of the account alarm for an account concurrency limit. */
export function claimedConcurrencyThreshold(accountConcurrency: number): number {
  return Math.max(1, Math.floor(accountConcurrency * CLAIMED_CONCURRENCY_ALARM_SHARE));
}

/**
 * Claimed account concurrency approaching the account limit. Lambda decides whether an on-demand
 * invocation can run from ClaimedAccountConcurrency, "the amount of concurrency that is unavailable
 * for on-demand invocations", which "is equal to UnreservedConcurrentExecutions plus the amount of
 * allocated concurrency (i.e. the total reserved concurrency plus total provisioned concurrency)"
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html). ConcurrentExecutions
 * counts only what runs and misses reservations: an account can throttle while it shows headroom.
 * No data means no function runs: not breaching.
 */
export function addAccountAlarms(
  factory: SymptomAlarmFactory, metrics: DataAccessMetrics, accountConcurrency: number, options: DataAccessAlarmsOptions,
): void {
  factory.create({
    id: 'AccountConcurrencyNearLimit',
    tuningName: 'alarms.accountConcurrencyNearLimit',
    metric: metrics.metricAccountClaimedConcurrency(),
    defaults: {
      threshold: claimedConcurrencyThreshold(accountConcurrency),
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
    description: {
      symptom: `every Lambda function of the account and Region without reserved concurrency is about to be throttled: reserved, provisioned and running unreserved concurrency claim {threshold} or more of the account limit of ${accountConcurrency}.`,
      likelyCause: 'a traffic spike or a runaway function (a recursive loop, a retry storm) elsewhere in the account, or new reservations.',
      firstCheck: 'ClaimedAccountConcurrency and UnreservedConcurrentExecutions, reservations per function (aws lambda get-account-settings), then request a higher limit through Service Quotas.',
    },
  }, options.accountConcurrencyNearLimit);
}
