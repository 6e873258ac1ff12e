import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { inlineFunction, isolatedVpc, postgresInstance } from '../stack-fixtures';

const RULE = ElasticDataAccessRule.DIRECT_DATABASE_ACCESS_DESPITE_PROXY;

function databaseWithProxy() {
  const { app, stack } = checkedApp();
  const vpc = isolatedVpc(stack);
  const db = postgresInstance(stack, vpc);
  const proxy = db.addProxy('Proxy', { vpc, secrets: [db.secret!], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const fn = inlineFunction(stack, 'Fn', { vpc, reservedConcurrentExecutions: 10 });
  return { app, stack, vpc, db, proxy, fn };
}

describe('EDA2 DirectDatabaseAccessDespiteProxy', () => {
  test('a function allowed into the database port while a proxy exists is reported on the function', () => {
    // GIVEN
    const { app, db, fn } = databaseWithProxy();
    // WHEN
    db.connections.allowDefaultPortFrom(fn);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Fn/Resource']);
  });

  test('a function allowed into the proxy only is compliant', () => {
    // GIVEN
    const { app, proxy, fn } = databaseWithProxy();
    // WHEN
    proxy.connections.allowFrom(fn, ec2.Port.tcp(5432));
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });

  test('a function allowed into an Aurora cluster fronted by a proxy is reported on the function', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const vpc = isolatedVpc(stack);
    const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    cluster.addProxy('Proxy', { vpc, secrets: [cluster.secret!], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const fn = inlineFunction(stack, 'Fn', { vpc, reservedConcurrentExecutions: 10 });
    // WHEN
    cluster.connections.allowDefaultPortFrom(fn);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual(['Test/Fn/Resource']);
  });

  test('direct access to a database that has no proxy is not reported', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const vpc = isolatedVpc(stack);
    const db = postgresInstance(stack, vpc);
    const fn = inlineFunction(stack, 'Fn', { vpc, reservedConcurrentExecutions: 10 });
    // WHEN
    db.connections.allowDefaultPortFrom(fn);
    // THEN
    expect(pathsFor(findingsOf(app), RULE)).toEqual([]);
  });
});
