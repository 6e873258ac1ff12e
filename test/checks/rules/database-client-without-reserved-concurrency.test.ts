import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction, isolatedVpc, postgresInstance } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.DATABASE_CLIENT_WITHOUT_RESERVED_CONCURRENCY;

function databaseWithProxy() {
  const { app, stack } = checkedApp();
  const vpc = isolatedVpc(stack);
  const db = postgresInstance(stack, vpc);
  const proxy = db.addProxy('Proxy', { vpc, secrets: [db.secret!], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  return { app, stack, vpc, proxy };
}

describe('EDA3 DatabaseClientWithoutReservedConcurrency', () => {
  test('a VPC function that reaches the proxy without reserved concurrency is reported on the function', () => {
    // GIVEN
    const { app, stack, vpc, proxy } = databaseWithProxy();
    const fn = inlineFunction(stack, 'Fn', { vpc });
    // WHEN
    proxy.connections.allowFrom(fn, ec2.Port.tcp(5432));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Fn/Resource']);
  });

  test('a VPC function that reaches the proxy with reserved concurrency is compliant', () => {
    // GIVEN
    const { app, stack, vpc, proxy } = databaseWithProxy();
    const fn = inlineFunction(stack, 'Fn', { vpc, reservedConcurrentExecutions: 20 });
    // WHEN
    proxy.connections.allowFrom(fn, ec2.Port.tcp(5432));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('a VPC function that reaches no database needs no reserved concurrency', () => {
    // GIVEN
    const { app, stack, vpc } = databaseWithProxy();
    // WHEN
    inlineFunction(stack, 'Fn', { vpc });
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });
});
