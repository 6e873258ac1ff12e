import { boundedDeadlineMs } from '../../src/connections/transaction-deadline';
import { TimeBudgetExhaustedError } from '../../src/errors';

describe('boundedDeadlineMs', () => {
  test('without a transaction deadline the statement deadline is used as is', () => {
    expect(boundedDeadlineMs(7_000, undefined, 'statement', 0)).toBe(7_000);
    expect(boundedDeadlineMs(undefined, undefined, 'statement', 0)).toBeUndefined();
  });

  test('the statement deadline is clipped to the time left until the transaction deadline', () => {
    expect(boundedDeadlineMs(7_000, 10_000, 'statement', 5_000)).toBe(5_000);
    expect(boundedDeadlineMs(7_000, 10_000, 'statement', 2_000)).toBe(7_000);
    expect(boundedDeadlineMs(undefined, 10_000, 'statement', 9_000)).toBe(1_000);
  });

  test('1 ms left still sends the statement; none left throws TimeBudgetExhaustedError', () => {
    expect(boundedDeadlineMs(7_000, 10_000, 'COMMIT', 9_999)).toBe(1);
    expect(() => boundedDeadlineMs(7_000, 10_000, 'COMMIT', 10_000)).toThrow(TimeBudgetExhaustedError);
    expect(() => boundedDeadlineMs(7_000, 10_000, 'COMMIT', 10_000)).toThrow("COMMIT not started: the invocation's time budget is exhausted (function timeout near)");
  });
});
