/**
 * README's main command: `npm run example` synthesizes an example app with the aws-cdk CLI (no AWS
 * credentials needed) and prints what a reviewer wants from the PR: the stacks, their resources,
 * and the concurrency budget from `<stack>.concurrency-budget.json`.
 *
 * Usage: tsx scripts/synth-example.ts <example-name> [--quiet]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const name = process.argv[2] ?? 'orders-api';
const exampleDir = path.resolve(__dirname, '..', 'examples', name);
if (!fs.existsSync(path.join(exampleDir, 'cdk.json'))) {
  console.error(`no example app at ${exampleDir} (expected a cdk.json there)`);
  process.exit(2);
}
const outdir = path.join(exampleDir, 'cdk.out');
fs.rmSync(outdir, { recursive: true, force: true });

const started = Date.now();
execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], { cwd: exampleDir, stdio: 'inherit' });
console.log(`\ncdk synth of examples/${name}: ${((Date.now() - started) / 1000).toFixed(1)} s → ${path.relative(process.cwd(), outdir)}\n`);

const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
for (const [artifactId, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
  if (artifact.type !== 'aws:cloudformation:stack') continue;
  const template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
  const resources = Object.values<any>(template.Resources ?? {});
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
  console.log(`Stack ${artifactId}: ${resources.length} resources`);
  for (const [type, count] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(3)}  ${type}`);

  const reportFile = path.join(outdir, `${artifactId}.concurrency-budget.json`);
  if (!fs.existsSync(reportFile)) {
    console.log('  (no concurrency-budget report: the stack has no database-facing functions)\n');
    continue;
  }
  printBudget(JSON.parse(fs.readFileSync(reportFile, 'utf8')));
}

function printBudget(report: any): void {
  console.log(`\nConcurrency budget of ${report.stack} (${report.environment})`);
  const rows: string[][] = [['target', 'consumer', 'concurrency', '× conns', 'connections']];
  for (const t of report.targets) {
    for (const c of t.consumers) rows.push([t.name, c.path, String(c.concurrency), String(c.connectionsPerEnvironment), String(c.connections)]);
    rows.push(['', `= demand / capacity (${t.status})`, '', '', `${t.demand} / ${t.capacity}  (${t.utilisationPercent} %, headroom ${t.headroom})`]);
  }
  table(rows);
  for (const t of report.targets) console.log(`  capacity of ${t.name}: ${t.capacityExplanation}`);
  for (const w of report.writers ?? []) {
    const esm = w.eventSources.map((s: any) => s.maxConcurrency ?? '∞').join(', ');
    console.log(`  writer ${w.function}: event-source maxConcurrency ${esm} ≤ reserved concurrency ${w.reservedConcurrency ?? 'none'}`);
  }
  const a = report.account;
  if (a) {
    console.log(`  account (${a.environment}): reserved ${a.reserved} of ${a.reservable} reservable ` +
      `(limit ${a.accountConcurrency} − ${a.unreservedMinimum} unreserved), headroom ${a.headroom} → ${a.status}`);
  }
  console.log('');
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [index, row] of rows.entries()) {
    console.log('  ' + row.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  '));
    if (index === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
