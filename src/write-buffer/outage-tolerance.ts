import { IConstruct } from 'constructs';
import {
  DEFAULT_BREAKER_COOL_DOWN_MS,
  DEFAULT_BACKOFF_BASE_SECONDS,
  DEFAULT_BACKOFF_JITTER,
  DEFAULT_BACKOFF_MAX_SECONDS,
  toleratedOutageSeconds,
  worstCaseDelayAfterRecoverySeconds,
} from './visibility-backoff';

/*
 * The outage a write buffer tolerates, computed with the runtime's own functions from the settings the
 * WriteBuffer puts into its consumers' environment (EDA_BACKOFF_*, EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS),
 * so the budget report, the synth warning and the writer agree on one number.
 */

/** The backoff as the writer's environment carries it. */
export interface BackoffSettings {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  baseSeconds: DEFAULT_BACKOFF_BASE_SECONDS,
  maxSeconds: DEFAULT_BACKOFF_MAX_SECONDS,
  jitter: DEFAULT_BACKOFF_JITTER,
};

/** What the tolerated outage depends on. */
export interface OutageInputs {
  readonly maxReceiveCount: number;
  /** The queue's visibility timeout, the backoff's floor; undefined when it cannot be read (then no floor is assumed). */
  readonly visibilityTimeoutSeconds?: number;
  readonly backoff: BackoffSettings;
  /** The longest timeout among the consumers; undefined when none can be read. */
  readonly functionTimeoutSeconds?: number;
}

/** One write buffer's entry in the budget report (`writeBuffers`). */
export interface OutageToleranceReport {
  readonly path: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number | null;
  readonly backoff: BackoffSettings;
  /** The runtime's default breaker cool-down: receives right after the recovery still fail fast. */
  readonly breakerCoolDownSeconds: number;
  readonly functionTimeoutSeconds: number | null;
  /** The longest database outage after which no healthy message is in the dead-letter queue. */
  readonly toleratedOutageSeconds: number;
  /** After an outage within the tolerated one: at most this long from recovery until a message is applied (plus backlog drain time). */
  readonly worstCaseDelayAfterRecoverySeconds: number;
  readonly minimumToleratedOutageSeconds: number;
  readonly status: 'ok' | 'below-minimum';
}

/** Computes the report entry of a write buffer. */
export function outageTolerance(path: string, inputs: OutageInputs, minimumToleratedOutageSeconds: number): OutageToleranceReport {
  const backoff = { ...inputs.backoff, queueVisibilityTimeoutSeconds: inputs.visibilityTimeoutSeconds };
  const model = { breakerCoolDownSeconds: DEFAULT_BREAKER_COOL_DOWN_MS / 1000, functionTimeoutSeconds: inputs.functionTimeoutSeconds };
  const tolerated = toleratedOutageSeconds(inputs.maxReceiveCount, backoff, model);
  return {
    path,
    maxReceiveCount: inputs.maxReceiveCount,
    visibilityTimeoutSeconds: inputs.visibilityTimeoutSeconds ?? null,
    backoff: inputs.backoff,
    breakerCoolDownSeconds: model.breakerCoolDownSeconds,
    functionTimeoutSeconds: inputs.functionTimeoutSeconds ?? null,
    toleratedOutageSeconds: tolerated,
    worstCaseDelayAfterRecoverySeconds: worstCaseDelayAfterRecoverySeconds(inputs.maxReceiveCount, backoff, model),
    minimumToleratedOutageSeconds,
    status: tolerated < minimumToleratedOutageSeconds ? 'below-minimum' : 'ok',
  };
}

/** Implemented by write buffers: their report entry, or undefined while a setting is a token. */
export interface OutageToleranceSource extends IConstruct {
  _outageToleranceReport(): OutageToleranceReport | undefined;
}

function isOutageToleranceSource(node: IConstruct): node is OutageToleranceSource {
  return typeof (node as Partial<OutageToleranceSource>)._outageToleranceReport === 'function';
}

/** The report entries of every write buffer below `root`. */
export function collectOutageTolerances(root: IConstruct): OutageToleranceReport[] {
  return root.node.findAll().filter(isOutageToleranceSource)
    .map((node) => node._outageToleranceReport())
    .filter((report): report is OutageToleranceReport => report !== undefined);
}
