/**
 * How one symptom alarm is tuned or turned off. Unset fields keep the alarm's default, documented in
 * `DataAccessAlarmsOptions`.
 */
export interface AlarmTuning {
  /**
   * Whether the alarm is created.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Threshold, in the unit the alarm's documentation names.
   * @default - the alarm's default
   */
  readonly threshold?: number;
  /**
   * Periods the alarm looks back over.
   * @default - the alarm's default
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods among `evaluationPeriods` that put the alarm in ALARM.
   * @default - the alarm's default
   */
  readonly datapointsToAlarm?: number;
}

/**
 * The symptom alarms of DataAccessMonitoring, keyed by symptom. Each is on by default; pass
 * `{ enabled: false }` to turn one off, or a threshold / periods to tune it.
 */
export interface DataAccessAlarmsOptions {
  /**
   * Writes that failed `maxReceiveCount` times sit in the dead-letter queue: DLQ visible messages > threshold
   * (messages, Maximum per minute).
   * @default - threshold 0, 1 of 1 one-minute periods
   */
  readonly deadLetterQueueNotEmpty?: AlarmTuning;
  /**
   * Writes wait too long before being applied: age of the oldest message > threshold (seconds, Maximum per minute).
   * @default - threshold 300 s, 1 of 1 one-minute periods
   */
  readonly oldestMessageTooOld?: AlarmTuning;
  /**
   * The backlog grows: queue depth rose by more than threshold messages per 5 minutes, period after period.
   * @default - threshold 100 messages, 3 of 3 five-minute periods
   */
  readonly queueDepthGrowing?: AlarmTuning;
  /**
   * A function fails: Errors > threshold (invocations, Sum per 5 minutes), one alarm per function.
   * @default - threshold 0, 1 of 1 five-minute periods
   */
  readonly functionErrors?: AlarmTuning;
  /**
   * A database-facing function is refused invocations: Throttles > threshold (Sum per minute).
   * @default - threshold 0, 1 of 1 one-minute periods
   */
  readonly functionThrottles?: AlarmTuning;
  /**
   * A function runs close to its timeout: Duration p99 > threshold percent of the timeout (p99 per 5 minutes).
   * @default - threshold 80 (%), 3 of 3 five-minute periods
   */
  readonly functionDurationNearTimeout?: AlarmTuning;
  /**
   * A proxy pool is nearly exhausted: borrowed ÷ max allowed connections > threshold percent (per minute),
   * one alarm per target role in use (the writer's pool, and the readers' behind a READ_ONLY endpoint).
   * @default - threshold 80 (%), 5 of 5 one-minute periods
   */
  readonly proxyPoolSaturated?: AlarmTuning;
  /**
   * Clients wait for a pooled connection: DatabaseConnectionsBorrowLatency Average > threshold (microseconds,
   * per minute; Average is the statistic AWS documents for this metric).
   * @default - threshold 100,000 µs (100 ms), 5 of 5 one-minute periods
   */
  readonly proxyBorrowLatencyHigh?: AlarmTuning;
  /**
   * Connections stay pinned to sessions, defeating multiplexing: DatabaseConnectionsCurrentlySessionPinned
   * > threshold (connections, Sum per minute), sustained.
   * @default - threshold 0, 15 of 15 one-minute periods
   */
  readonly proxySessionPinning?: AlarmTuning;
  /**
   * Clients fail to authenticate to the proxy: ClientConnectionsSetupFailedAuth > threshold (Sum per 5 minutes).
   * @default - threshold 0, 1 of 1 five-minute periods
   */
  readonly proxyFailedAuthentication?: AlarmTuning;
  /**
   * The proxy cannot reach its targets: AvailabilityPercentage < threshold (%, Average per minute), one
   * alarm per endpoint role in use.
   * @default - threshold 100 (%), 2 of 3 one-minute periods
   */
  readonly proxyUnavailable?: AlarmTuning;
  /**
   * RDS read replicas serve stale reads: ReplicaLag > threshold (seconds, Maximum per minute), one alarm per replica.
   * @default - threshold 30 s, 5 of 5 one-minute periods
   */
  readonly replicaLag?: AlarmTuning;
  /**
   * Aurora readers serve stale reads: AuroraReplicaLag of the READER role > threshold (milliseconds, Maximum per minute).
   * @default - threshold 2,000 ms, 5 of 5 one-minute periods
   */
  readonly auroraReplicaLag?: AlarmTuning;
  /**
   * The writer is CPU-bound: CPUUtilization > threshold (%, Average per 5 minutes).
   * @default - threshold 80 (%), 3 of 3 five-minute periods
   */
  readonly databaseCpuHigh?: AlarmTuning;
  /**
   * The writer runs out of memory: FreeableMemory < threshold (bytes, Minimum per 5 minutes).
   * @default - threshold 268,435,456 bytes (256 MiB), 3 of 3 five-minute periods
   */
  readonly databaseFreeableMemoryLow?: AlarmTuning;
  /**
   * Aurora Serverless v2 cannot scale further: ACUUtilization > threshold (% of max ACU, Maximum per 5 minutes).
   * @default - threshold 90 (%), 3 of 3 five-minute periods
   */
  readonly serverlessCapacityNearMax?: AlarmTuning;
  /**
   * The account is about to throttle every function without reserved concurrency: ClaimedAccountConcurrency
   * (reserved + provisioned + running unreserved concurrency) ≥ threshold (executions, Maximum per minute).
   * @default - threshold 95 % of `accountConcurrency` (rounded down), 2 of 3 one-minute periods
   */
  readonly accountConcurrencyNearLimit?: AlarmTuning;
}
