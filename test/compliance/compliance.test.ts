import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { COMPLIANCE_PLUGINS, complianceApp, synthesizedForCompliance, unacknowledgedFindings } from './compliance-app';
import { auroraMysqlEverything, rdsPostgresEverything } from './full-featured-stacks';
import { STACKS_UNDER_TEST } from './stacks-under-test';
import { ACKNOWLEDGEMENTS } from '../../src/compliance/acknowledgements';
import { acknowledgementsIn } from '../support/acknowledgements';
import { CloudFormationSchema } from '../support/cloudformation-schema';
import { useCloudFormationValidation } from '../support/cloudformation-validation';

// EDA-7 part 2: what a platform team's gate runs — AwsSolutions, Serverless, NIST 800-53 R5 and HIPAA
// Security (cdk-nag), our ElasticDataAccess pack and cfn-guard's Control Tower rules — reports nothing
// unacknowledged on any example or on stacks that use every feature. Synthesis bundles functions with
// esbuild, hence the timeout.
jest.setTimeout(120_000);
// aws-cdk-lib's own CloudFormation Validate plugin is one of the gates here: on for this file.
useCloudFormationValidation();

test('the harness runs all six plugins and reports what they find (a non-compliant canary stack)', () => {
  // GIVEN a function allowed to invoke another, and a queue without a DLQ: every plugin has something to say
  const app = complianceApp();
  const stack = new Stack(app, 'Canary');
  const code = lambda.Code.fromInline('exports.handler = async () => ({})');
  const callee = new lambda.Function(stack, 'Callee', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code });
  const caller = new lambda.Function(stack, 'Caller', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code });
  callee.grantInvoke(caller);
  new sqs.Queue(stack, 'Queue');
  // WHEN
  const findings = unacknowledgedFindings(app);
  // THEN
  const plugins = new Set(findings.map((f) => f.split(' ')[0]));
  expect([...plugins].sort()).toEqual(expect.arrayContaining([...COMPLIANCE_PLUGINS].sort()));
  // AND aws-cdk-lib's CloudFormation Validate plugin ran too (it reports a queue without a DLQ, among others)
  expect(findings.filter((f) => f.startsWith('CloudFormation Validate '))).not.toEqual([]);
  expect(findings).toContain('ElasticDataAccess ElasticDataAccess-EDA1 Canary/Caller/ServiceRole/DefaultPolicy/Resource');
});

// The registry schemas of CloudFormation (EDA-13): loaded once, checked on the assemblies this file synthesizes
// anyway (a second synthesis of every stack only for the schemas would double this file's time).
let schema: CloudFormationSchema;
beforeAll(() => {
  schema = CloudFormationSchema.load();
});

describe.each(STACKS_UNDER_TEST)('%s', (_name, build) => {
  let synthesized: ReturnType<typeof synthesizedForCompliance>;
  beforeAll(() => {
    // GIVEN an app with all six plugins, synthesized once for both checks
    const app = complianceApp();
    build(app);
    synthesized = synthesizedForCompliance(app);
  });

  test('has zero unacknowledged findings under every pack and cfn-guard', () => {
    expect(synthesized.findings).toEqual([]);
  });

  test('matches the CloudFormation resource schemas with 0 errors and 0 warnings', () => {
    const findings = synthesized.templates.flatMap((template) => schema.validate(template));
    expect(findings.map((f) => `${f.severity} ${f.path}: ${f.message}`)).toEqual([]);
    expect(Math.min(...synthesized.templates.map((template) => Object.keys(template.Resources).length))).toBeGreaterThan(20);
  });
});

describe('library acknowledgements', () => {
  const libraryReasons = new Set(Object.values(ACKNOWLEDGEMENTS).map((a) => a.reason));

  test('sit on resources the pattern created, never on a stack, the app, or the user\'s functions and VPC', () => {
    // GIVEN both full-featured stacks (the pattern is the construct 'Orders' in each)
    const app = new App();
    auroraMysqlEverything(app);
    rdsPostgresEverything(app);
    // WHEN
    const library = acknowledgementsIn(app).filter((a) => libraryReasons.has(a.reason));
    // THEN
    expect(library.length).toBeGreaterThan(20);
    for (const { path: where } of library) {
      expect(where).toMatch(/^(AuroraMysqlEverything|RdsPostgresEverything)\/Orders\/./);
    }
    // The user's functions and VPC carry only the acknowledgements their owner (here: the test) wrote.
    const onUserResources = library.filter((a) => /\/(Reader|Producer|Report|Vpc)(\/|$)/.test(a.path));
    expect(onUserResources).toEqual([]);
  });

  test('every acknowledgement has a reason and fully qualified rule ids', () => {
    for (const [name, { ids, reason }] of Object.entries(ACKNOWLEDGEMENTS)) {
      expect({ name, reasonLength: reason.length > 40 }).toEqual({ name, reasonLength: true });
      for (const id of ids) expect(id).toMatch(/^(AwsSolutions|Serverless|NIST\.800\.53\.R5|HIPAA\.Security|cdk-validator-cfnguard)::\S+$/);
    }
  });

  test('docs/compliance.md lists every acknowledgement with each of its rule ids and its reason', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'compliance.md'), 'utf8');
    for (const [name, { ids, reason }] of Object.entries(ACKNOWLEDGEMENTS)) {
      expect(doc).toContain(`| \`${name}\` |`);
      for (const id of ids) expect(doc).toContain(`\`${id}\``);
      expect(doc).toContain(reason.replace(/\|/g, '\\|'));
    }
  });

  test('the ingress acknowledgement covers only the proxy\'s rule, not rules the user adds to the same group', () => {
    // GIVEN
    const app = new App();
    const stack = rdsPostgresEverything(app);
    // WHEN
    const ingress = acknowledgementsIn(stack).filter((a) => a.reason === ACKNOWLEDGEMENTS.ingressFromProxyOnly.reason);
    // THEN one construct (the proxy's ingress rule on the instance's security group), ids per rule
    expect([...new Set(ingress.map((a) => a.path))]).toEqual([
      expect.stringMatching(/^RdsPostgresEverything\/Orders\/Database\/Instance\/SecurityGroup\/from RdsPostgresEverythingOrdersDatabaseProxyProxySecurityGroup[0-9A-F]{8}:/),
    ]);
  });
});
