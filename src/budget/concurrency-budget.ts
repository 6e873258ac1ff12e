import * as fs from 'fs';
import * as path from 'path';
import { Annotations, ISynthesisSession, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { BudgetEvaluation, environmentName, evaluateBudget, UNRESERVED_MINIMUM, WARNING_UTILISATION } from './budget-evaluation';
import { ConnectionLedger } from './connection-ledger';
import { fail } from '../validation';
import { collectOutageTolerances } from '../write-buffer/outage-tolerance';

/** Settings of the app-wide concurrency budget. */
export interface ConcurrencyBudgetOptions {
  /**
   * The account's concurrent-executions limit in the deployment region. Reserved concurrency of
   * every function in the app must fit into this minus the 100 that Lambda keeps unreserved.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   * @default 1000 (the default quota of a new account)
   */
  readonly accountConcurrency?: number;
}

/**
 * The synth-time concurrency budget of a whole app.
 *
 * Every function that touches a database draws `reserved concurrency × connections per environment`
 * from a target (the proxy, its READ_ONLY endpoint or a directly-read replica). At synth the budget
 * checks, across every construct in the app (not only ours):
 * - each target's demand against its capacity: an error when over, a warning above 80 %;
 * - every SQS event source's maxConcurrency against the function's reserved concurrency;
 * - the sum of reserved concurrency per account/region against the account limit − 100.
 * The report also states each write buffer's tolerated database outage (`writeBuffers`).
 *
 * It writes `<stack>.concurrency-budget.json` into the cloud assembly so reviewers see the numbers.
 * There is one budget per app: `ConcurrencyBudget.of(scope)`.
 */
export class ConcurrencyBudget extends Construct {
  /** The budget of the app that contains `scope` (created on first use). */
  public static of(scope: IConstruct): ConcurrencyBudget {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(BUDGET_ID);
    return (existing as ConcurrencyBudget | undefined) ?? new ConcurrencyBudget(root as Construct, BUDGET_ID);
  }

  /** The name of the report file written for `stack` into the cloud assembly. */
  public static reportFileName(stack: Stack): string {
    return `${stack.artifactId}.concurrency-budget.json`;
  }

  private accountLimit?: number;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.validate() });
    // Stacks write their templates through the same (internal, Symbol.for-keyed) hook; the report
    // is written next to them so it lands in `cdk.out` of `cdk synth`.
    Object.defineProperty(this, Symbol.for('@aws-cdk/core:customSynthesis'), {
      value: { onSynthesize: (session: ISynthesisSession) => this.writeReports(session.outdir) },
      enumerable: false,
    });
  }

  /** The account concurrency limit the budget checks against. */
  public get accountConcurrency(): number {
    return this.accountLimit ?? 1000;
  }

  /**
   * Applies budget settings. Several ElasticDataAccess patterns may configure one app: they must
   * agree, because the account limit is a fact about the account, not about a pattern.
   */
  public configure(options: ConcurrencyBudgetOptions): void {
    const limit = options.accountConcurrency;
    if (limit === undefined || Token.isUnresolved(limit)) return;
    // The unreserved pool must stay ≥ 100, so a limit of 100 or less leaves nothing to reserve.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    if (!Number.isInteger(limit) || limit <= UNRESERVED_MINIMUM) {
      fail(this, 'EdaAccountConcurrency', `accountConcurrency must be a whole number above ${UNRESERVED_MINIMUM} (Lambda keeps ${UNRESERVED_MINIMUM} unreserved), got ${limit}`);
    }
    if (this.accountLimit !== undefined && this.accountLimit !== limit) {
      fail(this, 'EdaAccountConcurrency', `accountConcurrency is ${this.accountLimit} for another pattern in this app, got ${limit}: the account limit is one number per account`);
    }
    this.accountLimit = limit;
  }

  /**
   * Evaluates the budget now (the same evaluation synth runs).
   * @internal
   */
  public _evaluate(): BudgetEvaluation {
    return evaluateBudget(this.node.root, ConnectionLedger.of(this).draws, this.accountConcurrency);
  }

  /** The report for one stack, as written to `<stack>.concurrency-budget.json`. */
  public reportFor(stack: Stack): string {
    return JSON.stringify(this.buildReport(this._evaluate(), stack), undefined, 2);
  }

  private validate(): string[] {
    const evaluation = this._evaluate();
    for (const target of evaluation.targets) {
      if (target.status === 'warning') {
        Annotations.of(target.anchor).addWarningV2(
          'cdk-elastic-data-access:BudgetNearCapacity',
          `${target.name} is at ${target.utilisationPercent} % of its connection capacity (${target.demand} of ${target.capacity}); ` +
          `above ${WARNING_UTILISATION * 100} % a deploy or a spike leaves no room for retries and admin sessions.`,
        );
      }
    }
    return evaluation.errors;
  }

  private writeReports(outdir: string): void {
    const evaluation = this._evaluate();
    const stacks = new Set<Stack>();
    for (const target of evaluation.targets) stacks.add(Stack.of(target.anchor));
    for (const node of this.node.root.node.findAll()) {
      if (Stack.isStack(node) && evaluation.writers.some((w) => w.function.startsWith(`${node.node.path}/`))) stacks.add(node);
    }
    for (const stack of stacks) {
      // Stacks of nested stages synthesize into nested assemblies; the report follows its stack.
      const dir = path.join(outdir, path.dirname(stack.templateFile));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, ConcurrencyBudget.reportFileName(stack)), JSON.stringify(this.buildReport(evaluation, stack), undefined, 2));
    }
  }

  private buildReport(evaluation: BudgetEvaluation, stack: Stack) {
    const inStack = (p: string) => p === stack.node.path || p.startsWith(`${stack.node.path}/`);
    return {
      version: 1,
      stack: stack.stackName,
      environment: environmentName(stack),
      targets: evaluation.targets
        .filter((t) => Stack.of(t.anchor) === stack)
        .map(({ target: _target, anchor: _anchor, ...report }) => report),
      writers: evaluation.writers.filter((w) => inStack(w.function)),
      // The outage each write buffer tolerates (computed from its real settings) and the delay after recovery.
      writeBuffers: collectOutageTolerances(this.node.root).filter((w) => inStack(w.path)),
      account: evaluation.accounts.find((a) => a.environment === environmentName(stack)),
    };
  }
}

const BUDGET_ID = 'cdk-elastic-data-access.ConcurrencyBudget';
