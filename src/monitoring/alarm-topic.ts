import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Props of an AlarmTopic. */
export interface AlarmTopicProps {
  /**
   * Customer managed KMS key that encrypts the topic; its key policy must let `cloudwatch.amazonaws.com`
   * use kms:Decrypt and kms:GenerateDataKey*.
   * @default - a new key with rotation enabled and that permission
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The SNS topic every symptom alarm notifies: encrypted at rest, TLS only, and publishable by CloudWatch
 * alarms of this account.
 *
 * The key is customer managed, not the AWS managed `alias/aws/sns`: the AWS managed key's policy cannot
 * be edited and does not let CloudWatch alarms use it, so alarm notifications to a topic encrypted with
 * it are silently dropped.
 * https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  public readonly topic: sns.Topic;
  /** The key encrypting the topic. */
  public readonly encryptionKey: kms.IKey;

  public constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const cloudwatchService = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const account = Stack.of(this).account;
    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        description: `Encrypts the alarm topic ${this.node.path}`,
        enableKeyRotation: true,
      });
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
        principals: [cloudwatchService],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }));
      // Only AWS services may create grants on this key (Control Tower CT.KMS.PR.3, enforced by the
      // cfn-guard rule kms_create_grant_aws_service_check): nothing here needs a grant, so a stolen
      // credential cannot use one to read alarm messages.
      // https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }));
      this.encryptionKey = key;
    }
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.encryptionKey,
      // Denies every request not made over TLS (aws:SecureTransport false).
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default policy: CloudWatch
    // alarms of this account must then be allowed explicitly.
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [cloudwatchService],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
  }
}
