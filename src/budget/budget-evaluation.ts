import { Stack, Token } from 'aws-cdk-lib';
import { CfnEventSourceMapping, CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { ConnectionDraw, ConnectionTarget } from './connection-target';
import { cfnFunctionOf } from '../function-facts';

/*
 * The ConcurrencyBudget's arithmetic, kept apart from the construct so it reads as plain functions
 * over the construct tree: which functions exist, what they reserve, who draws connections from
 * which target, and whether every sum fits.
 */

/**
 * The unreserved concurrency Lambda keeps for functions without reserved concurrency. The Lambda developer
 * guide: "You can reserve up to the Unreserved account concurrency value minus 100. The remaining 100 units
 * of concurrency are for functions that aren't using reserved concurrency."
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html); the API reference of
 * PutFunctionConcurrency (@aws-sdk/client-lambda `PutFunctionConcurrencyCommand.d.ts`): "You can reserve
 * concurrency for as many functions as you like, as long as you leave at least 100 simultaneous executions
 * unreserved for functions that aren't configured with a per-function limit."
 */
export const UNRESERVED_MINIMUM = 100;

/**
 * The unreserved minimum Lambda applies to an account limit. Accounts whose limit is below 100 (new
 * accounts start as low as 10) cannot leave 100 unreserved: Lambda then refuses any reservation that
 * takes the unreserved pool below the whole limit, with "Specified ReservedConcurrentExecutions for function
 * decreases account's UnreservedConcurrentExecution below its minimum value of [10]" (the value in brackets
 * is the account's limit, as reported in e.g. github.com/aws-samples/one-observability-demo/issues/278 and
 * github.com/awslabs/fhir-works-on-aws-deployment/issues/691). So the minimum is the smaller of 100 and the
 * limit, and such an account can reserve nothing until its quota is raised.
 */
export function defaultUnreservedMinimum(accountConcurrency: number): number {
  return Math.min(UNRESERVED_MINIMUM, accountConcurrency);
}

/** A target is reported as a warning from this utilisation on. */
export const WARNING_UTILISATION = 0.8;

export interface FunctionFact {
  readonly path: string;
  readonly stack: Stack;
  readonly reservedConcurrency?: number;
  /** True when reserved concurrency is set but only known at deploy time (a token). */
  readonly reservedConcurrencyUnresolved: boolean;
  /** Σ ScalingConfig.MaximumConcurrency of the SQS event source mappings that invoke this function. */
  readonly eventSources: EventSourceFact[];
}

export interface EventSourceFact {
  readonly path: string;
  readonly maxConcurrency?: number;
}

export interface ConsumerDemand {
  readonly path: string;
  readonly concurrency: number;
  readonly concurrencySource: 'reserved-concurrency' | 'declared';
  readonly connectionsPerEnvironment: number;
  readonly connections: number;
  /** What bounds the consumer's concurrency: "the reserved concurrency" of a function, "the maximum task count (declaredConcurrency)" of an ECS service, … */
  readonly concurrencyLever: string;
}

export interface TargetReport {
  readonly name: string;
  readonly kind: string;
  readonly capacity: number;
  readonly capacityExplanation: string;
  readonly demand: number;
  readonly headroom: number;
  readonly utilisationPercent: number;
  readonly status: 'ok' | 'warning' | 'over';
  readonly consumers: ConsumerDemand[];
}

export interface AccountReport {
  readonly environment: string;
  readonly accountConcurrency: number;
  readonly unreservedMinimum: number;
  readonly reservable: number;
  readonly reserved: number;
  readonly headroom: number;
  readonly status: 'ok' | 'over';
  /**
   * Every function whose reserved concurrency counts against the account, database-facing or not: `reserved`
   * is exactly the sum of their `reservedConcurrency`, so a table of these rows adds up to the account line.
   */
  readonly functions: AccountFunction[];
  /** Functions whose reserved concurrency is a token: counted by Lambda at deploy, unknown here. */
  readonly unknownReservations: string[];
}

/** One function counted in the account line of the budget. */
export interface AccountFunction {
  /** Construct path of the function. */
  readonly path: string;
  /** Its reserved concurrency: Lambda sets it aside for the function, whatever the function does. */
  readonly reservedConcurrency: number;
  /** Whether it draws database connections (then it also appears in `targets[].consumers`). */
  readonly databaseFacing: boolean;
  /** The targets it draws from, by name; empty when it is not database-facing. */
  readonly targets: string[];
  /** Why it counts, in one sentence. */
  readonly reason: string;
}

export interface WriterReport {
  readonly function: string;
  readonly reservedConcurrency?: number;
  readonly eventSources: EventSourceFact[];
}

export interface BudgetEvaluation {
  readonly targets: Array<TargetReport & { readonly target: ConnectionTarget; readonly anchor: IConstruct }>;
  readonly accounts: AccountReport[];
  readonly writers: WriterReport[];
  readonly errors: string[];
}

/** Every Lambda function in the tree below `root`, keyed by its CfnFunction. */
export function collectFunctions(root: IConstruct): Map<CfnFunction, FunctionFact> {
  const functions = new Map<CfnFunction, FunctionFact>();
  const byLogicalId = new Map<string, CfnFunction>();
  const all = root.node.findAll();
  for (const node of all) {
    if (node instanceof CfnFunction) {
      const stack = Stack.of(node);
      const reserved = node.reservedConcurrentExecutions;
      functions.set(node, {
        path: l2Path(node),
        stack,
        reservedConcurrency: reserved === undefined || Token.isUnresolved(reserved) ? undefined : reserved,
        reservedConcurrencyUnresolved: reserved !== undefined && Token.isUnresolved(reserved),
        eventSources: [],
      });
      byLogicalId.set(`${stack.artifactId}/${stack.resolve(node.logicalId)}`, node);
    }
  }
  for (const node of all) {
    if (!(node instanceof CfnEventSourceMapping)) continue;
    const stack = Stack.of(node);
    const target = referencedLogicalId(stack.resolve(node.functionName));
    const fn = target ? byLogicalId.get(`${stack.artifactId}/${target}`) : undefined;
    if (!fn) continue;
    const scaling = stack.resolve(node.scalingConfig) as { maximumConcurrency?: number; MaximumConcurrency?: number } | undefined;
    const max = scaling?.maximumConcurrency ?? scaling?.MaximumConcurrency;
    functions.get(fn)!.eventSources.push({
      path: l2Path(node),
      maxConcurrency: typeof max === 'number' ? max : undefined,
    });
  }
  return functions;
}


/** Evaluates every target, the account limit per environment, and the writers' event sources. */
export function evaluateBudget(root: IConstruct, draws: ConnectionDraw[], accountConcurrency: number, unreservedMinimum: number): BudgetEvaluation {
  const functions = collectFunctions(root);
  const errors: string[] = [];
  const targets: BudgetEvaluation['targets'] = [];

  const drawsByTarget = new Map<ConnectionTarget, ConnectionDraw[]>();
  for (const draw of draws) {
    const list = drawsByTarget.get(draw.target) ?? [];
    list.push(draw);
    drawsByTarget.set(draw.target, list);
  }

  const reportedMissing = new Set<IConstruct>();
  for (const [target, targetDraws] of drawsByTarget) {
    const consumers: ConsumerDemand[] = [];
    // A consumer connected twice to one target (e.g. two users) draws once per grant.
    for (const draw of targetDraws) {
      const concurrency = concurrencyOf(draw, functions);
      if (concurrency === undefined) {
        if (!reportedMissing.has(draw.consumer)) {
          reportedMissing.add(draw.consumer);
          errors.push(missingConcurrencyMessage(draw, target));
        }
        continue;
      }
      consumers.push({
        path: consumerPath(draw.consumer),
        concurrency: concurrency.value,
        concurrencySource: concurrency.source,
        connectionsPerEnvironment: draw.connectionsPerEnvironment,
        connections: concurrency.value * draw.connectionsPerEnvironment,
        concurrencyLever: leverOf(draw),
      });
    }
    const demand = consumers.reduce((sum, c) => sum + c.connections, 0);
    const utilisation = target.capacity > 0 ? demand / target.capacity : Infinity;
    const status = demand > target.capacity ? 'over' : utilisation > WARNING_UTILISATION ? 'warning' : 'ok';
    if (status === 'over') {
      errors.push(
        `ConcurrencyBudget: ${target.name} is over budget: Σ concurrency × connections per environment = ${demand} ` +
        `exceeds its capacity of ${target.capacity} (${target.capacityExplanation}). Drawn by: ` +
        consumers.map((c) => `${c.path} (${c.concurrency} × ${c.connectionsPerEnvironment})`).join(', ') +
        `. Lower ${leversOf(consumers)}, buffer writes through the WriteBuffer, or raise the capacity.`,
      );
    }
    targets.push({
      target,
      anchor: target.owner ?? targetDraws[0].consumer,
      name: target.name,
      kind: target.kind,
      capacity: target.capacity,
      capacityExplanation: target.capacityExplanation,
      demand,
      headroom: target.capacity - demand,
      utilisationPercent: Math.round(utilisation * 1000) / 10,
      status,
      consumers,
    });
  }

  const writers: WriterReport[] = [];
  for (const fact of functions.values()) {
    if (fact.eventSources.length === 0) continue;
    writers.push({ function: fact.path, reservedConcurrency: fact.reservedConcurrency, eventSources: fact.eventSources });
    if (fact.reservedConcurrency === undefined) continue;
    for (const source of fact.eventSources) {
      // More pollers than reserved environments means throttled invocations, which SQS counts as
      // receives: healthy messages reach the DLQ. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
      if (source.maxConcurrency !== undefined && source.maxConcurrency > fact.reservedConcurrency) {
        errors.push(
          `ConcurrencyBudget: ${source.path} has maxConcurrency ${source.maxConcurrency}, above the reserved concurrency ` +
          `${fact.reservedConcurrency} of ${fact.path}; throttled batches count as receives and drain healthy messages ` +
          'into the dead-letter queue. Set maxConcurrency ≤ reserved concurrency.',
        );
      }
    }
  }
  for (const { target, consumers } of targets) {
    for (const consumer of consumers) {
      const writer = writers.find((w) => w.function === consumer.path);
      const esmMax = writer?.eventSources.reduce((sum, s) => sum + (s.maxConcurrency ?? 0), 0) ?? 0;
      if (esmMax * consumer.connectionsPerEnvironment > target.capacity) {
        errors.push(
          `ConcurrencyBudget: the event sources of ${consumer.path} may run ${esmMax} concurrent batches × ` +
          `${consumer.connectionsPerEnvironment} connections = ${esmMax * consumer.connectionsPerEnvironment}, above the ` +
          `capacity of ${target.name} (${target.capacity}). Lower maxConcurrency.`,
        );
      }
    }
  }

  const targetsByConsumer = new Map<string, string[]>();
  for (const { name, consumers } of targets) {
    for (const { path } of consumers) {
      const names = targetsByConsumer.get(path) ?? [];
      if (!names.includes(name)) names.push(name);
      targetsByConsumer.set(path, names);
    }
  }
  const accounts = evaluateAccounts(functions, targetsByConsumer, accountConcurrency, unreservedMinimum);
  for (const account of accounts) {
    if (account.status === 'over') {
      errors.push(
        `ConcurrencyBudget: the functions in ${account.environment} reserve ${account.reserved} concurrent executions, ` +
        `above the ${account.reservable} that can be reserved (account concurrency ${account.accountConcurrency} − ` +
        `${account.unreservedMinimum} that Lambda keeps unreserved). Largest: ` +
        [...account.functions].sort((a, b) => b.reservedConcurrency - a.reservedConcurrency).slice(0, 5)
          .map((f) => `${f.path} (${f.reservedConcurrency})`).join(', ') +
        '. Lower reservations or request a higher account limit and set budget.accountConcurrency.',
      );
    }
  }
  return { targets, accounts, writers, errors };
}

function evaluateAccounts(
  functions: Map<CfnFunction, FunctionFact>,
  targetsByConsumer: Map<string, string[]>,
  accountConcurrency: number,
  unreservedMinimum: number,
): AccountReport[] {
  const byEnv = new Map<string, { functions: AccountFunction[]; unknown: string[] }>();
  for (const fact of functions.values()) {
    const env = environmentName(fact.stack);
    const entry = byEnv.get(env) ?? { functions: [], unknown: [] };
    if (fact.reservedConcurrency !== undefined) {
      const targetNames = targetsByConsumer.get(fact.path) ?? [];
      entry.functions.push({
        path: fact.path,
        reservedConcurrency: fact.reservedConcurrency,
        databaseFacing: targetNames.length > 0,
        targets: targetNames,
        reason: targetNames.length > 0
          ? `database-facing (draws from ${targetNames.join(', ')}); its reserved concurrency also counts against the account limit`
          : 'not database-facing, but reserved concurrency counts against the account limit for every function that has it',
      });
    }
    if (fact.reservedConcurrencyUnresolved) entry.unknown.push(fact.path);
    byEnv.set(env, entry);
  }
  const reservable = Math.max(0, accountConcurrency - unreservedMinimum);
  return [...byEnv].map(([environment, entry]) => {
    // The report's `reserved` is exactly the sum of its `functions` list, so the account line adds up.
    const reserved = entry.functions.reduce((sum, f) => sum + f.reservedConcurrency, 0);
    return {
      environment,
      accountConcurrency,
      unreservedMinimum,
      reservable,
      reserved,
      headroom: reservable - reserved,
      status: reserved > reservable ? 'over' : 'ok',
      functions: entry.functions,
      unknownReservations: entry.unknown,
    };
  });
}

/** `aws://account/region`, or `environment-agnostic` for stacks deployed wherever the CLI points. */
export function environmentName(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  return account || region ? `aws://${account ?? 'unknown-account'}/${region ?? 'unknown-region'}` : 'environment-agnostic';
}

function concurrencyOf(draw: ConnectionDraw, functions: Map<CfnFunction, FunctionFact>):
{ value: number; source: ConsumerDemand['concurrencySource'] } | undefined {
  const fn = cfnFunctionOf(draw.consumer);
  if (fn) {
    const reserved = functions.get(fn)?.reservedConcurrency;
    return reserved === undefined ? undefined : { value: reserved, source: 'reserved-concurrency' };
  }
  return draw.declaredConcurrency === undefined ? undefined : { value: draw.declaredConcurrency, source: 'declared' };
}

/** What bounds a consumer's concurrency: what the grant said, or the Lambda/declared default. */
function leverOf(draw: ConnectionDraw): string {
  return draw.concurrencyLever ?? (cfnFunctionOf(draw.consumer) ? 'the reserved concurrency' : 'the declaredConcurrency');
}

/** "the reserved concurrency of A and B, the maximum task count (declaredConcurrency) of C": one lever per kind. */
function leversOf(consumers: ConsumerDemand[]): string {
  const byLever = new Map<string, string[]>();
  for (const c of consumers) {
    const paths = byLever.get(c.concurrencyLever) ?? [];
    if (!paths.includes(c.path)) paths.push(c.path);
    byLever.set(c.concurrencyLever, paths);
  }
  return [...byLever].map(([lever, paths]) => `${lever} of ${paths.join(' and ')}`).join(', ');
}

function missingConcurrencyMessage(draw: ConnectionDraw, target: ConnectionTarget): string {
  const path = consumerPath(draw.consumer);
  const isFunction = cfnFunctionOf(draw.consumer) !== undefined;
  const how = isFunction
    ? 'Give it reserved concurrency (the reservedConcurrency option of connectReader/connectWriter, or ' +
      'reservedConcurrentExecutions on the function)'
    : 'Declare how many tasks or environments it runs at most (declaredConcurrency in the connect options; ' +
      'for an ECS service its maximum task count)';
  return (
    `ConcurrencyBudget: ${path} connects to ${target.name} without ${isFunction ? 'reserved concurrency' : 'declaredConcurrency'}, so nothing bounds the ` +
    `connections it can open. ${how}. Pick the number with Little's law: requests per second × average duration ` +
    'in seconds, e.g. Concurrency.fromLoad({ requestsPerSecond: 500, duration: Duration.millis(200) }) = 100.'
  );
}

function consumerPath(consumer: IConstruct): string {
  const fn = cfnFunctionOf(consumer);
  return fn ? l2Path(fn) : consumer.node.path;
}

/** The L2 construct's path (Stack/Api), not its L1 child's (Stack/Api/Resource): what users named. */
function l2Path(resource: IConstruct): string {
  return resource.node.scope?.node.defaultChild === resource ? resource.node.scope.node.path : resource.node.path;
}

function referencedLogicalId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const ref = (value as any).Ref;
    if (typeof ref === 'string') return ref;
    const getAtt = (value as any)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}
