import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** What the event source invokes: a {@link LocalFunction}, or any function taking an SQSEvent. */
export interface InvokeTarget {
  invoke(event: SQSEvent): Promise<unknown>;
}

/** Options of {@link LocalSqsEventSource}. */
export interface LocalSqsEventSourceOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly target: InvokeTarget;
  /** Records per invocation; above 10 several receives are combined within the batching window. @default 10 */
  readonly batchSize?: number;
  /** How long to gather records for a batch above 10. @default 0 */
  readonly maximumBatchingWindowMs?: number;
  /** Concurrent invocations (the event source mapping's maxConcurrency). @default 2 */
  readonly maxConcurrency?: number;
  /** Long-poll duration; must stay below the queue's visibility timeout. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Honour `batchItemFailures` in the handler's response (ReportBatchItemFailures). @default true */
  readonly reportBatchItemFailures?: boolean;
  /** Region and account written into each record's eventSourceARN. @default 'us-east-1', '123456789012' */
  readonly region?: string;
  readonly accountId?: string;
}

/** Counters of a {@link LocalSqsEventSource}. */
export interface LocalSqsEventSourceStats {
  readonly invocations: number;
  /** Invocations that threw or timed out: their whole batch stays on the queue. */
  readonly failedInvocations: number;
  readonly received: number;
  readonly deleted: number;
  /** Records the handler reported in batchItemFailures. */
  readonly itemFailures: number;
  /** Highest number of invocations in flight at once. */
  readonly peakConcurrency: number;
}

/** SQS API limit for ReceiveMessage and DeleteMessageBatch (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html). */
const SQS_MAX_MESSAGES_PER_CALL = 10;

function toRecord(message: Message, eventSourceARN: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: region,
  };
}

/** The records to delete after an invocation, following the partial batch response rules of Lambda. */
export function recordsToDelete(records: readonly SQSRecord[], response: unknown, reportBatchItemFailures: boolean): SQSRecord[] {
  if (!reportBatchItemFailures) return [...records];
  const failures = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return [...records];
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    // An empty, missing or unknown itemIdentifier makes Lambda treat the whole batch as failed
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting).
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((record) => !failed.has(record.messageId));
}

/**
 * A local stand-in for Lambda's SQS event source mapping: `maxConcurrency` pollers receive batches, invoke the
 * target with an SQSEvent, delete the records that succeeded (partial batch response) and leave the others to
 * reappear after the visibility timeout, so the queue's redrive policy applies as in AWS.
 */
export class LocalSqsEventSource {
  private running = false;
  private loops: Promise<void>[] = [];
  private inFlight = 0;
  private counters = { invocations: 0, failedInvocations: 0, received: 0, deleted: 0, itemFailures: 0, peakConcurrency: 0 };
  private readonly errors: unknown[] = [];

  constructor(private readonly options: LocalSqsEventSourceOptions) {}

  public get stats(): LocalSqsEventSourceStats {
    return { ...this.counters };
  }

  /** Errors of the polling machinery itself (not of the handler), e.g. a failed DeleteMessageBatch. */
  public get pollerErrors(): readonly unknown[] {
    return this.errors;
  }

  /** Checks the long-poll duration against the queue, then starts the pollers. */
  public async start(): Promise<void> {
    if (this.running) return;
    const waitTimeSeconds = this.options.waitTimeSeconds ?? 1;
    const { Attributes } = await this.options.client.send(new GetQueueAttributesCommand({
      QueueUrl: this.options.queueUrl, AttributeNames: ['VisibilityTimeout'],
    }));
    const visibility = Number(Attributes?.VisibilityTimeout ?? '30');
    if (waitTimeSeconds >= visibility) {
      // A long poll outlasting the visibility timeout can hand out messages whose visibility has already expired.
      throw new RangeError(`waitTimeSeconds must be below the queue's visibility timeout (${visibility} s), got ${waitTimeSeconds}`);
    }
    this.running = true;
    const concurrency = this.options.maxConcurrency ?? 2;
    this.loops = Array.from({ length: concurrency }, () => this.poll());
  }

  /** Stops polling and waits for in-flight invocations (bounded by the function timeout and one long poll). */
  public async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Waits until the queue holds no visible or in-flight message and no invocation runs, checked `settleChecks`
   * times in a row; throws after `timeoutMs`.
   */
  public async waitUntilDrained(timeoutMs: number, settleChecks = 3): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < settleChecks) {
      if (Date.now() > deadline) {
        throw new Error(`queue not drained within ${timeoutMs} ms: ${JSON.stringify(await this.depth())}, stats ${JSON.stringify(this.stats)}`);
      }
      const depth = await this.depth();
      quiet = depth.visible + depth.inFlight === 0 && this.inFlight === 0 ? quiet + 1 : 0;
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }

  /** Visible and in-flight (received, not yet deleted) messages of the queue. */
  public async depth(): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await this.options.client.send(new GetQueueAttributesCommand({
      QueueUrl: this.options.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }));
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? '0'),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? '0'),
    };
  }

  private get eventSourceARN(): string {
    const name = this.options.queueUrl.split('/').pop();
    return `arn:aws:sqs:${this.options.region ?? 'us-east-1'}:${this.options.accountId ?? '123456789012'}:${name}`;
  }

  private async receiveBatch(): Promise<Message[]> {
    const batchSize = this.options.batchSize ?? 10;
    const windowMs = this.options.maximumBatchingWindowMs ?? 0;
    const started = Date.now();
    const messages: Message[] = [];
    const receive = (max: number, waitTimeSeconds: number) => this.options.client.send(new ReceiveMessageCommand({
      QueueUrl: this.options.queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    })).then((result) => result.Messages ?? []);
    while (this.running && messages.length < batchSize) {
      // Once a batch has started filling, only top it up (no long poll), in parallel calls of 10.
      const missing = batchSize - messages.length;
      const calls = messages.length === 0 ? 1 : Math.ceil(missing / SQS_MAX_MESSAGES_PER_CALL);
      const results = await Promise.all(Array.from({ length: calls }, (_, i) => receive(
        Math.min(SQS_MAX_MESSAGES_PER_CALL, missing - i * SQS_MAX_MESSAGES_PER_CALL),
        messages.length === 0 ? this.options.waitTimeSeconds ?? 1 : 0,
      )));
      const received = results.flat();
      messages.push(...received);
      if (messages.length === 0 || received.length === 0 || Date.now() - started >= windowMs) break;
    }
    return messages;
  }

  private async poll(): Promise<void> {
    const region = this.options.region ?? 'us-east-1';
    const reportBatchItemFailures = this.options.reportBatchItemFailures ?? true;
    const receiveSafely = () => this.receiveBatch().catch((error: unknown) => {
      this.keepError(error);
      return new Promise<Message[]>((resolveWait) => setTimeout(() => resolveWait([]), 100));
    });
    // Like Lambda's pollers, the next batch is received while the current one is being processed.
    let next = receiveSafely();
    while (this.running) {
      const messages = await next;
      next = this.running ? receiveSafely() : Promise.resolve([]);
      if (messages.length === 0) continue;
      try {
        this.counters.received += messages.length;
        const records = messages.map((message) => toRecord(message, this.eventSourceARN, region));
        this.inFlight++;
        this.counters.peakConcurrency = Math.max(this.counters.peakConcurrency, this.inFlight);
        this.counters.invocations++;
        let response: unknown;
        let invoked = false;
        try {
          response = await this.options.target.invoke({ Records: records });
          invoked = true;
        } catch {
          this.counters.failedInvocations++;
        } finally {
          this.inFlight--;
        }
        if (!invoked) continue;
        const toDelete = recordsToDelete(records, response, reportBatchItemFailures);
        this.counters.itemFailures += records.length - toDelete.length;
        await this.delete(toDelete);
      } catch (error) {
        // Keep polling, as Lambda does; the error is kept for the caller to inspect.
        this.keepError(error);
      }
    }
    // A batch prefetched when polling stopped goes back to the queue at once.
    await this.release(await next);
  }

  private keepError(error: unknown): void {
    if (this.errors.length < 100) this.errors.push(error);
  }

  private async release(messages: readonly Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += SQS_MAX_MESSAGES_PER_CALL) {
      const chunk = messages.slice(start, start + SQS_MAX_MESSAGES_PER_CALL);
      await this.options.client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: chunk.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
      })).catch((error: unknown) => this.keepError(error));
    }
  }

  private async delete(records: readonly SQSRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += SQS_MAX_MESSAGES_PER_CALL) {
      const chunk = records.slice(start, start + SQS_MAX_MESSAGES_PER_CALL);
      const result = await this.options.client.send(new DeleteMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: chunk.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
      }));
      this.counters.deleted += result.Successful?.length ?? 0;
      if (result.Failed?.length) {
        this.keepError(new Error(`DeleteMessageBatch failed for ${result.Failed.length} entries: ${JSON.stringify(result.Failed)}`));
      }
    }
  }
}
