import { asList, asNumber, referencedLogicalId } from './cfn-references';
import { securityGroupKeys } from './security-group-reachability';
import { ModelResource, StackModel } from './stack-model';

/** Something a function opens database connections to: an RDS instance, an Aurora cluster or an RDS proxy. */
export interface DatabaseEndpoint {
  readonly resource: ModelResource;
  readonly isProxy: boolean;
  readonly securityGroupKeys: string[];
  /** The listening port; undefined when it cannot be known (then any TCP rule counts as a path). */
  readonly port: number | undefined;
}

/**
 * Default ports per engine, used when `Port` is not set.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html
 */
function defaultPort(engine: unknown): number | undefined {
  if (typeof engine !== 'string') return undefined;
  const e = engine.toLowerCase();
  if (e.includes('postgres')) return 5432;
  if (e.includes('mysql') || e.includes('mariadb') || e === 'aurora') return 3306;
  if (e.startsWith('sqlserver')) return 1433;
  if (e.startsWith('oracle')) return 1521;
  if (e.startsWith('db2')) return 50000;
  return undefined;
}

/**
 * RDS Proxy listens on the engine family's default port.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html
 */
function proxyPort(engineFamily: unknown): number | undefined {
  switch (engineFamily) {
    case 'MYSQL': return 3306;
    case 'POSTGRESQL': return 5432;
    case 'SQLSERVER': return 1433;
    default: return undefined;
  }
}

function compute(model: StackModel): DatabaseEndpoint[] {
  const endpoints: DatabaseEndpoint[] = [];
  for (const instance of model.ofType('AWS::RDS::DBInstance')) {
    // Instances of an Aurora cluster carry no security groups of their own: the cluster's apply.
    endpoints.push({
      resource: instance,
      isProxy: false,
      securityGroupKeys: securityGroupKeys(instance.properties?.VPCSecurityGroups),
      port: asNumber(instance.properties?.Port) ?? defaultPort(instance.properties?.Engine),
    });
  }
  for (const cluster of model.ofType('AWS::RDS::DBCluster')) {
    endpoints.push({
      resource: cluster,
      isProxy: false,
      securityGroupKeys: securityGroupKeys(cluster.properties?.VpcSecurityGroupIds),
      port: asNumber(cluster.properties?.Port) ?? defaultPort(cluster.properties?.Engine),
    });
  }
  for (const proxy of model.ofType('AWS::RDS::DBProxy')) {
    endpoints.push({
      resource: proxy,
      isProxy: true,
      securityGroupKeys: securityGroupKeys(proxy.properties?.VpcSecurityGroupIds),
      port: proxyPort(proxy.properties?.EngineFamily),
    });
  }
  return endpoints.filter((e) => e.securityGroupKeys.length > 0);
}

/** Every database and proxy of the stack that has security groups to reach. */
export function databaseEndpoints(model: StackModel): DatabaseEndpoint[] {
  return model.view('databaseEndpoints', compute);
}

/**
 * Logical ids of the instances and clusters registered behind an RDS proxy in this stack
 * (`AWS::RDS::DBProxyTargetGroup` DBInstanceIdentifiers / DBClusterIdentifiers).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbproxytargetgroup.html
 */
export function proxiedDatabaseIds(model: StackModel): Set<string> {
  return model.view('proxiedDatabaseIds', (m) => {
    const ids = new Set<string>();
    for (const group of m.ofType('AWS::RDS::DBProxyTargetGroup')) {
      const targets = [...asList(group.properties?.DBInstanceIdentifiers), ...asList(group.properties?.DBClusterIdentifiers)];
      for (const target of targets) {
        const id = referencedLogicalId(target);
        if (id) ids.add(id);
      }
    }
    return ids;
  });
}
