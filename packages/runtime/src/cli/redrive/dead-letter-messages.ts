import {
  ChangeMessageVisibilityBatchCommand, Message, MessageAttributeValue, ReceiveMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { awsFailure } from '../cli-context';

/** Message attributes the writer adds when it dead-letters a message (the context a human needs). */
export const ERROR_ATTRIBUTES = ['eda-error-class', 'eda-error-code', 'eda-error-message', 'eda-attempts'] as const;
/** Attributes that identify the write across retries and replays; they travel with the message. */
export const CONTEXT_ATTRIBUTES = ['eda-correlation-id', 'eda-original-message-id'] as const;

/** What the dry run lists for one message. */
export interface DeadLetterSummary {
  readonly messageId: string;
  readonly sentAt?: string;
  readonly receiveCount?: string;
  readonly messageGroupId?: string;
  readonly attributes: Record<string, string | undefined>;
  readonly bodyPreview: string;
}

/** Receives up to `max` messages (10 per call, stops at the first empty receive); they stay invisible for `visibilitySeconds`. */
export async function receiveMessages(
  client: SQSClient, queueUrl: string, max: number, visibilitySeconds: number, waitSeconds: number,
): Promise<Message[]> {
  const received: Message[] = [];
  const seen = new Set<string>();
  // Bounded: each call returns at least one message or ends the loop.
  for (let call = 0; received.length < max && call < max; call++) {
    let messages: Message[];
    try {
      const output = await client.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - received.length),
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        // The older name of the same request field: emulators (local-aws-sqs 2.0.2) know only this one.
        AttributeNames: ['All'],
      }));
      messages = output.Messages ?? [];
    } catch (error) {
      throw awsFailure('ReceiveMessage', error);
    }
    const fresh = messages.filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const m of fresh) seen.add(m.MessageId!);
    received.push(...fresh);
  }
  return received;
}

/** Makes received messages visible again at once (the dry run must leave the queue as it found it). */
export async function releaseMessages(client: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    try {
      await client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }));
    } catch (error) {
      throw awsFailure('ChangeMessageVisibilityBatch', error);
    }
  }
}

function attributeText(value: MessageAttributeValue | undefined): string | undefined {
  if (!value) return undefined;
  return value.StringValue ?? (value.BinaryValue ? `<${value.BinaryValue.length} bytes>` : undefined);
}

/** The dry-run view of a message: ids, timestamps, group, the error and context attributes, the start of the body. */
export function summarise(message: Message): DeadLetterSummary {
  const system = message.Attributes ?? {};
  const sent = system.SentTimestamp ? new Date(Number(system.SentTimestamp)).toISOString() : undefined;
  const attributes: Record<string, string | undefined> = {};
  for (const name of [...ERROR_ATTRIBUTES, ...CONTEXT_ATTRIBUTES]) attributes[name] = attributeText(message.MessageAttributes?.[name]);
  const body = message.Body ?? '';
  return {
    messageId: message.MessageId ?? '?',
    sentAt: sent,
    receiveCount: system.ApproximateReceiveCount,
    messageGroupId: system.MessageGroupId,
    attributes,
    bodyPreview: body.length > 200 ? `${body.slice(0, 200)}…` : body,
  };
}
