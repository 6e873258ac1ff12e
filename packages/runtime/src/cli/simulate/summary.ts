import type { SimulationResult } from './step-model';
import { CliError } from '../cli-context';

/** Per function in summary.json. */
export interface FunctionSummary {
  readonly peakConcurrency: number;
  /** Reserved concurrency, else the account's unreserved pool. */
  readonly concurrencyLimit: number;
  readonly throttles: number;
  readonly invocations: number;
}

/** Per queue in summary.json. */
export interface QueueSummary {
  readonly sent: number;
  readonly deleted: number;
  readonly deadLetterMessages: number;
  readonly maxQueueDepth: number;
  readonly maxOldestMessageAgeSeconds: number;
}

/** Per proxy target in summary.json. */
export interface ProxySummary {
  readonly kind: string;
  readonly poolSize: number;
  readonly maxConnections: number;
}

/** summary.json: the numbers a reviewer (or `--expect`) checks. */
export interface SimulationSummary {
  readonly stack: string;
  readonly scenario: string;
  readonly scenarioSeconds: number;
  readonly simulatedSeconds: number;
  /** Messages moved to dead-letter queues, all queues. */
  readonly deadLetterMessages: number;
  readonly maxOldestMessageAgeSeconds: number;
  /** Throttled invocations (requests of entry functions, batches of event sources), all functions. */
  readonly throttles: number;
  /** Visible + not visible messages, the highest of any queue. */
  readonly maxQueueDepth: number;
  /** Connections borrowed from the proxy target closest to its pool (the highest peak ÷ pool), and that pool. */
  readonly maxProxyConnections: number;
  readonly proxyPoolSize: number;
  /** Seconds from the end of the scenario until every queue is empty; -1 when they were not empty by the drain limit. */
  readonly drainSeconds: number;
  readonly drained: boolean;
  readonly functions: Record<string, FunctionSummary>;
  readonly queues: Record<string, QueueSummary>;
  readonly proxyTargets: Record<string, ProxySummary>;
}

const max = (values: readonly number[]) => values.reduce((m, v) => (v > m ? v : m), 0);
const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);
/** Whole messages and requests; seconds and concurrency to one decimal. */
const whole = (n: number) => Math.round(n);
const tenth = (n: number) => Math.round(n * 10) / 10;

export function summarize(result: SimulationResult): SimulationSummary {
  const functions: Record<string, FunctionSummary> = {};
  for (const f of result.functions) {
    functions[f.id] = {
      peakConcurrency: tenth(max(f.concurrency)),
      concurrencyLimit: whole(f.limit),
      throttles: whole(sum(f.throttles)),
      invocations: whole(f.invocations),
    };
  }
  const queues: Record<string, QueueSummary> = {};
  for (const q of result.queues) {
    queues[q.id] = {
      sent: whole(q.sent),
      deleted: whole(q.deleted),
      deadLetterMessages: whole(q.deadLetters[q.deadLetters.length - 1] ?? 0),
      maxQueueDepth: whole(max(q.visible.map((v, i) => v + q.notVisible[i]))),
      maxOldestMessageAgeSeconds: whole(max(q.oldestAgeSeconds)),
    };
  }
  const proxyTargets: Record<string, ProxySummary> = {};
  let closest: { peak: number; capacity: number } = { peak: 0, capacity: 0 };
  for (const p of result.proxies) {
    const peak = max(p.connections);
    proxyTargets[p.name] = { kind: p.kind, poolSize: p.capacity, maxConnections: tenth(peak) };
    if (closest.capacity === 0 || peak / p.capacity > closest.peak / closest.capacity) closest = { peak, capacity: p.capacity };
  }
  const queueList = Object.values(queues);
  return {
    stack: result.topology.stack,
    scenario: result.scenario.name,
    scenarioSeconds: result.scenario.durationSeconds,
    simulatedSeconds: result.seconds,
    deadLetterMessages: sum(queueList.map((q) => q.deadLetterMessages)),
    maxOldestMessageAgeSeconds: max(queueList.map((q) => q.maxOldestMessageAgeSeconds)),
    throttles: sum(Object.values(functions).map((f) => f.throttles)),
    maxQueueDepth: max(queueList.map((q) => q.maxQueueDepth)),
    maxProxyConnections: tenth(closest.peak),
    proxyPoolSize: closest.capacity,
    drainSeconds: result.drainSeconds === undefined ? -1 : tenth(result.drainSeconds),
    drained: result.drainSeconds !== undefined,
    functions,
    queues,
    proxyTargets,
  };
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'] as const;
type Operator = typeof OPERATORS[number];

/** One `--expect` expression: `<key> <op> <number>`, key a summary field or a dotted path (functions.GetOrder.throttles). */
export interface Expectation {
  readonly text: string;
  readonly key: string;
  readonly operator: Operator;
  readonly value: number;
}

export function parseExpectation(text: string): Expectation {
  const match = /^\s*([A-Za-z][\w./-]*?)\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw new CliError(`--expect ${JSON.stringify(text)} is not <key> <op> <number> with op one of ${OPERATORS.join(' ')} (e.g. 'deadLetterMessages==0')`);
  return { text: text.trim(), key: match[1], operator: match[2] as Operator, value: Number(match[3]) };
}

/** The value at `key` (dots separate levels; the longest matching name wins, so function ids may contain dots). */
function lookup(summary: unknown, key: string): unknown {
  let node: unknown = summary;
  let rest = key;
  while (rest !== '') {
    if (!node || typeof node !== 'object') return undefined;
    const record = node as Record<string, unknown>;
    const name = Object.keys(record).filter((k) => rest === k || rest.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
    if (name === undefined) return undefined;
    node = record[name];
    rest = rest.slice(name.length + 1);
  }
  return node;
}

function holds(actual: number, operator: Operator, expected: number): boolean {
  switch (operator) {
    case '==': return actual === expected;
    case '!=': return actual !== expected;
    case '<': return actual < expected;
    case '<=': return actual <= expected;
    case '>': return actual > expected;
    case '>=': return actual >= expected;
  }
}

/** Checks an expectation; a key the summary lacks is a usage error. Returns the broken expectation's message, or undefined. */
export function brokenExpectation(summary: SimulationSummary, expectation: Expectation): string | undefined {
  const actual = lookup(summary, expectation.key);
  if (typeof actual !== 'number') {
    const numeric = Object.entries(summary).filter(([, v]) => typeof v === 'number').map(([k]) => k);
    throw new CliError(`--expect ${expectation.text}: ${expectation.key} is not a number in summary.json; top-level keys: ${numeric.join(', ')} (or functions.<id>.<key>, queues.<id>.<key>)`);
  }
  return holds(actual, expectation.operator, expectation.value) ? undefined : `expectation ${expectation.text} is broken: ${expectation.key} is ${actual}`;
}
