import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { RuntimeLogger, useRuntimeLogger } from './runtime-logger';

export { runtimeLogger } from './runtime-logger';
export type { RuntimeLogger } from './runtime-logger';

/** Business metrics emitted (EMF) by the runtime helpers. */
export const METRIC_NAMES = {
  writesApplied: 'WritesApplied',
  duplicatesSkipped: 'DuplicatesSkipped',
  poisonMessages: 'PoisonMessages',
  transientRetries: 'TransientRetries',
  /** Records the writer returned unprocessed because the invocation's time budget ran out. */
  writesDeferred: 'WritesDeferred',
  breakerOpened: 'BreakerOpened',
  /** A writer's afterCommit/afterBatchCommit hook threw after the write committed (the write stands). */
  afterCommitFailures: 'AfterCommitFailures',
} as const;

/** The part of the Powertools Metrics the runtime uses (tests pass a recorder). */
export interface RuntimeMetrics {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  addMetadata(key: string, value: string): unknown;
  publishStoredMetrics(): unknown;
}

/** The default metric namespace when POWERTOOLS_METRICS_NAMESPACE is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'ElasticDataAccess';

let metrics: RuntimeMetrics | undefined;

/** The shared Metrics, created on first use (namespace POWERTOOLS_METRICS_NAMESPACE or ElasticDataAccess). */
export function runtimeMetrics(): RuntimeMetrics {
  metrics ??= new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE });
  return metrics;
}

/** Replaces the shared Logger and/or Metrics (to share the application's own instances, or in tests). */
export function useTelemetry(options: { readonly logger?: RuntimeLogger; readonly metrics?: RuntimeMetrics }): void {
  if (options.logger) useRuntimeLogger(options.logger);
  if (options.metrics) metrics = options.metrics;
}

/** Adds a Count metric to the shared Metrics (flushed by the writer at the end of each batch). */
export function countMetric(name: string, value: number, sink: RuntimeMetrics = runtimeMetrics()): void {
  if (value > 0) sink.addMetric(name, MetricUnit.Count, value);
}
