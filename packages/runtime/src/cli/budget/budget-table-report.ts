import type { BudgetReportTarget } from '../doctor/budget-report';

/*
 * The parts of `<stack>.concurrency-budget.json` the budget table prints, beyond what the doctor reads
 * (../doctor/budget-report.ts). Declared here because the CLI cannot import the construct library;
 * test/budget/report-contract.test.ts type-checks the constructs' report against them.
 */

/** One function drawing connections from a target. */
export interface BudgetTableConsumer {
  readonly path: string;
  readonly concurrency: number;
  readonly connectionsPerEnvironment: number;
  readonly connections: number;
}

/** A target with the functions drawing from it. */
export interface BudgetTableTarget extends BudgetReportTarget {
  readonly consumers: readonly BudgetTableConsumer[];
}

/** A writer function and the event sources feeding it. */
export interface BudgetTableWriter {
  readonly function: string;
  readonly reservedConcurrency?: number;
  readonly eventSources: ReadonlyArray<{ readonly path: string; readonly maxConcurrency?: number }>;
}

/** A function whose reserved concurrency the account line counts. */
export interface BudgetTableAccountFunction {
  readonly path: string;
  readonly reservedConcurrency: number;
  /** Written by newer versions of the constructs; without it the table asks the report's targets. */
  readonly databaseFacing?: boolean;
}

/** The account section: the limit assumed, the unreserved minimum kept, and every reservation counted. */
export interface BudgetTableAccount {
  readonly environment: string;
  readonly accountConcurrency: number;
  readonly unreservedMinimum: number;
  readonly reservable: number;
  readonly reserved: number;
  readonly headroom: number;
  readonly status: 'ok' | 'over';
  readonly functions: readonly BudgetTableAccountFunction[];
  /** Functions whose reserved concurrency is a deploy-time token: not in `reserved`. */
  readonly unknownReservations: readonly string[];
}

/** What the budget table prints of one stack's report. */
export interface BudgetTableReport {
  readonly file: string;
  readonly stack: string;
  readonly environment: string;
  readonly targets: readonly BudgetTableTarget[];
  readonly writers: readonly BudgetTableWriter[];
  readonly account?: BudgetTableAccount;
  /** The app-wide account settings of a report without an account section (its stack reserves nothing). */
  readonly accountSettings?: { readonly accountConcurrency: number; readonly unreservedMinimum: number };
}

/** The table's view of a parsed report (checked for its version by parseBudgetReportFile). */
export function budgetTableReport(file: string, parsed: any): BudgetTableReport {
  const account = parsed.account && typeof parsed.account.reserved === 'number'
    ? { ...parsed.account, functions: parsed.account.functions ?? [], unknownReservations: parsed.account.unknownReservations ?? [] }
    : undefined;
  return {
    file,
    stack: String(parsed.stack ?? ''),
    environment: String(parsed.environment ?? ''),
    targets: (parsed.targets as BudgetTableTarget[]).map((t) => ({ ...t, consumers: t.consumers ?? [] })),
    writers: parsed.writers ?? [],
    account,
    accountSettings: parsed.accountSettings,
  };
}
