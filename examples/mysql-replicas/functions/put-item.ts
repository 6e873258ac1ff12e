// POST /items: enqueues the write with the caller's idempotency key and answers 202.
// In your project: import { … } from '@cdk-elastic-data-access/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { enqueueWrite, useCorrelationId } from '../../../packages/runtime/src';

export interface Item { readonly id: string; readonly name: string; readonly priceCents: number }

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const correlationId = useCorrelationId(event);
  const headers = { 'x-correlation-id': correlationId };
  const idempotencyKey = event.headers['idempotency-key'];
  if (!idempotencyKey) return { statusCode: 400, headers, body: JSON.stringify({ message: 'Idempotency-Key header is required' }) };
  let item: Item;
  try {
    item = JSON.parse(event.body ?? '');
  } catch {
    return { statusCode: 400, headers, body: JSON.stringify({ message: 'body must be JSON' }) };
  }
  if (typeof item.id !== 'string' || typeof item.name !== 'string' || !Number.isInteger(item.priceCents)) {
    return { statusCode: 422, headers, body: JSON.stringify({ message: 'id, name and integer priceCents are required' }) };
  }
  await enqueueWrite(item, { idempotencyKey, correlationId });
  return { statusCode: 202, headers, body: JSON.stringify({ id: item.id, idempotencyKey }) };
};
