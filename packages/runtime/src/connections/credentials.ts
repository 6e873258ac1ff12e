import type { Clock } from '../clock';
import type { ConnectionSettings } from '../config/environment';
import { ConfigurationError } from '../errors';
import { requireOptional } from '../optional-module';
import { AuthTokenCache } from './auth-token-cache';
import { rdsAuthToken, signingCredentials } from './rds-auth-token';

/** Supplies the password for each new connection. */
export interface PasswordProvider {
  /** The password (IAM token, secret value or local password) to open a connection with. */
  password(): Promise<string>;
  /** Drops cached credentials so that the next connection fetches fresh ones. */
  invalidate(): void;
}

/** Generates an RDS IAM auth token. */
export type IamTokenGenerator = (input: { hostname: string; port: number; username: string; region?: string }) => Promise<string>;
/** Fetches a Secrets Manager secret string. */
export type SecretFetcher = (secretArn: string) => Promise<string>;

/** Injectable dependencies of {@link createPasswordProvider}. */
export interface CredentialDependencies {
  readonly generateIamToken?: IamTokenGenerator;
  readonly fetchSecret?: SecretFetcher;
  readonly clock?: Clock;
}

// SigV4 with the execution role's credentials from the environment (rds-auth-token.ts says why not the SDK's Signer).
const signWithEnvironmentCredentials: IamTokenGenerator = async ({ hostname, port, username, region }) => {
  const signingRegion = region ?? process.env.AWS_REGION;
  if (!signingRegion) throw new ConfigurationError('AWS_REGION', 'is not set: the IAM auth token is signed for a region');
  return rdsAuthToken({ hostname, port, username, region: signingRegion, credentials: await signingCredentials() });
};

// @aws-sdk/client-secrets-manager is provided by the Lambda Node.js runtime's SDK v3; it is loaded
// only when EDA_AUTH=secret, through requireOptional so that no bundle includes it.
const SECRETS_MANAGER_MODULE = '@aws-sdk/client-secrets-manager';
interface SecretsManagerModule {
  SecretsManagerClient: new (config: object) => { send(command: unknown): Promise<{ SecretString?: string }> };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}
const fetchWithSecretsManager: SecretFetcher = async (secretArn) => {
  const sm = requireOptional<SecretsManagerModule>(SECRETS_MANAGER_MODULE);
  const result = await new sm.SecretsManagerClient({}).send(new sm.GetSecretValueCommand({ SecretId: secretArn }));
  if (!result.SecretString) throw new ConfigurationError('EDA_SECRET_ARN', `secret ${secretArn} has no SecretString`);
  return result.SecretString;
};

/** Secrets are re-read after this long so that a rotated password is picked up by new connections. */
const SECRET_TTL_MS = 5 * 60 * 1000;

/** Builds the password provider for `host` according to EDA_AUTH. */
export function createPasswordProvider(settings: ConnectionSettings, host: string, deps: CredentialDependencies = {}): PasswordProvider {
  switch (settings.auth) {
    case 'password': {
      const password = settings.password ?? '';
      return { password: async () => password, invalidate: () => undefined };
    }
    case 'iam': {
      const generate = deps.generateIamToken ?? signWithEnvironmentCredentials;
      const cache = new AuthTokenCache({
        generate: () => generate({ hostname: host, port: settings.port, username: settings.user, region: settings.region }),
        clock: deps.clock,
      });
      return { password: () => cache.get(), invalidate: () => cache.invalidate() };
    }
    case 'secret': {
      const fetchSecret = deps.fetchSecret ?? fetchWithSecretsManager;
      const secretArn = settings.secretArn!;
      const cache = new AuthTokenCache({
        generate: async () => {
          const parsed = JSON.parse(await fetchSecret(secretArn)) as { password?: unknown };
          if (typeof parsed.password !== 'string') {
            throw new ConfigurationError('EDA_SECRET_ARN', `secret ${secretArn} has no string "password" field`);
          }
          return parsed.password;
        },
        lifetimeMs: SECRET_TTL_MS,
        refreshBeforeExpiryMs: 0,
        clock: deps.clock,
      });
      return { password: () => cache.get(), invalidate: () => cache.invalidate() };
    }
  }
}
