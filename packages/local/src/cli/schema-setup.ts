import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IDEMPOTENCY_TABLE, migrationSql } from '@cdk-elastic-data-access/runtime';
import { Client } from 'pg';
import { LocalCliError } from './cli-output';

/** The schema file `eda-local up` runs: --schema, else EDA_LOCAL_SCHEMA, resolved against the working directory; checked to exist. */
export function schemaFile(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string | undefined {
  const given = flag ?? (env.EDA_LOCAL_SCHEMA?.trim() || undefined);
  if (given === undefined) return undefined;
  const file = resolve(cwd, given);
  if (!existsSync(file)) {
    throw new LocalCliError(`schema file ${given} not found (looked for ${file}); pass --schema <file.sql> or set EDA_LOCAL_SCHEMA`);
  }
  return file;
}

/**
 * Creates the writer's idempotency table, then runs the user's schema file, both as the application role over the
 * direct connection (so the role owns the tables its writers insert into). Without the table the writer would
 * create it on first use; without the schema a writer's first writes fail with 42P01 and go to the DLQ.
 */
export async function applySchema(directUrl: string, file: string | undefined): Promise<string[]> {
  const client = new Client({ connectionString: directUrl });
  await client.connect();
  const done: string[] = [];
  try {
    await client.query(migrationSql('postgres'));
    done.push(`idempotency table ${IDEMPOTENCY_TABLE} created`);
    if (file !== undefined) {
      try {
        // A simple query: the file may hold many statements, as psql -f would run them.
        await client.query(readFileSync(file, 'utf8'));
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new LocalCliError(`schema file ${file} failed: ${error instanceof Error ? error.message : String(error)}${code ? ` (SQLSTATE ${code})` : ''}`);
      }
      done.push(`schema ${file} applied`);
    }
  } finally {
    await client.end();
  }
  return done;
}
