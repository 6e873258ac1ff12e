import { Duration, Lazy, Names, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isTimeoutKnown, reservedConcurrencyOf, timeoutSecondsOf } from '../function-facts';
import { BackoffSettings, DEFAULT_BACKOFF, outageTolerance, OutageToleranceReport } from './outage-tolerance';
import * as limits from './sqs-lambda-limits';
import { TransientBackoff, WriteBufferConsumer, WriteBufferConsumerOptions, WriteBufferProps } from './write-buffer-props';
import { ConcurrencyBudget } from '../budget/concurrency-budget';
import { acknowledge } from '../compliance/acknowledgements';
import { fail, isConcrete, validateExclusive, validateInteger, validateRange, warn } from '../validation';

/**
 * An SQS queue and its dead-letter queue that turn bursts of writes into a bounded, retryable stream:
 * producers `grantSend`, writer functions `addConsumer` with bounded concurrency, and the SQS → Lambda
 * limits that aws-cdk-lib leaves unchecked are enforced at synth.
 */
export class WriteBuffer extends Construct {
  /** The queue producers send writes to. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue receiving messages after `maxReceiveCount` receives. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Whether the queues are FIFO queues. */
  public readonly fifo: boolean;
  /** Receives before a message moves to the dead-letter queue. */
  public readonly maxReceiveCount: number;

  private readonly consumerList: WriteBufferConsumer[] = [];
  /** True when the visibility timeout is ours to derive from the consumers (a new queue, not set by the user). */
  private derivesVisibilityTimeout = false;
  /** The consumers' backoff; undefined while one of its values is a token. */
  private readonly backoff: BackoffSettings | undefined;
  private readonly minimumToleratedOutageSeconds: number | undefined;

  constructor(scope: Construct, id: string, props: WriteBufferProps = {}) {
    super(scope, id);
    // The budget checks every event source of the app against reserved concurrency at synth.
    ConcurrencyBudget.of(this);
    validateExclusive(this, 'existingQueue', props.existingQueue, 'queueProps', props.queueProps);
    validateExclusive(this, 'existingDeadLetterQueue', props.existingDeadLetterQueue, 'deadLetterQueueProps', props.deadLetterQueueProps);
    validateExclusive(this, 'visibilityTimeout', props.visibilityTimeout, 'queueProps.visibilityTimeout', props.queueProps?.visibilityTimeout);
    validateExclusive(this, 'deadLetterRetention', props.deadLetterRetention, 'deadLetterQueueProps.retentionPeriod', props.deadLetterQueueProps?.retentionPeriod);
    validateInteger(this, 'maxReceiveCount', props.maxReceiveCount);
    validateRange(this, 'maxReceiveCount', props.maxReceiveCount, limits.MIN_MAX_RECEIVE_COUNT, limits.MAX_MAX_RECEIVE_COUNT);
    if (props.deadLetterRetention && !props.deadLetterRetention.isUnresolved()) {
      validateRange(this, 'deadLetterRetention (seconds)', props.deadLetterRetention.toSeconds(), limits.MIN_RETENTION_SECONDS, limits.MAX_RETENTION_SECONDS);
    }
    this.fifo = this.resolveFifo(props);
    this.backoff = this.resolveBackoff(props.transientBackoff);
    const minimum = props.minimumToleratedOutage ?? Duration.minutes(15);
    this.minimumToleratedOutageSeconds = minimum.isUnresolved() ? undefined : minimum.toMilliseconds() / 1000;

    if (props.existingQueue) {
      const existing = this.adoptExistingQueue(props.existingQueue, props);
      this.queue = props.existingQueue;
      this.deadLetterQueue = existing.deadLetterQueue;
      this.maxReceiveCount = existing.maxReceiveCount;
      if (!(props.existingQueue instanceof sqs.Queue)) {
        warn(this, 'ExistingQueueVisibilityTimeoutUnverified',
          'the visibility timeout of existingQueue cannot be read: make sure it is at least the timeout of every consumer (Lambda refuses less), ideally 6 × it plus the batching window (AWS\'s recommendation)');
      }
    } else {
      this.validateQueueProps(props);
      this.maxReceiveCount = props.maxReceiveCount ?? limits.DEFAULT_MAX_RECEIVE_COUNT;
      this.deadLetterQueue = props.existingDeadLetterQueue ?? this.createDeadLetterQueue(props);
      this.checkDeadLetterQueueType(this.deadLetterQueue);
      this.queue = this.createQueue(props);
    }

    if (isConcrete(this.maxReceiveCount) && this.maxReceiveCount < limits.RECOMMENDED_MIN_MAX_RECEIVE_COUNT) {
      warn(this, 'MaxReceiveCountBelowFive',
        `maxReceiveCount is ${this.maxReceiveCount}, below the recommended 5: throttled or failed receives by the Lambda pollers count as receives, `
        + 'so messages can move to the dead-letter queue before a writer processed them '
        + '(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html)');
    }

    // Cross-resource rules run at synth so the order of calls does not matter: reserved concurrency or a
    // timeout set after addConsumer is still checked.
    this.node.addValidation({
      validate: () => {
        this.validateConsumers();
        this.warnOnOutageTolerance();
        return [];
      },
    });
  }

  /**
   * How long writers must keep idempotency keys: a message can arrive until the queue's retention has passed,
   * and once more from the dead-letter queue (which can be redriven) until its retention has passed, so their sum.
   * A retention that cannot be read (an imported queue, a token) counts as the SQS maximum of 14 days: keeping keys
   * longer is safe, purging them early is not. Consumers that are Lambda functions get it as
   * EDA_IDEMPOTENCY_RETENTION_SECONDS (docs/environment-contract.md); pass it to other consumers yourself.
   */
  public get idempotencyRetention(): Duration {
    return Duration.seconds(retentionSecondsOf(this.queue) + retentionSecondsOf(this.deadLetterQueue));
  }

  /** The functions consuming this buffer with their event source settings (read by the concurrency budget). */
  public get consumers(): WriteBufferConsumer[] {
    return [...this.consumerList];
  }

  /**
   * Adds `fn` as a consumer: an SQS event source mapping with ReportBatchItemFailures always on, and
   * permission to receive and delete messages (and decrypt with the KMS key when one is used).
   */
  public addConsumer(fn: lambda.IFunction, options: WriteBufferConsumerOptions = {}): lambda.EventSourceMapping {
    this.validateConsumerOptions(fn, options);
    if (this.consumerList.some(c => c.function === fn)) {
      fail(this, 'EdaDuplicateConsumer', `addConsumer: function ${fn.node.path} is already a consumer of ${this.node.path} (at most one event source mapping per function and queue)`);
    }
    if (!isTimeoutKnown(fn) && this.derivesVisibilityTimeout) {
      warn(this, 'ConsumerTimeoutUnknown',
        `the timeout of consumer ${fn.node.path} cannot be read (imported function or token), so the derived visibility timeout ignores it: `
        + 'set visibilityTimeout to at least 6 × its timeout plus its batching window (AWS\'s recommendation)');
    }
    const eventSourceMapping = fn.addEventSourceMapping(`WriteBuffer${Names.nodeUniqueId(this.node)}`, {
      eventSourceArn: this.queue.queueArn,
      batchSize: options.batchSize,
      maxBatchingWindow: options.maxBatchingWindow,
      maxConcurrency: options.maxConcurrency,
      // Without it one failed message fails (and retries) the whole batch.
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
      reportBatchItemFailures: true,
    });
    if (fn instanceof lambda.Function) {
      // Lazy: retention set on the queues after addConsumer (escape hatches) is still what the writer gets.
      fn.addEnvironment('EDA_IDEMPOTENCY_RETENTION_SECONDS', Lazy.string({ produce: () => String(this.idempotencyRetention.toSeconds()) }));
    }
    this.passBackoffTo(fn);
    if (fn.role) {
      this.grantConsume(fn);
    } else {
      // An imported function without its role cannot be granted anything (as SqsEventSource does).
      warn(this, 'ConsumerWithoutRole',
        `consumer ${fn.node.path} was imported without an IAM role, so it was not granted access to consume messages: grant it with grantConsume on its role`);
    }
    this.consumerList.push({
      function: fn,
      maxConcurrency: options.maxConcurrency,
      batchSize: options.batchSize ?? limits.DEFAULT_BATCH_SIZE,
      maxBatchingWindow: options.maxBatchingWindow,
      eventSourceMapping,
    });
    return eventSourceMapping;
  }

  /**
   * The outage this buffer tolerates and the worst-case delay after recovery, as the budget report states them
   * (the budget finds write buffers by this method: outage-tolerance.ts, OutageToleranceSource).
   * @internal
   */
  public _outageToleranceReport(): OutageToleranceReport | undefined {
    if (!this.backoff || !isConcrete(this.maxReceiveCount) || this.minimumToleratedOutageSeconds === undefined) return undefined;
    const timeouts = this.consumerList
      .map(c => timeoutSecondsOf(c.function, limits.DEFAULT_FUNCTION_TIMEOUT_SECONDS))
      .filter((t): t is number => t !== undefined);
    return outageTolerance(this.node.path, {
      maxReceiveCount: this.maxReceiveCount,
      visibilityTimeoutSeconds: this.knownVisibilityTimeoutSeconds(),
      backoff: this.backoff,
      functionTimeoutSeconds: timeouts.length > 0 ? Math.max(...timeouts) : undefined,
    }, this.minimumToleratedOutageSeconds);
  }

  /** Lets `grantee` send messages to the queue (with kms:Encrypt/GenerateDataKey* when a KMS key is used). */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** Lets `grantee` receive, delete and change visibility of messages (with kms:Decrypt when a KMS key is used). */
  public grantConsume(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantConsumeMessages(grantee);
  }

  /** Lets `grantee` send permanent failures straight to the dead-letter queue (with their context attributes). */
  public grantSendToDeadLetterQueue(grantee: iam.IGrantable): iam.Grant {
    return this.deadLetterQueue.grantSendMessages(grantee);
  }

  /** Messages waiting in the queue (AWS/SQS ApproximateNumberOfMessagesVisible, Maximum over 1 minute). */
  public metricQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** Age of the oldest message in the queue in seconds (AWS/SQS ApproximateAgeOfOldestMessage, Maximum over 1 minute). */
  public metricOldestMessageAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** Messages in the dead-letter queue (AWS/SQS ApproximateNumberOfMessagesVisible, Maximum over 1 minute). */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  private resolveBackoff(backoff: TransientBackoff = {}): BackoffSettings | undefined {
    const seconds = (prop: string, duration: Duration | undefined, fallback: number) => {
      if (duration === undefined) return fallback;
      if (duration.isUnresolved()) return undefined;
      const value = duration.toMilliseconds() / 1000;
      validateInteger(this, `${prop} (seconds)`, value);
      return value;
    };
    const baseSeconds = seconds('transientBackoff.base', backoff.base, DEFAULT_BACKOFF.baseSeconds);
    const maxSeconds = seconds('transientBackoff.max', backoff.max, DEFAULT_BACKOFF.maxSeconds);
    const jitter = backoff.jitter ?? DEFAULT_BACKOFF.jitter;
    // "Values range: 0 to 43200. Maximum: 12 hours." (@aws-sdk/client-sqs ChangeMessageVisibilityRequest.VisibilityTimeout)
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
    validateRange(this, 'transientBackoff.base (seconds)', baseSeconds, 0, limits.MAX_VISIBILITY_TIMEOUT_SECONDS);
    validateRange(this, 'transientBackoff.max (seconds)', maxSeconds, baseSeconds ?? 0, limits.MAX_VISIBILITY_TIMEOUT_SECONDS);
    validateRange(this, 'transientBackoff.jitter', jitter, 0, 1);
    if (baseSeconds === undefined || maxSeconds === undefined || !isConcrete(jitter)) return undefined;
    return { baseSeconds, maxSeconds, jitter };
  }

  /**
   * The writer runtime reads its backoff from the environment: the same numbers the report computes with.
   * Functions of other kinds (imported) keep the runtime's defaults.
   */
  private passBackoffTo(fn: lambda.IFunction): void {
    if (!(fn instanceof lambda.Function)) return;
    const backoff = this.backoff;
    if (backoff) {
      fn.addEnvironment('EDA_BACKOFF_BASE_SECONDS', String(backoff.baseSeconds));
      fn.addEnvironment('EDA_BACKOFF_MAX_SECONDS', String(backoff.maxSeconds));
      fn.addEnvironment('EDA_BACKOFF_JITTER', String(backoff.jitter));
    }
    if (this.queue instanceof sqs.Queue) {
      // Lazy: a derived visibility timeout depends on consumers added later.
      fn.addEnvironment('EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS', Lazy.string({ produce: () => String(this.visibilityTimeoutValue()) }));
    }
  }

  private warnOnOutageTolerance(): void {
    const report = this._outageToleranceReport();
    if (report?.status !== 'below-minimum') return;
    warn(this, 'ToleratedOutageBelowMinimum',
      `a database outage longer than ${report.toleratedOutageSeconds} s moves healthy messages to the dead-letter queue, below minimumToleratedOutage ` +
      `(${report.minimumToleratedOutageSeconds} s): maxReceiveCount ${report.maxReceiveCount}, visibility timeout ` +
      `${report.visibilityTimeoutSeconds ?? 'unknown'} s, backoff ${report.backoff.baseSeconds} s doubling to ${report.backoff.maxSeconds} s. ` +
      'Raise maxReceiveCount, transientBackoff.base or the visibility timeout, or lower minimumToleratedOutage');
  }

  private resolveFifo(props: WriteBufferProps): boolean {
    // aws-cdk-lib makes a queue whose name ends in `.fifo` a FIFO queue; the dead-letter queue must follow.
    const queueName = props.queueProps?.queueName;
    const nameSaysFifo = queueName !== undefined && !Token.isUnresolved(queueName) && queueName.endsWith('.fifo') ? true : undefined;
    const declared = props.fifo ?? props.queueProps?.fifo ?? nameSaysFifo;
    if (props.fifo !== undefined && props.queueProps?.fifo !== undefined && props.fifo !== props.queueProps.fifo) {
      fail(this, 'EdaFifoMismatch', `fifo is ${props.fifo} but queueProps.fifo is ${props.queueProps.fifo}: set one of them`);
    }
    if (props.existingQueue) {
      if (declared !== undefined && declared !== props.existingQueue.fifo) {
        fail(this, 'EdaFifoMismatch', `fifo is ${declared} but existingQueue is ${describeType(props.existingQueue.fifo)}`);
      }
      return props.existingQueue.fifo;
    }
    return declared ?? false;
  }

  private validateQueueProps(props: WriteBufferProps): void {
    const q = props.queueProps ?? {};
    if (q.deadLetterQueue !== undefined) {
      fail(this, 'EdaOwnedQueueProp', 'queueProps.deadLetterQueue cannot be set: the WriteBuffer owns the redrive policy (use existingDeadLetterQueue or deadLetterQueueProps, and maxReceiveCount)');
    }
    if (q.contentBasedDeduplication === true) {
      fail(this, 'EdaOwnedQueueProp', 'queueProps.contentBasedDeduplication cannot be true: producers set the deduplication id to the idempotency key');
    }
    if (q.enforceSSL === false) {
      fail(this, 'EdaOwnedQueueProp', 'queueProps.enforceSSL cannot be false: the write buffer only accepts TLS requests');
    }
    const dlqFifo = props.deadLetterQueueProps?.fifo;
    if (dlqFifo !== undefined && dlqFifo !== this.fifo) {
      fail(this, 'EdaFifoMismatch', `deadLetterQueueProps.fifo is ${dlqFifo} but the queue is ${describeType(this.fifo)}: the dead-letter queue must be of the same type`);
    }
    for (const [name, p] of [['queueProps', q], ['deadLetterQueueProps', props.deadLetterQueueProps ?? {}]] as const) {
      if (p.encryption === sqs.QueueEncryption.UNENCRYPTED) {
        fail(this, 'EdaUnencryptedQueue', `${name}.encryption cannot be UNENCRYPTED: write buffers hold user data and are always encrypted`);
      }
      if (props.encryptionMasterKey && (p.encryption !== undefined || p.encryptionMasterKey !== undefined)) {
        fail(this, 'EdaExclusiveProps', `encryptionMasterKey and ${name}.encryption/encryptionMasterKey cannot both be set`);
      }
    }
  }

  private adoptExistingQueue(existingQueue: sqs.IQueue, props: WriteBufferProps): { deadLetterQueue: sqs.IQueue; maxReceiveCount: number } {
    // The attributes of an existing queue are not ours to change: CloudFormation owns it elsewhere.
    const notApplied: Array<[string, unknown]> = [
      ['deadLetterQueueProps', props.deadLetterQueueProps], ['encryptionMasterKey', props.encryptionMasterKey],
      ['visibilityTimeout', props.visibilityTimeout], ['deadLetterRetention', props.deadLetterRetention],
    ];
    for (const [name, value] of notApplied) {
      if (value !== undefined) {
        fail(this, 'EdaExistingQueue', `${name} cannot be set with existingQueue: the settings of an existing queue (redrive policy, encryption, visibility timeout) are left unchanged`);
      }
    }
    const redrive = existingQueue instanceof sqs.Queue ? existingQueue.deadLetterQueue : undefined;
    if (redrive) {
      if (props.existingDeadLetterQueue && props.existingDeadLetterQueue !== redrive.queue) {
        fail(this, 'EdaExistingQueue', `existingDeadLetterQueue must be the dead-letter queue of existingQueue (${redrive.queue.node.path}), got ${props.existingDeadLetterQueue.node.path}`);
      }
      if (props.maxReceiveCount !== undefined && props.maxReceiveCount !== redrive.maxReceiveCount) {
        fail(this, 'EdaExistingQueue', `maxReceiveCount is ${props.maxReceiveCount} but the redrive policy of existingQueue says ${redrive.maxReceiveCount}: the redrive policy of an existing queue is left unchanged`);
      }
      this.checkDeadLetterQueueType(redrive.queue);
      return { deadLetterQueue: redrive.queue, maxReceiveCount: redrive.maxReceiveCount };
    }
    if (!props.existingDeadLetterQueue) {
      fail(this, 'EdaExistingQueue', 'existingDeadLetterQueue is required with existingQueue when the queue\'s redrive policy cannot be read: pass the queue its redrive policy targets');
    }
    this.checkDeadLetterQueueType(props.existingDeadLetterQueue);
    warn(this, 'ExistingQueueRedriveUnverified',
      `the redrive policy of existingQueue cannot be read: make sure it targets ${props.existingDeadLetterQueue.node.path} with maxReceiveCount ≥ 5`);
    return { deadLetterQueue: props.existingDeadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? limits.DEFAULT_MAX_RECEIVE_COUNT };
  }

  /**
   * The dead-letter queue of a FIFO queue must be FIFO, and of a standard queue standard.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
   */
  private checkDeadLetterQueueType(deadLetterQueue: sqs.IQueue): void {
    if (deadLetterQueue.fifo !== this.fifo) {
      fail(this, 'EdaFifoMismatch', `the dead-letter queue must be ${describeType(this.fifo)} like the queue, got ${describeType(deadLetterQueue.fifo)}`);
    }
  }

  private encryptionOf(props: WriteBufferProps, queueProps?: sqs.QueueProps): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
    if (props.encryptionMasterKey) return { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionMasterKey };
    if (queueProps?.encryption !== undefined || queueProps?.encryptionMasterKey !== undefined) {
      return { encryption: queueProps.encryption, encryptionMasterKey: queueProps.encryptionMasterKey };
    }
    return { encryption: sqs.QueueEncryption.SQS_MANAGED };
  }

  private createDeadLetterQueue(props: WriteBufferProps): sqs.IQueue {
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
      ...props.deadLetterQueueProps,
      ...this.encryptionOf(props, props.deadLetterQueueProps),
      fifo: this.fifo,
      enforceSSL: true,
    });
    acknowledge(deadLetterQueue, 'deadLetterQueueIsTerminal');
    return deadLetterQueue;
  }

  private createQueue(props: WriteBufferProps): sqs.Queue {
    const visibilityTimeout = props.visibilityTimeout ?? props.queueProps?.visibilityTimeout;
    const queue = new sqs.Queue(this, 'Queue', {
      ...props.queueProps,
      ...this.encryptionOf(props, props.queueProps),
      fifo: this.fifo,
      // Deduplication by idempotency key: producers set MessageDeduplicationId themselves.
      contentBasedDeduplication: this.fifo ? false : undefined,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
    if (visibilityTimeout === undefined) {
      (queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout = Lazy.number({ produce: () => this.derivedVisibilityTimeoutSeconds() });
    }
    this.derivesVisibilityTimeout = visibilityTimeout === undefined;
    return queue;
  }

  /** AWS's recommendation for the longest consumer: 6 × its timeout + its batching window, at least the SQS default of 30 s. */
  private derivedVisibilityTimeoutSeconds(): number {
    const recommended = this.consumerList
      .map(c => recommendedVisibilitySeconds(c))
      .filter((t): t is number => t !== undefined);
    return Math.max(limits.DEFAULT_VISIBILITY_TIMEOUT_SECONDS, ...recommended);
  }

  /** The queue's visibility timeout as a CloudFormation value (possibly a token). */
  private visibilityTimeoutValue(): number {
    if (this.derivesVisibilityTimeout) return this.derivedVisibilityTimeoutSeconds();
    return (this.queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout ?? limits.DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  }

  /** The queue's visibility timeout when it can be known at synth (undefined for imported queues and tokens). */
  private knownVisibilityTimeoutSeconds(): number | undefined {
    if (!(this.queue instanceof sqs.Queue)) return undefined;
    const value = this.visibilityTimeoutValue();
    return isConcrete(value) ? value : undefined;
  }

  /** The visibility timeout the queue will have, when it is set by the user and readable. */
  private configuredVisibilityTimeoutSeconds(): number | undefined {
    return this.derivesVisibilityTimeout ? undefined : this.knownVisibilityTimeoutSeconds();
  }

  private validateConsumerOptions(fn: lambda.IFunction, options: WriteBufferConsumerOptions): void {
    const { batchSize, maxBatchingWindow, maxConcurrency } = options;
    validateInteger(this, 'maxConcurrency', maxConcurrency);
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
    validateRange(this, 'maxConcurrency', maxConcurrency, limits.MIN_MAX_CONCURRENCY, limits.MAX_MAX_CONCURRENCY);
    validateInteger(this, 'batchSize', batchSize);
    const windowSeconds = maxBatchingWindow && !maxBatchingWindow.isUnresolved() ? maxBatchingWindow.toSeconds({ integral: false }) : undefined;
    validateInteger(this, 'maxBatchingWindow (seconds)', windowSeconds);
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
    if (this.fifo) {
      validateRange(this, 'batchSize', batchSize, limits.MIN_BATCH_SIZE, limits.MAX_BATCH_SIZE_FIFO, 'FIFO queue');
      if (maxBatchingWindow !== undefined) {
        fail(this, 'EdaFifoBatchingWindow', `maxBatchingWindow is not supported on a FIFO queue, got ${maxBatchingWindow.toHumanString()} for consumer ${fn.node.path}`);
      }
      return;
    }
    validateRange(this, 'batchSize', batchSize, limits.MIN_BATCH_SIZE, limits.MAX_BATCH_SIZE_STANDARD);
    validateRange(this, 'maxBatchingWindow (seconds)', windowSeconds, 0, limits.MAX_BATCHING_WINDOW_SECONDS);
    const hasWindow = maxBatchingWindow !== undefined && (windowSeconds === undefined || windowSeconds > 0);
    if (isConcrete(batchSize) && batchSize > limits.MAX_BATCH_SIZE_WITHOUT_WINDOW && !hasWindow) {
      fail(this, 'EdaBatchSizeNeedsWindow', `batchSize above 10 requires a maxBatchingWindow greater than 0, got batchSize ${batchSize} for consumer ${fn.node.path}`);
    }
  }

  private validateConsumers(): void {
    const visibility = this.configuredVisibilityTimeoutSeconds();
    for (const consumer of this.consumerList) {
      const path = consumer.function.node.path;
      const reserved = reservedConcurrencyOf(consumer.function);
      if (reserved !== undefined) {
        // Pollers beyond the reserved concurrency are throttled, and each throttled receive counts toward
        // maxReceiveCount: messages reach the dead-letter queue unprocessed.
        // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
        if (consumer.maxConcurrency === undefined) {
          fail(this, 'EdaMissingMaxConcurrency', `maxConcurrency is required for consumer ${path} because it has reserved concurrency ${reserved}: without it throttled polls count as receives and move messages to the dead-letter queue unprocessed`);
        }
        if (isConcrete(consumer.maxConcurrency) && consumer.maxConcurrency > reserved) {
          fail(this, 'EdaMaxConcurrencyAboveReserved', `maxConcurrency must be at most the reserved concurrency of ${path} (${reserved}), got ${consumer.maxConcurrency}`);
        }
      }
      const timeout = timeoutSecondsOf(consumer.function, limits.DEFAULT_FUNCTION_TIMEOUT_SECONDS);
      if (visibility === undefined || timeout === undefined) continue;
      // The hard rule (CreateEventSourceMapping refuses it): function timeout ≤ queue visibility timeout.
      if (visibility < timeout) {
        fail(this, 'EdaVisibilityTimeoutBelowFunctionTimeout',
          `visibilityTimeout must be at least the timeout of consumer ${path} (${timeout} s), got ${visibility} s: ` +
          'Lambda refuses an SQS event source whose queue visibility timeout is below the function timeout');
      }
      // AWS's recommendation: 6 × function timeout + batching window (warning, see VISIBILITY_TIMEOUT_FACTOR).
      const recommended = recommendedVisibilitySeconds(consumer)!;
      if (visibility < recommended) {
        warn(this, 'VisibilityTimeoutBelowRecommendation',
          `visibilityTimeout ${visibility} s is below AWS's recommendation for consumer ${path}: 6 × its timeout + its batching window ` +
          `(6 × ${timeout} s + ${batchingWindowSecondsOf(consumer)} s = ${recommended} s), so a batch retried after a throttle or an error can become ` +
          'visible again while it is still processed (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). Acknowledge this warning if the shorter timeout is deliberate.');
      }
    }
  }
}

/** The retention of a queue of this app in seconds; the SQS maximum when it cannot be read. */
function retentionSecondsOf(queue: sqs.IQueue): number {
  if (!(queue instanceof sqs.Queue)) return limits.MAX_RETENTION_SECONDS;
  const seconds = (queue.node.defaultChild as sqs.CfnQueue).messageRetentionPeriod;
  if (seconds === undefined) return limits.DEFAULT_RETENTION_SECONDS;
  return isConcrete(seconds) ? seconds : limits.MAX_RETENTION_SECONDS;
}

/** The consumer's batching window in seconds (0 without one, or when it is a token). */
function batchingWindowSecondsOf(consumer: WriteBufferConsumer): number {
  const window = consumer.maxBatchingWindow;
  return window && !window.isUnresolved() ? window.toSeconds({ integral: false }) : 0;
}

/** AWS's recommended visibility timeout for one consumer: 6 × function timeout + batching window. */
function recommendedVisibilitySeconds(consumer: WriteBufferConsumer): number | undefined {
  const timeout = timeoutSecondsOf(consumer.function, limits.DEFAULT_FUNCTION_TIMEOUT_SECONDS);
  return timeout === undefined ? undefined : limits.VISIBILITY_TIMEOUT_FACTOR * timeout + batchingWindowSecondsOf(consumer);
}

function describeType(fifo: boolean): string {
  return fifo ? 'a FIFO queue' : 'a standard queue';
}
