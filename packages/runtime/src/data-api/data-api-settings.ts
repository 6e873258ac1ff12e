import { Environment } from '../config/environment';
import { ConfigurationError } from '../errors';

/**
 * What the Data API reader needs, from the variables the Aurora construct sets when it grants Data
 * API access: the cluster ARN, the Secrets Manager secret the Data API signs in with, the database.
 */
export interface DataApiSettings {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  /** PostgreSQL schema (EDA_DATA_API_SCHEMA). @default - the user's search_path */
  readonly schema?: string;
}

function required(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(name, 'is required for the Data API reader (see docs/environment-contract.md)');
  return value;
}

/** Reads the Data API settings; throws ConfigurationError naming the first missing or invalid variable. */
export function readDataApiSettings(env: Environment = process.env): DataApiSettings {
  const resourceArn = required(env, 'EDA_DATA_API_RESOURCE_ARN');
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html: the Data API addresses a cluster, never an instance.
  if (!/^arn:aws[a-z-]*:rds:[^:]+:\d{12}:cluster:.+$/.test(resourceArn)) {
    throw new ConfigurationError('EDA_DATA_API_RESOURCE_ARN', `must be an Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>), got ${resourceArn}`);
  }
  const secretArn = required(env, 'EDA_DATA_API_SECRET_ARN');
  if (!/^arn:aws[a-z-]*:secretsmanager:/.test(secretArn)) {
    throw new ConfigurationError('EDA_DATA_API_SECRET_ARN', `must be a Secrets Manager secret ARN, got ${secretArn}`);
  }
  const schema = env.EDA_DATA_API_SCHEMA?.trim();
  return { resourceArn, secretArn, database: required(env, 'EDA_DATABASE'), schema: schema ? schema : undefined };
}
