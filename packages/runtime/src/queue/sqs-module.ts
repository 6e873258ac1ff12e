import type * as Sqs from '@aws-sdk/client-sqs';
import { requireOptional } from '../optional-module';

let sqs: typeof Sqs | undefined;

/**
 * `@aws-sdk/client-sqs`, loaded on first use. Loading the SDK client is most of a writer's cold start (BENCHMARKS.md,
 * "Packages"), and a writer needs it only for a failed message (backoff, dead-letter context); a producer on its first
 * send. In a CommonJS build or bundle the literal `require` keeps it visible to bundlers and test mocks; in the ESM
 * build, where `require` does not exist, {@link requireOptional} loads it.
 */
export function sqsModule(): typeof Sqs {
  if (!sqs) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sqs = typeof require === 'function' ? require('@aws-sdk/client-sqs') as typeof Sqs : requireOptional<typeof Sqs>('@aws-sdk/client-sqs');
  }
  return sqs;
}
