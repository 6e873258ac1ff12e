import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { useCloudFormationValidation } from '../support/cloudformation-validation';

/*
 * EDA-17 "done when": three apps a new user writes from the README and API.md alone — an Aurora app with a
 * writer, an RDS MySQL app with replicas under cdk-nag, an app whose reader is an ECS Fargate service —
 * type-check and synthesize. They import 'cdk-elastic-data-access' by name; here the name resolves to src/
 * (test/new-user/tsconfig.json for the compiler, a jest mock for the run). The packed-tarball variant runs
 * the same apps against the built package.
 */

jest.mock('cdk-elastic-data-access', () => jest.requireActual('../../src'), { virtual: true });

// A new user's synth runs aws-cdk-lib's CloudFormation Validate plugin: so do these.
useCloudFormationValidation();

const APPS = path.join(__dirname, 'apps');
const APP_NAMES = ['aurora-writer', 'mysql-replicas-nag', 'fargate-reader'];
/** A whole app with a VPC and a database synthesizes in ~30–40 s on a busy 2-core machine (cdk-nag adds to it). */
const SYNTH_TIMEOUT = 180_000;

/** Synthesizes the app file `name` as `cdk synth` would (CDK_OUTDIR), without bundling; returns the outdir. */
function synthesize(name: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `eda-new-user-${name}-`));
  const saved = { outdir: process.env.CDK_OUTDIR, context: process.env.CDK_CONTEXT_JSON };
  process.env.CDK_OUTDIR = outdir;
  // The CLI passes context this way; an empty bundling-stacks list skips esbuild (what `cdk synth --exclusively` does for other stacks).
  process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-creation-stack-traces': true });
  try {
    // the app module synthesizes when it is loaded, as `cdk synth` runs it
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require(path.join(APPS, `${name}.ts`)));
  } finally {
    for (const [key, value] of [['CDK_OUTDIR', saved.outdir], ['CDK_CONTEXT_JSON', saved.context]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return outdir;
}

function template(outdir: string, stack: string): { Resources: { [id: string]: { Type: string; Properties?: any } } } {
  return JSON.parse(fs.readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8'));
}

function resourcesOf(outdir: string, stack: string, type: string) {
  return Object.entries(template(outdir, stack).Resources).filter(([, r]) => r.Type === type);
}

describe('the new-user apps', () => {
  test('type-check against the package\'s public API', () => {
    // GIVEN the compiler options of test/new-user/tsconfig.json
    const config = ts.getParsedCommandLineOfConfigFile(path.join(__dirname, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    expect(config.fileNames.map((f) => path.basename(f, '.ts')).sort()).toEqual([...APP_NAMES, 'get-item', 'order-writer'].sort());
    // WHEN the apps are compiled
    const program = ts.createProgram(config.fileNames, config.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || config.fileNames.includes(d.file.fileName));
    // THEN none of them has an error
    expect(diagnostics.map((d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => __dirname, getNewLine: () => '\n' }))).toEqual([]);
  }, 240_000);

  test('aurora-writer synthesizes an Aurora cluster behind a proxy with a bounded writer on the write buffer', () => {
    const outdir = synthesize('aurora-writer');
    expect(resourcesOf(outdir, 'AuroraWriter', 'AWS::RDS::DBCluster')).toHaveLength(1);
    expect(resourcesOf(outdir, 'AuroraWriter', 'AWS::RDS::DBProxy')).toHaveLength(1);
    const mappings = resourcesOf(outdir, 'AuroraWriter', 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map(([, r]) => r.Properties.ScalingConfig)).toEqual([{ MaximumConcurrency: 5 }]);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'AuroraWriter.concurrency-budget.json'), 'utf8'));
    expect(report.account.functions.map((f: any) => [f.path, f.reservedConcurrency, f.databaseFacing])).toEqual([['AuroraWriter/Orders/OrderWriter', 5, true]]);
  }, SYNTH_TIMEOUT);

  test('mysql-replicas-nag synthesizes with zero unacknowledged cdk-nag findings, reading both replicas', () => {
    // WHEN (a cdk-nag finding would make synth throw)
    const outdir = synthesize('mysql-replicas-nag');
    // THEN
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((p: any) => p.violations ?? [])).toEqual([]);
    expect(resourcesOf(outdir, 'MysqlReplicasNag', 'AWS::RDS::DBInstance')).toHaveLength(3);
    const [[, reader]] = resourcesOf(outdir, 'MysqlReplicasNag', 'AWS::Lambda::Function').filter(([id]) => id.startsWith('GetItem'));
    expect(reader.Properties.ReservedConcurrentExecutions).toBe(15);
    expect(JSON.stringify(reader.Properties.Environment.Variables.EDA_READ_HOSTS)).toMatch(/ReadReplica1.*ReadReplica2/);
  }, SYNTH_TIMEOUT);

  test('fargate-reader synthesizes: the service\'s security group reaches the proxy, its task role may connect', () => {
    const outdir = synthesize('fargate-reader');
    const ingress = resourcesOf(outdir, 'FargateReader', 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.SourceSecurityGroupId).includes('ApiSecurityGroup'));
    expect(ingress.map((p) => [p.FromPort, p.Description])).toEqual([[5432, 'FargateReader/Api reads']]);
    const policies = resourcesOf(outdir, 'FargateReader', 'AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties.Roles).includes('ApiTaskTaskRole'));
    expect(policies.flatMap(([, r]) => r.Properties.PolicyDocument.Statement.map((s: any) => s.Action))).toEqual(['rds-db:connect']);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'FargateReader.concurrency-budget.json'), 'utf8'));
    const readOnly = report.targets.find((t: any) => t.kind === 'proxy-read-only');
    expect(readOnly.consumers).toEqual([expect.objectContaining({ path: 'FargateReader/Api', concurrency: 10, connectionsPerEnvironment: 4, connections: 40 })]);
  }, SYNTH_TIMEOUT);
});
