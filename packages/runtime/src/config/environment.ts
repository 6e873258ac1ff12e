import { ConfigurationError } from '../errors';
import { MAX_VISIBILITY_TIMEOUT_SECONDS, VisibilityBackoffOptions } from '../resilience/visibility-backoff';

/**
 * The environment contract between the constructs and the runtime (docs/environment-contract.md).
 * The runtime reads configuration only from these variables.
 */

/** Database engine family. */
export type DatabaseEngine = 'postgres' | 'mysql';
/** How the runtime authenticates to the database. */
export type AuthMode = 'iam' | 'secret' | 'password';
/** TLS mode: verify-full verifies the server certificate and host name. */
export type TlsMode = 'verify-full' | 'disable';
/** Which endpoint a pool connects to. */
export type EndpointRole = 'writer' | 'reader';

/** Connection settings of one endpoint role, parsed from the environment. */
export interface ConnectionSettings {
  readonly engine: DatabaseEngine;
  readonly role: EndpointRole;
  /** All hosts of this role (one for the writer; the reader picks one per execution environment). */
  readonly hosts: readonly string[];
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly auth: AuthMode;
  readonly secretArn?: string;
  readonly password?: string;
  readonly tls: TlsMode;
  readonly poolMax: number;
  readonly statementTimeoutMs?: number;
  /** AWS_REGION, used by the IAM token signer. */
  readonly region?: string;
}

/** Queue settings, parsed from the environment. */
export interface QueueSettings {
  readonly writeQueueUrl?: string;
  readonly writeQueueFifo: boolean;
  readonly deadLetterQueueUrl?: string;
  readonly sqsEndpoint?: string;
  /**
   * The writer's transient-failure backoff as the constructs computed the tolerated outage with it
   * (EDA_BACKOFF_BASE_SECONDS, EDA_BACKOFF_MAX_SECONDS, EDA_BACKOFF_JITTER, EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS);
   * unset variables leave the backoff's defaults.
   */
  readonly backoff: VisibilityBackoffOptions;
}

/** Idempotency settings, parsed from the environment. */
export interface IdempotencySettings {
  /**
   * How long an idempotency key must be kept: a message can still arrive until then (the WriteBuffer sets the
   * queue's retention plus the dead-letter queue's, which can be redriven). The purge never deletes younger keys.
   */
  readonly retentionSeconds?: number;
}

/** A view of process.env (injectable for tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

function required(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(name, 'is required (see docs/environment-contract.md)');
  return value;
}

function optional(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Environment, name: string, min: number, max: number, fallback: number | undefined): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(name, `must be an integer between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

function fraction(env: Environment, name: string): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigurationError(name, `must be a number between 0 and 1, got ${raw}`);
  return value;
}

function oneOf<T extends string>(env: Environment, name: string, allowed: readonly T[], fallback?: T): T {
  const raw = optional(env, name) ?? fallback;
  if (raw === undefined) throw new ConfigurationError(name, `is required, one of ${allowed.join(', ')}`);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigurationError(name, `must be one of ${allowed.join(', ')}, got ${raw}`);
  }
  return raw as T;
}

const DEFAULT_PORTS: Record<DatabaseEngine, number> = { postgres: 5432, mysql: 3306 };

/** Reads the connection settings of the writer or reader endpoint. */
export function readConnectionSettings(role: EndpointRole, env: Environment = process.env): ConnectionSettings {
  const engine = oneOf<DatabaseEngine>(env, 'EDA_ENGINE', ['postgres', 'mysql']);
  const hostVariable = role === 'writer' ? 'EDA_WRITE_HOST' : 'EDA_READ_HOSTS';
  const portVariable = role === 'writer' ? 'EDA_WRITE_PORT' : 'EDA_READ_PORT';
  const hosts = required(env, hostVariable).split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  if (hosts.length === 0) throw new ConfigurationError(hostVariable, 'lists no host');
  if (role === 'writer' && hosts.length > 1) {
    throw new ConfigurationError(hostVariable, `must name exactly one host, got ${hosts.length}`);
  }
  const auth = oneOf<AuthMode>(env, 'EDA_AUTH', ['iam', 'secret', 'password']);
  const secretArn = optional(env, 'EDA_SECRET_ARN');
  if (auth === 'secret' && !secretArn) {
    throw new ConfigurationError('EDA_SECRET_ARN', 'is required when EDA_AUTH=secret');
  }
  const password = env.EDA_DB_PASSWORD;
  if (auth === 'password' && password === undefined) {
    throw new ConfigurationError('EDA_DB_PASSWORD', 'is required when EDA_AUTH=password (local stack only)');
  }
  return {
    engine,
    role,
    hosts,
    port: integer(env, portVariable, 1, 65535, DEFAULT_PORTS[engine])!,
    database: required(env, 'EDA_DATABASE'),
    user: required(env, 'EDA_DB_USER'),
    auth,
    secretArn,
    password: auth === 'password' ? password : undefined,
    tls: oneOf<TlsMode>(env, 'EDA_TLS', ['verify-full', 'disable'], 'verify-full'),
    poolMax: integer(env, 'EDA_POOL_MAX', 1, 100, 1)!,
    statementTimeoutMs: integer(env, 'EDA_STATEMENT_TIMEOUT_MS', 1, 2_147_483_647, undefined),
    region: optional(env, 'AWS_REGION'),
  };
}

/** Reads the queue settings (all optional; each helper checks what it needs). */
export function readQueueSettings(env: Environment = process.env): QueueSettings {
  const writeQueueUrl = optional(env, 'EDA_WRITE_QUEUE_URL');
  const fifoFlag = optional(env, 'EDA_WRITE_QUEUE_FIFO');
  if (fifoFlag !== undefined && fifoFlag !== 'true' && fifoFlag !== 'false') {
    throw new ConfigurationError('EDA_WRITE_QUEUE_FIFO', `must be true or false, got ${fifoFlag}`);
  }
  return {
    writeQueueUrl,
    writeQueueFifo: fifoFlag === 'true' || (fifoFlag === undefined && (writeQueueUrl?.endsWith('.fifo') ?? false)),
    deadLetterQueueUrl: optional(env, 'EDA_DEAD_LETTER_QUEUE_URL'),
    sqsEndpoint: optional(env, 'EDA_SQS_ENDPOINT'),
    backoff: withoutUndefined({
      baseSeconds: integer(env, 'EDA_BACKOFF_BASE_SECONDS', 0, MAX_VISIBILITY_TIMEOUT_SECONDS, undefined),
      maxSeconds: integer(env, 'EDA_BACKOFF_MAX_SECONDS', 0, MAX_VISIBILITY_TIMEOUT_SECONDS, undefined),
      jitter: fraction(env, 'EDA_BACKOFF_JITTER'),
      queueVisibilityTimeoutSeconds: integer(env, 'EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS', 0, MAX_VISIBILITY_TIMEOUT_SECONDS, undefined),
    }),
  };
}

/** Reads the idempotency settings (all optional). */
export function readIdempotencySettings(env: Environment = process.env): IdempotencySettings {
  return { retentionSeconds: integer(env, 'EDA_IDEMPOTENCY_RETENTION_SECONDS', 1, 2_147_483_647, undefined) };
}

/** The object without its undefined properties, so that spreading it over defaults keeps them. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
