import { referencedLogicalId } from './cfn-references';
import { functionNamedBy } from './lambda-functions';
import { ModelResource, StackModel } from './stack-model';

export const QUEUE_TYPE = 'AWS::SQS::Queue';
export const EVENT_SOURCE_MAPPING_TYPE = 'AWS::Lambda::EventSourceMapping';

/** A Lambda event source mapping that polls an SQS queue. */
export interface SqsEventSource {
  readonly mapping: ModelResource;
  /** The queue when this stack defines it; undefined for an imported queue (known only by ARN). */
  readonly queue: ModelResource | undefined;
  /** The consumer function when this stack defines it. */
  readonly consumer: ModelResource | undefined;
}

/**
 * The mapping as an SQS event source, or undefined when it polls something else (Kinesis, DynamoDB,
 * Kafka, MQ) or its source cannot be resolved.
 */
export function asSqsEventSource(model: StackModel, mapping: ModelResource): SqsEventSource | undefined {
  if (mapping.type !== EVENT_SOURCE_MAPPING_TYPE || !mapping.properties) return undefined;
  const source = mapping.properties.EventSourceArn;
  const sourceResource = model.resource(referencedLogicalId(source));
  const isSqs = sourceResource ? sourceResource.type === QUEUE_TYPE : typeof source === 'string' && source.startsWith('arn:') && source.split(':')[2] === 'sqs';
  if (!isSqs) return undefined;
  return {
    mapping,
    queue: sourceResource,
    consumer: functionNamedBy(model, mapping.properties.FunctionName),
  };
}

/** Every SQS event source mapping of the stack. */
export function sqsEventSources(model: StackModel): SqsEventSource[] {
  return model.view('sqsEventSources', (m) =>
    m.ofType(EVENT_SOURCE_MAPPING_TYPE)
      .map((mapping) => asSqsEventSource(m, mapping))
      .filter((source): source is SqsEventSource => source !== undefined),
  );
}

/** The queue's redrive policy as an object (CloudFormation also accepts it as a JSON string). */
export function redrivePolicyOf(queue: ModelResource): Record<string, any> | undefined {
  const policy = queue.properties?.RedrivePolicy;
  if (typeof policy === 'string') {
    try {
      return JSON.parse(policy);
    } catch {
      return undefined;
    }
  }
  return policy ?? undefined;
}

/** The queues of the stack used as another queue's dead-letter queue (`deadLetterTargetArn`). */
export function deadLetterQueueIds(model: StackModel): Set<string> {
  return model.view('deadLetterQueueIds', (m) => {
    const ids = new Set<string>();
    const queues = m.ofType(QUEUE_TYPE);
    for (const queue of queues) {
      const target = redrivePolicyOf(queue)?.deadLetterTargetArn;
      const id = referencedLogicalId(target);
      if (id) {
        ids.add(id);
      } else if (typeof target === 'string') {
        // A literal ARN: arn:aws:sqs:region:account:name — match a queue of this stack with that name.
        const name = target.split(':')[5];
        const named = queues.find((q) => q.properties?.QueueName === name);
        if (named) ids.add(named.logicalId);
      }
    }
    return ids;
  });
}
