import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTuning } from './alarm-options';
import { formatThreshold } from './threshold-text';
import { fail, isConcrete, validateInteger, validateRange } from '../validation';

/**
 * What every symptom alarm states: the symptom a user sees, its likely cause, and the first thing to
 * check. `{threshold}` in any of them is replaced by the effective threshold.
 */
export interface SymptomDescription {
  readonly symptom: string;
  readonly likelyCause: string;
  readonly firstCheck: string;
}

/** The built-in settings of one symptom alarm, before the user's tuning. */
export interface SymptomAlarmDefaults {
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly treatMissingData: cloudwatch.TreatMissingData;
}

/** One symptom alarm to create. */
export interface SymptomAlarmSpec {
  /** Construct id of the alarm. */
  readonly id: string;
  /** Name of the tuning key, for error messages (e.g. `alarms.deadLetterQueueNotEmpty`). */
  readonly tuningName: string;
  readonly metric: cloudwatch.IMetric;
  readonly defaults: SymptomAlarmDefaults;
  readonly description: SymptomDescription;
  /** Converts the user's threshold into the metric's unit (e.g. percent of a timeout into milliseconds). */
  readonly thresholdToMetricUnit?: (threshold: number) => number;
}

/**
 * Most evaluation periods CloudWatch accepts for periods of a minute or more: evaluationPeriods ×
 * period must not exceed one day.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
const SECONDS_PER_DAY = 86_400;

/**
 * Creates the symptom alarms of one DataAccessMonitoring: applies the user's tuning over the defaults,
 * validates it, writes the description and sends both ALARM and OK transitions to the one topic.
 */
export class SymptomAlarmFactory {
  private readonly created: cloudwatch.Alarm[] = [];

  public constructor(public readonly scope: Construct, private readonly topic: sns.ITopic) {}

  /** The alarms created so far. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.created];
  }

  /** Creates the alarm unless the tuning turns it off; returns it (or undefined when off). */
  public create(spec: SymptomAlarmSpec, tuning: AlarmTuning = {}): cloudwatch.Alarm | undefined {
    if (tuning.enabled === false) return undefined;
    const evaluationPeriods = tuning.evaluationPeriods ?? spec.defaults.evaluationPeriods;
    const datapointsToAlarm = tuning.datapointsToAlarm ?? Math.min(spec.defaults.datapointsToAlarm, evaluationPeriods);
    this.validate(spec, evaluationPeriods, datapointsToAlarm);
    const threshold = tuning.threshold ?? spec.defaults.threshold;
    const alarm = new cloudwatch.Alarm(this.scope, spec.id, {
      metric: spec.metric,
      threshold: spec.thresholdToMetricUnit ? spec.thresholdToMetricUnit(threshold) : threshold,
      evaluationPeriods,
      datapointsToAlarm,
      comparisonOperator: spec.defaults.comparisonOperator,
      treatMissingData: spec.defaults.treatMissingData,
      alarmDescription: describe(spec.description, threshold),
    });
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.created.push(alarm);
    return alarm;
  }

  private validate(spec: SymptomAlarmSpec, evaluationPeriods: number, datapointsToAlarm: number): void {
    const name = spec.tuningName;
    validateInteger(this.scope, `${name}.evaluationPeriods`, evaluationPeriods);
    validateInteger(this.scope, `${name}.datapointsToAlarm`, datapointsToAlarm);
    const periodSeconds = periodSecondsOf(spec.metric);
    const maxPeriods = Math.max(1, Math.floor(SECONDS_PER_DAY / periodSeconds));
    validateRange(this.scope, `${name}.evaluationPeriods`, evaluationPeriods, 1, maxPeriods,
      `evaluationPeriods × period (${periodSeconds} s) must not exceed one day`);
    if (isConcrete(datapointsToAlarm) && isConcrete(evaluationPeriods) && (datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)) {
      fail(this.scope, 'EdaOutOfRange', `${name}.datapointsToAlarm must be between 1 and evaluationPeriods (${evaluationPeriods}), got ${datapointsToAlarm}`);
    }
  }
}

function periodSecondsOf(metric: cloudwatch.IMetric): number {
  if (metric instanceof cloudwatch.Metric || metric instanceof cloudwatch.MathExpression) {
    return metric.period.toSeconds();
  }
  return 60;
}

/**
 * `Symptom: … Likely cause: … First check: …`, with `{threshold}` replaced by the effective threshold
 * (in the tuning's unit), within CloudWatch's 1,024-character limit.
 */
function describe(description: SymptomDescription, threshold: number): string {
  const text = `Symptom: ${description.symptom} Likely cause: ${description.likelyCause} First check: ${description.firstCheck}`
    .split('{threshold}').join(formatThreshold(threshold));
  return text.length <= 1024 ? text : `${text.slice(0, 1021)}...`;
}

/** Defaults of an alarm that fires when the metric is greater than the threshold. */
export function whenAbove(threshold: number, evaluationPeriods: number, datapointsToAlarm: number,
  treatMissingData: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING): SymptomAlarmDefaults {
  const comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  return { threshold, evaluationPeriods, datapointsToAlarm, comparisonOperator, treatMissingData };
}

/** Defaults of an alarm that fires when the metric is less than the threshold. */
export function whenBelow(threshold: number, evaluationPeriods: number, datapointsToAlarm: number,
  treatMissingData: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING): SymptomAlarmDefaults {
  return { threshold, evaluationPeriods, datapointsToAlarm, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData };
}
