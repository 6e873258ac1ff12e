// Drains the write buffer into the existing cluster through the existing proxy: one transaction per
// message records the idempotency key and the payment, so redeliveries and client retries never insert
// twice. Poison messages (a bad amount, say) go to the DLQ with context.
// In your project: import { sqlWriter } from '@cdk-elastic-data-access/runtime';
import { sqlWriter } from '../../../packages/runtime/src';

/** What your existing services enqueue (`enqueueWrite(payment, { idempotencyKey })`). */
export interface NewPayment { readonly id: string; readonly accountId: string; readonly amountCents: number; readonly currency: string }

export const handler = sqlWriter<NewPayment>(async (tx, message) => {
  const payment = message.body;
  await tx.query(
    'insert into payments (id, account_id, amount_cents, currency, correlation_id) values ($1, $2, $3, $4, $5)',
    [payment.id, payment.accountId, payment.amountCents, payment.currency, message.correlationId ?? null],
  );
});
