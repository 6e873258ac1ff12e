import { Duration } from 'aws-cdk-lib';
import { Concurrency } from '../../src';

describe('Concurrency.fromLoad (Little\'s law)', () => {
  test('a 200 ms function at 500 req/s needs 100 concurrent executions', () => {
    expect(Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(200) })).toBe(100);
  });

  test('a 5 s function at 500 req/s needs 2,500', () => {
    expect(Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.seconds(5) })).toBe(2500);
  });

  test('headroom multiplies the steady-state need and rounds up', () => {
    // 120 × 0.25 s = 30; × 1.25 = 37.5 → 38
    expect(Concurrency.fromLoad({ requestsPerSecond: 120, duration: Duration.millis(250), headroom: 1.25 })).toBe(38);
  });

  test('a trickle still reserves one environment', () => {
    expect(Concurrency.fromLoad({ requestsPerSecond: 0.5, duration: Duration.millis(100) })).toBe(1);
  });

  test.each([
    [{ requestsPerSecond: 0, duration: Duration.millis(100) }, 'requestsPerSecond must be greater than 0, got 0'],
    [{ requestsPerSecond: 10, duration: Duration.millis(0) }, 'duration must be greater than 0, got 0 millis'],
    [{ requestsPerSecond: 10, duration: Duration.millis(100), headroom: 0.5 }, 'headroom must be at least 1 (a multiplier on Little\'s law), got 0.5'],
  ])('rejects %o', (load, message) => {
    expect(() => Concurrency.fromLoad(load)).toThrow(message);
  });
});
