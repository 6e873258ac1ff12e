import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseSourceConfig, ExistingClusterAttributes, ExistingInstanceAttributes, InstanceCapacity } from './database-source-options';
import { defaultPort, unversionedClusterEngine, unversionedInstanceEngine } from './engine';
import { validateMaxConnections, validateReaderCount } from './source-validation';

function stated(maxConnections: number): InstanceCapacity {
  return { maxConnections, explanation: `maxConnections set to ${maxConnections}` };
}

/** Imports an existing Aurora cluster. */
export function bindExistingCluster(scope: Construct, attrs: ExistingClusterAttributes): DatabaseSourceConfig {
  const readers = attrs.readers ?? 0;
  validateReaderCount(scope, 'readers', readers);
  validateMaxConnections(scope, 'maxConnections', attrs.maxConnections);
  validateMaxConnections(scope, 'readerMaxConnections', attrs.readerMaxConnections);
  const port = attrs.port ?? defaultPort(attrs.engine);
  const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(scope, 'Cluster', {
    clusterIdentifier: attrs.clusterIdentifier,
    clusterResourceIdentifier: attrs.clusterResourceIdentifier,
    clusterEndpointAddress: attrs.clusterEndpointAddress,
    readerEndpointAddress: attrs.readerEndpointAddress,
    port,
    securityGroups: attrs.securityGroups,
    secret: attrs.secret,
    // RDS Proxy needs the engine family of its target.
    engine: unversionedClusterEngine(attrs.engine),
  });
  return {
    engine: attrs.engine,
    isAurora: true,
    port,
    proxyTarget: rds.ProxyTarget.fromCluster(cluster),
    connections: cluster.connections,
    resourceId: attrs.clusterResourceIdentifier,
    cluster,
    secret: attrs.secret,
    writerCapacity: stated(attrs.maxConnections),
    readerCapacities: Array.from({ length: readers }, () => stated(attrs.readerMaxConnections ?? attrs.maxConnections)),
    readerEndpointAddress: attrs.readerEndpointAddress,
    directReadTargets: [],
    dataApiEnabled: attrs.dataApiEnabled ?? false,
  };
}

/** Imports an existing RDS instance and its read replicas. */
export function bindExistingInstance(scope: Construct, attrs: ExistingInstanceAttributes): DatabaseSourceConfig {
  const replicas = attrs.readReplicas ?? [];
  validateReaderCount(scope, 'readReplicas', replicas.length);
  validateMaxConnections(scope, 'maxConnections', attrs.maxConnections);
  const port = attrs.port ?? defaultPort(attrs.engine);
  const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(scope, 'Instance', {
    instanceIdentifier: attrs.instanceIdentifier,
    instanceResourceId: attrs.instanceResourceId,
    instanceEndpointAddress: attrs.instanceEndpointAddress,
    port,
    securityGroups: attrs.securityGroups,
    engine: unversionedInstanceEngine(attrs.engine),
  });
  return {
    engine: attrs.engine,
    isAurora: false,
    port,
    proxyTarget: rds.ProxyTarget.fromInstance(instance),
    connections: instance.connections,
    resourceId: attrs.instanceResourceId,
    instance,
    secret: attrs.secret,
    writerCapacity: stated(attrs.maxConnections),
    readerCapacities: [],
    directReadTargets: replicas.map((replica, i) => {
      validateMaxConnections(scope, `readReplicas[${i}].maxConnections`, replica.maxConnections);
      return {
        instance: rds.DatabaseInstance.fromDatabaseInstanceAttributes(scope, `ReadReplica${i + 1}`, {
          instanceIdentifier: replica.instanceIdentifier,
          instanceResourceId: replica.instanceResourceId,
          instanceEndpointAddress: replica.instanceEndpointAddress,
          port,
          securityGroups: replica.securityGroups,
          engine: unversionedInstanceEngine(attrs.engine),
        }),
        resourceId: replica.instanceResourceId,
        capacity: stated(replica.maxConnections),
      };
    }),
  };
}

