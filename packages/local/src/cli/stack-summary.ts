import { relative } from 'node:path';

/**
 * What a person needs from a running stack, from its environment file: where the database is and how to open
 * psql on it, what runtime code connects to, the queues, where the variables are, how to run a writer and stop.
 */
export function stackSummary(environment: Readonly<Record<string, string>>, envFile: string, cwd: string, pid: number): string[] {
  const direct = new URL(environment.EDA_LOCAL_DIRECT_URL);
  // Relative when inside the project (the usual .local-stack/env), absolute otherwise.
  const inside = relative(cwd, envFile);
  const envPath = inside && !inside.startsWith('..') ? inside : envFile;
  const lines = [
    `local stack running (pid ${pid})`,
    `  database          PostgreSQL at ${direct.hostname}:${direct.port}, database ${environment.EDA_DATABASE}, user ${environment.EDA_DB_USER}`,
    `  psql              psql '${environment.EDA_LOCAL_DIRECT_URL}'`,
    `  runtime connects  ${environment.EDA_WRITE_HOST}:${environment.EDA_WRITE_PORT} (pinning detector → PgBouncer, as through RDS Proxy): ${environment.EDA_LOCAL_POOLED_URL}`,
    `  write queue       ${environment.EDA_WRITE_QUEUE_URL}`,
    `  dead-letter queue ${environment.EDA_DEAD_LETTER_QUEUE_URL}`,
    `  SQS endpoint      ${environment.EDA_SQS_ENDPOINT} (region ${environment.AWS_REGION})`,
    `  schema            ${environment.EDA_LOCAL_SCHEMA ? `${environment.EDA_LOCAL_SCHEMA} applied` : 'none (pass --schema <file.sql>)'}; idempotency table created`,
    `  environment       ${envPath}: node --env-file=${envPath} …, or: set -a; . ${envPath}; set +a`,
    '  run a writer      npx eda-local writer <handler file>',
    '  stop              npx eda-local down',
  ];
  return lines;
}
