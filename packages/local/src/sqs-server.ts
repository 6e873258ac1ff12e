import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createRequestHandler } from 'local-aws-sqs';
import { findFreePort } from './free-port';
import { makeReceiveCountsFaithful, rewriteForEmulator } from './sqs-fidelity';

const HOST = '127.0.0.1';
/** local-aws-sqs puts these (cosmetic) values into queue ARNs and URLs. */
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';

/** Options of {@link startSqs}. */
export interface SqsServerOptions {
  /** Name of the write-buffer queue; its dead-letter queue is `<name>-dlq`. @default 'eda-writes' */
  readonly queueName?: string;
  /**
   * Visibility timeout of the write queue: how long a failed (not deleted) message stays hidden before it is
   * received again. Short locally so retries happen within a test; in AWS it must be ≥ 6 × the function timeout
   * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
   * @default 30
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before SQS moves a message to the DLQ; the library enforces ≥ 5 in AWS. @default 5 */
  readonly maxReceiveCount?: number;
  /** TCP port on 127.0.0.1. @default a free port chosen by the kernel */
  readonly port?: number;
}

/**
 * An in-process SQS on 127.0.0.1 with the write queue and its DLQ: npm local-aws-sqs, wrapped so that it counts
 * receives as SQS does and understands `MessageSystemAttributeNames` ({@link makeReceiveCountsFaithful},
 * docs/local-stack.md lists what it still does not reproduce).
 */
export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the endpoint override for SQS clients (`EDA_SQS_ENDPOINT`). */
  readonly endpoint: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** An SQS client for this endpoint with placeholder credentials (the server checks no signatures). */
  createClient(): SQSClient;
  /** Closes the server; queued messages are lost. Idempotent. */
  stop(): Promise<void>;
}

/** Credentials the local server accepts (it checks none); also exported by the local stack's environment. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts local-aws-sqs with the write queue and its dead-letter queue (redrive after `maxReceiveCount` receives).
 * Long polls must use a WaitTimeSeconds below the visibility timeout: a longer poll could return a message whose
 * visibility has already run out.
 */
export async function startSqs(options: SqsServerOptions = {}): Promise<LocalSqs> {
  const queueName = options.queueName ?? 'eda-writes';
  const dlqName = `${queueName}-dlq`;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const maxReceiveCount = options.maxReceiveCount ?? 5;

  let server: Server | undefined;
  let port = options.port ?? 0;
  for (let attempt = 1; !server; attempt++) {
    if (options.port === undefined) port = await findFreePort();
    const { service, requestHandler } = createRequestHandler({
      port,
      hostname: HOST,
      region: REGION,
      accountId: ACCOUNT_ID,
      // Tests create and delete queues with the same names in quick succession.
      emulateQueueCreationLifecycle: false,
      queues: [
        // 14 days, the maximum, so nothing expires out of the DLQ during a run.
        { QueueName: dlqName, Attributes: { MessageRetentionPeriod: 1_209_600 } },
        {
          QueueName: queueName,
          Attributes: {
            VisibilityTimeout: visibilityTimeoutSeconds,
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${dlqName}`,
              maxReceiveCount,
            }),
          },
        },
      ],
    });
    const candidate = createServer((req, res) => void forward(req, res, requestHandler, () => makeReceiveCountsFaithful(service)));
    try {
      await new Promise<void>((resolve, reject) => {
        candidate.once('error', reject);
        candidate.listen(port, HOST, () => resolve());
      });
      makeReceiveCountsFaithful(service);
      server = candidate;
    } catch (error) {
      if (options.port !== undefined || attempt >= 3) throw error;
    }
  }

  const endpoint = `http://${HOST}:${port}`;
  const running = server;
  let stopped = false;
  return {
    endpoint,
    region: REGION,
    queueUrl: `${endpoint}/${ACCOUNT_ID}/${queueName}`,
    deadLetterQueueUrl: `${endpoint}/${ACCOUNT_ID}/${dlqName}`,
    visibilityTimeoutSeconds,
    maxReceiveCount,
    createClient: () => new SQSClient({ region: REGION, endpoint, credentials: LOCAL_AWS_CREDENTIALS }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Pending long polls would otherwise keep close() waiting for up to WaitTimeSeconds.
      running.closeAllConnections();
      await new Promise<void>((resolve) => running.close(() => resolve()));
    },
  };
}

type EmulatorHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Reads the request, lets {@link rewriteForEmulator} adapt or answer it, and hands the emulator an equivalent
 * request (it reads headers and the body stream only).
 */
async function forward(req: IncomingMessage, res: ServerResponse, handler: EmulatorHandler, patchQueues: () => void): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  try {
    // Queues created later (CreateQueue) are made faithful before their first message.
    patchQueues();
    const rewritten = rewriteForEmulator(req.headers, body);
    if (rewritten.kind === 'answer') {
      res.statusCode = rewritten.statusCode;
      for (const [name, value] of Object.entries(rewritten.headers)) res.setHeader(name, value);
      res.end(rewritten.body);
      return;
    }
    const replay = Readable.from([Buffer.from(rewritten.body, 'utf8')]) as Readable & Partial<IncomingMessage>;
    Object.assign(replay, { headers: req.headers, method: req.method, url: req.url });
    await handler(replay as IncomingMessage, res);
  } catch (error) {
    // Fails loudly (the client sees a 500) rather than serving a count that is not SQS's.
    res.statusCode = 500;
    res.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
  }
}
