import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { ElasticDataAccessChecks } from '../../src/checks';

/** One unacknowledged finding, as `<plugin> <rule> <construct path>` (readable in a failed `toEqual([])`). */
export type Finding = string;

/** The plugins a platform team's gate runs: four cdk-nag packs, our own pack and cfn-guard's Control Tower rules. */
export const COMPLIANCE_PLUGINS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'ElasticDataAccess', 'cdk-validator-cfnguard'];

/** An app (synthesized into a fresh temp dir) with every compliance plugin registered. */
export function complianceApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eda-compliance-'));
  const app = new App({ outdir, context: { 'aws:cdk:disable-creation-stack-traces': true } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new ElasticDataAccessChecks(app),
    new CfnGuardValidator(),
  );
  return app;
}

/**
 * Synthesizes the app and returns every unacknowledged finding of every plugin — errors and warnings
 * alike — from `<outdir>/validation-report.json`. Acknowledged findings are removed from that list by
 * aws-cdk-lib, so an empty result means "zero unacknowledged findings". (A plugin with neither findings
 * nor acknowledged ones is left out of the report; compliance.test.ts proves with a non-compliant
 * canary stack that all six run.) Findings of aws-cdk-lib's own "CloudFormation Validate" plugin count too.
 */
export function unacknowledgedFindings(app: App): Finding[] {
  return synthesizedForCompliance(app).findings;
}

/**
 * Synthesizes the app once with all six plugins: the unacknowledged findings (see {@link unacknowledgedFindings})
 * and the synthesized templates, read before the temp assembly is deleted.
 */
export function synthesizedForCompliance(app: App): { findings: Finding[]; templates: any[] } {
  const reportFile = path.join(app.outdir, 'validation-report.json');
  // aws-cdk-lib prints the whole report on console.error when there are findings; the file is what we read.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
  } catch {
    // Findings make synth throw; they are all in the report, asserted below.
  } finally {
    quiet.mockRestore();
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const templates = fs.readdirSync(app.outdir).filter((file) => file.endsWith('.template.json'))
    .map((file) => JSON.parse(fs.readFileSync(path.join(app.outdir, file), 'utf8')));
  fs.rmSync(app.outdir, { recursive: true, force: true });
  const findings: Finding[] = [];
  for (const plugin of report.pluginReports) {
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        findings.push(`${plugin.pluginName} ${violation.ruleName} ${construct.constructPath || '(no construct path)'}`);
      }
    }
  }
  return { findings: findings.sort(), templates };
}
