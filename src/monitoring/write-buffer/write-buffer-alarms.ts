import { Duration } from 'aws-cdk-lib';
import { WriteBuffer } from '../../write-buffer/write-buffer';
import { DataAccessAlarmsOptions } from '../alarm-options';
import { DataAccessMetrics } from '../data-access-metrics';
import { SymptomAlarmFactory, whenAbove } from '../symptom-alarm-factory';

/**
 * Dead-letter queue not empty, oldest message too old, and backlog growing.
 *
 * SQS stops publishing metrics for a queue that has been inactive (no messages, no API calls) for
 * about six hours, so no data means an empty, idle queue: every write-buffer alarm treats missing data
 * as not breaching.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */
export function addWriteBufferAlarms(
  factory: SymptomAlarmFactory, metrics: DataAccessMetrics, buffer: WriteBuffer, options: DataAccessAlarmsOptions,
): void {
  const path = buffer.node.path;

  factory.create({
    id: 'DeadLetterQueueNotEmpty',
    tuningName: 'alarms.deadLetterQueueNotEmpty',
    metric: metrics.metricQueueDepth(buffer.deadLetterQueue),
    defaults: whenAbove(0, 1, 1),
    description: {
      symptom: `writes of ${path} never reached the database: messages are in the dead-letter queue.`,
      likelyCause: `a writer failed the same message ${buffer.maxReceiveCount} times (bad data, a constraint violation, or a database outage longer than the retries).`,
      firstCheck: 'the error attributes of the dead-letter messages and the writer logs for their correlation id; redrive them once fixed, before retention expires.',
    },
  }, options.deadLetterQueueNotEmpty);

  factory.create({
    id: 'OldestMessageTooOld',
    tuningName: 'alarms.oldestMessageTooOld',
    metric: metrics.metricQueueOldestMessageAge(buffer.queue),
    defaults: whenAbove(300, 1, 1),
    description: {
      symptom: `writes of ${path} wait more than {threshold} s before users see them applied.`,
      likelyCause: 'the writers are too few (maxConcurrency), slow, throttled, or failing and retrying the same messages.',
      firstCheck: 'writer errors and throttles, then the queue depth and writer concurrency on the dashboard.',
    },
  }, options.oldestMessageTooOld);

  // Depth alone also fires on a healthy burst that the writers drain in minutes; depth that keeps rising
  // period after period means arrivals exceed what the writers apply (Little's law: the backlog and the
  // delay grow without bound), which is the symptom worth waking someone for.
  factory.create({
    id: 'QueueDepthGrowing',
    tuningName: 'alarms.queueDepthGrowing',
    metric: metrics.metricQueueDepthGrowth(buffer.queue, Duration.minutes(5)),
    defaults: whenAbove(100, 3, 3),
    description: {
      symptom: `the backlog of ${path} keeps growing by more than {threshold} messages per 5 minutes: write delay will keep increasing.`,
      likelyCause: 'producers send faster than the writers apply (maxConcurrency or batch size too small, slow SQL, or a database bottleneck).',
      firstCheck: 'writer concurrency against maxConcurrency and writer duration; then proxy pool utilisation before raising maxConcurrency.',
    },
  }, options.queueDepthGrowing);
}
