import * as runtimeBreaker from '../../packages/runtime/src/resilience/circuit-breaker';
import * as runtime from '../../packages/runtime/src/resilience/visibility-backoff';
import * as constructs from '../../src/write-buffer/visibility-backoff';

/*
 * The construct library cannot bundle the runtime package, so it computes the synth-time outage figures with
 * its own copy of the backoff model. These cases would fail the day one copy changes without the other.
 */
describe('the construct library and the runtime agree on the backoff model', () => {
  const options = [
    {},
    { baseSeconds: 10 },
    { baseSeconds: 64, maxSeconds: 900, jitter: 0.2, queueVisibilityTimeoutSeconds: 180 },
    { baseSeconds: 1, maxSeconds: 43_200, jitter: 0, queueVisibilityTimeoutSeconds: 0 },
    { baseSeconds: 300, maxSeconds: 600, jitter: 0.5, queueVisibilityTimeoutSeconds: 900 },
  ];
  const models = [{}, { functionTimeoutSeconds: 30, breakerCoolDownSeconds: 10 }, { functionTimeoutSeconds: 900 }];

  test.each(options)('per receive count: backoff floor and visibility timeout (%o)', (opts) => {
    for (let receive = 1; receive <= 30; receive++) {
      expect(constructs.backoffFloorSeconds(receive, opts)).toBe(runtime.backoffFloorSeconds(receive, opts));
      expect(constructs.visibilityTimeoutSeconds(receive, opts, () => 0.37)).toBe(runtime.visibilityTimeoutSeconds(receive, opts, () => 0.37));
    }
  });

  test.each(options)('tolerated outage and worst-case delay (%o)', (opts) => {
    for (const model of models) {
      for (const maxReceiveCount of [1, 2, 5, 10, 100, 1000]) {
        expect(constructs.toleratedOutageSeconds(maxReceiveCount, opts, model)).toBe(runtime.toleratedOutageSeconds(maxReceiveCount, opts, model));
        expect(constructs.worstCaseDelayAfterRecoverySeconds(maxReceiveCount, opts, model))
          .toBe(runtime.worstCaseDelayAfterRecoverySeconds(maxReceiveCount, opts, model));
      }
    }
  });

  test('constants', () => {
    expect(constructs.MAX_VISIBILITY_TIMEOUT_SECONDS).toBe(runtime.MAX_VISIBILITY_TIMEOUT_SECONDS);
    expect(constructs.DEFAULT_BACKOFF_BASE_SECONDS).toBe(runtime.DEFAULT_BACKOFF_BASE_SECONDS);
    expect(constructs.DEFAULT_BACKOFF_MAX_SECONDS).toBe(runtime.DEFAULT_BACKOFF_MAX_SECONDS);
    expect(constructs.DEFAULT_BACKOFF_JITTER).toBe(runtime.DEFAULT_BACKOFF_JITTER);
    expect(constructs.DEFAULT_BREAKER_COOL_DOWN_MS).toBe(runtimeBreaker.DEFAULT_BREAKER_COOL_DOWN_MS);
  });
});
