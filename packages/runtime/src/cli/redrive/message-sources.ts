import { GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand, Message, SQSClient } from '@aws-sdk/client-sqs';
import { ATTRIBUTES } from '../../queue/message-attributes';
import { awsFailure, CliError } from '../cli-context';

/** Where one dead-lettered message goes back to, or why it cannot. */
export type MessageDestination = { readonly url: string } | { readonly url?: undefined; readonly reason: string };

/**
 * Finds the queue each dead-lettered message came from, in this order: the writer's `eda-source-queue-arn`
 * attribute (messages the writer dead-lettered itself), SQS's DeadLetterQueueSourceArn system attribute
 * (messages moved by a redrive policy), the one queue whose redrive policy targets the DLQ
 * (ListDeadLetterSourceQueues). Lookups are cached; destinations of the wrong queue type are refused.
 */
export class MessageSources {
  private readonly urlsByArn = new Map<string, Promise<string>>();
  private readonly fifoByUrl = new Map<string, Promise<boolean>>();
  private soleSource?: Promise<string | undefined>;

  constructor(private readonly client: SQSClient, private readonly dlqUrl: string, private readonly dlqFifo: boolean) {}

  /** The destination of `message`. */
  public async destinationOf(message: Message): Promise<MessageDestination> {
    const arn = message.MessageAttributes?.[ATTRIBUTES.sourceQueueArn]?.StringValue ?? message.Attributes?.DeadLetterQueueSourceArn;
    const url = arn ? await this.urlOf(arn) : await this.sole();
    if (!url) {
      return { reason: `no ${ATTRIBUTES.sourceQueueArn} or DeadLetterQueueSourceArn attribute, and ${this.dlqUrl} is not the dead-letter queue of exactly one queue: pass --to` };
    }
    await this.checkType(url);
    return { url };
  }

  /** Throws when `url` is not of the DLQ's type (SQS moves messages only between queues of one type). */
  public async checkType(url: string): Promise<void> {
    let fifo = this.fifoByUrl.get(url);
    if (!fifo) {
      fifo = this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['FifoQueue'] }))
        .then((out) => out.Attributes?.FifoQueue === 'true', (error) => { throw awsFailure('GetQueueAttributes', error); });
      this.fifoByUrl.set(url, fifo);
    }
    const destinationFifo = await fifo;
    if (destinationFifo !== this.dlqFifo) {
      throw new CliError(`${this.dlqUrl} is ${this.dlqFifo ? 'a FIFO' : 'a standard'} queue but ${url} is ${destinationFifo ? 'a FIFO' : 'a standard'} queue: messages can only move between queues of the same type`);
    }
  }

  private urlOf(arn: string): Promise<string> {
    let url = this.urlsByArn.get(arn);
    if (!url) {
      const [, , , , account, name] = arn.split(':');
      url = this.client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((out) => out.QueueUrl!, (error) => { throw awsFailure(`GetQueueUrl (${arn})`, error); });
      this.urlsByArn.set(arn, url);
    }
    return url;
  }

  private sole(): Promise<string | undefined> {
    this.soleSource ??= this.client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: this.dlqUrl })).then(
      (out) => (out.queueUrls?.length === 1 ? out.queueUrls[0] : undefined),
      (error) => { throw awsFailure('ListDeadLetterSourceQueues', error); });
    return this.soleSource;
  }
}
