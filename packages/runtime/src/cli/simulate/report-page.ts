import { formatDuration } from './duration';
import type { SimulationResult } from './step-model';
import type { SimulationSummary } from './summary';
import { Chart, escapeXml, renderChart } from './svg-chart';

/*
 * index.html: the summary and one chart per series over time, in one static file (inline SVG and CSS, no script,
 * nothing fetched), readable offline and in a code review.
 */

/** The charts of a result, one per series: their ids are stable (data-chart) and each line is named (data-series). */
export function chartsOf(result: SimulationResult): Chart[] {
  const shaded = result.outages.map((o) => ({ from: o.fromSeconds, to: o.toSeconds, label: 'database down' }));
  const marker = { at: result.scenario.durationSeconds, label: 'scenario ends' };
  const common = { shaded, marker };
  return [
    {
      id: 'concurrency',
      title: 'Concurrent executions per function (dashed: its limit)',
      unit: 'concurrent executions',
      ...common,
      lines: result.functions.flatMap((f) => [
        { name: f.id, values: f.concurrency },
        { name: `${f.id} ${f.reserved ? 'reserved' : 'unreserved pool'}`, values: f.concurrency.map(() => f.limit), dashed: true },
      ]),
    },
    {
      id: 'throttles',
      title: 'Throttled invocations per second',
      unit: 'throttles / s',
      ...common,
      lines: result.functions.map((f) => ({ name: f.id, values: f.throttles })),
    },
    {
      id: 'queue-depth',
      title: 'Queue depth (visible + not visible messages)',
      unit: 'messages',
      ...common,
      lines: result.queues.flatMap((q) => [
        { name: `${q.id} visible`, values: q.visible },
        { name: `${q.id} not visible`, values: q.notVisible },
      ]),
    },
    {
      id: 'oldest-message-age',
      title: 'Age of the oldest message',
      unit: 'seconds',
      ...common,
      lines: result.queues.map((q) => ({ name: q.id, values: q.oldestAgeSeconds })),
    },
    {
      id: 'dead-letter-messages',
      title: 'Messages moved to the dead-letter queue (cumulative)',
      unit: 'messages',
      ...common,
      lines: result.queues.map((q) => ({ name: `${q.id} → DLQ`, values: q.deadLetters })),
    },
    {
      id: 'proxy-connections',
      title: 'Proxy connections borrowed (dashed: the pool)',
      unit: 'connections',
      ...common,
      lines: result.proxies.length === 0
        ? [{ name: 'no proxy target in the budget report', values: result.queues[0]?.visible.map(() => 0) ?? [0] }]
        : result.proxies.flatMap((p) => [
          { name: p.name, values: p.connections },
          { name: `${p.name} pool`, values: p.connections.map(() => p.capacity), dashed: true },
        ]),
    },
  ];
}

function row(cells: Array<string | number>, header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${escapeXml(String(c))}</${tag}>`).join('')}</tr>`;
}

export function renderPage(result: SimulationResult, summary: SimulationSummary): string {
  const headline: Array<[string, string | number]> = [
    ['deadLetterMessages', summary.deadLetterMessages],
    ['maxOldestMessageAgeSeconds', `${summary.maxOldestMessageAgeSeconds} (${formatDuration(summary.maxOldestMessageAgeSeconds)})`],
    ['throttles', summary.throttles],
    ['maxQueueDepth', summary.maxQueueDepth],
    ['maxProxyConnections / proxyPoolSize', `${summary.maxProxyConnections} / ${summary.proxyPoolSize}`],
    ['drainSeconds', summary.drained ? `${summary.drainSeconds} (${formatDuration(summary.drainSeconds)})` : 'not drained within the drain limit'],
  ];
  const functions = Object.entries(summary.functions).map(([id, f]) => row([id, f.peakConcurrency, f.concurrencyLimit, f.throttles, f.invocations]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>eda simulate: ${escapeXml(summary.stack)}, ${escapeXml(summary.scenario)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
table { border-collapse: collapse; margin: 8px 0 20px; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
th { background: #f3f3f3; }
figure { margin: 0 0 18px; }
</style>
</head>
<body>
<h1>${escapeXml(summary.stack)}: ${escapeXml(summary.scenario)}</h1>
<p>Scenario of ${formatDuration(summary.scenarioSeconds)}, simulated for ${formatDuration(summary.simulatedSeconds)} (until every queue was empty or the drain limit). Model and its limits: docs/simulate.md.</p>
<table>${headline.map(([k, v]) => row([k, v])).join('')}</table>
<table>${row(['function', 'peak concurrency', 'limit', 'throttles', 'invocations'], true)}${functions.join('')}</table>
${chartsOf(result).map((c) => `<figure>${renderChart(c)}</figure>`).join('\n')}
</body>
</html>
`;
}
