import { budgetOver, budgetTableLines } from './budget-table';
import { budgetTableReport } from './budget-table-report';
import { CliContext, CliError, EXIT_OK, EXIT_PROBLEMS } from '../cli-context';
import { findBudgetReport, findBudgetReports, parseBudgetReportFile } from '../doctor/budget-report';

/** Options of `eda budget`. */
export interface BudgetOptions {
  /** Cloud assembly directory. @default cdk.out */
  readonly assembly?: string;
  /** Stack (artifact id) to print; every stack with a report when omitted. */
  readonly stack?: string;
}

export const BUDGET_USAGE = `usage: eda budget [--assembly <cdk.out>] [--stack <stack>]

Prints the ConcurrencyBudget of a synthesized app from <stack>.concurrency-budget.json in the cloud assembly
(--assembly, default cdk.out; nested stage assemblies included): per connection target the functions drawing from
it, demand against capacity; per account every reserved concurrency the account line counts (database-facing
functions one by one, the others summed). Every stack with a report unless --stack names one.
Exit code: 0 within budget, 1 a target or the account over its limit, 2 could not run.`;

/** Runs `eda budget`; returns the exit code. */
export function runBudget(context: CliContext, options: BudgetOptions): number {
  const assembly = options.assembly ?? 'cdk.out';
  const files = findBudgetReports(assembly);
  const selected = options.stack === undefined ? files : [findBudgetReport(assembly, options.stack)];
  if (selected.length === 0) {
    throw new CliError(`no *.concurrency-budget.json in ${assembly}: does the app use the ConcurrencyBudget (ElasticDataAccess does), and is it synthesized?`);
  }
  const reports = new Map(files.map((file) => [file, budgetTableReport(file, parseBudgetReportFile(file))]));
  // The account section spans the environment, its targets only their stack: ask every report of the assembly.
  const databaseFacing = new Set<string>();
  for (const report of reports.values()) {
    for (const target of report.targets) for (const consumer of target.consumers) databaseFacing.add(consumer.path);
    for (const writer of report.writers) databaseFacing.add(writer.function);
  }
  let over = false;
  for (const file of selected) {
    const report = reports.get(file)!;
    for (const line of budgetTableLines(report, (path) => databaseFacing.has(path))) context.out(line);
    over ||= budgetOver(report);
  }
  return over ? EXIT_PROBLEMS : EXIT_OK;
}
