// GET /payments/{id}: reads through the READ_ONLY endpoint of the existing proxy (EDA_READ_HOSTS).
// In your project: import { … } from '@cdk-elastic-data-access/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { DatabaseUnavailableError, runtimeLogger, useCorrelationId, withReader } from '../../../packages/runtime/src';

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const correlationId = useCorrelationId(event);
  const headers = { 'x-correlation-id': correlationId };
  const id = event.pathParameters?.id;
  if (!id) return { statusCode: 400, headers, body: JSON.stringify({ message: 'missing payment id' }) };
  try {
    const rows = await withReader((db) => db.query(
      'select id, account_id, amount_cents, currency, created_at from payments where id = $1',
      [id],
    ));
    if (rows.rows.length === 0) return { statusCode: 404, headers, body: '' };
    return { statusCode: 200, headers, body: JSON.stringify(rows.rows[0]) };
  } catch (error) {
    // The breaker is open: answer in milliseconds instead of queueing behind connect timeouts.
    if (error instanceof DatabaseUnavailableError) {
      runtimeLogger().warn('database unavailable, answering 503', { error: error.message });
      return { statusCode: 503, headers: { ...headers, 'retry-after': '5' }, body: '' };
    }
    throw error;
  }
};
