import * as fs from 'fs';
import * as path from 'path';
import { Annotations, ISynthesisSession, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { BudgetEvaluation, defaultUnreservedMinimum, environmentName, evaluateBudget, WARNING_UTILISATION } from './budget-evaluation';
import { ConnectionDraw, IConnectionDrawSource } from './connection-target';
import { fail } from '../validation';
import { collectOutageTolerances } from '../write-buffer/outage-tolerance';

/** Settings of the app-wide concurrency budget. */
export interface ConcurrencyBudgetOptions {
  /**
   * The account's concurrent-executions limit in the deployment region (the Lambda console's "Full
   * account concurrency", `aws lambda get-account-settings` → AccountLimit.ConcurrentExecutions).
   * Reserved concurrency of every function in the app must fit into this minus `unreservedMinimum`.
   * 1,000 is Lambda's default quota, but new accounts often start lower (10 or 50) until AWS raises
   * them: set the number your account has.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   * @default 1000 (Lambda's default quota)
   */
  readonly accountConcurrency?: number;
  /**
   * Concurrency that must stay unreserved for functions without reserved concurrency. Lambda's rule:
   * you can reserve up to the account limit minus 100 ("The remaining 100 units of concurrency are for
   * functions that aren't using reserved concurrency"); on an account whose limit is below 100 the whole
   * limit stays unreserved, so nothing can be reserved until the quota is raised. Set it higher to keep a
   * larger share for your own unreserved functions; a value below Lambda's minimum fails at deploy.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default - 100, or accountConcurrency when that is below 100
   */
  readonly unreservedMinimum?: number;
}

/**
 * The synth-time concurrency budget of a whole app.
 *
 * Every function that touches a database draws `reserved concurrency × connections per environment`
 * from a target (the proxy, its READ_ONLY endpoint or a directly-read replica). At synth the budget
 * checks, across every construct in the app (not only ours):
 * - each target's demand against its capacity: an error when over, a warning above 80 %;
 * - every SQS event source's maxConcurrency against the function's reserved concurrency;
 * - the sum of reserved concurrency per account/region against the account limit − the unreserved minimum.
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
  private unreservedLimit?: number;
  private drawSource?: IConnectionDrawSource;

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
    return this.accountLimit ?? DEFAULT_ACCOUNT_CONCURRENCY;
  }

  /** The concurrency the budget keeps unreserved (Lambda's minimum unless configured higher). */
  public get unreservedMinimum(): number {
    return this.unreservedLimit ?? defaultUnreservedMinimum(this.accountConcurrency);
  }

  /**
   * Applies budget settings. Several ElasticDataAccess patterns may configure one app: they must
   * agree, because the account limit is a fact about the account, not about a pattern.
   */
  public configure(options: ConcurrencyBudgetOptions): void {
    const limit = options.accountConcurrency;
    if (limit !== undefined && !Token.isUnresolved(limit)) {
      // Any positive quota works, including the 10 of a new account: with a limit at or below 100 nothing
      // can be reserved, which the account check reports for each reservation.
      // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
      if (!Number.isInteger(limit) || limit < 1) {
        fail(this, 'EdaAccountConcurrency', `accountConcurrency must be a whole number of at least 1, got ${limit}`);
      }
      if (this.accountLimit !== undefined && this.accountLimit !== limit) {
        fail(this, 'EdaAccountConcurrency', `accountConcurrency is ${this.accountLimit} for another pattern in this app, got ${limit}: the account limit is one number per account`);
      }
      this.accountLimit = limit;
    }
    const unreserved = options.unreservedMinimum;
    if (unreserved === undefined || Token.isUnresolved(unreserved)) return;
    const lambdaMinimum = defaultUnreservedMinimum(this.accountConcurrency);
    if (!Number.isInteger(unreserved) || unreserved < lambdaMinimum || unreserved > this.accountConcurrency) {
      fail(this, 'EdaUnreservedMinimum',
        `unreservedMinimum must be a whole number between ${lambdaMinimum} (Lambda keeps min(100, accountConcurrency) unreserved) and accountConcurrency ${this.accountConcurrency}, got ${unreserved}`);
    }
    if (this.unreservedLimit !== undefined && this.unreservedLimit !== unreserved) {
      fail(this, 'EdaUnreservedMinimum', `unreservedMinimum is ${this.unreservedLimit} for another pattern in this app, got ${unreserved}: it is one number per account`);
    }
    this.unreservedLimit = unreserved;
  }

  /**
   * Makes the budget evaluate the draws of `source` (the app's ConnectionLedger registers itself here).
   * @internal
   */
  public _readDrawsFrom(source: IConnectionDrawSource): void {
    this.drawSource = source;
  }

  /**
   * Evaluates the budget now (the same evaluation synth runs).
   * @internal
   */
  public _evaluate(): BudgetEvaluation {
    const draws: ConnectionDraw[] = this.drawSource?.draws ?? [];
    return evaluateBudget(this.node.root, draws, this.accountConcurrency, this.unreservedMinimum);
  }

  /** The report for one stack, as written to `<stack>.concurrency-budget.json`. */
  public reportFor(stack: Stack): string {
    return JSON.stringify(this.buildReport(this._evaluate(), stack), undefined, 2);
  }

  private validate(): string[] {
    const evaluation = this._evaluate();
    for (const account of evaluation.accounts) {
      for (const functionPath of account.unknownReservations) {
        const fn = this.node.root.node.findAll().find((c) => c.node.path === functionPath) ?? this;
        Annotations.of(fn).addWarningV2(
          'cdk-elastic-data-access:BudgetUnknownReservation',
          `the reserved concurrency of ${functionPath} is only known at deploy time, so the account budget of ${account.environment} cannot count it: ` +
          'make sure the reservations stay within the account limit, or use a number known at synth.',
        );
      }
    }
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
    // Every stack with a writer or a reserved function gets a report, so its account line is on record.
    const paths = [
      ...evaluation.writers.map((w) => w.function),
      ...evaluation.accounts.flatMap((a) => [...a.functions.map((f) => f.path), ...a.unknownReservations]),
    ];
    for (const node of this.node.root.node.findAll()) {
      if (Stack.isStack(node) && paths.some((p) => p.startsWith(`${node.node.path}/`))) stacks.add(node);
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
      // What the budget assumed about the account, for `eda doctor` to compare with GetAccountSettings.
      accountSettings: { accountConcurrency: this.accountConcurrency, unreservedMinimum: this.unreservedMinimum },
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
/** Lambda's default concurrent-executions quota per account and Region. */
const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
