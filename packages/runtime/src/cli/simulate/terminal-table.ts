import { formatDuration } from './duration';
import type { SimulationSummary } from './summary';

/** Pads the columns of `rows` to their widest cell. */
function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
}

/** The short table `eda simulate` prints. */
export function terminalTable(summary: SimulationSummary): string[] {
  const seconds = (n: number) => (n >= 60 ? `${n} s (${formatDuration(n)})` : `${n} s`);
  const drain = summary.drained ? seconds(summary.drainSeconds) : 'not drained within the drain limit';
  const lines = [
    `${summary.stack}, scenario ${summary.scenario}: ${formatDuration(summary.scenarioSeconds)}, simulated ${formatDuration(summary.simulatedSeconds)}`,
    ...columns([
      ['dead-letter messages', String(summary.deadLetterMessages)],
      ['oldest message age', seconds(summary.maxOldestMessageAgeSeconds)],
      ['throttles', String(summary.throttles)],
      ['max queue depth', String(summary.maxQueueDepth)],
      ['proxy connections', `${summary.maxProxyConnections} of ${summary.proxyPoolSize}`],
      ['drain after the scenario', drain],
    ]),
    '',
    ...columns([
      ['function', 'peak', 'limit', 'throttles', 'invocations'],
      ...Object.entries(summary.functions).map(([id, f]) => [id, ...[f.peakConcurrency, f.concurrencyLimit, f.throttles, f.invocations].map(String)]),
    ]),
  ];
  return lines;
}
