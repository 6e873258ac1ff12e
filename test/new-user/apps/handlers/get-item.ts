import * as mysql from 'mysql2/promise';
import { useMysqlDriver, withReader } from '@cdk-elastic-data-access/runtime';

// The reader of mysql-replicas-nag.ts: one of the read replicas, picked per environment.
useMysqlDriver(mysql);
export const handler = async (event: { pathParameters?: { id?: string } }) =>
  withReader(async (db) => (await db.query('select id, name from items where id = ?', [event.pathParameters?.id])).rows[0] ?? null);
