import { ListMessageMoveTasksCommand, ListMessageMoveTasksResultEntry, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { awsFailure } from '../cli-context';

/** How a message move task ended, as far as `eda redrive` waited for it. */
export interface MoveTaskOutcome {
  readonly taskHandle?: string;
  /** COMPLETED, FAILED, CANCELLED, or RUNNING/CANCELLING when the wait ran out. */
  readonly status: string;
  readonly moved: number;
  readonly toMove?: number;
  readonly failureReason?: string;
}

/** Options of {@link runMoveTask}. */
export interface MoveTaskOptions {
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly rate?: number;
  /** Seconds between ListMessageMoveTasks polls. */
  readonly pollSeconds: number;
  /** Seconds to wait for the task to end. */
  readonly timeoutSeconds: number;
  /** Called after every poll with the task's progress. */
  readonly onProgress?: (task: ListMessageMoveTasksResultEntry) => void;
}

/** The status values of a task that will not change any more (ListMessageMoveTasksResultEntry.Status). */
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts an SQS message move task and waits (bounded by `timeoutSeconds`) until it has ended, polling
 * ListMessageMoveTasks, which "gets the most recent message movement tasks (up to 10) under a specific source
 * queue" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html).
 * The task is recognised by its handle while RUNNING ("only populated for tasks that are in RUNNING status",
 * SDK models_0.d.ts), afterwards as the most recent task started no earlier than ours.
 */
export async function runMoveTask(client: SQSClient, options: MoveTaskOptions): Promise<MoveTaskOutcome> {
  const requestedAt = Date.now();
  let taskHandle: string | undefined;
  try {
    taskHandle = (await client.send(new StartMessageMoveTaskCommand({
      SourceArn: options.sourceArn, DestinationArn: options.destinationArn, MaxNumberOfMessagesPerSecond: options.rate,
    }))).TaskHandle;
  } catch (error) {
    throw awsFailure('StartMessageMoveTask', error);
  }
  let last: ListMessageMoveTasksResultEntry | undefined;
  const polls = Math.max(1, Math.ceil(options.timeoutSeconds / Math.max(options.pollSeconds, 0.001)));
  for (let poll = 0; poll < polls; poll++) {
    if (poll > 0 || options.pollSeconds > 0) await sleep(options.pollSeconds * 1000);
    let results: ListMessageMoveTasksResultEntry[];
    try {
      results = (await client.send(new ListMessageMoveTasksCommand({ SourceArn: options.sourceArn, MaxResults: 10 }))).Results ?? [];
    } catch (error) {
      throw awsFailure('ListMessageMoveTasks', error);
    }
    // Clocks differ between here and SQS: allow a minute of skew when matching by start time.
    last = results.find((r) => taskHandle !== undefined && r.TaskHandle === taskHandle)
      ?? results.find((r) => (r.StartedTimestamp ?? 0) >= requestedAt - 60_000) ?? last;
    if (last) options.onProgress?.(last);
    if (last?.Status && FINAL.has(last.Status)) break;
  }
  return {
    taskHandle,
    status: last?.Status ?? 'UNKNOWN',
    moved: last?.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: last?.ApproximateNumberOfMessagesToMove,
    failureReason: last?.FailureReason,
  };
}
