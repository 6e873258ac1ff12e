import { AccountLimit, GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { BudgetReportAccount } from './budget-report';
import type { Finding } from './doctor-findings';
import { awsFailure } from '../cli-context';

/**
 * The account's Lambda concurrency limits in the Region (GetAccountSettings → AccountLimit):
 * ConcurrentExecutions, "the maximum number of simultaneous function executions", and
 * UnreservedConcurrentExecutions, "the maximum number of simultaneous function executions, minus the
 * capacity that's reserved for individual functions with PutFunctionConcurrency"
 * (node_modules/@aws-sdk/client-lambda/dist-types/models/models_0.d.ts;
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html).
 */
export async function describeAccountLimits(client: LambdaClient): Promise<AccountLimit> {
  try {
    return (await client.send(new GetAccountSettingsCommand({}))).AccountLimit ?? {};
  } catch (error) {
    throw awsFailure('GetAccountSettings', error);
  }
}

/**
 * Compares the account's real limits with what the ConcurrencyBudget assumed at synth. New accounts
 * start below the default 1,000 ("New AWS accounts have reduced concurrency and memory quotas",
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): a budget checked against
 * 1,000 then accepts reservations the account cannot hold, and functions without reservations throttle.
 */
export function accountLimitFindings(limits: AccountLimit, account: BudgetReportAccount | undefined): Finding[] {
  if (!account) {
    return [{ severity: 'warning', message: 'the budget report records no account limit to compare with (synthesize it again with this version)' }];
  }
  const findings: Finding[] = [];
  const limit = limits.ConcurrentExecutions;
  const unreserved = limits.UnreservedConcurrentExecutions;
  const { accountConcurrency: assumed, unreservedMinimum, reserved } = account;

  if (limit === undefined) {
    findings.push({ severity: 'warning', message: 'GetAccountSettings returned no ConcurrentExecutions limit: cannot compare it with the budget' });
  } else if (limit < assumed) {
    const fits = limit - unreservedMinimum;
    const severity = reserved > fits ? 'problem' : 'warning';
    findings.push({
      severity,
      message: `account concurrency limit is ${limit}, below the ${assumed} the budget assumed: `
        + (severity === 'problem'
          ? `the stack reserves ${reserved}, more than the ${Math.max(0, fits)} that fit while ${unreservedMinimum} stay unreserved — set budget.accountConcurrency to ${limit} and lower reservations, or request a higher limit through Service Quotas`
          : `the stack's ${reserved} reserved still fit (${fits} can be reserved), but the budget checked the wrong limit — set budget.accountConcurrency to ${limit}`),
    });
  } else {
    findings.push({ severity: 'ok', message: `account concurrency limit ${limit} ≥ the ${assumed} the budget assumed` });
  }

  if (unreserved === undefined) {
    findings.push({ severity: 'warning', message: 'GetAccountSettings returned no UnreservedConcurrentExecutions: cannot check the unreserved pool' });
  } else if (unreserved < unreservedMinimum) {
    const claimed = limit === undefined ? 'the rest' : `${limit - unreserved} of ${limit}`;
    findings.push({
      severity: 'problem',
      message: `only ${unreserved} concurrent executions are unreserved in this account and Region, below the ${unreservedMinimum} the budget keeps for functions without reserved concurrency: reservations claim ${claimed} (this stack's budget: ${reserved}) — functions without reservations throttle first`,
    });
  } else {
    findings.push({ severity: 'ok', message: `${unreserved} concurrent executions unreserved (the budget keeps at least ${unreservedMinimum})` });
  }
  return findings;
}
