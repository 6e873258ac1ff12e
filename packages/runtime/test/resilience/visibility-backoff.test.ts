import {
  backoffFloorSeconds,
  toleratedOutageSeconds,
  visibilityTimeoutSeconds,
  worstCaseDelayAfterRecoverySeconds,
} from '../../src/resilience/visibility-backoff';

// The defaults of a WriteBuffer with an addWriter writer: visibility 6 × 30 s, maxReceiveCount 5, breaker cool-down 10 s.
const QUEUE = { queueVisibilityTimeoutSeconds: 180 };
const MODEL = { breakerCoolDownSeconds: 10, functionTimeoutSeconds: 30 };

describe('visibility backoff', () => {
  test('doubles the visibility with each receive from the base', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffFloorSeconds(n))).toEqual([64, 128, 256, 512, 900]);
  });

  test('caps the visibility at maxSeconds', () => {
    expect(backoffFloorSeconds(30, { baseSeconds: 10, maxSeconds: 900 })).toBe(900);
  });

  test('never exceeds the cap with jitter', () => {
    expect(visibilityTimeoutSeconds(20, { maxSeconds: 900, jitter: 1 }, () => 0.999)).toBe(900);
  });

  test('adds at most the jitter fraction on top of the floor', () => {
    expect(visibilityTimeoutSeconds(3, { jitter: 0.2 }, () => 0)).toBe(256);
    expect(visibilityTimeoutSeconds(3, { jitter: 0.2 }, () => 1)).toBe(307);
  });

  test('never sets a visibility below the queue\'s own visibility timeout', () => {
    // base 10 s would retry after 10/20/40/80 s, sooner than the queue's 180 s.
    expect([1, 2, 3, 4, 5].map((n) => visibilityTimeoutSeconds(n, { baseSeconds: 10, ...QUEUE }, () => 0))).toEqual([180, 180, 180, 180, 180]);
  });

  test('the queue floor wins over a cap below it', () => {
    expect(visibilityTimeoutSeconds(1, { baseSeconds: 10, maxSeconds: 60, ...QUEUE }, () => 0)).toBe(180);
  });

  test('rejects a cap above the SQS maximum of 12 hours', () => {
    expect(() => backoffFloorSeconds(1, { maxSeconds: 43_201 })).toThrow('maxSeconds must be between baseSeconds (64) and 43200, got 43201');
  });

  test('rejects a queue visibility timeout above the SQS maximum of 12 hours', () => {
    expect(visibilityTimeoutSeconds(1, { queueVisibilityTimeoutSeconds: 43_200 }, () => 0)).toBe(43_200);
    expect(() => visibilityTimeoutSeconds(1, { queueVisibilityTimeoutSeconds: 43_201 }))
      .toThrow('queueVisibilityTimeoutSeconds must be between 0 and 43200, got 43201');
  });
});

describe('tolerated outage', () => {
  test('at the defaults (maxReceiveCount 5, visibility 180 s, cool-down 10 s) a message survives 1,118 s: at least 15 minutes', () => {
    // max(180, 64) + max(180, 128) + 256 + 512 − 10 s of breaker cool-down
    expect(toleratedOutageSeconds(5, QUEUE, MODEL)).toBe(1_118);
  });

  test('at the default backoff a message survives 950 s on any queue (no visibility floor)', () => {
    // 64 + 128 + 256 + 512 − 10
    expect(toleratedOutageSeconds(5, {}, MODEL)).toBe(950);
  });

  test('with the old backoff (10 s doubling, no queue floor) it was 150 s', () => {
    expect(toleratedOutageSeconds(5, { baseSeconds: 10 })).toBe(150);
  });

  test('counts the receives before the last one only: maxReceiveCount 1 tolerates nothing', () => {
    expect(toleratedOutageSeconds(1, QUEUE, MODEL)).toBe(0);
  });

  test('with maxReceiveCount 10 and the defaults a message survives 94 minutes', () => {
    // 180 + 180 + 256 + 512 + 900 × 5
    expect(toleratedOutageSeconds(10, QUEUE)).toBe(5_628);
  });

  test('the worst-case delay after recovery is the cool-down, two function timeouts and the longest jittered visibility', () => {
    // 10 + 30 + round(512 × 1.2) + 30
    expect(worstCaseDelayAfterRecoverySeconds(5, QUEUE, MODEL)).toBe(684);
  });

  test('the compressed setting of the local outage proof (÷ 20) tolerates 53.5 s, the old one 15 s', () => {
    const compressed = { baseSeconds: 3, maxSeconds: 45, queueVisibilityTimeoutSeconds: 9 };
    expect({
      tolerated: toleratedOutageSeconds(5, compressed, { breakerCoolDownSeconds: 0.5 }),
      old: toleratedOutageSeconds(5, { baseSeconds: 1, maxSeconds: 45 }),
    }).toEqual({ tolerated: 53.5, old: 15 });
  });
});
