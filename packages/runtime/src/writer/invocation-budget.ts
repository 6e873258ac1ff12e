import type { Context } from 'aws-lambda';

/**
 * The writer's share of the invocation's remaining time (`context.getRemainingTimeInMillis()`): a slow (not
 * dead) database must not make the writer overrun its function timeout, because Lambda then kills the
 * invocation and the WHOLE batch comes back, including the messages already applied or dead-lettered.
 *
 * - {@link deadline}: the instant no statement may outlive (`reserveMs` before the timeout, kept for the
 *   dead-letter sends, visibility changes and metrics that follow the last transaction); the pools clip each
 *   client deadline to it.
 * - {@link fits}: whether one more transaction is worth starting: the time left must hold the slowest
 *   transaction of this invocation so far, at most the statement timeout (the server cancels a slower
 *   statement). A measured estimate rather than the statement timeout alone: a healthy database answers in
 *   milliseconds, and a function timeout below the statement timeout would otherwise never start any work.
 *
 * Without a Lambda context (direct calls in tests and scripts) there is no budget.
 */
export class InvocationBudget {
  private slowestMs = 0;

  constructor(
    private readonly context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
    private readonly reserveMs: number,
    private readonly statementTimeoutMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left for database work, or undefined without a budget. */
  public left(): number | undefined {
    const remaining = this.context?.getRemainingTimeInMillis?.();
    return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining - this.reserveMs : undefined;
  }

  /** The instant (epoch ms) no statement may outlive, or undefined without a budget. */
  public deadline(): number | undefined {
    const left = this.left();
    return left === undefined ? undefined : this.now() + left;
  }

  /** true when one more transaction is expected to finish before the deadline. */
  public fits(): boolean {
    const left = this.left();
    if (left === undefined) return true;
    const expected = Math.min(this.slowestMs, this.statementTimeoutMs ?? Number.POSITIVE_INFINITY);
    return left >= Math.max(1, expected);
  }

  /** Runs one transaction with the current deadline and records how long it took (on the context's own clock). */
  public async run<T>(transaction: (deadline: number | undefined) => Promise<T>): Promise<T> {
    const leftBefore = this.left();
    try {
      return await transaction(this.deadline());
    } finally {
      const leftAfter = this.left();
      if (leftBefore !== undefined && leftAfter !== undefined) this.slowestMs = Math.max(this.slowestMs, leftBefore - leftAfter);
    }
  }
}
