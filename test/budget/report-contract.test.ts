import type { BudgetTableAccount, BudgetTableTarget, BudgetTableWriter } from '../../packages/runtime/src/cli/budget/budget-table-report';
import type { BudgetReportAccount, BudgetReportTarget } from '../../packages/runtime/src/cli/doctor/budget-report';
import type { AccountReport, TargetReport, WriterReport } from '../../src/budget/budget-evaluation';

/*
 * The `eda` CLI (runtime package) reads the budget report the construct library writes, through its own copy
 * of the report's types. `tsc -p test/tsconfig.json` (the first step of `npm test`) fails here the day the
 * construct library's report drops or retypes a field the CLI reads.
 */
type Assignable<From, To> = From extends To ? true : false;
const targetFits: Assignable<TargetReport, BudgetReportTarget> = true;
const accountFits: Assignable<AccountReport, BudgetReportAccount> = true;
// What `eda budget` prints: consumers per target, writers, every reservation of the account.
const tableTargetFits: Assignable<TargetReport, BudgetTableTarget> = true;
const tableAccountFits: Assignable<AccountReport, BudgetTableAccount> = true;
const tableWriterFits: Assignable<WriterReport, BudgetTableWriter> = true;

test('the construct library\'s budget report satisfies the CLI\'s reading of it', () => {
  expect([targetFits, accountFits, tableTargetFits, tableAccountFits, tableWriterFits]).toEqual([true, true, true, true, true]);
});
