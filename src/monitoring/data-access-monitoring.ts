import { Aspects, IAspect } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { addAccountAlarms, claimedConcurrencyThreshold } from './account/account-alarms';
import { DataAccessAlarmsOptions } from './alarm-options';
import { AlarmTopic } from './alarm-topic';
import { createDataAccessDashboard } from './dashboard/data-access-dashboard';
import { DataAccessMetrics } from './data-access-metrics';
import { addDatabaseAlarms } from './database/database-alarms';
import { attributesOfDatabase } from './database/database-attributes';
import { addFunctionAlarms } from './functions/function-alarms';
import { MonitoredFunction } from './functions/monitored-function';
import { MonitoredDatabaseAttributes } from './monitored-database';
import { addProxyAlarms } from './proxy/proxy-alarms';
import { SymptomAlarmFactory } from './symptom-alarm-factory';
import { addWriteBufferAlarms } from './write-buffer/write-buffer-alarms';
import { DataAccessDatabase } from '../database/data-access-database';
import { fail, validateExclusive, validateInteger, validateRange } from '../validation';
import { WriteBuffer } from '../write-buffer/write-buffer';

/** Props of DataAccessMonitoring. */
export interface DataAccessMonitoringProps {
  /**
   * The write buffer to watch (dead-letter queue, message age, backlog growth).
   * @default - no write-buffer alarms or widgets
   */
  readonly writeBuffer?: WriteBuffer;
  /**
   * The database and proxy to watch (proxy pool, latency, pinning, auth, availability; replica lag,
   * CPU, memory, Serverless v2 capacity). Never together with `databaseAttributes`.
   * @default - no database alarms unless `databaseAttributes` is set
   */
  readonly database?: DataAccessDatabase;
  /**
   * The database and proxy to watch, described by identifiers (for databases not managed by a
   * DataAccessDatabase). Never together with `database`.
   * @default - no database alarms unless `database` is set
   */
  readonly databaseAttributes?: MonitoredDatabaseAttributes;
  /**
   * Functions to watch (errors; throttles when database-facing; duration near timeout).
   * @default - none
   */
  readonly functions?: MonitoredFunction[];
  /**
   * The account's Lambda concurrency limit in this Region.
   * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
   * @default 1000
   */
  readonly accountConcurrency?: number;
  /**
   * Topic every alarm notifies, on ALARM and on OK.
   * @default - a new AlarmTopic (KMS-encrypted with a customer managed key, TLS only)
   */
  readonly topic?: sns.ITopic;
  /**
   * Tuning of each symptom alarm, or `{ enabled: false }` to turn it off.
   * @default - every alarm on, with the defaults documented in DataAccessAlarmsOptions
   */
  readonly alarms?: DataAccessAlarmsOptions;
  /**
   * Whether to create the CloudWatch dashboard.
   * @default true
   */
  readonly dashboard?: boolean;
}

/** The default account concurrency limit of Lambda (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/**
 * Symptom alarms and one dashboard for the elastic data access pattern: every arrow of the data flow
 * (functions, write buffer, RDS Proxy, database, account concurrency) gets alarms that describe what a
 * user sees, the likely cause and the first thing to check. Every ALARM and OK transition goes to one
 * SNS topic.
 */
export class DataAccessMonitoring extends Construct {
  /** The topic every alarm notifies. */
  public readonly topic: sns.ITopic;
  /** The metric factory the alarms and the dashboard use; use it to build your own alarms. */
  public readonly metrics: DataAccessMetrics;

  private readonly factory: SymptomAlarmFactory;
  private readonly options: DataAccessAlarmsOptions;
  private readonly monitoredFunctions: MonitoredFunction[] = [];
  private builtDashboard?: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: DataAccessMonitoringProps = {}) {
    super(scope, id);
    validateExclusive(this, 'database', props.database, 'databaseAttributes', props.databaseAttributes);
    const accountConcurrency = props.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
    validateInteger(this, 'accountConcurrency', accountConcurrency);
    // "New AWS accounts have reduced concurrency and memory quotas"
    // (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); the claimed-concurrency
    // alarm works at any limit, so only a limit no account can have is refused.
    validateRange(this, 'accountConcurrency', accountConcurrency, 1, Number.MAX_SAFE_INTEGER,
      'the Lambda concurrency limit of the account in this Region');
    this.topic = props.topic ?? new AlarmTopic(this, 'AlarmTopic').topic;
    this.metrics = new DataAccessMetrics();
    this.factory = new SymptomAlarmFactory(this, this.topic);
    this.options = props.alarms ?? {};
    const database = props.database ? attributesOfDatabase(props.database) : props.databaseAttributes;

    if (props.writeBuffer) addWriteBufferAlarms(this.factory, this.metrics, props.writeBuffer, this.options);
    for (const monitored of props.functions ?? []) this.monitorFunction(monitored);
    if (database?.proxyName !== undefined) {
      addProxyAlarms(this.factory, this.metrics, database.proxyName, database.proxyHasReadOnlyEndpoint ?? false, this.options);
    }
    if (database) addDatabaseAlarms(this.factory, this.metrics, database, this.options);
    addAccountAlarms(this.factory, this.metrics, accountConcurrency, this.options);

    if (props.dashboard ?? true) {
      // Functions are usually connected after the pattern is created (connectReader, addWriter), so the
      // dashboard is drawn at synth, when the list of monitored functions is final.
      const build: IAspect = {
        visit: (node) => {
          if (node !== this || this.builtDashboard) return;
          this.builtDashboard = createDataAccessDashboard(this, 'Dashboard', {
            metrics: this.metrics,
            functions: this.monitoredFunctions,
            accountConcurrency,
            accountAlarmThreshold: this.options.accountConcurrencyNearLimit?.threshold ?? claimedConcurrencyThreshold(accountConcurrency),
            writeBuffer: props.writeBuffer,
            database,
            alarms: this.factory.alarms,
          });
        },
      };
      Aspects.of(this).add(build);
    }
  }

  /** Every alarm created, in creation order. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.factory.alarms;
  }

  /**
   * The dashboard, once the app is synthesized (it is drawn when the monitored functions are final).
   * @default - none before synthesis, or when `dashboard` is false
   */
  public get dashboard(): cloudwatch.Dashboard | undefined {
    return this.builtDashboard;
  }

  /** Functions watched so far. */
  public get functions(): MonitoredFunction[] {
    return [...this.monitoredFunctions];
  }

  /**
   * Watches one more function: errors, throttles (database-facing functions), duration near timeout,
   * and its invocations and concurrency on the dashboard.
   */
  public monitorFunction(monitored: MonitoredFunction): void {
    if (this.monitoredFunctions.some((m) => m.function === monitored.function)) {
      fail(this, 'EdaDuplicateMonitoredFunction', `function ${monitored.function.node.path} is listed twice in functions`);
    }
    this.monitoredFunctions.push(monitored);
    addFunctionAlarms(this.factory, this.metrics, [monitored], this.options);
  }
}
