// GET /items/{id}: reads one of the read replicas directly (EDA_READ_HOSTS lists both).
// In your project: import { … } from '@cdk-elastic-data-access/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as mysql from 'mysql2/promise';
import { DatabaseUnavailableError, useCorrelationId, useMysqlDriver, withReader } from '../../../packages/runtime/src';

// Hand the bundled driver to the runtime (it does not import mysql2 itself, so bundlers would miss it).
useMysqlDriver(mysql);

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const correlationId = useCorrelationId(event);
  const headers = { 'x-correlation-id': correlationId };
  const id = event.pathParameters?.id;
  if (!id) return { statusCode: 400, headers, body: JSON.stringify({ message: 'missing item id' }) };
  try {
    const result = await withReader((db) => db.query('select id, name, price_cents from items where id = ?', [id]));
    if (result.rows.length === 0) return { statusCode: 404, headers, body: '' };
    return { statusCode: 200, headers, body: JSON.stringify(result.rows[0]) };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return { statusCode: 503, headers: { ...headers, 'retry-after': '5' }, body: '' };
    throw error;
  }
};
