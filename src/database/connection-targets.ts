import { IConstruct } from 'constructs';
import type { DatabaseSourceConfig } from './database-source-options';
import { ConnectionTarget, ConnectionTargetKind } from '../budget/connection-target';

/**
 * The default share of a replica's max_connections that direct readers may use: the rest stays for
 * replication, monitoring and administrative sessions, and for the superuser slots the engine reserves
 * (PostgreSQL `superuser_reserved_connections`, RDS `rds.rds_superuser_reserved_connections`).
 */
export const DEFAULT_DIRECT_CONNECTIONS_FRACTION = 0.9;

/** The pool of an RDS Proxy target group: `floor(percent% × max_connections)` per instance. */
function poolSize(percent: number, maxConnections: number): number {
  return Math.floor((percent / 100) * maxConnections);
}

/**
 * `formula = 740` for one reader, `Σ over 2 readers of formula = 740 + 740 = 1480` for several: a sum of
 * one term is not written out, so no explanation repeats an equal number.
 */
export function perReader(sizes: number[], formula: string): string {
  const total = sizes.reduce((a, b) => a + b, 0);
  return sizes.length === 1 ? `${formula} = ${total}` : `Σ over ${sizes.length} readers of ${formula} = ${sizes.join(' + ')} = ${total}`;
}

/** The writer behind the proxy's default endpoint. */
export function proxyWriterTarget(owner: IConstruct, name: string, config: DatabaseSourceConfig, percent: number): ConnectionTarget {
  const capacity = poolSize(percent, config.writerCapacity.maxConnections);
  return {
    name: `${name}/Proxy (writer)`,
    kind: ConnectionTargetKind.PROXY_WRITER,
    capacity,
    owner,
    capacityExplanation: `floor(maxConnectionsPercent ${percent}% × writer max_connections ${config.writerCapacity.maxConnections}) = ${capacity}; writer max_connections: ${config.writerCapacity.explanation}`,
  };
}

/** The Aurora readers behind a proxy READ_ONLY endpoint: the percent applies to each reader. */
export function proxyReadOnlyTarget(owner: IConstruct, name: string, config: DatabaseSourceConfig, percent: number): ConnectionTarget {
  const sizes = config.readerCapacities.map((reader) => poolSize(percent, reader.maxConnections));
  const capacity = sizes.reduce((a, b) => a + b, 0);
  return {
    name: `${name}/Proxy (read-only endpoint)`,
    kind: ConnectionTargetKind.PROXY_READ_ONLY,
    capacity,
    owner,
    capacityExplanation: `${perReader(sizes, `floor(maxConnectionsPercent ${percent}% × reader max_connections)`)}; reader max_connections: ${config.readerCapacities[0]?.explanation}`,
  };
}

/** The Aurora cluster reader endpoint, read without a proxy. */
export function clusterReaderTarget(owner: IConstruct, name: string, config: DatabaseSourceConfig, fraction: number): ConnectionTarget {
  const sizes = config.readerCapacities.map((reader) => Math.floor(fraction * reader.maxConnections));
  const capacity = sizes.reduce((a, b) => a + b, 0);
  return {
    name: `${name}/Cluster reader endpoint`,
    kind: ConnectionTargetKind.DIRECT,
    capacity,
    owner,
    capacityExplanation: `${perReader(sizes, `floor(directConnectionsFraction ${fraction} × reader max_connections)`)}; reader max_connections: ${config.readerCapacities[0]?.explanation}`,
  };
}

/** One RDS read replica, read directly (a proxy cannot target it). */
export function replicaTarget(owner: IConstruct, name: string, index: number, config: DatabaseSourceConfig, fraction: number): ConnectionTarget {
  const replica = config.directReadTargets[index];
  const capacity = Math.floor(fraction * replica.capacity.maxConnections);
  return {
    name: `${name}/ReadReplica${index + 1}`,
    kind: ConnectionTargetKind.DIRECT,
    capacity,
    owner,
    capacityExplanation: `floor(directConnectionsFraction ${fraction} × replica max_connections ${replica.capacity.maxConnections}) = ${capacity}; replica max_connections: ${replica.capacity.explanation}`,
  };
}

/**
 * The writer instance as the RDS Data API reaches it: "You can only execute Data API queries on writer
 * instances in a DB cluster" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.limitations.html).
 * Those connections bypass the proxy and share the writer's max_connections with the proxy's pool, so the
 * budget gives the Data API what the pool leaves: max_connections − floor(maxConnectionsPercent% × max_connections).
 */
export function dataApiWriterTarget(owner: IConstruct, name: string, config: DatabaseSourceConfig, percent: number): ConnectionTarget {
  const max = config.writerCapacity.maxConnections;
  const pool = poolSize(percent, max);
  const capacity = max - pool;
  return {
    name: `${name}/Writer instance (Data API)`,
    kind: ConnectionTargetKind.DIRECT,
    capacity,
    owner,
    capacityExplanation: `writer max_connections ${max} − the proxy pool floor(maxConnectionsPercent ${percent}% × ${max}) = ${pool}, which the Data API's writer connections share = ${capacity}; writer max_connections: ${config.writerCapacity.explanation}`,
  };
}
