// POST /imports: splits a job into shards and enqueues one write per shard, keyed `<jobId>#<shard>`,
// so a retried request re-enqueues the same keys and the workers apply each shard once.
// In your project: import { … } from '@cdk-elastic-data-access/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { enqueueWrites, useCorrelationId } from '../../../packages/runtime/src';

interface ImportJob { readonly jobId: string; readonly rows: readonly ImportRow[] }
interface ImportRow { readonly id: string; readonly value: number }
export interface Shard { readonly jobId: string; readonly shard: number; readonly rows: readonly ImportRow[] }

const ROWS_PER_SHARD = 100;

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const correlationId = useCorrelationId(event);
  const headers = { 'x-correlation-id': correlationId };
  let job: ImportJob;
  try {
    job = JSON.parse(event.body ?? '');
  } catch {
    return { statusCode: 400, headers, body: JSON.stringify({ message: 'body must be JSON' }) };
  }
  if (typeof job.jobId !== 'string' || !Array.isArray(job.rows)) {
    return { statusCode: 422, headers, body: JSON.stringify({ message: 'jobId and rows are required' }) };
  }
  const entries = [];
  for (let start = 0, shard = 0; start < job.rows.length; start += ROWS_PER_SHARD, shard++) {
    const body: Shard = { jobId: job.jobId, shard, rows: job.rows.slice(start, start + ROWS_PER_SHARD) };
    entries.push({ body, idempotencyKey: `${job.jobId}#${shard}`, correlationId });
  }
  await enqueueWrites(entries);
  return { statusCode: 202, headers, body: JSON.stringify({ jobId: job.jobId, shards: entries.length }) };
};
