import { AccountLimit, LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { accountLimitFindings, describeAccountLimits } from './account-limits';
import { findBudgetReport, proxyTargetsOf, readBudgetReport } from './budget-report';
import { budgetFindings, Finding, healthFindings, targetName } from './doctor-findings';
import { describeProxy, ProxyDescription } from './proxy-description';
import { CliContext, CliError, EXIT_OK, EXIT_PROBLEMS, resolveAwsTarget } from '../cli-context';

/** Options of `eda doctor`. */
export interface DoctorOptions {
  readonly proxy: string;
  readonly region?: string;
  /** Cloud assembly directory holding the budget report. */
  readonly assembly?: string;
  /** Stack (artifact id) whose budget report to compare with. */
  readonly stack?: string;
  /** Pattern whose proxy targets to compare, when the report has several. */
  readonly pattern?: string;
  readonly json?: boolean;
}

export const DOCTOR_USAGE = `usage: eda doctor --proxy <name> [--assembly <cdk.out> --stack <stack>] [--pattern <name>] [--region <region>] [--json]

Describes a deployed RDS Proxy (status, TLS, target groups with their pool settings, targets with their
health) and, with --stack, compares the pool and the account's Lambda concurrency limits (GetAccountSettings)
with the ConcurrencyBudget report <stack>.concurrency-budget.json of the cloud assembly (--assembly, default cdk.out).
Exit code: 0 healthy, 1 problems found, 2 could not run.`;

/** Runs `eda doctor`; returns the exit code. */
export async function runDoctor(context: CliContext, options: DoctorOptions): Promise<number> {
  if (options.assembly !== undefined && options.stack === undefined) {
    throw new CliError(`--assembly needs --stack <stack>: the budget report is per stack\n\n${DOCTOR_USAGE}`);
  }
  // Read the report before calling AWS: a wrong path should not cost a round of API calls.
  const report = options.stack === undefined ? undefined : readBudgetReport(findBudgetReport(options.assembly ?? 'cdk.out', options.stack));
  const budgetTargets = report ? proxyTargetsOf(report, options.pattern) : [];

  const target = await resolveAwsTarget(context, options.region);
  const client = new RDSClient({ region: target.region, credentials: target.credentials });
  const description = await describeProxy(client, options.proxy);

  // The account's real Lambda limits matter only against what the budget assumed.
  const accountLimits = report
    ? await describeAccountLimits(new LambdaClient({ region: target.region, credentials: target.credentials }))
    : undefined;

  const findings = [
    ...healthFindings(description),
    ...(report ? budgetFindings(description, budgetTargets) : []),
    ...(report && accountLimits ? accountLimitFindings(accountLimits, report.account) : []),
  ];
  if (options.json) {
    context.out(JSON.stringify({ ...description, budgetReport: report?.file, accountLimits, findings }, undefined, 2));
  } else {
    render(context, description, findings, report?.file, accountLimits);
  }
  return findings.some((f) => f.severity === 'problem') ? EXIT_PROBLEMS : EXIT_OK;
}

function render(
  context: CliContext, description: ProxyDescription, findings: Finding[], reportFile: string | undefined, accountLimits: AccountLimit | undefined,
): void {
  const { proxy } = description;
  context.out(`Proxy ${proxy.DBProxyName} (${proxy.EngineFamily ?? 'unknown engine'}): ${proxy.Status}, `
    + `${proxy.RequireTLS ? 'TLS required' : 'TLS not required'}, idle client timeout ${proxy.IdleClientTimeout ?? '?'} s`);
  context.out(`  endpoint ${proxy.Endpoint ?? '-'}, VPC ${proxy.VpcId ?? '-'}`);
  for (const { group, targets } of description.targetGroups) {
    const pool = group.ConnectionPoolConfig ?? {};
    context.out(`Target group ${group.TargetGroupName}${group.IsDefault ? ' (default)' : ''}: ${group.Status ?? '?'}`);
    context.out(`  pool: MaxConnectionsPercent ${pool.MaxConnectionsPercent ?? '?'} %, MaxIdleConnectionsPercent ${pool.MaxIdleConnectionsPercent ?? '?'} %, `
      + `ConnectionBorrowTimeout ${pool.ConnectionBorrowTimeout ?? '?'} s, session pinning filters ${pool.SessionPinningFilters?.join(', ') || 'none'}, `
      + `init query ${pool.InitQuery ? 'set' : 'none'}`);
    for (const t of targets) {
      if (t.Type === 'TRACKED_CLUSTER') {
        context.out(`  tracked cluster ${targetName(t)}: health is reported per DB instance target`);
        continue;
      }
      const health = t.TargetHealth;
      const why = [health?.Reason, health?.Description].filter(Boolean).join(': ');
      context.out(`  target ${targetName(t)}:${t.Port ?? '?'} ${t.Type ?? '?'} ${t.Role ?? '?'}: ${health?.State ?? 'UNKNOWN'}${why ? ` (${why})` : ''}`);
    }
  }
  if (accountLimits) {
    context.out(`Lambda account limits: ConcurrentExecutions ${accountLimits.ConcurrentExecutions ?? '?'}, UnreservedConcurrentExecutions ${accountLimits.UnreservedConcurrentExecutions ?? '?'}`);
  }
  if (reportFile) context.out(`Budget report ${reportFile}`);
  for (const finding of findings) context.out(`${finding.severity.toUpperCase().padEnd(7)} ${finding.message}`);
  const problems = findings.filter((f) => f.severity === 'problem').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  context.out(problems === 0 ? `Healthy (${warnings} warning(s))` : `${problems} problem(s), ${warnings} warning(s)`);
}
