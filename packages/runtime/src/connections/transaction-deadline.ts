import { TimeBudgetExhaustedError } from '../errors';

/**
 * The client deadline of one statement: the statement's own deadline, clipped to what is left until the
 * transaction's deadline (the writer's invocation budget, {@link TransactionOptions.deadline}), so no statement
 * outlives the function timeout. Throws {@link TimeBudgetExhaustedError} when nothing is left: the statement is then not sent.
 */
export function boundedDeadlineMs(
  statementMs: number | undefined,
  transactionDeadline: number | undefined,
  what: string,
  now = Date.now(),
): number | undefined {
  if (transactionDeadline === undefined) return statementMs;
  const left = Math.floor(transactionDeadline - now);
  if (left < 1) throw new TimeBudgetExhaustedError(what);
  return statementMs === undefined ? left : Math.min(statementMs, left);
}
