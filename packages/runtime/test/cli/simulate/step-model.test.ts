import { writeAssembly, writeBufferedStack, WriteBufferedStack } from './assembly-fixture';
import { readTopology } from '../../../src/cli/simulate/assembly-reader';
import { LAMBDA_SCALING_BURST, LAMBDA_SCALING_REFILL_PER_SECOND } from '../../../src/cli/simulate/aws-scaling-rules';
import { builtInScenario, DEFAULT_DRAIN_LIMIT_SECONDS, Scenario } from '../../../src/cli/simulate/scenario';
import { simulate, SimulationResult } from '../../../src/cli/simulate/step-model';
import { summarize } from '../../../src/cli/simulate/summary';
import { toleratedOutageSeconds } from '../../../src/resilience/visibility-backoff';

function topology(settings: WriteBufferedStack = {}) {
  return readTopology(writeAssembly('Sim', writeBufferedStack(settings)), 'Sim');
}

function scenario(partial: Partial<Scenario>): Scenario {
  return {
    name: 'test',
    durationSeconds: 60,
    load: {},
    behaviour: {},
    functionOverrides: {},
    queueOverrides: {},
    outages: [],
    slow: [],
    drainLimitSeconds: DEFAULT_DRAIN_LIMIT_SECONDS,
    ...partial,
  };
}

const fn = (result: SimulationResult, id: string) => result.functions.find((f) => f.id === id)!;

describe('the step model', () => {
  test('reads the stack: reservations, timeouts, the event source, the queue, the backoff and the proxy draws', () => {
    const t = topology({
      writerReserved: 4,
      maximumConcurrency: 3,
      batchSize: 25,
      visibilityTimeoutSeconds: 90,
      maxReceiveCount: 7,
      readerReserved: 30,
    });
    const writer = t.functions.find((f) => f.id === 'Writer')!;
    expect(writer).toMatchObject({
      reservedConcurrency: 4,
      timeoutSeconds: 30,
      producesTo: [],
      eventSource: { queue: 'Queue', batchSize: 25, batchingWindowSeconds: 0, maximumConcurrency: 3 },
      backoff: { baseSeconds: 64, maxSeconds: 900, jitter: 0.2, queueVisibilityTimeoutSeconds: 90 },
      proxyDraws: [{ target: 'Proxy (writer)', connectionsPerEnvironment: 1 }],
    });
    expect(t.functions.find((f) => f.id === 'Producer')!.producesTo).toEqual(['Queue']);
    // The dead-letter queue is counted through its source queue, not simulated as a queue of its own.
    expect(t.queues).toEqual([{ id: 'Queue', logicalId: 'Queue', visibilityTimeoutSeconds: 90, maxReceiveCount: 7 }]);
  });

  test('a function above its reserved concurrency is throttled: Little\'s law, rate × duration', () => {
    // 1,000 req/s × 100 ms = 100 concurrent requests wanted, 50 reserved: half of the requests fit.
    const result = simulate(topology({ readerReserved: 50 }), scenario({
      durationSeconds: 10,
      load: {
        Reader: [{
          atSeconds: 0,
          perSecond: 1000,
        }],
      },
    }));
    expect(Math.max(...fn(result, 'Reader').concurrency)).toBeCloseTo(50);
    expect(summarize(result).functions.Reader).toMatchObject({ throttles: 5000, invocations: 5000, concurrencyLimit: 50 });
  });

  test('an unreserved function grows by Lambda\'s scaling rate: 1,000 environments at once, then 100 per second', () => {
    const t = {
      ...topology(),
      functions: topology({ readerReserved: 1 }).functions.map((f) => (f.id === 'Reader' ? {
        ...f,
        reservedConcurrency: undefined,
      } : f)),
    };
    const result = simulate(t, scenario({
      durationSeconds: 20,
      accountConcurrency: 100_000,
      load: { Reader: [{ atSeconds: 0, perSecond: 5000 }] },
      behaviour: { Reader: { requestSeconds: 1 } },
    }));
    const concurrency = fn(result, 'Reader').concurrency;
    expect(concurrency[0]).toBeCloseTo(LAMBDA_SCALING_BURST);
    expect(concurrency[10] - concurrency[9]).toBeCloseTo(LAMBDA_SCALING_REFILL_PER_SECOND);
    expect(concurrency[19]).toBeCloseTo(LAMBDA_SCALING_BURST + 19 * LAMBDA_SCALING_REFILL_PER_SECOND);
    expect(summarize(result).throttles).toBeGreaterThan(0);
  });

  test('unreserved functions share what the account limit leaves after the stack\'s reservations', () => {
    const base = topology({ readerReserved: 1, accountConcurrency: 300 });
    const t = { ...base, functions: base.functions.map((f) => (f.id === 'Reader' ? { ...f, reservedConcurrency: undefined } : f)) };
    const result = simulate(t, scenario({
      durationSeconds: 5,
      load: { Reader: [{ atSeconds: 0, perSecond: 10_000 }] },
      behaviour: { Reader: { requestSeconds: 1 } },
    }));
    // 300 − (writer 5 + producer 20) reserved = 275 left for the reader.
    expect(Math.max(...fn(result, 'Reader').concurrency)).toBeCloseTo(275);
  });

  test('the SQS event source starts at 5 concurrent batches and adds up to 300 a minute, up to maxConcurrency', () => {
    const result = simulate(topology({ writerReserved: 500, maximumConcurrency: 400, producerReserved: 1000 }), scenario({
      durationSeconds: 120,
      load: { Producer: [{ atSeconds: 0, perSecond: 5000 }] },
      behaviour: {
        Writer: {
          invocationSeconds: 1,
          messageSeconds: 0,
        },
      },
    }));
    const writer = fn(result, 'Writer').concurrency;
    expect(writer[0]).toBeCloseTo(5);
    expect(writer[60]).toBeCloseTo(5 + 300, 0);
    expect(Math.max(...writer)).toBeCloseTo(400);
  });

  test('the SQS event source scales back to 5 concurrent batches once the queue is empty', () => {
    const result = simulate(topology({ writerReserved: 500, maximumConcurrency: 400, producerReserved: 1000 }), scenario({
      durationSeconds: 230,
      load: { Producer: [{ atSeconds: 0, perSecond: 2000 }, { atSeconds: 30, perSecond: 0 }, { atSeconds: 200, perSecond: 2000 }] },
      behaviour: { Writer: { invocationSeconds: 1, messageSeconds: 0 } },
    }));
    const writer = fn(result, 'Writer').concurrency;
    expect(writer[29]).toBeGreaterThan(100);
    expect(writer[200]).toBeCloseTo(5);
  });

  test('an event source allowed more batches than the reservation is throttled, and the throttled receives take healthy messages to the DLQ', () => {
    const settings = { writerReserved: 2, visibilityTimeoutSeconds: 5, maxReceiveCount: 2, producerReserved: 1000 };
    const bounded = summarize(simulate(topology({ ...settings, maximumConcurrency: 2 }), scenario({
      durationSeconds: 30,
      load: { Producer: [{ atSeconds: 0, perSecond: 1000 }] },
    })));
    const unbounded = summarize(simulate(topology(settings), scenario({
      durationSeconds: 30,
      load: {
        Producer: [{
          atSeconds: 0,
          perSecond: 1000,
        }],
      },
    })));
    expect({ throttles: bounded.functions.Writer.throttles, deadLetters: bounded.deadLetterMessages }).toEqual({ throttles: 0, deadLetters: 0 });
    expect(unbounded.functions.Writer.throttles).toBeGreaterThan(0);
    expect(unbounded.deadLetterMessages).toBeGreaterThan(0);
  });

  test('an outage just within the runtime\'s tolerated outage puts no message in the DLQ; one beyond it does', () => {
    const backoff = { baseSeconds: 64, maxSeconds: 900, jitter: 0.2 };
    const tolerated = toleratedOutageSeconds(5, { ...backoff, queueVisibilityTimeoutSeconds: 180 }, { breakerCoolDownSeconds: 10 });
    const run = (outageSeconds: number) => summarize(simulate(topology({ backoff }), scenario({
      durationSeconds: 60 + outageSeconds + 60,
      load: { Producer: [{ atSeconds: 0, perSecond: 50 }] },
      outages: [{
        fromSeconds: 60,
        toSeconds: 60 + outageSeconds,
      }],
    })));
    const within = run(tolerated - 5);
    const beyond = run(tolerated + 120);
    expect({ within: within.deadLetterMessages, drained: within.drained }).toEqual({ within: 0, drained: true });
    expect(within.maxOldestMessageAgeSeconds).toBeGreaterThan(tolerated - 5);
    expect(beyond.deadLetterMessages).toBeGreaterThan(0);
  });

  test('a slow database makes batches outlast the writer\'s time budget: the rest is deferred and retried, not lost', () => {
    const result = summarize(simulate(topology({ writerTimeoutSeconds: 3, visibilityTimeoutSeconds: 20 }), scenario({
      durationSeconds: 60,
      load: { Producer: [{ atSeconds: 0, perSecond: 20 }] },
      behaviour: { Writer: { messageSeconds: 0.1 } },
      slow: [{ fromSeconds: 10, toSeconds: 30, factor: 5 }],
    })));
    expect(result.queues.Queue).toMatchObject({ sent: 1200, deleted: 1200, deadLetterMessages: 0 });
    expect(result.maxOldestMessageAgeSeconds).toBeGreaterThanOrEqual(20);
  });

  test('the proxy connections are the drawing functions\' concurrency × connections per environment', () => {
    const result = summarize(simulate(topology({ readerReserved: 40, proxyCapacity: 30 }), scenario({
      durationSeconds: 10,
      load: { Reader: [{ atSeconds: 0, perSecond: 1000 }] },
    })));
    expect(result.proxyTargets['Proxy (read-only endpoint)']).toEqual({ kind: 'proxy-read-only', poolSize: 30, maxConnections: 40 });
    expect({ max: result.maxProxyConnections, pool: result.proxyPoolSize }).toEqual({ max: 40, pool: 30 });
  });

  test('plays a 1-hour scenario far faster than real time', () => {
    const started = process.hrtime.bigint();
    const result = simulate(topology({ readerReserved: 50 }), builtInScenario('outage', { rate: 100, outageSeconds: 3600 - 120 }));
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(result.seconds).toBeGreaterThanOrEqual(3600);
    // Simulated seconds per wall-clock second: a relative measure, not a millisecond bound.
    expect(result.seconds / wallSeconds).toBeGreaterThan(200);
  });
});
