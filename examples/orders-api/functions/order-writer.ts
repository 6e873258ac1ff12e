// Drains the write buffer: one transaction per message records the idempotency key and the effect,
// so redeliveries and client retries never insert twice. Poison messages go to the DLQ with context.
// In your project: import { sqlWriter } from '@cdk-elastic-data-access/runtime';
import { sqlWriter } from '../../../packages/runtime/src';

interface NewOrder { readonly id: string; readonly customerId: string; readonly totalCents: number }

export const handler = sqlWriter<NewOrder>(async (tx, message) => {
  const order = message.body;
  await tx.query(
    'insert into orders (id, customer_id, total_cents, correlation_id) values ($1, $2, $3, $4)',
    [order.id, order.customerId, order.totalCents, message.correlationId ?? null],
  );
});
