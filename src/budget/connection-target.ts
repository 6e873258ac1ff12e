import { IConstruct } from 'constructs';

/*
 * What the ledger records and the budget reads: plain types with no imports of either, so that the ledger
 * (which creates the budget) and the budget (which evaluates the ledger's draws) do not import each other.
 */

/**
 * A place that serves database connections: the proxy (writer), the proxy READ_ONLY endpoint,
 * or a database instance read directly (an RDS read replica).
 */
export interface ConnectionTarget {
  /** Unique, human-readable name used in errors and in the budget report, e.g. `Orders/Proxy (writer)`. */
  readonly name: string;
  /** How the target is reached. */
  readonly kind: ConnectionTargetKind;
  /** Connections the target can serve to clients of this pattern. */
  readonly capacity: number;
  /** How `capacity` was derived (formula and inputs), shown in the report. */
  readonly capacityExplanation: string;
  /**
   * The construct that owns the target (the proxy, the endpoint or the replica). Budget warnings are
   * attached to it and its stack's report lists the target.
   * @default - the first consumer that draws from the target
   */
  readonly owner?: IConstruct;
}

/** How a connection target is reached. */
export enum ConnectionTargetKind {
  /** The RDS Proxy default (read/write) endpoint in front of the writer. */
  PROXY_WRITER = 'proxy-writer',
  /** An RDS Proxy READ_ONLY endpoint in front of Aurora readers. */
  PROXY_READ_ONLY = 'proxy-read-only',
  /** A database instance reached without a proxy (RDS read replicas cannot be proxy targets). */
  DIRECT = 'direct',
}

/** One consumer drawing connections from one target. */
export interface ConnectionDraw {
  /** The target the consumer connects to. */
  readonly target: ConnectionTarget;
  /** The consumer (a Lambda function, an ECS service, …). */
  readonly consumer: IConstruct;
  /** Connections each execution environment (or task) opens. */
  readonly connectionsPerEnvironment: number;
  /**
   * Concurrency the consumer declares for the budget. Lambda functions are read from the template
   * (reserved concurrency); non-Lambda consumers must declare it (e.g. ECS max task count).
   * @default - read from the function's reserved concurrency
   */
  readonly declaredConcurrency?: number;
  /**
   * What bounds the consumer's concurrency, in words, for budget errors (e.g. "declaredConcurrency (the
   * service's maximum task count)").
   * @default - "reserved concurrency" for Lambda functions, "declaredConcurrency" otherwise
   */
  readonly concurrencyLever?: string;
}

/** Where the budget reads the draws from (the ConnectionLedger). */
export interface IConnectionDrawSource {
  /** Every draw recorded so far, in recording order. */
  readonly draws: ConnectionDraw[];
}
