import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalCliError } from './cli-output';
import type { CommandContext } from './stack-commands';
import { StateDir } from './state-dir';
import { WriterTally } from './writer-tally';
import { InvocationError, LocalFunction } from '../local-function';
import { LocalSqsEventSource } from '../sqs-event-source';

export const WRITER_OPTIONS = '<handler file> [--export=handler] [--concurrency=2] [--batch-size=10] [--timeout=30]';

/** How often the counts are looked at; a line is printed only when they changed. */
const TALLY_INTERVAL_MS = 500;

function positive(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new LocalCliError(`--${flag} must be a whole number of at least 1, got ${raw}`, 2);
  return value;
}

async function deadLetterDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/**
 * `eda-local writer <handler file>`: runs a writer handler against the running stack as Lambda would (execution
 * environments fed by the write queue, partial batch responses) until SIGINT/SIGTERM; prints the handler's log
 * lines and a line of counts each time they change.
 */
export async function writer(context: CommandContext, args: readonly string[], stopped: Promise<void>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'export': { type: 'string' },
      'concurrency': { type: 'string' },
      'batch-size': { type: 'string' },
      'timeout': { type: 'string' },
    },
  });
  const [given] = positionals;
  if (!given) throw new LocalCliError(`writer needs the path of a handler file: npx eda-local writer ${WRITER_OPTIONS}`, 2);
  const handlerModule = resolve(context.cwd, given);
  if (!existsSync(handlerModule)) throw new LocalCliError(`handler file ${given} not found (looked for ${handlerModule})`);
  const concurrency = positive('concurrency', values.concurrency, 2);
  const state = new StateDir(context.env, context.cwd);
  const environment = state.runningEnvironment();
  if (!environment) throw new LocalCliError(`no local stack running in ${state.dir}: start it with npx eda-local up`);

  const tally = new WriterTally();
  const fn = new LocalFunction({
    handlerModule,
    handlerExport: values.export ?? 'handler',
    environment,
    timeoutMs: positive('timeout', values.timeout, 30) * 1000,
    // tsx compiles a TypeScript handler at each cold start.
    initTimeoutMs: 60_000,
    maxEnvironments: concurrency,
    onLogLine: (line) => {
      if (!tally.addLogLine(line)) context.out(line);
    },
  });
  const client = new SQSClient({
    endpoint: environment.EDA_SQS_ENDPOINT,
    region: environment.AWS_REGION,
    credentials: { accessKeyId: environment.AWS_ACCESS_KEY_ID, secretAccessKey: environment.AWS_SECRET_ACCESS_KEY },
  });
  const source = new LocalSqsEventSource({
    client,
    queueUrl: environment.EDA_WRITE_QUEUE_URL,
    target: fn,
    maxConcurrency: concurrency,
    batchSize: positive('batch-size', values['batch-size'], 10),
    maximumBatchingWindowMs: 500,
  });
  let last = '';
  const report = async (always: boolean) => {
    const line = tally.line(source.stats, await deadLetterDepth(client, environment.EDA_DEAD_LETTER_QUEUE_URL));
    if (always || line !== last) context.out(line);
    last = line;
  };
  try {
    await fn.warm().catch((error: unknown) => {
      // The handler's module threw while loading (a missing package, a top-level error): the user's problem, not ours.
      if (error instanceof InvocationError && error.kind === 'init') throw new LocalCliError(`handler file ${given} failed to load: ${error.message}`);
      throw error;
    });
    await source.start();
    context.out(`writer ${given} polling ${environment.EDA_WRITE_QUEUE_URL} (concurrency ${concurrency}); Ctrl-C to stop`);
    await report(true);
    let stopping = false;
    void stopped.then(() => {
      stopping = true;
    });
    while (!stopping) {
      await Promise.race([stopped, new Promise((done) => setTimeout(done, TALLY_INTERVAL_MS))]);
      if (!stopping) await report(false);
    }
    await source.stop();
    await report(false);
    context.out('writer stopped');
  } finally {
    await source.stop().catch(() => undefined);
    await fn.close();
    client.destroy();
  }
  return 0;
}
