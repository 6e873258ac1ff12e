import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { ElasticDataAccessRule } from '../../../src/checks';
import { checkedApp, findingsOf, pathsFor } from '../checked-app';
import { isolatedVpc, postgresInstance } from '../stack-fixtures';

describe('EDA8 ProxyWithoutRequireTls', () => {
  test('a proxy with requireTLS (the aws-cdk-lib default) is compliant', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const vpc = isolatedVpc(stack);
    const db = postgresInstance(stack, vpc);
    // WHEN
    db.addProxy('Proxy', { vpc, secrets: [db.secret!], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    // THEN
    expect(pathsFor(findingsOf(app), ElasticDataAccessRule.PROXY_WITHOUT_REQUIRE_TLS)).toEqual([]);
  });

  test('a proxy with requireTLS false is reported on the proxy resource', () => {
    // GIVEN
    const { app, stack } = checkedApp();
    const vpc = isolatedVpc(stack);
    const db = postgresInstance(stack, vpc);
    // WHEN
    new rds.DatabaseProxy(stack, 'Proxy', {
      proxyTarget: rds.ProxyTarget.fromInstance(db),
      secrets: [db.secret!],
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      requireTLS: false,
    });
    // THEN
    expect(pathsFor(findingsOf(app), ElasticDataAccessRule.PROXY_WITHOUT_REQUIRE_TLS)).toEqual(['Test/Proxy/Resource']);
  });
});
