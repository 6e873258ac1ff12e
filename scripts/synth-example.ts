/**
 * README's main command: `npm run example` synthesizes an example app with the aws-cdk CLI (no AWS
 * credentials needed) and prints what a reviewer wants from the PR: the stacks, their resources,
 * and the concurrency budget from `<stack>.concurrency-budget.json` (printed by the runtime's `eda budget`).
 *
 * Usage: tsx scripts/synth-example.ts <example-name> [--quiet]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main as budgetTable } from '../packages/runtime/src/cli/main';

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

async function printStacks(): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  for (const [artifactId, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
    const resources = Object.values<any>(template.Resources ?? {});
    const byType = new Map<string, number>();
    for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    console.log(`Stack ${artifactId}: ${resources.length} resources`);
    for (const [type, count] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(3)}  ${type}`);

    if (!fs.existsSync(path.join(outdir, `${artifactId}.concurrency-budget.json`))) {
      console.log('  (no concurrency-budget report: the stack has no database-facing functions)\n');
      continue;
    }
    console.log('');
    // The table users get from their own app: `npx eda budget --assembly cdk.out --stack <stack>`.
    const code = await budgetTable(['budget', '--assembly', outdir, '--stack', artifactId]);
    if (code !== 0) process.exitCode = code;
  }
}

printStacks().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
