import * as rds from 'aws-cdk-lib/aws-rds';
import { DataAccessDatabase } from '../../database/data-access-database';
import { MonitoredDatabaseAttributes } from '../monitored-database';

/** The monitoring facts of a DataAccessDatabase. */
export function attributesOfDatabase(database: DataAccessDatabase): MonitoredDatabaseAttributes {
  const cluster = database.cluster;
  return {
    proxyName: database.proxy.dbProxyName,
    proxyHasReadOnlyEndpoint: database.readOnlyEndpointAddress !== undefined,
    clusterIdentifier: cluster?.clusterIdentifier,
    // Aurora read targets exist only when the cluster has readers (READ_ONLY endpoint or reader endpoint).
    auroraReaders: cluster !== undefined && database.readTargets.length > 0,
    serverlessV2: cluster !== undefined && isServerlessV2(cluster),
    instanceIdentifier: database.instance?.instanceIdentifier,
    readReplicaIdentifiers: database.readReplicas.map((replica) => replica.instanceIdentifier),
  };
}

/**
 * A cluster defined in this app runs Serverless v2 when its CfnDBCluster has a
 * ServerlessV2ScalingConfiguration; an imported cluster cannot tell (pass MonitoredDatabaseAttributes).
 */
function isServerlessV2(cluster: rds.IDatabaseCluster): boolean {
  const cfn = cluster.node.defaultChild;
  if (!(cfn instanceof rds.CfnDBCluster)) return false;
  return cfn.serverlessV2ScalingConfiguration !== undefined;
}
