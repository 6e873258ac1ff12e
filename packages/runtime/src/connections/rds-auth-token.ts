import { createHash, createHmac } from 'node:crypto';
import { ConfigurationError } from '../errors';
import { requireOptional } from '../optional-module';

/*
 * The RDS IAM authentication token: a SigV4-presigned `connect` request for the database user, signed for the
 * `rds-db` service, valid for 15 minutes. The algorithm is the one @aws-sdk/rds-signer implements
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html: "an
 * authentication token is a unique string of characters that Amazon RDS generates on request ... Each token has a
 * lifetime of 15 minutes"; signing: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 * test/connections/rds-auth-token.test.ts proves the output is byte-identical to @aws-sdk/rds-signer's.
 *
 * Why not the SDK's Signer: it brings the whole default credential chain (SSO, INI files, IMDS, Cognito ...) into
 * every function bundle, about 380 KB minified of the writer's 550 KB, while inside Lambda the execution role's
 * credentials are environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * Outside Lambda (an ECS task, an EC2 instance, a developer's machine) the default chain is loaded at run time
 * from @aws-sdk/credential-provider-node, a dependency of this package that bundles do not include.
 */

/** AWS credentials as SigV4 needs them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What an auth token is generated for. */
export interface RdsAuthTokenInput {
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Signing time. @default now */
  readonly date?: Date;
}

/** Lifetime of a token, seconds (the SDK's Signer uses the same). */
const TOKEN_EXPIRES_SECONDS = 900;
const SERVICE = 'rds-db';
const ALGORITHM = 'AWS4-HMAC-SHA256';
/** SHA-256 of an empty payload: a presigned GET has no body. */
const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 encoding, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const hmac = (key: string | Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest();

/** The token: `host:port/?Action=connect&DBUser=…&X-Amz-…&X-Amz-Signature=…` (no scheme, as the SDK returns it). */
export function rdsAuthToken(input: RdsAuthTokenInput): string {
  const date = input.date ?? new Date();
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${SERVICE}/aws4_request`;
  const host = `${input.hostname}:${input.port}`;
  const query: Record<string, string> = {
    'Action': 'connect',
    'DBUser': input.username,
    'X-Amz-Algorithm': ALGORITHM,
    'X-Amz-Credential': `${input.credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(TOKEN_EXPIRES_SECONDS),
    'X-Amz-SignedHeaders': 'host',
  };
  if (input.credentials.sessionToken) query['X-Amz-Security-Token'] = input.credentials.sessionToken;
  const encodeQuery = (q: Record<string, string>) => Object.keys(q).sort().map((k) => `${uriEncode(k)}=${uriEncode(q[k])}`).join('&');
  const canonicalQuery = encodeQuery(query);
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}`, '', 'host', EMPTY_PAYLOAD_HASH].join('\n');
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.region), SERVICE), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  // the SDK returns the parameters sorted, the signature among them
  return `${host}/?${encodeQuery({ ...query, 'X-Amz-Signature': signature })}`;
}

/** The execution role's credentials from the environment Lambda sets, or undefined outside Lambda. */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

type CredentialProvider = () => Promise<AwsCredentials>;
// a variable: bundles must not pull the default chain in (see the note at the top)
const DEFAULT_CHAIN_MODULE = ['@aws-sdk', 'credential-provider-node'].join('/');
let defaultChain: CredentialProvider | undefined;

/** Credentials for signing: the environment's, else the SDK's default chain (ECS, EC2, a developer's profile). */
export async function signingCredentials(env: NodeJS.ProcessEnv = process.env): Promise<AwsCredentials> {
  const fromEnv = credentialsFromEnvironment(env);
  if (fromEnv) return fromEnv;
  if (!defaultChain) {
    let module: { defaultProvider: () => CredentialProvider };
    try {
      module = requireOptional(DEFAULT_CHAIN_MODULE);
    } catch {
      throw new ConfigurationError('EDA_AUTH',
        'is iam but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and @aws-sdk/credential-provider-node cannot be loaded: '
        + 'install it next to @cdk-elastic-data-access/runtime (outside Lambda) or set the variables');
    }
    defaultChain = module.defaultProvider();
  }
  return defaultChain();
}
