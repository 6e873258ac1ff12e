import { DatabaseResumingException, ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { DataApiSettings, readDataApiSettings } from './data-api-settings';
import { DataApiRow, toRows } from './result-rows';
import { DataApiParameters, toSqlParameters } from './sql-parameters';
import { Environment } from '../config/environment';

/** Options of one Data API statement. */
export interface DataApiQueryOptions {
  /** Client to use. @default - one RDSDataClient per process (region from AWS_REGION) */
  readonly client?: RDSDataClient;
  /** Settings. @default - read from the environment (EDA_DATA_API_RESOURCE_ARN, EDA_DATA_API_SECRET_ARN, EDA_DATABASE) */
  readonly settings?: DataApiSettings;
  /** Environment to read the settings from. @default process.env */
  readonly env?: Environment;
  /** Runs the statement inside a transaction begun with BeginTransaction. */
  readonly transactionId?: string;
  /**
   * Retries while an Aurora Serverless v2 cluster resumes from zero capacity (DatabaseResumingException).
   * @default 3
   */
  readonly maxResumeRetries?: number;
  /** Wait between those retries. @default 2000 */
  readonly resumeRetryDelayMs?: number;
}

/** Rows and counts of one statement. */
export interface DataApiResult<T extends DataApiRow = DataApiRow> {
  readonly rows: T[];
  /** Rows changed by an insert/update/delete. */
  readonly numberOfRecordsUpdated: number;
}

let sharedClient: RDSDataClient | undefined;

function defaultClient(): RDSDataClient {
  sharedClient ??= new RDSDataClient({});
  return sharedClient;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs one SQL statement through the RDS Data API (HTTPS, no database connection, so the concurrency
 * budget counts nothing for it) and returns plain rows. Parameters are named: `where id = :id`.
 *
 * Limits to know: a response carries at most 1 MiB of rows, a statement may run 45 s before the call
 * times out. https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html#data-api.limitations
 */
export async function dataApiExecute<T extends DataApiRow = DataApiRow>(
  sql: string,
  parameters?: DataApiParameters,
  options: DataApiQueryOptions = {},
): Promise<DataApiResult<T>> {
  const settings = options.settings ?? readDataApiSettings(options.env);
  const client = options.client ?? defaultClient();
  const command = new ExecuteStatementCommand({
    resourceArn: settings.resourceArn,
    secretArn: settings.secretArn,
    database: settings.database,
    schema: settings.schema,
    sql,
    parameters: toSqlParameters(parameters),
    transactionId: options.transactionId,
    // Column names come only with the metadata; decimals as strings keep their precision.
    includeResultMetadata: true,
    resultSetOptions: { decimalReturnType: 'STRING', longReturnType: 'LONG' },
  });
  const maxRetries = options.maxResumeRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      const output = await client.send(command);
      return {
        rows: toRows(output.records, output.columnMetadata) as T[],
        numberOfRecordsUpdated: output.numberOfRecordsUpdated ?? 0,
      };
    } catch (error) {
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html
      if (!(error instanceof DatabaseResumingException) || attempt >= maxRetries) throw error;
      await sleep(options.resumeRetryDelayMs ?? 2000);
    }
  }
}

/** Runs a query through the Data API and returns its rows, e.g. `dataApiQuery('select * from orders where id = :id', { id })`. */
export async function dataApiQuery<T extends DataApiRow = DataApiRow>(
  sql: string,
  parameters?: DataApiParameters,
  options?: DataApiQueryOptions,
): Promise<T[]> {
  return (await dataApiExecute<T>(sql, parameters, options)).rows;
}
