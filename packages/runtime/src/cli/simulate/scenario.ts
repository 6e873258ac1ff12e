import { readFileSync } from 'node:fs';
import type { PollerScaling } from './aws-scaling-rules';
import { parseDuration } from './duration';
import type { Topology } from './topology';
import { CliError } from '../cli-context';

/*
 * A scenario: what arrives (requests per second per entry function, over time), how long the work takes, and
 * what happens to the database (outages, slow periods). Built in (steady, spike, outage) from the command line's
 * numbers, or read from a JSON file (docs/simulate.md, "Scenario file").
 */

/** From `atSeconds` on (until the next step), `perSecond` requests per second. */
export interface RateStep {
  readonly atSeconds: number;
  readonly perSecond: number;
}

export interface Interval {
  readonly fromSeconds: number;
  readonly toSeconds: number;
}

export interface SlowPeriod extends Interval {
  /** Database work takes this many times longer. */
  readonly factor: number;
}

/** How long the work of a function takes (seconds) and what it sends. */
export interface FunctionBehaviour {
  /** One request of an entry function. */
  readonly requestSeconds: number;
  /** Messages a producer sends per request. */
  readonly messagesPerRequest: number;
  /** Fixed part of one event-source invocation (start, commit of the batch, visibility changes). */
  readonly invocationSeconds: number;
  /** Per message of a batch, when the database answers. */
  readonly messageSeconds: number;
  /** A whole invocation while the database is down (the breaker fails fast). */
  readonly failedInvocationSeconds: number;
}

export const DEFAULT_BEHAVIOUR: FunctionBehaviour = {
  requestSeconds: 0.1,
  messagesPerRequest: 1,
  invocationSeconds: 0.02,
  messageSeconds: 0.005,
  failedInvocationSeconds: 0.02,
};

/** Settings of the stack a scenario replaces (e.g. to replay the local stack's). */
export interface FunctionOverrides {
  readonly reservedConcurrency?: number;
  readonly timeoutSeconds?: number;
  readonly batchSize?: number;
  readonly batchingWindowSeconds?: number;
  readonly maximumConcurrency?: number;
}

export interface QueueOverrides {
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
}

export interface BackoffOverrides {
  readonly baseSeconds?: number;
  readonly maxSeconds?: number;
  readonly jitter?: number;
}

export interface Scenario {
  readonly name: string;
  /** Requests arrive until then; the model then runs until every queue is empty (at most drainLimitSeconds more). */
  readonly durationSeconds: number;
  /** Per entry function id, or `*` for every entry function without its own entry. */
  readonly load: Readonly<Record<string, readonly RateStep[]>>;
  readonly behaviour: Readonly<Record<string, Partial<FunctionBehaviour>>>;
  readonly functionOverrides: Readonly<Record<string, FunctionOverrides>>;
  /** Per queue id, or `*` for every queue. */
  readonly queueOverrides: Readonly<Record<string, QueueOverrides>>;
  readonly backoff?: BackoffOverrides;
  readonly breakerCoolDownSeconds?: number;
  readonly pollers?: Partial<PollerScaling>;
  readonly accountConcurrency?: number;
  readonly outages: readonly Interval[];
  readonly slow: readonly SlowPeriod[];
  readonly drainLimitSeconds: number;
}

/** How long the model keeps running after the scenario to see the queues drain. */
export const DEFAULT_DRAIN_LIMIT_SECONDS = 6 * 3600;

/** The command line's numbers for a built-in scenario. */
export interface BuiltInOptions {
  readonly rate?: number;
  readonly spike?: number;
  readonly forSeconds?: number;
  readonly outageSeconds?: number;
}

export const BUILT_IN_SCENARIOS = ['steady', 'spike', 'outage'] as const;
const DEFAULT_RATE = 100;
const DEFAULT_SPIKE_FACTOR = 10;
const LEAD_SECONDS = 60;

function base(name: string, durationSeconds: number, load: RateStep[]): Scenario {
  return {
    name, durationSeconds, load: { '*': load }, behaviour: {}, functionOverrides: {}, queueOverrides: {}, outages: [], slow: [], drainLimitSeconds: DEFAULT_DRAIN_LIMIT_SECONDS,
  };
}

/**
 * steady: every entry function at --rate for --for (default 10m).
 * spike: 1 minute at --rate, --for (default 1m) at --rate × --spike (default 10), 1 minute at --rate.
 * outage: --rate throughout; 1 minute in, the database is down for --outage (default 10m); 1 minute after it.
 */
export function builtInScenario(name: string, options: BuiltInOptions): Scenario {
  const rate = options.rate ?? DEFAULT_RATE;
  switch (name) {
    case 'steady': {
      if (options.spike !== undefined) throw new CliError('--spike belongs to the spike scenario');
      if (options.outageSeconds !== undefined) throw new CliError('--outage belongs to the outage scenario');
      return base('steady', options.forSeconds ?? 600, [{ atSeconds: 0, perSecond: rate }]);
    }
    case 'spike': {
      if (options.outageSeconds !== undefined) throw new CliError('--outage belongs to the outage scenario');
      const spikeSeconds = options.forSeconds ?? 60;
      const factor = options.spike ?? DEFAULT_SPIKE_FACTOR;
      return base(`spike ×${factor}`, LEAD_SECONDS + spikeSeconds + LEAD_SECONDS, [
        { atSeconds: 0, perSecond: rate },
        { atSeconds: LEAD_SECONDS, perSecond: rate * factor },
        { atSeconds: LEAD_SECONDS + spikeSeconds, perSecond: rate },
      ]);
    }
    case 'outage': {
      if (options.spike !== undefined) throw new CliError('--spike belongs to the spike scenario');
      if (options.forSeconds !== undefined) throw new CliError('--for belongs to the steady and spike scenarios; the outage scenario takes --outage');
      const outage = options.outageSeconds ?? 600;
      return { ...base('outage', LEAD_SECONDS + outage + LEAD_SECONDS, [{ atSeconds: 0, perSecond: rate }]), outages: [{ fromSeconds: LEAD_SECONDS, toSeconds: LEAD_SECONDS + outage }] };
    }
    default:
      throw new CliError(`unknown scenario ${name}: use ${BUILT_IN_SCENARIOS.join(', ')} or a .json file`);
  }
}

function object(what: string, raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CliError(`${what} must be an object`);
  return raw as Record<string, unknown>;
}

function nonNegative(what: string, raw: unknown, integer = false): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || (integer && !Number.isInteger(raw))) {
    throw new CliError(`${what} must be ${integer ? 'a whole number' : 'a number'} of at least 0, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function optional<T>(raw: unknown, parse: (value: unknown) => T): T | undefined {
  return raw === undefined ? undefined : parse(raw);
}

function rateSteps(what: string, raw: unknown): RateStep[] {
  if (typeof raw === 'number') return [{ atSeconds: 0, perSecond: nonNegative(what, raw) }];
  if (!Array.isArray(raw) || raw.length === 0) throw new CliError(`${what} must be requests per second or a list of { "at": "1m", "perSecond": 100 }`);
  const steps = raw.map((step, i) => {
    const entry = object(`${what}[${i}]`, step);
    return { atSeconds: parseDuration(`${what}[${i}].at`, entry.at), perSecond: nonNegative(`${what}[${i}].perSecond`, entry.perSecond) };
  });
  for (let i = 1; i < steps.length; i++) {
    if (steps[i].atSeconds <= steps[i - 1].atSeconds) throw new CliError(`${what}: steps must be in increasing order of "at"`);
  }
  return steps;
}

function intervals(what: string, raw: unknown): Interval[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new CliError(`${what} must be a list of { "at": "1m", "for": "10m" }`);
  return raw.map((entry, i) => {
    const e = object(`${what}[${i}]`, entry);
    const from = parseDuration(`${what}[${i}].at`, e.at);
    return { fromSeconds: from, toSeconds: from + parseDuration(`${what}[${i}].for`, e.for) };
  });
}

const BEHAVIOUR_KEYS: Record<string, keyof FunctionBehaviour> = {
  requestDuration: 'requestSeconds',
  invocationDuration: 'invocationSeconds',
  messageDuration: 'messageSeconds',
  failedInvocationDuration: 'failedInvocationSeconds',
};

function functionEntry(what: string, raw: unknown): { behaviour: Partial<FunctionBehaviour>; overrides: FunctionOverrides } {
  const entry = object(what, raw);
  const behaviour: Record<string, number> = {};
  const overrides: Record<string, number> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (BEHAVIOUR_KEYS[key]) behaviour[BEHAVIOUR_KEYS[key]] = parseDuration(`${what}.${key}`, value);
    else if (key === 'messagesPerRequest') behaviour.messagesPerRequest = nonNegative(`${what}.${key}`, value);
    else if (key === 'timeout') overrides.timeoutSeconds = parseDuration(`${what}.${key}`, value);
    else if (key === 'batchingWindow') overrides.batchingWindowSeconds = parseDuration(`${what}.${key}`, value);
    else if (key === 'reservedConcurrency' || key === 'batchSize' || key === 'maximumConcurrency') overrides[key] = nonNegative(`${what}.${key}`, value, true);
    else throw new CliError(`${what}: unknown setting ${key}`);
  }
  return { behaviour, overrides };
}

/** Parses a scenario file's JSON text (`file` names it in messages). */
export function parseScenario(file: string, text: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CliError(`scenario ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = object(`scenario ${file}`, raw);
  const known = new Set(['name', 'duration', 'load', 'functions', 'database', 'queues', 'backoff', 'breakerCoolDown', 'pollers', 'accountConcurrency', 'drainLimit']);
  for (const key of Object.keys(root)) if (!known.has(key)) throw new CliError(`scenario ${file}: unknown key ${key}`);
  const load: Record<string, RateStep[]> = {};
  for (const [fn, steps] of Object.entries(object('load', root.load))) load[fn] = rateSteps(`load.${fn}`, steps);
  const behaviour: Record<string, Partial<FunctionBehaviour>> = {};
  const functionOverrides: Record<string, FunctionOverrides> = {};
  for (const [fn, entry] of Object.entries(object('functions', root.functions))) {
    const parsed = functionEntry(`functions.${fn}`, entry);
    behaviour[fn] = parsed.behaviour;
    functionOverrides[fn] = parsed.overrides;
  }
  const queueOverrides: Record<string, QueueOverrides> = {};
  for (const [queue, entry] of Object.entries(object('queues', root.queues))) {
    const e = object(`queues.${queue}`, entry);
    queueOverrides[queue] = {
      visibilityTimeoutSeconds: optional(e.visibilityTimeout, (v) => parseDuration(`queues.${queue}.visibilityTimeout`, v)),
      maxReceiveCount: optional(e.maxReceiveCount, (v) => nonNegative(`queues.${queue}.maxReceiveCount`, v, true)),
    };
  }
  const database = object('database', root.database);
  const slowRaw = database.slow === undefined ? [] : database.slow;
  if (!Array.isArray(slowRaw)) throw new CliError('database.slow must be a list of { "at": "1m", "for": "2m", "factor": 3 }');
  const backoff = root.backoff === undefined ? undefined : (() => {
    const b = object('backoff', root.backoff);
    return {
      baseSeconds: optional(b.baseSeconds, (v) => nonNegative('backoff.baseSeconds', v)),
      maxSeconds: optional(b.maxSeconds, (v) => nonNegative('backoff.maxSeconds', v)),
      jitter: optional(b.jitter, (v) => nonNegative('backoff.jitter', v)),
    };
  })();
  const pollers = root.pollers === undefined ? undefined : (() => {
    const p = object('pollers', root.pollers);
    return {
      initial: optional(p.initial, (v) => nonNegative('pollers.initial', v, true)),
      addedPerMinute: optional(p.addedPerMinute, (v) => nonNegative('pollers.addedPerMinute', v)),
      max: optional(p.max, (v) => nonNegative('pollers.max', v, true)),
    };
  })();
  return {
    name: typeof root.name === 'string' ? root.name : file.replace(/^.*\//, '').replace(/\.json$/, ''),
    durationSeconds: parseDuration('duration', root.duration),
    load,
    behaviour,
    functionOverrides,
    queueOverrides,
    backoff,
    breakerCoolDownSeconds: optional(root.breakerCoolDown, (v) => parseDuration('breakerCoolDown', v)),
    pollers,
    accountConcurrency: optional(root.accountConcurrency, (v) => nonNegative('accountConcurrency', v, true)),
    outages: intervals('database.outages', database.outages),
    slow: slowRaw.map((entry, i) => {
      const e = object(`database.slow[${i}]`, entry);
      const from = parseDuration(`database.slow[${i}].at`, e.at);
      return { fromSeconds: from, toSeconds: from + parseDuration(`database.slow[${i}].for`, e.for), factor: nonNegative(`database.slow[${i}].factor`, e.factor) };
    }),
    drainLimitSeconds: root.drainLimit === undefined ? DEFAULT_DRAIN_LIMIT_SECONDS : parseDuration('drainLimit', root.drainLimit),
  };
}

/** Reads a scenario file. */
export function readScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read scenario ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseScenario(file, text);
}

/** Fails with the names the stack has when the scenario names a function or queue it does not. */
export function checkScenarioNames(scenario: Scenario, topology: Topology): void {
  const entry = topology.functions.filter((f) => !f.eventSource).map((f) => f.id);
  const all = topology.functions.map((f) => f.id);
  for (const fn of Object.keys(scenario.load)) {
    if (fn !== '*' && !entry.includes(fn)) {
      throw new CliError(`load.${fn}: ${all.includes(fn) ? `${fn} is invoked by its event source, not by requests` : `no function ${fn} in ${topology.stack}`}; entry functions: ${entry.join(', ') || 'none'}`);
    }
  }
  for (const fn of new Set([...Object.keys(scenario.behaviour), ...Object.keys(scenario.functionOverrides)])) {
    if (!all.includes(fn)) throw new CliError(`functions.${fn}: no function ${fn} in ${topology.stack}; functions: ${all.join(', ')}`);
  }
  const queues = topology.queues.map((q) => q.id);
  for (const queue of Object.keys(scenario.queueOverrides)) {
    if (queue !== '*' && !queues.includes(queue)) throw new CliError(`queues.${queue}: no queue ${queue} in ${topology.stack}; queues: ${queues.join(', ')}`);
  }
}
