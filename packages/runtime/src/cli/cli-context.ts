import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** Exit codes of `eda`. */
export const EXIT_OK = 0;
/** The command ran and found problems (unhealthy targets, a pool smaller than the budget assumed, failed moves). */
export const EXIT_PROBLEMS = 1;
/** The command could not run: bad usage, no region or credentials, an AWS error, a missing report. */
export const EXIT_CANNOT_RUN = 2;

/** An error with a message for humans and an exit code; main prints it without a stack trace. */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode: number = EXIT_CANNOT_RUN) {
    super(message);
    this.name = 'CliError';
  }
}

/** What a command needs from the outside world; tests replace every part. */
export interface CliDependencies {
  /** Environment variables (AWS_REGION, AWS_DEFAULT_REGION). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Standard output. @default process.stdout */
  readonly stdout?: (text: string) => void;
  /** Standard error. @default process.stderr */
  readonly stderr?: (text: string) => void;
  /** Credentials. @default the SDK's default provider chain (env, SSO, profiles, container, instance) */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/** A command's view of the outside world, with defaults applied. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly credentialProvider: () => Promise<AwsCredentialIdentityProvider>;
}

/** Where and as whom AWS calls are made, checked before the first call. */
export interface AwsTarget {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
}

/**
 * Resolves the region (--region, then the region the resource names, e.g. a queue URL's, then AWS_REGION, then
 * AWS_DEFAULT_REGION) and credentials (the SDK's default chain) before any AWS call, so a missing one is a clear
 * message and exit code 2 instead of an SDK stack trace from deep inside the first request.
 */
export async function resolveAwsTarget(context: CliContext, regionFlag: string | undefined, resourceRegion?: string): Promise<AwsTarget> {
  const region = regionFlag?.trim() || resourceRegion || context.env.AWS_REGION?.trim() || context.env.AWS_DEFAULT_REGION?.trim();
  if (!region) {
    throw new CliError('no AWS region configured: pass --region <region> or set AWS_REGION (or AWS_DEFAULT_REGION)');
  }
  const provider = await context.credentialProvider();
  try {
    return { region, credentials: await provider() };
  } catch (error) {
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new CliError(
        'no AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and '
        + `AWS_SECRET_ACCESS_KEY, or run where a role is attached (details: ${error.message})`);
    }
    throw new CliError(`could not load AWS credentials: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Wraps an AWS SDK failure into a CliError naming the call. */
export function awsFailure(call: string, error: unknown): CliError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`${call} failed: ${name}: ${message}`);
}
