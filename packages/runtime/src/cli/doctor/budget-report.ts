import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli-context';

/*
 * The JSON the construct library writes (its src/budget/concurrency-budget.ts). The CLI ships in the runtime
 * package and cannot import the construct library's types, so the parts it reads are declared here;
 * test/budget/report-contract.test.ts in the repository type-checks the constructs' report against them.
 */

/** A target of `<stack>.concurrency-budget.json`. */
export interface BudgetReportTarget {
  readonly name: string;
  readonly kind: string;
  readonly capacity: number;
  readonly capacityExplanation: string;
  readonly demand: number;
  readonly headroom: number;
  readonly utilisationPercent: number;
  readonly status: 'ok' | 'warning' | 'over';
}

/** The account section of the report: the limit the budget assumed, the unreserved minimum it kept, what the stack reserves. */
export interface BudgetReportAccount {
  readonly environment: string;
  readonly accountConcurrency: number;
  readonly unreservedMinimum: number;
  readonly reserved: number;
}

/** The parts of the budget report the doctor reads. */
export interface BudgetReport {
  readonly file: string;
  readonly stack: string;
  readonly targets: BudgetReportTarget[];
  /** Absent in reports of stacks without functions. */
  readonly account?: BudgetReportAccount;
}

const PROXY_KINDS = new Set(['proxy-writer', 'proxy-read-only']);

const REPORT_SUFFIX = '.concurrency-budget.json';

function checkAssembly(assemblyDir: string): void {
  if (!existsSync(assemblyDir) || !statSync(assemblyDir).isDirectory()) {
    throw new CliError(`cloud assembly ${assemblyDir} not found: run \`cdk synth\` first or pass --assembly <dir>`);
  }
}

/** The assembly's directories: its own and those of nested (stage) assemblies, which nest at most a few levels deep. */
export function assemblyDirs(assemblyDir: string): string[] {
  const dirs: string[] = [];
  const pending = [assemblyDir];
  for (let visited = 0; pending.length > 0 && visited < 200; visited++) {
    const dir = pending.shift()!;
    dirs.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name.startsWith('assembly-')) pending.push(join(dir, entry.name));
    }
  }
  return dirs;
}

/** Finds `<stack>.concurrency-budget.json` in the assembly or in its nested (stage) assemblies. */
export function findBudgetReport(assemblyDir: string, stack: string): string {
  checkAssembly(assemblyDir);
  const fileName = `${stack}${REPORT_SUFFIX}`;
  const found = assemblyDirs(assemblyDir).map((dir) => join(dir, fileName)).find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new CliError(`${fileName} not found in ${assemblyDir}: is ${stack} the stack's artifact id, and does the stack use the ConcurrencyBudget?`);
}

/** Every `<stack>.concurrency-budget.json` of the assembly and its nested assemblies, in directory then name order. */
export function findBudgetReports(assemblyDir: string): string[] {
  checkAssembly(assemblyDir);
  return assemblyDirs(assemblyDir).flatMap((dir) => readdirSync(dir)
    .filter((name) => name.endsWith(REPORT_SUFFIX))
    .sort()
    .map((name) => join(dir, name)));
}

/** Parses a report file and checks its version; the callers read the parts they know. */
export function parseBudgetReportFile(file: string): any {
  let parsed: any;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read budget report ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed?.version !== 1 || !Array.isArray(parsed.targets)) {
    throw new CliError(`${file} is not a version 1 concurrency budget report`);
  }
  return parsed;
}

/** Reads and checks a budget report. */
export function readBudgetReport(file: string): BudgetReport {
  const parsed = parseBudgetReportFile(file);
  return { file, stack: String(parsed.stack ?? ''), targets: parsed.targets as BudgetReportTarget[], account: accountOf(parsed) };
}

/**
 * The account numbers of the report: its `account` section (the stack's environment: limit assumed,
 * unreserved minimum kept, Σ reserved), else the app-wide `accountSettings` of a stack that reserves nothing.
 */
function accountOf(report: any): BudgetReportAccount | undefined {
  const hasNumbers = (raw: any, keys: string[]) => raw && keys.every((key) => typeof raw[key] === 'number');
  const { account, accountSettings } = report;
  if (hasNumbers(account, ['accountConcurrency', 'unreservedMinimum', 'reserved'])) {
    return { environment: String(account.environment ?? ''), accountConcurrency: account.accountConcurrency, unreservedMinimum: account.unreservedMinimum, reserved: account.reserved };
  }
  if (hasNumbers(accountSettings, ['accountConcurrency', 'unreservedMinimum'])) {
    return { environment: String(report.environment ?? ''), accountConcurrency: accountSettings.accountConcurrency, unreservedMinimum: accountSettings.unreservedMinimum, reserved: 0 };
  }
  return undefined;
}

/** The pattern a proxy target belongs to: its name without the `/Proxy (…)` suffix. */
function patternOf(target: BudgetReportTarget): string {
  return target.name.replace(/\/Proxy \([^)]*\)$/, '');
}

/**
 * The proxy targets (writer, READ_ONLY endpoint) of one pattern in the report: the one named by
 * `pattern`, or the only pattern with a proxy.
 */
export function proxyTargetsOf(report: BudgetReport, pattern: string | undefined): BudgetReportTarget[] {
  const proxyTargets = report.targets.filter((t) => PROXY_KINDS.has(t.kind));
  const patterns = [...new Set(proxyTargets.map(patternOf))];
  if (pattern !== undefined) {
    const chosen = proxyTargets.filter((t) => patternOf(t) === pattern);
    if (chosen.length === 0) {
      throw new CliError(`the budget report has no proxy targets of pattern ${pattern}; it has: ${patterns.join(', ') || 'none'}`);
    }
    return chosen;
  }
  if (patterns.length === 0) throw new CliError(`the budget report ${report.file} has no proxy targets to compare with`);
  if (patterns.length > 1) {
    throw new CliError(`the budget report has proxy targets of ${patterns.length} patterns (${patterns.join(', ')}): pass --pattern <name>`);
  }
  return proxyTargets;
}

/** The MaxConnectionsPercent the budget assumed, from the target's capacity explanation. */
export function assumedMaxConnectionsPercent(target: BudgetReportTarget): number | undefined {
  const match = /maxConnectionsPercent (\d+(?:\.\d+)?)%/.exec(target.capacityExplanation);
  return match ? Number(match[1]) : undefined;
}
