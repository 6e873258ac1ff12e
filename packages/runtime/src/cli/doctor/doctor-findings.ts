import { assumedMaxConnectionsPercent, BudgetReportTarget } from './budget-report';
import { ProxyDescription } from './proxy-description';

/** One observation of the doctor. Problems make the exit code 1. */
export interface Finding {
  readonly severity: 'problem' | 'warning' | 'ok';
  readonly message: string;
}

/** Health of the proxy and its targets. */
export function healthFindings(description: ProxyDescription): Finding[] {
  const findings: Finding[] = [];
  const { proxy } = description;
  if (proxy.Status !== 'available') {
    findings.push({ severity: 'problem', message: `proxy ${proxy.DBProxyName} is ${proxy.Status ?? 'in an unknown state'}, not available` });
  }
  if (proxy.RequireTLS === false) {
    findings.push({ severity: 'warning', message: `proxy ${proxy.DBProxyName} accepts connections without TLS (RequireTLS is false)` });
  }
  const targets = description.targetGroups.flatMap((g) => g.targets);
  if (targets.length === 0) {
    findings.push({ severity: 'problem', message: `proxy ${proxy.DBProxyName} has no registered targets` });
  }
  // An Aurora proxy lists the cluster itself as a TRACKED_CLUSTER target next to one RDS_INSTANCE
  // target per DB instance; connections go to the instances, and only their health says whether the
  // proxy can serve. AWS's own example lists the tracked cluster with Port 0 and no TargetHealth
  // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-managing.html), so its
  // health is never a finding.
  const connectable = targets.filter((t) => t.Type !== 'TRACKED_CLUSTER');
  if (targets.length > 0 && connectable.length === 0) {
    findings.push({ severity: 'problem', message: `proxy ${proxy.DBProxyName} tracks ${targets.map(targetName).join(', ')} but has no DB instance targets to connect to` });
  }
  for (const target of connectable) {
    const health = target.TargetHealth;
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.troubleshooting.html
    if (health?.State !== 'AVAILABLE') {
      const why = [health?.Reason, health?.Description].filter(Boolean).join(': ');
      findings.push({
        severity: 'problem',
        message: `target ${targetName(target)} (${target.Role ?? 'unknown role'}) is ${health?.State ?? 'UNKNOWN'}${why ? ` — ${why}` : ''}`,
      });
    }
  }
  return findings;
}

/**
 * Compares the deployed pool with what the ConcurrencyBudget assumed at synth: the budget's capacity is
 * `floor(MaxConnectionsPercent × max_connections)`, so a lower deployed percent shrinks the real capacity
 * below the demand the budget accepted (a console edit, drift, or another stack's settings).
 */
export function budgetFindings(description: ProxyDescription, targets: BudgetReportTarget[]): Finding[] {
  const findings: Finding[] = [];
  const pool = description.targetGroups.find((g) => g.group.IsDefault)?.group.ConnectionPoolConfig
    ?? description.targetGroups[0]?.group.ConnectionPoolConfig;
  const deployed = pool?.MaxConnectionsPercent;
  for (const target of targets) {
    const assumed = assumedMaxConnectionsPercent(target);
    if (target.status === 'over') {
      findings.push({ severity: 'problem', message: `${target.name}: the budget is already over capacity at synth (demand ${target.demand} > capacity ${target.capacity})` });
    }
    if (assumed === undefined || deployed === undefined) {
      findings.push({ severity: 'warning', message: `${target.name}: cannot compare pool settings (budget assumed ${assumed ?? 'unknown'} %, deployed ${deployed ?? 'unknown'} %)` });
      continue;
    }
    const effective = Math.floor(target.capacity * deployed / assumed);
    if (deployed < assumed) {
      const severity = target.demand > effective ? 'problem' : 'warning';
      findings.push({
        severity,
        message: `${target.name}: deployed MaxConnectionsPercent ${deployed} % is below the ${assumed} % the budget assumed: `
          + `capacity ≈ ${effective} instead of ${target.capacity}, demand ${target.demand}`
          + (severity === 'problem' ? ' — consumers can exhaust the pool (borrow timeouts)' : ''),
      });
    } else if (deployed > assumed) {
      findings.push({ severity: 'warning', message: `${target.name}: deployed MaxConnectionsPercent ${deployed} % is above the ${assumed} % the budget assumed (capacity ≈ ${effective}, demand ${target.demand}): redeploy so the budget checks the real settings` });
    } else {
      findings.push({ severity: 'ok', message: `${target.name}: MaxConnectionsPercent ${deployed} % as budgeted; demand ${target.demand} of capacity ${target.capacity} (${target.utilisationPercent} %)` });
    }
  }
  return findings;
}

export function targetName(target: { Endpoint?: string; RdsResourceId?: string; TrackedClusterId?: string }): string {
  return target.Endpoint ?? target.RdsResourceId ?? target.TrackedClusterId ?? 'unknown';
}
