import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AWS_POLLER_SCALING, SQS_DEFAULT_BATCH_SIZE, SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS } from './aws-scaling-rules';
import type { FunctionFacts, ProxyDraw, ProxyTargetFacts, QueueFacts, Topology } from './topology';
import { DEFAULT_BREAKER_COOL_DOWN_MS } from '../../resilience/circuit-breaker';
import { CliError } from '../cli-context';
import { assemblyDirs, findBudgetReport } from '../doctor/budget-report';

/*
 * Reads a synthesized cloud assembly into a Topology: the stack's template (functions, queues, event source
 * mappings, environment) and its budget report (proxy targets with their consumers, the account limit). Only JSON:
 * the CLI never loads the construct library.
 */

/** Lambda's default function timeout: "The default is 3 seconds" (@aws-sdk/client-lambda CreateFunctionRequest.Timeout). */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
/** The runtime's own default, used when the report predates writeBuffers. */
const DEFAULT_BREAKER_COOL_DOWN_SECONDS = DEFAULT_BREAKER_COOL_DOWN_MS / 1000;
const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

function readJson(file: string, what: string): any {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

interface StackArtifact {
  readonly dir: string;
  readonly templateFile: string;
  /** Construct path (with leading slash) → metadata entries. */
  readonly metadata: Record<string, Array<{ type: string; data: unknown }>>;
}

function findStackArtifact(assemblyDir: string, stack: string): StackArtifact {
  if (!existsSync(assemblyDir) || !statSync(assemblyDir).isDirectory()) {
    throw new CliError(`cloud assembly ${assemblyDir} not found: run \`cdk synth\` first or pass --assembly <dir>`);
  }
  const known: string[] = [];
  for (const dir of assemblyDirs(assemblyDir)) {
    const manifestFile = join(dir, 'manifest.json');
    if (!existsSync(manifestFile)) continue;
    const artifacts = readJson(manifestFile, 'cloud assembly manifest').artifacts ?? {};
    for (const [id, artifact] of Object.entries<any>(artifacts)) {
      if (artifact?.type !== 'aws:cloudformation:stack') continue;
      known.push(id);
      if (id !== stack) continue;
      const metadataFile = artifact.additionalMetadataFile ? join(dir, artifact.additionalMetadataFile) : undefined;
      const metadata = metadataFile && existsSync(metadataFile) ? readJson(metadataFile, 'stack metadata') : artifact.metadata ?? {};
      return { dir, templateFile: join(dir, artifact.properties?.templateFile ?? `${id}.template.json`), metadata };
    }
  }
  throw new CliError(`unknown stack ${stack}: the assembly ${assemblyDir} has ${known.length ? known.join(', ') : 'no stacks'}`);
}

/** Logical id → construct path relative to the stack, without a trailing `/Resource`. */
function constructPaths(metadata: StackArtifact['metadata']): { byLogicalId: Map<string, string>; stackPath: string } {
  const keys = Object.keys(metadata);
  // The stack's own entry is the shortest path of its metadata.
  const stackPath = keys.length ? keys.reduce((a, b) => (b.length < a.length ? b : a)) : '';
  const byLogicalId = new Map<string, string>();
  for (const [path, entries] of Object.entries(metadata)) {
    for (const entry of entries ?? []) {
      if (entry.type !== 'aws:cdk:logicalId' || typeof entry.data !== 'string') continue;
      const relative = path.startsWith(`${stackPath}/`) ? path.slice(stackPath.length + 1) : path.replace(/^\//, '');
      byLogicalId.set(entry.data, relative.replace(/\/Resource$/, ''));
    }
  }
  return { byLogicalId, stackPath: stackPath.replace(/^\//, '') };
}

/**
 * The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. A copy of the construct library's reading (the CLI never
 * loads the construct library); test/checks/model/simulator-reference-contract.test.ts compares the two.
 * @internal
 */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const ref = (value as any).Ref;
    if (typeof ref === 'string') return ref;
    const getAtt = (value as any)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Reads the stack `stack` of the assembly in `assemblyDir`. */
export function readTopology(assemblyDir: string, stack: string): Topology {
  const artifact = findStackArtifact(assemblyDir, stack);
  const template = readJson(artifact.templateFile, 'template');
  const report = readJson(findBudgetReport(dirname(artifact.templateFile), stack), 'budget report');
  const resources: Record<string, { Type: string; Properties?: any }> = template.Resources ?? {};
  const { byLogicalId, stackPath } = constructPaths(artifact.metadata);
  const idOf = (logicalId: string) => byLogicalId.get(logicalId) ?? logicalId;

  const queues: QueueFacts[] = [];
  const deadLetterQueues = new Set<string>();
  for (const resource of Object.values(resources)) {
    const redrive = resource.Type === 'AWS::SQS::Queue' ? resource.Properties?.RedrivePolicy : undefined;
    const target = referencedLogicalId((typeof redrive === 'string' ? JSON.parse(redrive) : redrive)?.deadLetterTargetArn);
    if (target) deadLetterQueues.add(target);
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    // A dead-letter queue is modelled as the count of messages its source queue moved there.
    if (resource.Type !== 'AWS::SQS::Queue' || deadLetterQueues.has(logicalId)) continue;
    const props = resource.Properties ?? {};
    const redrive = typeof props.RedrivePolicy === 'string' ? JSON.parse(props.RedrivePolicy) : props.RedrivePolicy;
    queues.push({
      id: idOf(logicalId),
      logicalId,
      visibilityTimeoutSeconds: numberOf(props.VisibilityTimeout) ?? SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: numberOf(redrive?.maxReceiveCount),
    });
  }
  const queueByLogicalId = new Map(queues.map((q) => [q.logicalId, q]));

  const mappings = new Map<string, FunctionFacts['eventSource']>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const props = resource.Properties ?? {};
    const fn = referencedLogicalId(props.FunctionName);
    const queue = queueByLogicalId.get(referencedLogicalId(props.EventSourceArn) ?? '');
    if (!fn || !queue) continue;
    mappings.set(fn, {
      queue: queue.id,
      batchSize: numberOf(props.BatchSize) ?? SQS_DEFAULT_BATCH_SIZE,
      batchingWindowSeconds: numberOf(props.MaximumBatchingWindowInSeconds) ?? 0,
      maximumConcurrency: numberOf(props.ScalingConfig?.MaximumConcurrency),
    });
  }

  const targets: any[] = Array.isArray(report.targets) ? report.targets : [];
  const proxyTargets: ProxyTargetFacts[] = targets
    .filter((t) => t.kind === 'proxy-writer' || t.kind === 'proxy-read-only')
    .map((t) => ({ name: String(t.name), kind: String(t.kind), capacity: Number(t.capacity) }));
  const fullPath = (id: string) => (stackPath ? `${stackPath}/${id}` : id);

  const functions: FunctionFacts[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const env: Record<string, unknown> = props.Environment?.Variables ?? {};
    const id = idOf(logicalId);
    const eventSource = mappings.get(logicalId);
    const queueRef = queueByLogicalId.get(referencedLogicalId(env.EDA_WRITE_QUEUE_URL) ?? '');
    const draws: ProxyDraw[] = [];
    for (const target of targets) {
      if (target.kind !== 'proxy-writer' && target.kind !== 'proxy-read-only') continue;
      for (const consumer of target.consumers ?? []) {
        if (consumer.path !== fullPath(id)) continue;
        draws.push({ target: String(target.name), connectionsPerEnvironment: Number(consumer.connectionsPerEnvironment ?? 1) });
      }
    }
    const backoff = eventSource ? {
      baseSeconds: numberOf(env.EDA_BACKOFF_BASE_SECONDS),
      maxSeconds: numberOf(env.EDA_BACKOFF_MAX_SECONDS),
      jitter: numberOf(env.EDA_BACKOFF_JITTER),
      queueVisibilityTimeoutSeconds: numberOf(env.EDA_WRITE_QUEUE_VISIBILITY_TIMEOUT_SECONDS),
    } : undefined;
    functions.push({
      id,
      logicalId,
      reservedConcurrency: numberOf(props.ReservedConcurrentExecutions),
      timeoutSeconds: numberOf(props.Timeout) ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS,
      producesTo: queueRef && queueRef.id !== eventSource?.queue ? [queueRef.id] : [],
      eventSource,
      backoff,
      proxyDraws: draws,
      touchesDatabase: env.EDA_WRITE_HOST !== undefined || env.EDA_READ_HOSTS !== undefined,
    });
  }

  const account = report.account ?? report.accountSettings ?? {};
  const coolDowns = (Array.isArray(report.writeBuffers) ? report.writeBuffers : [])
    .map((w: any) => numberOf(w.breakerCoolDownSeconds))
    .filter((n: unknown): n is number => n !== undefined);
  return {
    stack,
    functions,
    queues,
    proxyTargets,
    accountConcurrency: numberOf(account.accountConcurrency) ?? DEFAULT_ACCOUNT_CONCURRENCY,
    unreservedMinimum: numberOf(account.unreservedMinimum) ?? 0,
    breakerCoolDownSeconds: coolDowns.length ? Math.max(...coolDowns) : DEFAULT_BREAKER_COOL_DOWN_SECONDS,
    pollerScaling: AWS_POLLER_SCALING,
  };
}
