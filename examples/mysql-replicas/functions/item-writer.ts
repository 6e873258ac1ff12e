// Applies each buffered write to the primary (through the proxy) in one transaction with its idempotency key.
// MySQL placeholders are `?`, not `$1`.
// In your project: import { sqlWriter, useMysqlDriver } from '@cdk-elastic-data-access/runtime';
import * as mysql from 'mysql2/promise';
import type { Item } from './put-item';
import { sqlWriter, useMysqlDriver } from '../../../packages/runtime/src';

useMysqlDriver(mysql);

export const handler = sqlWriter<Item>(async (tx, message) => {
  const item = message.body;
  await tx.query(
    'insert into items (id, name, price_cents, correlation_id) values (?, ?, ?, ?)',
    [item.id, item.name, item.priceCents, message.correlationId ?? null],
  );
});
