// GET /orders/{id}: reads through the proxy READ_ONLY endpoint (EDA_READ_HOSTS).
// In your project: import { … } from '@cdk-elastic-data-access/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { DatabaseUnavailableError, runtimeLogger, useCorrelationId, withReader } from '../../../packages/runtime/src';

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const correlationId = useCorrelationId(event);
  const id = event.pathParameters?.id;
  if (!id) return { statusCode: 400, body: JSON.stringify({ message: 'missing order id' }) };
  try {
    const rows = await withReader((db) => db.query('select id, customer_id, total_cents, created_at from orders where id = $1', [id]));
    if (rows.rows.length === 0) return { statusCode: 404, headers: { 'x-correlation-id': correlationId }, body: '' };
    return { statusCode: 200, headers: { 'x-correlation-id': correlationId }, body: JSON.stringify(rows.rows[0]) };
  } catch (error) {
    // The breaker is open: answer in milliseconds instead of queueing behind connect timeouts.
    if (error instanceof DatabaseUnavailableError) {
      runtimeLogger().warn('database unavailable, answering 503', { error: error.message });
      return { statusCode: 503, headers: { 'retry-after': '5', 'x-correlation-id': correlationId }, body: '' };
    }
    throw error;
  }
};
