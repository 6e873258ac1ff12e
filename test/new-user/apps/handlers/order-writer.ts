import { sqlWriter } from '@cdk-elastic-data-access/runtime';

// The writer of aurora-writer.ts, as README's Quick start writes it.
export const handler = sqlWriter<{ id: string; totalCents: number }>(async (tx, message) => {
  await tx.query('insert into orders (id, total_cents) values ($1, $2)', [message.body.id, message.body.totalCents]);
});
