import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** A function DataAccessMonitoring watches. */
export interface MonitoredFunction {
  /** The function. */
  readonly function: lambda.IFunction;
  /**
   * Whether the function holds database connections: only database-facing functions get the throttles
   * alarm, because their reserved concurrency is the connection budget and a throttle means the budget is spent.
   * @default true
   */
  readonly databaseFacing?: boolean;
  /**
   * The function's timeout, for the duration-near-timeout alarm.
   * @default - read from the function when it is defined in this app (Lambda's 3 s default when unset); no duration alarm otherwise
   */
  readonly timeout?: Duration;
  /**
   * The function's reserved concurrency, drawn on the dashboard next to its concurrent executions.
   * @default - read from the function when it is defined in this app; none otherwise
   */
  readonly reservedConcurrency?: number;
}
