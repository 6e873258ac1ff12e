import type { LocalSqsEventSourceStats } from '../sqs-event-source';

/** The writer metrics (EMF, as sqlWriter emits them) the tally sums. */
const METRICS = ['WritesApplied', 'DuplicatesSkipped', 'TransientRetries', 'PoisonMessages'] as const;
type MetricName = typeof METRICS[number];

/**
 * What `eda-local writer` reports: the messages received and what became of them. Applied, duplicates, retried
 * and dead-lettered come from the writer's own metrics (sqlWriter's EMF lines, so any writer built with it
 * counts); received from the event source; the DLQ's depth from SQS, which also counts messages the redrive
 * policy moved after maxReceiveCount receives.
 */
export class WriterTally {
  private readonly sums: Record<MetricName, number> = { WritesApplied: 0, DuplicatesSkipped: 0, TransientRetries: 0, PoisonMessages: 0 };

  /** Adds an EMF line's metrics; false for any other line (a log line to show). */
  public addLogLine(line: string): boolean {
    if (!line.includes('"_aws"')) return false;
    try {
      const emf = JSON.parse(line) as Record<string, unknown>;
      for (const name of METRICS) if (typeof emf[name] === 'number') this.sums[name] += emf[name] as number;
      return true;
    } catch {
      return false;
    }
  }

  /** One line of counts. */
  public line(source: LocalSqsEventSourceStats, deadLetterDepth: number): string {
    const failedInvocations = source.failedInvocations > 0 ? `, failed invocations ${source.failedInvocations}` : '';
    return `messages: received ${source.received}, applied ${this.sums.WritesApplied}, duplicates skipped ${this.sums.DuplicatesSkipped}, `
      + `failed and retried ${this.sums.TransientRetries}, sent to the DLQ ${this.sums.PoisonMessages}${failedInvocations}; `
      + `the DLQ holds ${deadLetterDepth}`;
  }
}
