import {
  backoffFloorSeconds,
  toleratedOutageSeconds,
  visibilityTimeoutSeconds,
} from '../../../src/runtime/resilience/visibility-backoff';

describe('visibility backoff', () => {
  test('doubles the visibility with each receive from the base', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffFloorSeconds(n))).toEqual([10, 20, 40, 80, 160]);
  });

  test('caps the visibility at maxSeconds', () => {
    expect(backoffFloorSeconds(30, { baseSeconds: 10, maxSeconds: 900 })).toBe(900);
  });

  test('never exceeds the cap with jitter', () => {
    expect(visibilityTimeoutSeconds(20, { maxSeconds: 900, jitter: 1 }, () => 0.999)).toBe(900);
  });

  test('adds at most the jitter fraction on top of the floor', () => {
    expect(visibilityTimeoutSeconds(3, { jitter: 0.2 }, () => 0)).toBe(40);
    expect(visibilityTimeoutSeconds(3, { jitter: 0.2 }, () => 1)).toBe(48);
  });

  test('with maxReceiveCount 10 and the defaults a message survives a 51-minute outage', () => {
    // 10+20+40+80+160+320+640+900+900 seconds before the 10th receive
    expect(toleratedOutageSeconds(10)).toBe(3070);
  });

  test('with maxReceiveCount 5 and the defaults a message survives 150 s', () => {
    expect(toleratedOutageSeconds(5)).toBe(150);
  });

  test('rejects a cap above the SQS maximum of 12 hours', () => {
    expect(() => backoffFloorSeconds(1, { maxSeconds: 43_201 })).toThrow('maxSeconds must be between baseSeconds (10) and 43200, got 43201');
  });
});
