import {
  movesToDeadLetterQueue, nextPollers, PollerScaling, ScalingRateBucket, unreservedPool,
} from './aws-scaling-rules';
import { Cohort, HiddenMessages, MessageAges, VisibleMessages } from './message-cohorts';
import { DEFAULT_BEHAVIOUR, FunctionBehaviour, Interval, RateStep, Scenario } from './scenario';
import type { BackoffFacts, FunctionFacts, QueueFacts, Topology } from './topology';
import { visibilityTimeoutSeconds, VisibilityBackoffOptions } from '../../resilience/visibility-backoff';

/*
 * The fixed-step model: one step is one second. Per step, in this order: finished invocations settle (deleted,
 * hidden with the writer's backoff, or back after the visibility timeout), hidden messages become visible (or move
 * to the dead-letter queue), entry functions admit or throttle their requests (producers send messages), event
 * sources start batches, and every series records its value. It is a fluid model: requests, batches and messages
 * are real numbers, concurrency is the average over the second (Little's law: arrivals × duration).
 */

/**
 * Points of the jitter range of the writer's backoff (it draws Math.random per message): both ends (the earliest retry
 * decides a dead letter, the latest the drain) and the mean kept. A cohort gets one of them, chosen by its send second
 * and receive count, so the population spreads over the range without cohorts multiplying.
 */
const JITTER_QUANTILES = [0, 1 / 3, 2 / 3, 1];
/** The writer's default time reserve (SqlWriterOptions.timeReserveMs): no transaction starts closer to the timeout. */
const WRITER_TIME_RESERVE_SECONDS = 1;
/** Below this many messages a queue counts as empty (the model's counts are fractional). */
const EMPTY = 0.5;

export interface FunctionSeries {
  readonly id: string;
  /** Reserved concurrency, else the account's unreserved pool. */
  readonly limit: number;
  readonly reserved: boolean;
  readonly concurrency: number[];
  readonly throttles: number[];
  invocations: number;
}

export interface QueueSeries {
  readonly id: string;
  readonly visible: number[];
  readonly notVisible: number[];
  readonly oldestAgeSeconds: number[];
  /** Cumulative messages moved to the dead-letter queue. */
  readonly deadLetters: number[];
  deleted: number;
  sent: number;
}

export interface ProxySeries {
  readonly name: string;
  readonly kind: string;
  readonly capacity: number;
  readonly connections: number[];
}

export interface SimulationResult {
  readonly scenario: Scenario;
  readonly topology: Topology;
  /** Seconds simulated: the scenario plus the drain. */
  readonly seconds: number;
  /** Seconds after the scenario until every queue was empty; undefined when the drain limit came first. */
  readonly drainSeconds?: number;
  readonly functions: FunctionSeries[];
  readonly queues: QueueSeries[];
  readonly proxies: ProxySeries[];
  /** Seconds the database was down (writes fail), for the charts. */
  readonly outages: readonly Interval[];
}

/** A group of identical batches started in the same second. */
interface InFlight {
  readonly start: number;
  readonly end: number;
  /** When its messages are deleted or failed: within the second for sub-second batches, else at the end. */
  readonly settleAt: number;
  /** Average concurrency it holds while it runs (batches, or batches × duration for sub-second batches). */
  readonly slots: number;
  readonly received: number;
  readonly parts: Cohort[];
  readonly succeeded: number;
  readonly failed: boolean;
}

function rateAt(steps: readonly RateStep[] | undefined, t: number): number {
  if (!steps) return 0;
  let rate = 0;
  for (const step of steps) if (step.atSeconds <= t) rate = step.perSecond;
  return rate;
}

function within(intervals: readonly Interval[], t: number, extendSeconds = 0): boolean {
  return intervals.some((i) => t >= i.fromSeconds && t < i.toSeconds + extendSeconds);
}

function overlap(start: number, end: number, t: number): number {
  return Math.max(0, Math.min(end, t + 1) - Math.max(start, t));
}

/** One queue's state. */
class QueueState {
  public readonly visible = new VisibleMessages();
  public readonly hidden = new HiddenMessages();
  public readonly ages = new MessageAges();
  public total = 0;
  public deadLetters = 0;

  constructor(public readonly facts: QueueFacts, public readonly series: QueueSeries) {}

  public send(count: number, t: number): void {
    if (count <= 0) return;
    this.visible.push({ count, sentAt: t, receiveCount: 0 });
    this.ages.add(t, count);
    this.total += count;
    this.series.sent += count;
  }

  public gone(parts: readonly Cohort[], fraction: number): number {
    let count = 0;
    for (const part of parts) {
      this.ages.remove(part.sentAt, part.count * fraction);
      count += part.count * fraction;
    }
    this.total -= count;
    return count;
  }

  /** Makes the messages due at `t` visible, or moves them to the DLQ; returns whether any moved. */
  public releaseDue(t: number): boolean {
    let moved = false;
    for (const cohort of this.hidden.release(t)) {
      if (movesToDeadLetterQueue(cohort.receiveCount, this.facts.maxReceiveCount)) {
        this.ages.remove(cohort.sentAt, cohort.count);
        this.total -= cohort.count;
        this.deadLetters += cohort.count;
        moved = true;
      } else {
        this.visible.push(cohort);
      }
    }
    return moved;
  }
}

/** One function's state. */
class FunctionState {
  public environments = 0;
  public readonly bucket = new ScalingRateBucket();
  /** Entry functions: requests admitted per second, most recent last (as long as the longest request). */
  public readonly admitted: number[] = [];
  public inFlight: InFlight[] = [];
  public pollers = 0;
  public gatheringSince?: number;

  constructor(public readonly facts: FunctionFacts, public readonly behaviour: FunctionBehaviour, public readonly series: FunctionSeries) {}

  /** Average concurrency during step t of what was started before it. */
  public carried(t: number, seconds: number): number {
    if (this.facts.eventSource) return this.inFlight.reduce((sum, f) => sum + f.slots * overlap(f.start, f.end, t), 0);
    let carried = 0;
    for (let k = 1; k <= this.admitted.length; k++) carried += this.admitted[this.admitted.length - k] * Math.min(1, Math.max(0, seconds - k));
    return carried;
  }

  /** New environments Lambda lets it add now (the scaling rate), up to `wanted` concurrency. */
  public grow(wanted: number): number {
    if (wanted > this.environments) this.environments += this.bucket.take(wanted - this.environments);
    return this.environments;
  }
}

function backoffOf(fn: FunctionFacts, queue: QueueFacts, scenario: Scenario): VisibilityBackoffOptions {
  const facts: BackoffFacts = fn.backoff ?? {};
  return {
    baseSeconds: scenario.backoff?.baseSeconds ?? facts.baseSeconds,
    maxSeconds: scenario.backoff?.maxSeconds ?? facts.maxSeconds,
    jitter: scenario.backoff?.jitter ?? facts.jitter,
    // The writer reads the queue's visibility from its environment; a scenario that changes the queue changes it too.
    queueVisibilityTimeoutSeconds: scenario.queueOverrides[queue.id]?.visibilityTimeoutSeconds ?? scenario.queueOverrides['*']?.visibilityTimeoutSeconds
      ?? facts.queueVisibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds,
  };
}

/** The topology with the scenario's overrides applied. */
export function effectiveTopology(topology: Topology, scenario: Scenario): Topology {
  const queueOverride = (id: string) => ({ ...scenario.queueOverrides['*'], ...scenario.queueOverrides[id] });
  const given = Object.entries(scenario.pollers ?? {}).filter(([, v]) => v !== undefined);
  const pollers: PollerScaling = { ...topology.pollerScaling, ...Object.fromEntries(given) };
  return {
    ...topology,
    accountConcurrency: scenario.accountConcurrency ?? topology.accountConcurrency,
    breakerCoolDownSeconds: scenario.breakerCoolDownSeconds ?? topology.breakerCoolDownSeconds,
    pollerScaling: pollers,
    queues: topology.queues.map((q) => ({
      ...q,
      visibilityTimeoutSeconds: queueOverride(q.id).visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds,
      maxReceiveCount: queueOverride(q.id).maxReceiveCount ?? q.maxReceiveCount,
    })),
    functions: topology.functions.map((f) => {
      const o = scenario.functionOverrides[f.id] ?? {};
      return {
        ...f,
        reservedConcurrency: o.reservedConcurrency ?? f.reservedConcurrency,
        timeoutSeconds: o.timeoutSeconds ?? f.timeoutSeconds,
        eventSource: f.eventSource && {
          ...f.eventSource,
          batchSize: o.batchSize ?? f.eventSource.batchSize,
          batchingWindowSeconds: o.batchingWindowSeconds ?? f.eventSource.batchingWindowSeconds,
          maximumConcurrency: o.maximumConcurrency ?? f.eventSource.maximumConcurrency,
        },
      };
    }),
  };
}

/** Plays `scenario` forward on `stack` (the topology read from the assembly). */
export function simulate(stack: Topology, scenario: Scenario): SimulationResult {
  const topology = effectiveTopology(stack, scenario);
  const reservedInStack = topology.functions.reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
  const pool = unreservedPool(topology.accountConcurrency, reservedInStack);
  const queues = new Map<string, QueueState>();
  for (const q of topology.queues) {
    queues.set(q.id, new QueueState(q, { id: q.id, visible: [], notVisible: [], oldestAgeSeconds: [], deadLetters: [], deleted: 0, sent: 0 }));
  }
  const functions = topology.functions.map((f) => {
    const behaviour = { ...DEFAULT_BEHAVIOUR, ...scenario.behaviour[f.id] } as FunctionBehaviour;
    const limit = f.reservedConcurrency ?? pool;
    const series = { id: f.id, limit, reserved: f.reservedConcurrency !== undefined, concurrency: [], throttles: [], invocations: 0 };
    return new FunctionState(f, behaviour, series);
  });
  const entry = functions.filter((f) => !f.facts.eventSource);
  const consumers = functions.filter((f) => f.facts.eventSource && queues.has(f.facts.eventSource.queue));
  const proxies = topology.proxyTargets.map((p) => ({ name: p.name, kind: p.kind, capacity: p.capacity, connections: [] as number[] }));
  const backoffs = new Map(consumers.map((f) => [f, backoffTable(backoffOf(f.facts, queues.get(f.facts.eventSource!.queue)!.facts, scenario))]));

  const horizon = Math.ceil(scenario.durationSeconds + scenario.drainLimitSeconds);
  const writesFail = (t: number) => within(scenario.outages, t, topology.breakerCoolDownSeconds);
  const slowFactor = (t: number) => scenario.slow.reduce(
    (factor, s) => (t >= s.fromSeconds && t < s.toSeconds ? Math.max(factor, s.factor) : factor), 1);
  let drainSeconds: number | undefined;
  /** When the last group of batches settled: the queue empties then, not at the step's end. */
  let lastSettled = 0;
  let t = 0;
  for (; t < horizon; t++) {
    // A step is [t, t + 1): outages and slow periods that start or end within it count where most of it lies.
    const slow = slowFactor(t + 0.5);
    const failing = writesFail(t + 0.5);

    // 1. Invocations that ended settle: deleted, or hidden again.
    for (const fn of consumers) {
      const queue = queues.get(fn.facts.eventSource!.queue)!;
      const still: InFlight[] = [];
      for (const flight of fn.inFlight) {
        if (flight.end > t + 1e-9) {
          still.push(flight);
          continue;
        }
        settle(flight, queue, backoffs.get(fn)!);
        lastSettled = Math.max(lastSettled, flight.settleAt);
      }
      fn.inFlight = still;
    }
    for (const queue of queues.values()) if (queue.releaseDue(t)) lastSettled = Math.max(lastSettled, t);

    // 2. Concurrency demand, and the account's unreserved pool shared in proportion to it.
    const demand = new Map<FunctionState, number>();
    for (const fn of entry) {
      const seconds = requestSeconds(fn, slow);
      demand.set(fn, fn.carried(t, seconds) + rateAt(t < scenario.durationSeconds ? scenario.load[fn.facts.id] ?? scenario.load['*'] : undefined, t) * Math.min(1, seconds));
    }
    for (const fn of consumers) demand.set(fn, Math.max(fn.pollers, initialPollers(topology.pollerScaling, fn.facts)));
    const unreservedDemand = [...demand].filter(([fn]) => fn.facts.reservedConcurrency === undefined).reduce((sum, [, d]) => sum + d, 0);
    /** What Lambda lets the function run this second: its reservation (or pool share), within the scaling rate. */
    const shareOf = (fn: FunctionState) =>
      fn.facts.reservedConcurrency ?? (unreservedDemand > pool ? pool * demand.get(fn)! / unreservedDemand : pool);
    const capOf = (fn: FunctionState) => Math.min(shareOf(fn), fn.grow(Math.min(shareOf(fn), demand.get(fn)!)));

    // 3. Entry functions admit what fits and throttle the rest; producers send.
    for (const fn of entry) {
      const rate = rateAt(t < scenario.durationSeconds ? scenario.load[fn.facts.id] ?? scenario.load['*'] : undefined, t);
      const seconds = requestSeconds(fn, slow);
      const carried = fn.carried(t, seconds);
      const cap = capOf(fn);
      const admitted = Math.min(rate, Math.max(0, cap - carried) / Math.max(1e-9, Math.min(1, seconds)));
      fn.admitted.push(admitted);
      if (fn.admitted.length > Math.ceil(seconds) + 1) fn.admitted.splice(0, fn.admitted.length - Math.ceil(seconds) - 1);
      fn.series.concurrency.push(carried + admitted * Math.min(1, seconds));
      fn.series.throttles.push(rate - admitted);
      fn.series.invocations += admitted;
      for (const queueId of fn.facts.producesTo) queues.get(queueId)?.send(admitted * fn.behaviour.messagesPerRequest, t);
    }

    // 4. Event sources start batches.
    for (const fn of consumers) {
      const source = fn.facts.eventSource!;
      const queue = queues.get(source.queue)!;
      fn.pollers = Math.max(fn.pollers, initialPollers(topology.pollerScaling, fn.facts));
      const share = shareOf(fn);
      let free = Math.max(0, Math.min(fn.pollers, capOf(fn)) - fn.carried(t, 0));
      const waitForWindow = queue.visible.count < source.batchSize && source.batchingWindowSeconds > 0
        && (fn.gatheringSince ??= t) + source.batchingWindowSeconds > t;
      if (!waitForWindow) {
        fn.gatheringSince = undefined;
        // Full batches first, then (slots left, fewer than a batch visible) one partial batch.
        for (let pass = 0; pass < 2 && free > 1e-9 && queue.visible.count > 1e-9; pass++) {
          const size = Math.min(source.batchSize, queue.visible.count);
          const flight = startBatches(fn, queue, size, free, t, failing, slow);
          free -= flight.slots;
          fn.inFlight.push(flight);
          fn.series.invocations += flight.received / size;
        }
      }
      // Pollers beyond the concurrency Lambda grants still receive batches; Lambda throttles them and the messages
      // come back after the visibility timeout, their receive counted (why maxConcurrency must not exceed the reservation).
      let throttled = 0;
      if (fn.pollers > share + 1e-9 && queue.visible.count > 1e-9) {
        for (const part of queue.visible.take((fn.pollers - share) * source.batchSize)) {
          queue.hidden.hide({ ...part, receiveCount: part.receiveCount + 1 }, t + queue.facts.visibilityTimeoutSeconds);
          throttled += part.count / source.batchSize;
        }
      }
      fn.series.concurrency.push(fn.carried(t, 0));
      fn.series.throttles.push(throttled);
      fn.pollers = nextPollers(fn.pollers, queue.visible.count > 1e-9, topology.pollerScaling, source.maximumConcurrency);
    }

    // 5. Series.
    for (const queue of queues.values()) {
      queue.series.visible.push(queue.visible.count);
      queue.series.notVisible.push(Math.max(0, queue.total - queue.visible.count));
      queue.series.oldestAgeSeconds.push(queue.ages.oldestAge(t + 1));
      queue.series.deadLetters.push(queue.deadLetters);
    }
    for (const proxy of proxies) {
      let connections = 0;
      for (const fn of functions) {
        for (const draw of fn.facts.proxyDraws) {
          if (draw.target === proxy.name) connections += fn.series.concurrency[t] * draw.connectionsPerEnvironment;
        }
      }
      proxy.connections.push(connections);
    }
    for (const fn of functions) fn.bucket.refill();

    if (t + 1 >= scenario.durationSeconds) {
      const empty = [...queues.values()].every((q) => q.total < EMPTY) && consumers.every((fn) => fn.inFlight.length === 0);
      if (empty) {
        drainSeconds = Math.max(0, lastSettled - scenario.durationSeconds);
        t++;
        break;
      }
    }
  }
  return {
    scenario,
    topology,
    seconds: t,
    drainSeconds,
    functions: functions.map((f) => f.series),
    queues: [...queues.values()].map((q) => q.series),
    proxies,
    outages: scenario.outages,
  };
}

function initialPollers(scaling: PollerScaling, fn: FunctionFacts): number {
  return Math.min(scaling.initial, scaling.max, fn.eventSource?.maximumConcurrency ?? Infinity);
}

function requestSeconds(fn: FunctionState, slow: number): number {
  return Math.min(fn.facts.timeoutSeconds, fn.behaviour.requestSeconds * (fn.facts.touchesDatabase ? slow : 1));
}

/**
 * Starts as many batches of `size` messages as `free` concurrency allows during step t. A batch that would run past
 * the writer's time budget processes what fits and returns the rest unprocessed (the runtime's WritesDeferred).
 */
function startBatches(fn: FunctionState, queue: QueueState, size: number, free: number, t: number, failing: boolean, slow: number): InFlight {
  const b = fn.behaviour;
  const budget = Math.max(0.001, fn.facts.timeoutSeconds - Math.min(WRITER_TIME_RESERVE_SECONDS, fn.facts.timeoutSeconds / 2));
  let seconds = failing ? b.failedInvocationSeconds : b.invocationSeconds + size * b.messageSeconds * slow;
  let succeeded = failing ? 0 : 1;
  if (!failing && seconds > budget) {
    succeeded = Math.max(0, Math.min(1, (budget - b.invocationSeconds) / (size * b.messageSeconds * slow)));
    seconds = budget;
  }
  seconds = Math.max(seconds, 1e-3);
  // Sub-second batches run one after another on a slot within the second; longer ones hold a slot each.
  const batches = Math.min(queue.visible.count / size, seconds < 1 ? free / seconds : free);
  const parts = queue.visible.take(batches * size).map((p) => ({ ...p, receiveCount: p.receiveCount + 1 }));
  const received = parts.reduce((sum, p) => sum + p.count, 0);
  const groups = received / size;
  if (seconds >= 1) return { start: t, end: t + seconds, settleAt: t + seconds, slots: groups, received, parts, succeeded, failed: failing };
  // Sub-second batches end between t + seconds (the first on each slot) and the time the busiest slot is done.
  const busyUntil = Math.max(seconds, Math.min(1, (groups * seconds) / free));
  return { start: t, end: t + 1, settleAt: t + (seconds + busyUntil) / 2, slots: groups * seconds, received, parts, succeeded, failed: failing };
}

/** The runtime's visibility after the n-th failed receive, for each jitter quantile (computed once per receive count). */
type BackoffTable = (receiveCount: number) => readonly number[];

function backoffTable(backoff: VisibilityBackoffOptions): BackoffTable {
  const rows: number[][] = [];
  return (receiveCount) => (rows[receiveCount] ??= JITTER_QUANTILES.map((q) => visibilityTimeoutSeconds(receiveCount, backoff, () => q)));
}

/** The end of a group of batches: deleted, hidden with the writer's backoff, or returned after the visibility timeout. */
function settle(flight: InFlight, queue: QueueState, backoff: BackoffTable): void {
  if (flight.failed) {
    // The writer sets each failed message's visibility from its receive count (ChangeMessageVisibility counts from the call).
    for (const part of flight.parts) {
      const visibility = backoff(part.receiveCount)[(part.sentAt + part.receiveCount) % JITTER_QUANTILES.length];
      queue.hidden.hide(part, flight.settleAt + visibility);
    }
    return;
  }
  queue.series.deleted += queue.gone(flight.parts, flight.succeeded);
  if (flight.succeeded < 1) {
    // Deferred: returned without a visibility change, back when the visibility timeout from the receive ends.
    for (const part of flight.parts) {
      queue.hidden.hide({ ...part, count: part.count * (1 - flight.succeeded) }, flight.start + queue.facts.visibilityTimeoutSeconds);
    }
  }
}
