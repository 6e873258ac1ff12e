import { Clock, systemClock } from '../clock';

/**
 * RDS IAM authentication tokens are valid for 15 minutes
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html).
 * A token is only checked when a connection is opened, so one token serves every connection
 * opened during its lifetime; we refresh it a little before expiry so that a connection opened
 * just before the deadline is not rejected because of clock skew or a slow handshake.
 */
export const IAM_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

/** Options of {@link AuthTokenCache}. */
export interface AuthTokenCacheOptions {
  /** Produces a fresh token (the RDS signer in production). */
  readonly generate: () => Promise<string>;
  /** Validity of a token from the moment generation starts. @default 15 minutes */
  readonly lifetimeMs?: number;
  /** Refresh this long before expiry. @default 2 minutes */
  readonly refreshBeforeExpiryMs?: number;
  /** Time source. @default the wall clock */
  readonly clock?: Clock;
}

/** Caches an auth token until shortly before it expires; concurrent callers share one generation. */
export class AuthTokenCache {
  private readonly generate: () => Promise<string>;
  private readonly lifetimeMs: number;
  private readonly refreshBeforeExpiryMs: number;
  private readonly clock: Clock;
  private token: string | undefined;
  private expiresAt = 0;
  private pending: Promise<string> | undefined;

  constructor(options: AuthTokenCacheOptions) {
    this.generate = options.generate;
    this.lifetimeMs = options.lifetimeMs ?? IAM_TOKEN_LIFETIME_MS;
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 2 * 60 * 1000;
    this.clock = options.clock ?? systemClock;
  }

  /** A token valid for at least `refreshBeforeExpiryMs` more. */
  public async get(): Promise<string> {
    if (this.token !== undefined && this.clock.now() < this.expiresAt - this.refreshBeforeExpiryMs) {
      return this.token;
    }
    if (!this.pending) {
      // The lifetime counts from signing, so take the time before generating.
      const issuedAt = this.clock.now();
      this.pending = this.generate()
        .then((token) => {
          this.token = token;
          this.expiresAt = issuedAt + this.lifetimeMs;
          return token;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /** Forgets the cached token (e.g. after the database rejected it). */
  public invalidate(): void {
    this.token = undefined;
    this.expiresAt = 0;
  }
}
