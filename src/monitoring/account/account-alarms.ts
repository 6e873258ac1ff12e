import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DataAccessAlarmsOptions } from '../alarm-options';
import { DataAccessMetrics } from '../data-access-metrics';
import { SymptomAlarmFactory } from '../symptom-alarm-factory';

/**
 * Lambda keeps at least 100 units of account concurrency unreserved for functions without a
 * reservation; when the account total reaches the limit, every such function is throttled.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */
export const UNRESERVED_CONCURRENCY_FLOOR = 100;

/**
 * Account concurrent executions approaching the account limit. Lambda publishes the account-level
 * ConcurrentExecutions only while functions run, so no data means nothing runs: not breaching.
 */
export function addAccountAlarms(
  factory: SymptomAlarmFactory, metrics: DataAccessMetrics, accountConcurrency: number, options: DataAccessAlarmsOptions,
): void {
  factory.create({
    id: 'AccountConcurrencyNearLimit',
    tuningName: 'alarms.accountConcurrencyNearLimit',
    metric: metrics.accountConcurrentExecutions(),
    defaults: {
      threshold: Math.max(1, accountConcurrency - UNRESERVED_CONCURRENCY_FLOOR),
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
    description: {
      symptom: `every Lambda function of the account and Region without reserved concurrency is about to be throttled (account concurrency limit ${accountConcurrency}).`,
      likelyCause: 'a traffic spike or a runaway function (a recursive loop, a retry storm) elsewhere in the account.',
      firstCheck: 'ConcurrentExecutions per function in the Lambda console, then request a higher limit through Service Quotas.',
    },
  }, options.accountConcurrencyNearLimit);
}
