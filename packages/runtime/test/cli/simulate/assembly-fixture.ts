import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The settings of a small write-buffered stack: a producer, a reader, a writer behind an SQS queue. */
export interface WriteBufferedStack {
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  readonly writerReserved?: number;
  /** undefined: no ScalingConfig. */
  readonly maximumConcurrency?: number;
  readonly batchSize?: number;
  readonly writerTimeoutSeconds?: number;
  readonly backoff?: { readonly baseSeconds: number; readonly maxSeconds: number; readonly jitter: number };
  readonly producerReserved?: number;
  /** undefined: no reader. */
  readonly readerReserved?: number;
  readonly proxyCapacity?: number;
  readonly breakerCoolDownSeconds?: number;
  readonly accountConcurrency?: number;
}

/** A template and budget report as `cdk synth` writes them, for a stack shaped like the ElasticDataAccess pattern. */
export function writeBufferedStack(settings: WriteBufferedStack = {}): { template: object; report: object } {
  const visibility = settings.visibilityTimeoutSeconds ?? 180;
  const backoff = settings.backoff ?? { baseSeconds: 64, maxSeconds: 900, jitter: 0.2 };
  const resources: Record<string, object> = {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: visibility, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: settings.maxReceiveCount ?? 5 } } },
    Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
    Writer: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        ReservedConcurrentExecutions: settings.writerReserved ?? 5,
        Timeout: settings.writerTimeoutSeconds ?? 30,
        Environment: {
          Variables: {
            EDA_WRITE_HOST: { 'Fn::GetAtt': ['Proxy', 'Endpoint'] },
            EDA_WRITE_QUEUE_URL: { Ref: 'Queue' },
            EDA_BACKOFF_BASE_SECONDS: String(backoff.baseSeconds),
            EDA_BACKOFF_MAX_SECONDS: String(backoff.maxSeconds),
            EDA_BACKOFF_JITTER: String(backoff.jitter),
            EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS: String(visibility),
          },
        },
      },
    },
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Writer' },
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        BatchSize: settings.batchSize ?? 10,
        ...(settings.maximumConcurrency === undefined ? {} : { ScalingConfig: { MaximumConcurrency: settings.maximumConcurrency } }),
      },
    },
    Producer: {
      Type: 'AWS::Lambda::Function',
      Properties: { ReservedConcurrentExecutions: settings.producerReserved ?? 20, Timeout: 5, Environment: { Variables: { EDA_WRITE_QUEUE_URL: { Ref: 'Queue' } } } },
    },
  };
  const consumers = [{ path: 'Writer', connectionsPerEnvironment: 1 }];
  const targets: object[] = [{ name: 'Proxy (writer)', kind: 'proxy-writer', capacity: settings.proxyCapacity ?? 100, consumers }];
  if (settings.readerReserved !== undefined) {
    resources.Reader = {
      Type: 'AWS::Lambda::Function',
      Properties: { ReservedConcurrentExecutions: settings.readerReserved, Timeout: 5, Environment: { Variables: { EDA_READ_HOSTS: 'reader' } } },
    };
    targets.push({ name: 'Proxy (read-only endpoint)', kind: 'proxy-read-only', capacity: settings.proxyCapacity ?? 100, consumers: [{ path: 'Reader', connectionsPerEnvironment: 1 }] });
  }
  return {
    template: { Resources: resources },
    report: {
      version: 1,
      targets,
      writeBuffers: [{ breakerCoolDownSeconds: settings.breakerCoolDownSeconds ?? 10 }],
      account: { accountConcurrency: settings.accountConcurrency ?? 1000, unreservedMinimum: 100, reserved: 0 },
    },
  };
}

/** Writes a cloud assembly with one stack (manifest, template, budget report) into `dir` (default: a new temporary one). */
export function writeAssembly(stack: string, files: { template: object; report: object }, dir = mkdtempSync(join(tmpdir(), 'eda-simulate-'))): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: { [stack]: { type: 'aws:cloudformation:stack', properties: { templateFile: `${stack}.template.json` } } } }));
  writeFileSync(join(dir, `${stack}.template.json`), JSON.stringify(files.template));
  writeFileSync(join(dir, `${stack}.concurrency-budget.json`), JSON.stringify({ stack, ...files.report }));
  return dir;
}
