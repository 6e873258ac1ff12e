import { Logger } from '@aws-lambda-powertools/logger';

/** The part of the Powertools Logger the runtime uses (tests pass a recorder). */
export type RuntimeLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'appendKeys' | 'removeKeys'>;

let logger: RuntimeLogger | undefined;

/**
 * The shared Logger, created on first use (configured by POWERTOOLS_* variables, e.g.
 * POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL). Kept apart from Metrics so that the producer
 * entry does not bundle the Metrics library.
 */
export function runtimeLogger(): RuntimeLogger {
  logger ??= new Logger();
  return logger;
}

/** Replaces the shared Logger (to share the application's own instance, or in tests). */
export function useRuntimeLogger(replacement: RuntimeLogger | undefined): void {
  logger = replacement;
}
