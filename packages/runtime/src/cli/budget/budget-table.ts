import type { BudgetTableAccount, BudgetTableReport } from './budget-table-report';

/*
 * The concurrency budget as a person reads it: per connection target, the functions drawing from it and
 * demand against capacity; per account, every reservation the account line counts, so its total adds up.
 * `eda budget` prints it; this repository's `npm run example` calls that command.
 */

/** Lines of a table: the first row is the header, columns from the third on are right-aligned numbers. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines: string[] = [];
  for (const [index, row] of rows.entries()) {
    lines.push(`  ${row.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
    if (index === 0) lines.push(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
  return lines;
}

const functions = (n: number) => `${n} function${n === 1 ? '' : 's'}`;

/**
 * The account line and what it counts. Lambda sets every reservation of the account and Region aside from the
 * account limit, whether or not the function reaches the database: the rows list the database-facing ones (those
 * the targets above count), one line sums the others, and the total equals the account line's `reserved`.
 */
function accountLines(account: BudgetTableAccount, isDatabaseFacing: (path: string) => boolean): string[] {
  const lines = [
    `  account (${account.environment}): reserved ${account.reserved} of ${account.reservable} reservable `
    + `(limit ${account.accountConcurrency} − ${account.unreservedMinimum} unreserved), headroom ${account.headroom} → ${account.status}`,
  ];
  if (account.functions.length === 0 && account.reserved > 0) {
    lines.push('    the report does not list the functions it counted: synthesize it again with this version');
    return lines;
  }
  lines.push('    why: Lambda sets each function\'s reserved concurrency aside from the account limit, database-facing or not, '
    + `and keeps ${account.unreservedMinimum} unreserved for the functions without one`);
  const facing = account.functions.filter((f) => f.databaseFacing ?? isDatabaseFacing(f.path));
  const others = account.functions.filter((f) => !facing.includes(f));
  const sum = (list: typeof account.functions) => list.reduce((total, f) => total + f.reservedConcurrency, 0);
  if (facing.length > 0) {
    const width = Math.max(...facing.map((f) => f.path.length));
    const reservedWidth = Math.max(...facing.map((f) => String(f.reservedConcurrency).length));
    lines.push('    database-facing functions:');
    for (const f of facing) lines.push(`      ${f.path.padEnd(width)}  ${String(f.reservedConcurrency).padStart(reservedWidth)}`);
  }
  lines.push(`    other functions (not database-facing): ${functions(others.length)}, reserved ${sum(others)}`);
  const total = sum(facing) + sum(others);
  lines.push(total === account.reserved
    ? `    total: ${sum(facing)} + ${sum(others)} = ${total} reserved`
    : `    total: ${sum(facing)} + ${sum(others)} = ${total}, but the report's account line says ${account.reserved}: synthesize it again`);
  if (account.unknownReservations.length > 0) {
    lines.push(`    not counted (reserved concurrency known only at deploy time): ${account.unknownReservations.join(', ')}`);
  }
  return lines;
}

/** The budget table of one stack's report, as lines (a blank line last). */
export function budgetTableLines(report: BudgetTableReport, isDatabaseFacing: (path: string) => boolean): string[] {
  const lines = [`Concurrency budget of ${report.stack} (${report.environment})`];
  if (report.targets.length > 0) {
    const rows: string[][] = [['target', 'consumer', 'concurrency', '× conns', 'connections']];
    for (const t of report.targets) {
      // The target's name on its first row only.
      for (const [i, c] of t.consumers.entries()) {
        rows.push([i === 0 ? t.name : '', c.path, String(c.concurrency), String(c.connectionsPerEnvironment), String(c.connections)]);
      }
      rows.push([t.consumers.length === 0 ? t.name : '', `= demand / capacity (${t.status})`, '', '', `${t.demand} / ${t.capacity}  (${t.utilisationPercent} %, headroom ${t.headroom})`]);
    }
    lines.push(...table(rows));
    for (const t of report.targets) lines.push(`  capacity of ${t.name}: ${t.capacityExplanation}`);
  } else {
    lines.push('  no connection targets in this stack');
  }
  for (const w of report.writers) {
    const esm = w.eventSources.map((s) => s.maxConcurrency ?? '∞').join(', ');
    lines.push(`  writer ${w.function}: event-source maxConcurrency ${esm} ≤ reserved concurrency ${w.reservedConcurrency ?? 'none'}`);
  }
  if (report.account) {
    lines.push(...accountLines(report.account, isDatabaseFacing));
  } else if (report.accountSettings) {
    lines.push(`  account (${report.environment}): nothing reserved (limit ${report.accountSettings.accountConcurrency}, `
      + `${report.accountSettings.unreservedMinimum} kept unreserved)`);
  }
  lines.push('');
  return lines;
}

/** true when a target or the account is over its limit. */
export function budgetOver(report: BudgetTableReport): boolean {
  return report.targets.some((t) => t.status === 'over') || report.account?.status === 'over';
}
