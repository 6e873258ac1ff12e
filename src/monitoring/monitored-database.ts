/**
 * What DataAccessMonitoring needs to know about a database and its proxy, for databases not managed
 * by a DataAccessDatabase. Every field is optional: alarms are created for what is named.
 */
export interface MonitoredDatabaseAttributes {
  /**
   * Name of the RDS Proxy in front of the writer (`proxy.dbProxyName`).
   * @default - no proxy alarms
   */
  readonly proxyName?: string;
  /**
   * Whether the proxy has a READ_ONLY endpoint in front of Aurora readers (its availability is alarmed too).
   * @default false
   */
  readonly proxyHasReadOnlyEndpoint?: boolean;
  /**
   * Identifier of the Aurora cluster.
   * @default - not Aurora
   */
  readonly clusterIdentifier?: string;
  /**
   * Whether the Aurora cluster has reader instances (AuroraReplicaLag is alarmed).
   * @default false
   */
  readonly auroraReaders?: boolean;
  /**
   * Whether the Aurora cluster runs Aurora Serverless v2 instances (ACUUtilization is alarmed).
   * @default false
   */
  readonly serverlessV2?: boolean;
  /**
   * Identifier of the RDS instance (the writer), when the database is not Aurora.
   * @default - no RDS instance alarms
   */
  readonly instanceIdentifier?: string;
  /**
   * Identifiers of RDS read replicas (ReplicaLag is alarmed for each).
   * @default - none
   */
  readonly readReplicaIdentifiers?: string[];
}
