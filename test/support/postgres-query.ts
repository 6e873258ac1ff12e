import { Client } from 'pg';

/**
 * Runs one statement on a fresh connection and closes it. Tests that stop and start the server
 * inspect the database this way, so no pooled connection outlives a restart.
 */
export async function queryOnce(connectionString: string, text: string) {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}
