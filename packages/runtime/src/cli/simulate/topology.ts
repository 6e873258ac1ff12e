import type { PollerScaling } from './aws-scaling-rules';

/*
 * What the simulator knows about a stack: the numbers read from its synthesized template and budget report
 * (assembly-reader.ts), before a scenario overrides any of them.
 */

/** An SQS event source mapping that invokes a function. */
export interface EventSourceFacts {
  /** The queue's id (see QueueFacts.id). */
  readonly queue: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency; undefined: only Lambda's own ceiling. */
  readonly maximumConcurrency?: number;
}

/** The writer's backoff, as its environment carries it (EDA_BACKOFF_*, EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS). */
export interface BackoffFacts {
  readonly baseSeconds?: number;
  readonly maxSeconds?: number;
  readonly jitter?: number;
  readonly queueVisibilityTimeoutSeconds?: number;
}

/** A function drawing connections from a proxy target (the budget report's consumers). */
export interface ProxyDraw {
  readonly target: string;
  readonly connectionsPerEnvironment: number;
}

export interface FunctionFacts {
  /** The construct path inside the stack without `/Resource` (`Orders/OrderWriter`), else the logical id. */
  readonly id: string;
  readonly logicalId: string;
  /** undefined: the function shares the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  readonly timeoutSeconds: number;
  /** Queues (ids) this function sends to, when it is not their consumer: a producer. */
  readonly producesTo: readonly string[];
  readonly eventSource?: EventSourceFacts;
  readonly backoff?: BackoffFacts;
  readonly proxyDraws: readonly ProxyDraw[];
  /** It connects to the database (EDA_WRITE_HOST or EDA_READ_HOSTS): outages and slow periods reach it. */
  readonly touchesDatabase: boolean;
}

export interface QueueFacts {
  /** The construct path inside the stack without `/Resource` (`Orders/WriteBuffer/Queue`), else the logical id. */
  readonly id: string;
  readonly logicalId: string;
  readonly visibilityTimeoutSeconds: number;
  /** The redrive policy's maxReceiveCount; undefined without a dead-letter queue. */
  readonly maxReceiveCount?: number;
}

/** A proxy target of the budget report: the writer proxy or a READ_ONLY endpoint, with its connection capacity. */
export interface ProxyTargetFacts {
  readonly name: string;
  readonly kind: string;
  readonly capacity: number;
}

export interface Topology {
  readonly stack: string;
  readonly functions: readonly FunctionFacts[];
  readonly queues: readonly QueueFacts[];
  readonly proxyTargets: readonly ProxyTargetFacts[];
  readonly accountConcurrency: number;
  readonly unreservedMinimum: number;
  /** The writers' circuit-breaker cool-down the budget report assumes (writeBuffers[].breakerCoolDownSeconds). */
  readonly breakerCoolDownSeconds: number;
  readonly pollerScaling: PollerScaling;
}
