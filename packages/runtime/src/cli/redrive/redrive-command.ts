import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { receiveMessages, releaseMessages, summarise } from './dead-letter-messages';
import { ManualMoveResult, moveManually } from './manual-move';
import { MessageSources } from './message-sources';
import { MoveTaskOutcome, runMoveTask } from './move-task';
import { regionOfQueueUrl } from './queue-url-region';
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
  /** Seconds between polls of the message move task. */
  readonly pollSeconds?: number;
  /** Seconds to wait for the message move task to end. */
  readonly timeoutSeconds?: number;
}

export const REDRIVE_USAGE = `usage: eda redrive --dlq <queue-url> [--dry-run] [--max <n>] [--to <queue-url>] [--rate <n>] [--region <region>] [--json]
                   [--wait-seconds <n>] [--poll-seconds <n>] [--timeout-seconds <n>]

Moves messages from a dead-letter queue back to the queue they came from (or --to), and reports the outcome.
  standard queue: an SQS message move task (StartMessageMoveTask; --rate caps messages per second), waited for
                  (--timeout-seconds, default 900); if SQS cannot determine a message's source (the writer's own
                  dead letters), the rest is moved by receive → send → delete to the queue named by the message's
                  eda-source-queue-arn attribute; with --max, a bounded receive → send → delete instead
  FIFO queue:     receive → send (same MessageGroupId, a fresh MessageDeduplicationId per replay) → delete, in order
  --dry-run:      lists up to --max (default 10) messages with their eda-error-* attributes, moves nothing
  --region:       default: the Region in the queue URL (https://sqs.<region>.amazonaws.com/…), else AWS_REGION
Exit code: 0 every message moved, 1 some not moved (failed, no known source, task failed or still running), 2 could not run.`;

/** Messages listed by a dry run unless --max says otherwise. */
const DEFAULT_DRY_RUN_MAX = 10;
/** Upper bound of a manual move without --max. */
const DEFAULT_MANUAL_MAX = 100_000;
/** Seconds between polls of the message move task. */
const DEFAULT_POLL_SECONDS = 5;
/** How long `eda redrive` waits for the move task to end. */
const DEFAULT_TIMEOUT_SECONDS = 900;
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
  // The queue URL names its Region: asking for it again (or using another from AWS_REGION) would only fail.
  const target = await resolveAwsTarget(context, options.region, regionOfQueueUrl(options.dlq));
  // AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL: the SDK's service-specific endpoint variables (local SQS, LocalStack).
  const endpoint = context.env.AWS_ENDPOINT_URL_SQS?.trim() || context.env.AWS_ENDPOINT_URL?.trim() || undefined;
  const client = new SQSClient({ region: target.region, credentials: target.credentials, endpoint });
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

  const sources = new MessageSources(client, options.dlq, fifo);
  const destinationOf = options.to
    ? async () => ({ url: options.to! })
    : (message: Parameters<MessageSources['destinationOf']>[0]) => sources.destinationOf(message);
  if (options.to) await sources.checkType(options.to);

  let task: MoveTaskOutcome | undefined;
  if (!fifo && options.max === undefined) {
    const destinationArn = options.to ? (await queueAttributes(client, options.to, ['QueueArn'])).QueueArn : undefined;
    // Without DestinationArn SQS returns each message to the queue it was dead-lettered from.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
    task = await runMoveTask(client, {
      sourceArn: dlq.QueueArn!,
      destinationArn,
      rate: options.rate,
      pollSeconds: options.pollSeconds ?? DEFAULT_POLL_SECONDS,
      timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    });
    // SQS knows the source only of messages its redrive policy moved: the writer's own dead letters make the task
    // fail; they (and whatever the task had not reached) are moved by hand to the queue their attributes name.
    if (!(task.status === 'FAILED' && task.failureReason === 'CouldNotDetermineMessageSource' && !options.to)) {
      return report(context, options, { task });
    }
  }

  const manual = await moveManually(client, options.dlq, {
    fifo, max: options.max ?? DEFAULT_MANUAL_MAX, waitSeconds, destinationOf,
  });
  return report(context, options, { task, manual });
}

/** Prints what was moved and what was not; the exit code says whether everything was moved. */
function report(context: CliContext, options: RedriveOptions, outcome: { task?: MoveTaskOutcome; manual?: ManualMoveResult }): number {
  const { task, manual } = outcome;
  const taskOk = !task || task.status === 'COMPLETED' || (manual !== undefined && task.failureReason === 'CouldNotDetermineMessageSource');
  const manualOk = !manual || (!manual.failure && manual.unroutable === 0);
  const ok = taskOk && manualOk;
  const moved = (task?.moved ?? 0) + (manual?.moved ?? 0);
  if (options.json) {
    context.out(JSON.stringify({ queue: options.dlq, destination: options.to ?? 'source queues', moved, ok, task, manual }, undefined, 2));
    return ok ? EXIT_OK : EXIT_PROBLEMS;
  }
  if (task) {
    const reason = task.failureReason ? ` (${task.failureReason})` : '';
    context.out(`message move task ${task.status}${reason}: moved ${task.moved}${task.toMove !== undefined ? ` of ${task.toMove}` : ''} message(s)`);
    if (task.status === 'RUNNING' || task.status === 'CANCELLING') {
      context.err(`the task has not ended within the wait; follow it with: aws sqs list-message-move-tasks --source-arn <dlq-arn> (task handle ${task.taskHandle ?? '?'})`);
    } else if (!taskOk) {
      context.err(`message move task ${task.status}${reason}: the messages not moved stay in ${options.dlq}`);
    }
  }
  if (manual) {
    context.out(`${task ? 'then moved' : 'moved'} ${manual.moved} message(s) by receive, send and delete from ${options.dlq} to ${options.to ?? 'their source queues'}`);
    if (manual.unroutable > 0) context.err(`${manual.unroutable} message(s) not moved and left in the dead-letter queue: ${manual.unroutableReason}`);
    if (manual.failure) context.err(`move stopped: ${manual.failure}`);
  }
  context.out(ok ? `done: ${moved} message(s) moved` : `not done: ${moved} message(s) moved, some remain in ${options.dlq}`);
  return ok ? EXIT_OK : EXIT_PROBLEMS;
}
