import { Duration, Token, UnscopedValidationError } from 'aws-cdk-lib';

/** Expected load of a function, for sizing its reserved concurrency with Little's law. */
export interface LoadProfile {
  /** Requests (or messages) per second the function must sustain at peak. */
  readonly requestsPerSecond: number;
  /** Average duration of one invocation at that load (include database time). */
  readonly duration: Duration;
  /**
   * Multiplier for bursts and duration variance; 1.25 reserves 25 % above the steady-state need.
   * @default 1 (exactly Little's law)
   */
  readonly headroom?: number;
}

/**
 * Sizing helpers for reserved concurrency.
 *
 * Little's law: concurrency = arrival rate × time in system. A 200 ms function at 500 req/s holds
 * 500 × 0.2 = 100 concurrent executions; a 5 s one holds 2,500.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html#calculating-concurrency
 */
export class Concurrency {
  /**
   * Reserved concurrency for a load: ⌈requestsPerSecond × duration (s) × headroom⌉, at least 1.
   *
   * @example Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(200) }) // 100
   */
  public static fromLoad(load: LoadProfile): number {
    const headroom = load.headroom ?? 1;
    if (Token.isUnresolved(load.requestsPerSecond) || Token.isUnresolved(headroom)) {
      const prop = Token.isUnresolved(load.requestsPerSecond) ? 'requestsPerSecond' : 'headroom';
      throw new UnscopedValidationError('EdaConcurrencyFromLoad' as any, `Concurrency.fromLoad ${prop} must be a number known at synth time, got an unresolved token`);
    }
    if (!(load.requestsPerSecond > 0)) {
      throw new UnscopedValidationError('EdaConcurrencyFromLoad' as any, `requestsPerSecond must be greater than 0, got ${load.requestsPerSecond}`);
    }
    if (!(headroom >= 1)) {
      throw new UnscopedValidationError('EdaConcurrencyFromLoad' as any, `headroom must be at least 1 (a multiplier on Little's law), got ${headroom}`);
    }
    const seconds = load.duration.toMilliseconds() / 1000;
    if (!(seconds > 0)) {
      throw new UnscopedValidationError('EdaConcurrencyFromLoad' as any, `duration must be greater than 0, got ${load.duration.toHumanString()}`);
    }
    // Round before ceil so float noise (500 × 0.2 = 100.00000000000001) does not add an environment.
    const exact = Math.round(load.requestsPerSecond * seconds * headroom * 1e6) / 1e6;
    return Math.max(1, Math.ceil(exact));
  }

  private constructor() {}
}
