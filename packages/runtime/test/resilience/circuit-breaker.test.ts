import { DatabaseUnavailableError } from '../../src/errors';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { FakeClock } from '../support/fakes';

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const uniqueViolation = () => Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
const fail = (error: Error) => async () => {
  throw error;
};

async function tripBreaker(breaker: CircuitBreaker, failures: number): Promise<void> {
  for (let i = 0; i < failures; i++) {
    await expect(breaker.execute(fail(connectionRefused()))).rejects.toThrow('ECONNREFUSED');
  }
}

describe('CircuitBreaker', () => {
  test('stays closed below the failure threshold', async () => {
    // GIVEN
    const breaker = new CircuitBreaker({ failureThreshold: 3, clock: new FakeClock() });
    // WHEN
    await tripBreaker(breaker, 2);
    // THEN
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(async () => 'ok')).resolves.toBe('ok');
  });

  test('opens after the threshold of consecutive connection failures and fails fast without calling', async () => {
    // GIVEN
    const opened = jest.fn();
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000, clock: new FakeClock(), onOpen: opened });
    await tripBreaker(breaker, 3);
    const call = jest.fn(async () => 'never');
    // WHEN
    const attempt = breaker.execute(call);
    // THEN
    await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs: 10_000 });
    expect(call).not.toHaveBeenCalled();
    expect(breaker.state).toBe('open');
    expect(opened).toHaveBeenCalledTimes(1);
    expect(opened).toHaveBeenCalledWith(3);
  });

  test('reports the remaining cool-down in retryAfterMs', async () => {
    // GIVEN
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 10_000, clock });
    await tripBreaker(breaker, 1);
    // WHEN
    clock.advance(4_000);
    // THEN
    await expect(breaker.execute(async () => 1)).rejects.toMatchObject({ retryAfterMs: 6_000 });
  });

  test('half-opens after the cool-down and closes when the trial call succeeds', async () => {
    // GIVEN
    const clock = new FakeClock();
    const closed = jest.fn();
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 10_000, clock, onClose: closed });
    await tripBreaker(breaker, 2);
    // WHEN
    clock.advance(10_000);
    // THEN
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(async () => 'trial')).resolves.toBe('trial');
    expect(breaker.state).toBe('closed');
    expect(closed).toHaveBeenCalledTimes(1);
  });

  test('re-opens for a full cool-down when the half-open trial fails', async () => {
    // GIVEN
    const clock = new FakeClock();
    const opened = jest.fn();
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 10_000, clock, onOpen: opened });
    await tripBreaker(breaker, 2);
    clock.advance(10_000);
    // WHEN
    await expect(breaker.execute(fail(connectionRefused()))).rejects.toThrow('ECONNREFUSED');
    // THEN
    expect(breaker.state).toBe('open');
    expect(opened).toHaveBeenCalledTimes(2);
    clock.advance(9_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
  });

  test('lets a single trial through while half-open and fails concurrent calls fast', async () => {
    // GIVEN
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000, clock });
    await tripBreaker(breaker, 1);
    clock.advance(1_000);
    let finishTrial: (value: string) => void = () => undefined;
    const trial = breaker.execute(() => new Promise<string>((resolve) => {
      finishTrial = resolve;
    }));
    // WHEN
    const concurrent = breaker.execute(async () => 'second');
    // THEN
    await expect(concurrent).rejects.toBeInstanceOf(DatabaseUnavailableError);
    finishTrial('first');
    await expect(trial).resolves.toBe('first');
    expect(breaker.state).toBe('closed');
  });

  test('does not count errors that prove the database answered', async () => {
    // GIVEN
    const breaker = new CircuitBreaker({ failureThreshold: 2, clock: new FakeClock() });
    await tripBreaker(breaker, 1);
    // WHEN
    await expect(breaker.execute(fail(uniqueViolation()))).rejects.toThrow('duplicate key');
    await tripBreaker(breaker, 1);
    // THEN
    expect(breaker.state).toBe('closed');
  });

  test('rejects a failure threshold below 1', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow('failureThreshold must be an integer >= 1, got 0');
  });
});
