// Applies one shard per message in one transaction together with its idempotency key, so a redelivered
// or re-enqueued shard never inserts twice.
// In your project: import { sqlWriter } from '@cdk-elastic-data-access/runtime';
import type { Shard } from './splitter';
import { sqlWriter } from '../../../packages/runtime/src';

export const handler = sqlWriter<Shard>(async (tx, message) => {
  const { jobId, shard, rows } = message.body;
  for (const row of rows) {
    await tx.query(
      'insert into import_rows (job_id, shard, id, value) values ($1, $2, $3, $4)',
      [jobId, shard, row.id, row.value],
    );
  }
});
