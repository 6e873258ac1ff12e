import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { errorMessageOf, newStack, writerFunction } from './consumer-fixture';
import { ConcurrencyBudget, WriteBuffer, WriteBufferProps } from '../../src';

const WARNING_ID = 'cdk-elastic-data-access:ToleratedOutageBelowMinimum';

/** A write buffer with one 30 s consumer (the addWriter default), synthesized. */
function synth(props: WriteBufferProps = {}) {
  const stack = newStack();
  const buffer = new WriteBuffer(stack, 'Buffer', props);
  buffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(30) }), { maxConcurrency: 2 });
  const template = Template.fromStack(stack);
  const report = JSON.parse(ConcurrencyBudget.of(stack).reportFor(stack));
  return { stack, template, report, warnings: Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ToleratedOutageBelowMinimum')) };
}

function environmentOf(template: Template): Record<string, unknown> {
  const [writer] = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment: { Variables: Record<string, unknown> } } }>;
  return writer.Properties.Environment.Variables;
}

describe('GIVEN a write buffer at its defaults (maxReceiveCount 5, visibility 6 × 30 s)', () => {
  let result: ReturnType<typeof synth>;
  beforeAll(() => {
    result = synth();
  });

  test('THEN the writer\'s environment carries the backoff and the queue visibility the report computes with', () => {
    expect(environmentOf(result.template)).toMatchObject({
      EDA_BACKOFF_BASE_SECONDS: '64', EDA_BACKOFF_MAX_SECONDS: '900', EDA_BACKOFF_JITTER: '0.2', EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '180',
    });
  });

  test('THEN the budget report states an outage of 1,118 s tolerated and at most 684 s from recovery to applied', () => {
    expect(result.report.writeBuffers).toEqual([{
      path: 'Stack/Buffer',
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 180,
      backoff: { baseSeconds: 64, maxSeconds: 900, jitter: 0.2 },
      breakerCoolDownSeconds: 10,
      functionTimeoutSeconds: 30,
      toleratedOutageSeconds: 1_118,
      worstCaseDelayAfterRecoverySeconds: 684,
      minimumToleratedOutageSeconds: 900,
      status: 'ok',
    }]);
  });

  test('THEN synth does not warn: 1,118 s ≥ 15 minutes', () => {
    expect(result.warnings).toHaveLength(0);
  });
});

describe('GIVEN maxReceiveCount 3', () => {
  test('THEN the tolerated outage (180 + 180 − 10 s) is below 15 minutes and synth warns with its id', () => {
    const { report, stack } = synth({ maxReceiveCount: 3 });
    expect(report.writeBuffers[0]).toMatchObject({ toleratedOutageSeconds: 350, status: 'below-minimum' });
    Annotations.fromStack(stack).hasWarning('/Stack/Buffer', Match.stringLikeRegexp(
      `a database outage longer than 350 s moves healthy messages to the dead-letter queue, below minimumToleratedOutage \\(900 s\\).*\\[ack: ${WARNING_ID}\\]`));
  });

  test('AND minimumToleratedOutage 5 minutes THEN synth does not warn', () => {
    expect(synth({ maxReceiveCount: 3, minimumToleratedOutage: Duration.minutes(5) }).warnings).toHaveLength(0);
  });
});

describe('GIVEN transientBackoff', () => {
  test('WHEN base is 5 minutes THEN the writer backs off from 300 s and the report says so', () => {
    const { template, report } = synth({ transientBackoff: { base: Duration.minutes(5), max: Duration.hours(1), jitter: 0 } });
    expect(environmentOf(template)).toMatchObject({ EDA_BACKOFF_BASE_SECONDS: '300', EDA_BACKOFF_MAX_SECONDS: '3600', EDA_BACKOFF_JITTER: '0' });
    // 300 + 600 + 1200 + 2400 − 10
    expect(report.writeBuffers[0]).toMatchObject({ toleratedOutageSeconds: 4_490, status: 'ok' });
  });

  test('WHEN max is 43,200 s (SQS\'s maximum visibility timeout) THEN synth accepts it', () => {
    expect(() => synth({ transientBackoff: { max: Duration.seconds(43_200) } })).not.toThrow();
  });

  test('WHEN max is 43,201 s THEN synth fails naming the prop, the value and the limit', () => {
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { transientBackoff: { max: Duration.seconds(43_201) } })))
      .toBe('transientBackoff.max (seconds) must be between 64 and 43200, got 43201');
  });

  test('WHEN jitter is 1 THEN synth accepts it; 1.01 fails', () => {
    expect(() => synth({ transientBackoff: { jitter: 1 } })).not.toThrow();
    expect(errorMessageOf(() => new WriteBuffer(newStack(), 'Buffer', { transientBackoff: { jitter: 1.01 } })))
      .toBe('transientBackoff.jitter must be between 0 and 1, got 1.01');
  });
});

describe('GIVEN an imported queue whose visibility timeout cannot be read', () => {
  test('THEN the report assumes no visibility floor (the lower bound) and the writer gets no visibility variable', () => {
    const stack = newStack();
    const imported = { queue: importQueue(stack, 'q'), dlq: importQueue(stack, 'dlq') };
    const buffer = new WriteBuffer(stack, 'Buffer', { existingQueue: imported.queue, existingDeadLetterQueue: imported.dlq });
    buffer.addConsumer(writerFunction(stack, 'Writer', { timeout: Duration.seconds(30) }), { maxConcurrency: 2 });
    const template = Template.fromStack(stack);
    expect(environmentOf(template)).not.toHaveProperty('EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS');
    // 64 + 128 + 256 + 512 − 10
    expect(JSON.parse(ConcurrencyBudget.of(stack).reportFor(stack)).writeBuffers[0])
      .toMatchObject({ visibilityTimeoutSeconds: null, toleratedOutageSeconds: 950 });
  });
});

function importQueue(stack: Stack, name: string): sqs.IQueue {
  return sqs.Queue.fromQueueArn(stack, name, `arn:aws:sqs:eu-west-1:111122223333:${name}`);
}
