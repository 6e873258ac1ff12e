import { GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { receiveMessages, releaseMessages, summarise } from './dead-letter-messages';
import { moveManually } from './manual-move';
import { awsFailure, CliContext, CliError, EXIT_OK, EXIT_PROBLEMS, resolveAwsTarget } from '../cli-context';

/** Options of `eda redrive`. */
export interface RedriveOptions {
  readonly dlq: string;
  readonly dryRun?: boolean;
  /** Messages to list (dry run) or move at most. */
  readonly max?: number;
  /** Destination queue URL. */
  readonly to?: string;
  /** MaxNumberOfMessagesPerSecond of the move task (standard queues). */
  readonly rate?: number;
  readonly region?: string;
  readonly json?: boolean;
  /** Long-poll seconds per receive. */
  readonly waitSeconds?: number;
}

export const REDRIVE_USAGE = `usage: eda redrive --dlq <queue-url> [--dry-run] [--max <n>] [--to <queue-url>] [--rate <n>] [--region <region>] [--json]

Moves messages from a dead-letter queue back to the queue they came from (or --to).
  standard queue: an SQS message move task (StartMessageMoveTask; --rate caps messages per second);
                  with --max, a bounded receive → send → delete instead
  FIFO queue:     receive → send (same MessageGroupId and MessageDeduplicationId) → delete, in order
  --dry-run:      lists up to --max (default 10) messages with their eda-error-* attributes, moves nothing
Exit code: 0 done, 1 a move failed part-way, 2 could not run.`;

/** Messages listed by a dry run unless --max says otherwise. */
const DEFAULT_DRY_RUN_MAX = 10;
/** Upper bound of a manual move without --max. */
const DEFAULT_MANUAL_MAX = 100_000;
/** Messages received by the dry run stay invisible this long at most; they are released at the end. */
const DRY_RUN_VISIBILITY_SECONDS = 30;

async function queueAttributes(client: SQSClient, queueUrl: string, names: Array<'QueueArn' | 'FifoQueue' | 'ApproximateNumberOfMessages'>) {
  try {
    return (await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }))).Attributes ?? {};
  } catch (error) {
    if (error instanceof Error && (error.name === 'QueueDoesNotExist' || error.name === 'AWS.SimpleQueueService.NonExistentQueue')) {
      throw new CliError(`queue ${queueUrl} does not exist (check the URL and --region)`);
    }
    throw awsFailure('GetQueueAttributes', error);
  }
}

/** Runs `eda redrive`; returns the exit code. */
export async function runRedrive(context: CliContext, options: RedriveOptions): Promise<number> {
  if (!/^https?:\/\/\S+\/\d+\/\S+$/.test(options.dlq)) {
    throw new CliError(`--dlq must be a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>), got ${options.dlq}\n\n${REDRIVE_USAGE}`);
  }
  const target = await resolveAwsTarget(context, options.region);
  const client = new SQSClient({ region: target.region, credentials: target.credentials });
  const waitSeconds = options.waitSeconds ?? 1;
  const dlq = await queueAttributes(client, options.dlq, ['QueueArn', 'FifoQueue', 'ApproximateNumberOfMessages']);
  const fifo = dlq.FifoQueue === 'true';

  if (options.dryRun) {
    const messages = await receiveMessages(client, options.dlq, options.max ?? DEFAULT_DRY_RUN_MAX, DRY_RUN_VISIBILITY_SECONDS, waitSeconds);
    try {
      const summaries = messages.map(summarise);
      if (options.json) {
        const approximateMessages = Number(dlq.ApproximateNumberOfMessages ?? 0);
        context.out(JSON.stringify({ queue: options.dlq, fifo, approximateMessages, messages: summaries }, undefined, 2));
      } else {
        context.out(`${options.dlq}: ${fifo ? 'FIFO' : 'standard'} queue, about ${dlq.ApproximateNumberOfMessages ?? '?'} message(s); listing ${summaries.length} (dry run, nothing moved)`);
        for (const s of summaries) {
          context.out(`- ${s.messageId} sent ${s.sentAt ?? '?'}, received ${s.receiveCount ?? '?'}×${s.messageGroupId ? `, group ${s.messageGroupId}` : ''}`);
          for (const [name, value] of Object.entries(s.attributes)) context.out(`    ${name}: ${value ?? '-'}`);
          context.out(`    body: ${s.bodyPreview}`);
        }
      }
    } finally {
      await releaseMessages(client, options.dlq, messages);
    }
    return EXIT_OK;
  }

  if (!fifo && options.max === undefined) {
    const destinationArn = options.to ? (await queueAttributes(client, options.to, ['QueueArn'])).QueueArn : undefined;
    try {
      // Without DestinationArn SQS returns each message to the queue it was dead-lettered from.
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
      const task = await client.send(new StartMessageMoveTaskCommand({
        SourceArn: dlq.QueueArn,
        DestinationArn: destinationArn,
        MaxNumberOfMessagesPerSecond: options.rate,
      }));
      context.out(options.json
        ? JSON.stringify({ queue: options.dlq, mode: 'message-move-task', taskHandle: task.TaskHandle }, undefined, 2)
        : `started a message move task for about ${dlq.ApproximateNumberOfMessages ?? '?'} message(s) from ${options.dlq} `
          + `to ${options.to ?? 'their source queues'}; task handle ${task.TaskHandle}\n`
          + `follow it with: aws sqs list-message-move-tasks --source-arn ${dlq.QueueArn}`);
      return EXIT_OK;
    } catch (error) {
      throw awsFailure('StartMessageMoveTask', error);
    }
  }

  const destination = options.to ?? await sourceQueueOf(client, options.dlq);
  const destinationFifo = (await queueAttributes(client, destination, ['FifoQueue'])).FifoQueue === 'true';
  if (destinationFifo !== fifo) {
    throw new CliError(`${options.dlq} is ${fifo ? 'a FIFO' : 'a standard'} queue but ${destination} is ${destinationFifo ? 'a FIFO' : 'a standard'} queue: messages can only move between queues of the same type`);
  }
  const result = await moveManually(client, options.dlq, destination, fifo, options.max ?? DEFAULT_MANUAL_MAX, waitSeconds);
  if (options.json) {
    context.out(JSON.stringify({ queue: options.dlq, mode: 'receive-send-delete', destination, ...result }, undefined, 2));
  } else {
    context.out(`moved ${result.moved} message(s) from ${options.dlq} to ${destination}`);
    if (result.failure) context.err(`move stopped: ${result.failure}`);
  }
  return result.failure ? EXIT_PROBLEMS : EXIT_OK;
}

/** The queue whose redrive policy targets `dlqUrl`, when there is exactly one. */
async function sourceQueueOf(client: SQSClient, dlqUrl: string): Promise<string> {
  let sources: string[];
  try {
    sources = (await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls ?? [];
  } catch (error) {
    throw awsFailure('ListDeadLetterSourceQueues', error);
  }
  if (sources.length !== 1) {
    throw new CliError(`${dlqUrl} is the dead-letter queue of ${sources.length} queues${sources.length ? ` (${sources.join(', ')})` : ''}: pass --to <queue-url>`);
  }
  return sources[0];
}
