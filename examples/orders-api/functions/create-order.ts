// POST /orders: validates, enqueues the write with the caller's idempotency key, answers 202.
// In your project: import { … } from '@cdk-elastic-data-access/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { enqueueWrite, useCorrelationId } from '../../../packages/runtime/src';

interface NewOrder { readonly id: string; readonly customerId: string; readonly totalCents: number }

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const correlationId = useCorrelationId(event);
  const headers = { 'x-correlation-id': correlationId };
  const idempotencyKey = event.headers['idempotency-key'];
  // Retries of the same request must carry the same key; a random one would double-apply them.
  if (!idempotencyKey) return { statusCode: 400, headers, body: JSON.stringify({ message: 'Idempotency-Key header is required' }) };
  let order: NewOrder;
  try {
    order = JSON.parse(event.body ?? '');
  } catch {
    return { statusCode: 400, headers, body: JSON.stringify({ message: 'body must be JSON' }) };
  }
  if (typeof order.id !== 'string' || typeof order.customerId !== 'string' || !Number.isInteger(order.totalCents)) {
    return { statusCode: 422, headers, body: JSON.stringify({ message: 'id, customerId and integer totalCents are required' }) };
  }
  await enqueueWrite(order, { idempotencyKey, correlationId });
  return { statusCode: 202, headers, body: JSON.stringify({ id: order.id, idempotencyKey }) };
};
