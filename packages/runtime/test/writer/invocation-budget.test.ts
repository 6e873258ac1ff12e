import { InvocationBudget } from '../../src/writer/invocation-budget';

/** A Lambda context whose remaining time follows a fake clock. */
function fakeInvocation(timeoutMs: number) {
  let now = 1_000_000;
  const deadline = now + timeoutMs;
  return {
    clock: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    context: { getRemainingTimeInMillis: () => Math.max(0, deadline - now) },
  };
}

describe('InvocationBudget', () => {
  test('without a Lambda context there is no budget: everything fits and no deadline is set', async () => {
    const budget = new InvocationBudget(undefined, 1_000, 5_000);
    expect(budget.fits()).toBe(true);
    expect(budget.deadline()).toBeUndefined();
    await expect(budget.run(async (deadline) => deadline)).resolves.toBeUndefined();
  });

  test('the deadline is the reserve before the function timeout', () => {
    const invocation = fakeInvocation(30_000);
    const budget = new InvocationBudget(invocation.context, 1_000, 5_000, invocation.clock);
    expect(budget.deadline()! - invocation.clock()).toBe(29_000);
  });

  test('the first transaction starts as long as any time is left before the reserve', () => {
    const invocation = fakeInvocation(1_001);
    const budget = new InvocationBudget(invocation.context, 1_000, 5_000, invocation.clock);
    expect(budget.fits()).toBe(true);
    invocation.advance(1);
    expect(budget.fits()).toBe(false);
  });

  test('after a slow transaction, the next one starts only if as much time is left (boundary: equal fits, 1 ms less does not)', async () => {
    const invocation = fakeInvocation(10_000);
    const budget = new InvocationBudget(invocation.context, 1_000, 5_000, invocation.clock);
    await budget.run(async () => invocation.advance(3_000));
    // 7,000 ms remaining − 1,000 ms reserve = 6,000 ms left ≥ 3,000 ms
    expect(budget.fits()).toBe(true);
    invocation.advance(3_000); // left: 3,000 ms = the slowest transaction
    expect(budget.fits()).toBe(true);
    invocation.advance(1);
    expect(budget.fits()).toBe(false);
  });

  test('the estimate is capped by the statement timeout: the server cancels a slower statement', async () => {
    const invocation = fakeInvocation(20_000);
    const budget = new InvocationBudget(invocation.context, 1_000, 2_000, invocation.clock);
    await budget.run(async () => invocation.advance(8_000));
    invocation.advance(9_000); // 3,000 remaining, 2,000 left = the statement timeout
    expect(budget.fits()).toBe(true);
    invocation.advance(1);
    expect(budget.fits()).toBe(false);
  });

  test('a failed transaction counts toward the estimate too', async () => {
    const invocation = fakeInvocation(10_000);
    const budget = new InvocationBudget(invocation.context, 1_000, undefined, invocation.clock);
    await expect(budget.run(async () => {
      invocation.advance(5_000);
      throw new Error('57014');
    })).rejects.toThrow('57014');
    // 5,000 remaining, 4,000 left < 5,000
    expect(budget.fits()).toBe(false);
  });
});
