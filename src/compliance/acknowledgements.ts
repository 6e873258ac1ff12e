import { Names, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';

/**
 * Every finding this library acknowledges on a resource it creates, with the reason, in one table.
 *
 * Rules of the house (EDA-7, docs/compliance.md):
 * - a finding we can fix by a default is fixed, not acknowledged (deletion protection, enhanced
 *   monitoring, Multi-AZ primary, every log type exported, latest Node.js runtime, KMS grant guard);
 * - an acknowledgement is attached to the one resource (or the one construct the library creates and
 *   owns) that triggers it, never to a stack, an app, or a construct the user passed in;
 * - ids are fully qualified (`<plugin>::<rule>`): aws-cdk-lib matches an acknowledgement against the
 *   namespace of the plugin that reported it, and cfn-guard findings are only matched that way
 *   (cdk-nag packs also accept the bare id, cfn-guard does not: measured with aws-cdk-lib 2.276).
 * - the same control appears in several packs (LambdaDLQ is in Serverless, NIST 800-53 R5 and HIPAA);
 *   one entry lists all of them, so the reason is written once.
 */
export interface Acknowledgement {
  /** Fully qualified rule ids (`<plugin>::<rule>`) this acknowledgement covers. */
  readonly ids: readonly string[];
  /** Why the finding does not apply, or how the pattern meets the control another way. */
  readonly reason: string;
}

const nag = (pack: 'AwsSolutions' | 'Serverless' | 'NIST.800.53.R5' | 'HIPAA.Security', rule: string) => `${pack}::${pack}-${rule}`;
const guard = (rule: string) => `cdk-validator-cfnguard::${rule}`;

/** The acknowledgements the library applies, by name (docs/compliance.md lists each with its resource). */
export const ACKNOWLEDGEMENTS = {
  /** Writer functions are invoked by an SQS event source, never asynchronously. */
  writerHasNoAsyncDeadLetterQueue: {
    ids: [nag('Serverless', 'LambdaDLQ'), nag('NIST.800.53.R5', 'LambdaDLQ'), nag('HIPAA.Security', 'LambdaDLQ')],
    reason: 'The writer is invoked only by its SQS event source (synchronously, by Lambda\'s poller); an asynchronous-invocation DLQ never receives anything. Failed messages go to the write buffer\'s dead-letter queue through the source queue\'s redrive policy (maxReceiveCount).',
  },
  writerEventSourceHasNoOnFailureDestination: {
    ids: [nag('Serverless', 'LambdaEventSourceMappingDestination')],
    reason: 'On-failure destinations apply to stream and Kafka event sources only; for an SQS event source the source queue\'s redrive policy is the failure destination (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html). The write buffer sets it.',
  },
  lambdaManagedExecutionPolicies: {
    ids: [
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    ],
    reason: 'AWSLambdaBasicExecutionRole (write own logs) and AWSLambdaVPCAccessExecutionRole (manage own ENIs) are the AWS managed policies the Lambda documentation prescribes; their actions cannot be scoped tighter by the function.',
  },
  xrayNeedsWildcard: {
    ids: ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
    reason: 'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be *): https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
  },
  grantsAreInlinePolicies: {
    ids: [nag('NIST.800.53.R5', 'IAMNoInlinePolicy'), nag('HIPAA.Security', 'IAMNoInlinePolicy')],
    reason: 'Least-privilege statements written by aws-cdk-lib grant methods (one queue, one secret, one rds-db:connect user) into the role\'s default policy, which belongs to that role only and is deleted with it.',
  },
  deadLetterQueueIsTerminal: {
    ids: [nag('Serverless', 'SQSRedrivePolicy'), guard('sqs_dlq_check')],
    reason: 'This is the write buffer\'s dead-letter queue: the end of the redrive chain. Messages here are alarmed on and replayed with `eda redrive`; a DLQ of the DLQ would hide them.',
  },
  enhancedMonitoringManagedPolicy: {
    ids: ['AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]'],
    reason: 'AmazonRDSEnhancedMonitoringRole is the AWS managed policy RDS Enhanced Monitoring requires (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html).',
  },
  automatedBackupsInsteadOfBackupPlan: {
    ids: [nag('NIST.800.53.R5', 'RDSInBackupPlan'), nag('HIPAA.Security', 'RDSInBackupPlan')],
    reason: 'Automated backups with point-in-time recovery are on (backupRetention, 7 days by default) and by default the database is snapshotted on removal. AWS Backup plans and vaults are an organisation-level choice; add the resource to yours by tag or ARN.',
  },
  generatedSecretNotRotated: {
    ids: [nag('AwsSolutions', 'SMG4'), nag('NIST.800.53.R5', 'SecretsManagerRotationEnabled'), nag('HIPAA.Security', 'SecretsManagerRotationEnabled')],
    reason: 'Under end-to-end IAM (the default) the proxy logs in with IAM and reads no secret; the generated master secret is read only by RDS Proxy with IAM_WITH_SECRET or SECRET authentication, by consumers granted with SECRET, and by grantDataApiRead without its own secret. Rotation needs a rotation function with network paths to the database and to Secrets Manager that the pattern cannot assume; add it with cluster/instance addRotationSingleUser() — RDS Proxy reads the rotated secret.',
  },
  secretUsesManagedKey: {
    ids: [nag('NIST.800.53.R5', 'SecretsManagerUsingKMSKey'), nag('HIPAA.Security', 'SecretsManagerUsingKMSKey')],
    reason: 'The generated master secret is encrypted with the AWS managed key aws/secretsmanager; a customer managed key would have to be granted to RDS Proxy as well. Bring your own secret through DatabaseSource.existingCluster/existingInstance to choose the key.',
  },
  ingressFromProxyOnly: {
    ids: [nag('NIST.800.53.R5', 'EC2RestrictedSSH'), nag('NIST.800.53.R5', 'EC2RestrictedCommonPorts'), nag('HIPAA.Security', 'EC2RestrictedSSH'), nag('HIPAA.Security', 'EC2RestrictedCommonPorts')],
    reason: 'This ingress rule admits only the RDS Proxy security group (no CIDR) on the database port, which is a CloudFormation attribute the rule cannot resolve at synth time.',
  },
  defaultPort: {
    ids: [nag('AwsSolutions', 'RDS11'), guard('rds_instance_no_default_ports_check')],
    reason: 'The database is reachable only from the proxy security group inside the VPC and requires TLS and IAM authentication; a non-default port would add no protection and break tooling defaults.',
  },
  storageKeyIsAwsManaged: {
    ids: [guard('rds_storage_encrypted_kms_key_check')],
    reason: 'Storage is encrypted (StorageEncrypted true) with the AWS managed key aws/rds; pass storageEncryptionKey to use a customer managed key.',
  },
  replicaInheritsEncryption: {
    ids: [nag('AwsSolutions', 'RDS2'), nag('NIST.800.53.R5', 'RDSStorageEncrypted'), nag('HIPAA.Security', 'RDSStorageEncrypted')],
    reason: 'A same-Region read replica inherits the storage encryption and key of its encrypted source; CloudFormation rejects StorageEncrypted next to SourceDBInstanceIdentifier (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html#Overview.Encryption.Limitations).',
  },
  replicaAvailabilityFromSiblings: {
    ids: [nag('AwsSolutions', 'RDS3'), nag('NIST.800.53.R5', 'RDSMultiAZSupport'), nag('HIPAA.Security', 'RDSMultiAZSupport'), guard('rds_instance_multi_az_support_check')],
    reason: 'A read replica serves reads only and holds no data of its own; read availability comes from more than one replica and from the Multi-AZ primary, not from a standby per replica.',
  },
  pointInTimeRecoveryInsteadOfBacktrack: {
    ids: [nag('AwsSolutions', 'RDS14'), guard('aurora_cluster_backtracking_enabled_check')],
    reason: 'Recovery is point-in-time restore from automated backups into a new cluster. Backtracking rewinds the live cluster in place (cutting every connection the proxy holds), is billed per change record and must be chosen when the cluster is created.',
  },
  ltsMinorVersionPinned: {
    ids: [nag('HIPAA.Security', 'RDSAutomaticMinorVersionUpgradeEnabled'), guard('rds_instance_automatic_minor_version_upgrade_enabled_check')],
    reason: 'The cluster runs an Aurora MySQL long-term support (LTS) minor version, for which AWS recommends turning automatic minor version upgrades off ("We recommend that you disable automatic minor version upgrades for LTS versions", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Update.SpecialVersions.html): an automatic upgrade would move it off the LTS version. Critical fixes still arrive as LTS patch releases, which Aurora applies at least once a year.',
  },
  logTypesBeyondControlTowerList: {
    ids: [guard('rds_cluster_logging_enabled_check'), guard('rds_instance_logging_enabled_check')],
    reason: 'The database exports every log type the RDS API accepts for its engine (CreateDBCluster / CreateDBInstance EnableCloudwatchLogsExports), including iam-db-auth-error and, on Aurora, instance. The Control Tower rules CT.RDS.PR.14 and CT.RDS.PR.25 check against older lists (audit, error, general, slowquery; postgresql; postgresql, upgrade) and fail on any type beyond them. Applied only when the library chooses the exports (cloudwatchLogsExports unset).',
  },
  replicaBackedUpThroughSource: {
    ids: [nag('NIST.800.53.R5', 'RDSInBackupPlan'), nag('HIPAA.Security', 'RDSInBackupPlan')],
    reason: 'A read replica holds no data of its own: the source instance\'s automated backups (point-in-time recovery) cover it, and a lost replica is recreated from the source.',
  },
} satisfies Record<string, Acknowledgement>;

/** The names of the library's acknowledgements. */
export type AcknowledgementName = keyof typeof ACKNOWLEDGEMENTS;

/** Acknowledges the named findings on `scope` (which covers its children) with their recorded reasons. */
export function acknowledge(scope: IConstruct, ...names: AcknowledgementName[]): void {
  for (const name of names) {
    const { ids, reason } = ACKNOWLEDGEMENTS[name];
    Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
  }
}

/**
 * The acknowledgements every database the library creates gets: automated backups instead of an AWS
 * Backup plan and the default port on the cluster or instance (covering its instances), and the
 * generated master secret's rotation and key. `owner.secret` is only the secret's attachment; the
 * generated secret itself is the owner's child 'Secret'.
 */
export function acknowledgeNewDatabase(owner: IConstruct): void {
  acknowledge(owner, 'automatedBackupsInsteadOfBackupPlan', 'defaultPort');
  const generatedSecret = owner.node.tryFindChild('Secret');
  if (generatedSecret) acknowledge(generatedSecret, 'generatedSecretNotRotated', 'secretUsesManagedKey');
}

/**
 * Acknowledges `ingressFromProxyOnly` on the ingress rules aws-cdk-lib adds to the database's
 * security groups for the proxy (ids `from <proxy security group unique id>:<port>`), and on nothing
 * else: rules the user adds to the same groups keep being checked.
 */
export function acknowledgeProxyIngress(database: ec2.IConnectable, proxy: ec2.IConnectable): void {
  const sources = proxy.connections.securityGroups.map((sg) => `from ${Names.nodeUniqueId(sg.node)}:`);
  for (const group of database.connections.securityGroups) {
    for (const child of group.node.children) {
      if (sources.some((prefix) => child.node.id.startsWith(prefix))) acknowledge(child, 'ingressFromProxyOnly');
    }
  }
}
