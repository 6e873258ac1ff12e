import { Clock, systemClock } from '../clock';
import { DatabaseUnavailableError, TimeBudgetExhaustedError } from '../errors';
import { classifyError, isStatementTimeout } from './error-classification';

/** How long a breaker stays open by default; the constructs' tolerated-outage figure assumes it. */
export const DEFAULT_BREAKER_COOL_DOWN_MS = 10_000;

/** closed: calls flow; open: calls fail fast; half-open: one trial call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive connection failures that open the breaker. @default 5 */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before letting one trial call through. @default 10000 (DEFAULT_BREAKER_COOL_DOWN_MS) */
  readonly coolDownMs?: number;
  /** Time source (tests pass a fake). @default the wall clock */
  readonly clock?: Clock;
  /**
   * Decides whether an error means "database unreachable".
   * @default classifyError(e).connectionFailure, or a server-side statement timeout (isStatementTimeout)
   */
  readonly isConnectionFailure?: (error: unknown) => boolean;
  /** Called each time the breaker opens (metrics, logs). @default none */
  readonly onOpen?: (consecutiveFailures: number) => void;
  /** Called each time the breaker closes after being open. @default none */
  readonly onClose?: () => void;
}

/**
 * A circuit breaker for database calls.
 *
 * Only connection failures count: a constraint violation proves the database is up. While open,
 * `execute` throws {@link DatabaseUnavailableError} without running the call, so a reader API can
 * answer 503 in milliseconds and a writer reports the batch as transient failures instead of
 * queueing connection attempts against a database that is down. After `coolDownMs` a single trial
 * call runs (half-open); concurrent calls keep failing fast until it settles.
 */
export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly coolDownMs: number;
  private readonly clock: Clock;
  private readonly isConnectionFailure: (error: unknown) => boolean;
  private readonly onOpen?: (consecutiveFailures: number) => void;
  private readonly onClose?: () => void;
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? DEFAULT_BREAKER_COOL_DOWN_MS;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be an integer >= 1, got ${this.failureThreshold}`);
    }
    if (!(this.coolDownMs >= 0)) {
      throw new RangeError(`coolDownMs must be >= 0, got ${this.coolDownMs}`);
    }
    this.clock = options.clock ?? systemClock;
    this.isConnectionFailure = options.isConnectionFailure ?? ((e) => classifyError(e).connectionFailure || isStatementTimeout(e));
    this.onOpen = options.onOpen;
    this.onClose = options.onClose;
  }

  /** The current state, evaluated against the clock. */
  public get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now() - this.openedAt >= this.coolDownMs ? 'half-open' : 'open';
  }

  /** Runs `fn` unless the breaker is open. */
  public async execute<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw new DatabaseUnavailableError(this.retryAfterMs());
    }
    const isTrial = state === 'half-open';
    if (isTrial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.recordSuccess();
      return result;
    } catch (error) {
      this.recordFailure(error, isTrial);
      throw error;
    } finally {
      if (isTrial) this.trialInFlight = false;
    }
  }

  private retryAfterMs(): number {
    if (this.openedAt === undefined) return 0;
    return Math.max(0, this.openedAt + this.coolDownMs - this.clock.now());
  }

  private recordSuccess(): void {
    const wasOpen = this.openedAt !== undefined;
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    if (wasOpen) this.onClose?.();
  }

  private recordFailure(error: unknown, isTrial: boolean): void {
    // The caller's time ran out before the database was asked: says nothing about the database.
    if (error instanceof TimeBudgetExhaustedError) return;
    if (!this.isConnectionFailure(error)) {
      // The database answered: it is reachable.
      this.recordSuccess();
      return;
    }
    this.consecutiveFailures += 1;
    if (isTrial || (this.openedAt === undefined && this.consecutiveFailures >= this.failureThreshold)) {
      this.openedAt = this.clock.now();
      this.onOpen?.(this.consecutiveFailures);
    }
  }
}
