import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock } from '../../src/clock';
import type { RuntimeLogger, RuntimeMetrics } from '../../src/observability/telemetry';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** One recorded log line with the keys appended at the time. */
export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly extra: Record<string, unknown>;
  readonly keys: Record<string, unknown>;
}

/** Records log lines, with the persistent keys that were set when each line was logged. */
export class RecordingLogger implements RuntimeLogger {
  public readonly entries: LogEntry[] = [];
  private keys: Record<string, unknown> = {};
  private record(level: string, message: unknown, extra: unknown[]): void {
    this.entries.push({ level, message: String(message), extra: Object.assign({}, ...extra.filter((e) => typeof e === 'object')), keys: { ...this.keys } });
  }
  debug = (message: unknown, ...extra: unknown[]) => this.record('debug', message, extra);
  info = (message: unknown, ...extra: unknown[]) => this.record('info', message, extra);
  warn = (message: unknown, ...extra: unknown[]) => this.record('warn', message, extra);
  error = (message: unknown, ...extra: unknown[]) => this.record('error', message, extra);
  appendKeys = (attributes: Record<string, unknown>) => {
    this.keys = { ...this.keys, ...attributes };
  };
  removeKeys = (names: string[]) => {
    for (const name of names) delete this.keys[name];
  };
  get currentKeys(): Record<string, unknown> {
    return this.keys;
  }
  lines(level: string): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}

/** Records metrics and their publication. */
export class RecordingMetrics implements RuntimeMetrics {
  public readonly published: Array<{ metrics: Record<string, number>; metadata: Record<string, string> }> = [];
  private metrics: Record<string, number> = {};
  private metadata: Record<string, string> = {};
  addMetric(name: string, _unit: unknown, value: number): void {
    this.metrics[name] = (this.metrics[name] ?? 0) + value;
  }
  addMetadata(key: string, value: string): void {
    this.metadata[key] = value;
  }
  publishStoredMetrics(): void {
    this.published.push({ metrics: this.metrics, metadata: this.metadata });
    this.metrics = {};
    this.metadata = {};
  }
  total(name: string): number {
    return this.published.reduce((sum, p) => sum + (p.metrics[name] ?? 0), 0);
  }
}

/** Options of one fake SQS record. */
export interface RecordSpec {
  readonly body: string | object;
  readonly key?: string;
  readonly correlationId?: string;
  readonly messageId?: string;
  readonly receiveCount?: number;
  readonly queueArn?: string;
  readonly messageGroupId?: string;
}

let sequence = 0;

/** Builds an SQS record like the Lambda event source mapping delivers it. */
export function sqsRecord(spec: RecordSpec): SQSRecord {
  sequence++;
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  if (spec.key !== undefined) messageAttributes['eda-idempotency-key'] = { dataType: 'String', stringValue: spec.key };
  if (spec.correlationId !== undefined) messageAttributes['eda-correlation-id'] = { dataType: 'String', stringValue: spec.correlationId };
  return {
    messageId: spec.messageId ?? `msg-${sequence}`,
    receiptHandle: `receipt-${sequence}`,
    body: typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body),
    attributes: {
      ApproximateReceiveCount: String(spec.receiveCount ?? 1),
      SentTimestamp: '1700000000000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1700000000000',
      ...(spec.messageGroupId ? { MessageGroupId: spec.messageGroupId } : {}),
    },
    messageAttributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: spec.queueArn ?? 'arn:aws:sqs:eu-west-1:123456789012:orders-writes',
    awsRegion: 'eu-west-1',
  };
}

/** Wraps records into an SQS event. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
