import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { ElasticDataAccessChecks } from '../../src/checks';

/** One violation of the ElasticDataAccess pack as written to `<outdir>/validation-report.json`. */
export interface Finding {
  readonly ruleId: string;
  readonly constructPath: string;
}

/** An app (synthesised into a fresh temp dir) with the ElasticDataAccess pack, and one stack `Test`. */
export function checkedApp(): { app: App; stack: Stack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eda-checks-'));
  const app = new App({ outdir, context: { 'aws:cdk:disable-creation-stack-traces': true } });
  Validations.of(app).addPlugins(new ElasticDataAccessChecks(app));
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { app, stack };
}

/**
 * Synthesises the app and returns the pack's findings from the validation report. Also asserts that
 * synthesis threw naming every reported construct (that is how cdk-nag 3 gates a pipeline).
 */
export function findingsOf(app: App): Finding[] {
  const reportFile = path.join(app.outdir, 'validation-report.json');
  let error: Error | undefined;
  // aws-cdk-lib prints the whole validation report on console.error; the report file is what we read.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  } finally {
    quiet.mockRestore();
  }
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : undefined;
  fs.rmSync(app.outdir, { recursive: true, force: true });
  if (!report) {
    if (error) throw error;
    return [];
  }
  const findings: Finding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    if (plugin.pluginName !== 'ElasticDataAccess') continue;
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        findings.push({ ruleId: violation.ruleName, constructPath: construct.constructPath });
      }
    }
  }
  const message = error?.message ?? '';
  for (const finding of findings) expect(message).toContain(`${finding.constructPath} `);
  if (findings.length === 0) expect(message).not.toContain('(ElasticDataAccess)');
  return findings;
}

/** The construct paths reported for one rule id (e.g. `ElasticDataAccess-EDA4`). */
export function pathsFor(findings: Finding[], ruleId: string): string[] {
  return findings.filter((f) => f.ruleId === ruleId).map((f) => f.constructPath).sort();
}
