import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * The examples' acknowledgements of cdk-nag (AwsSolutions, Serverless, NIST 800-53 R5, HIPAA Security)
 * and cfn-guard findings on resources the EXAMPLES create — the stand-in VPC, the demo HTTP API and the
 * API's functions — each with its reason and on that one resource. The library acknowledges findings
 * on what it creates itself (docs/compliance.md); it never acknowledges anything on your resources.
 * Copy this file with an example, then delete what your own VPC, API and functions make unnecessary.
 *
 * Ids are `<plugin>::<rule>`: aws-cdk-lib matches acknowledgements against the reporting plugin's
 * namespace, and cfn-guard (`cdk-validator-cfnguard`) findings only match that way.
 */
function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

const bothPacks = (rule: string) => [`NIST.800.53.R5::NIST.800.53.R5-${rule}`, `HIPAA.Security::HIPAA.Security-${rule}`];

/** The example's own VPC: a stand-in for the network your platform team provides. */
export function acknowledgeStandInVpc(vpc: IConstruct): void {
  acknowledge(vpc,
    'Stand-in VPC so the example synthesizes anywhere: in your account use the VPC your platform provides (flow logs, closed default security group). Its public subnets hold only the NAT gateway that lets private functions reach SQS and X-Ray.',
    'AwsSolutions::AwsSolutions-VPC7', ...bothPacks('VPCFlowLogsEnabled'), ...bothPacks('VPCDefaultSecurityGroupClosed'),
    ...bothPacks('VPCNoUnrestrictedRouteToIGW'), ...bothPacks('VPCSubnetAutoAssignPublicIpDisabled'),
    'cdk-validator-cfnguard::subnet_auto_assign_public_ip_disabled_check');
}

/** The example's HTTP API: open routes, and Lambda permissions scoped by a SourceArn the rule cannot read. */
export function acknowledgeDemoHttpApi(api: IConstruct): void {
  acknowledge(api,
    'Demo routes without an authorizer so the example can be called with curl; add a JWT or IAM authorizer (HttpJwtAuthorizer, HttpIamAuthorizer) before real traffic.',
    'AwsSolutions::AwsSolutions-APIG4', 'cdk-validator-cfnguard::api_gw_v2_authorization_type_configured_check');
  acknowledge(api,
    'Each Lambda permission has a SourceArn naming this API and route; it is an Fn::Join, which the rule cannot read as a string or local reference.',
    'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check');
}

/** The API's access log group: one year of retention, encrypted by CloudWatch Logs. */
export function acknowledgeAccessLogGroup(logGroup: IConstruct): void {
  acknowledge(logGroup,
    'CloudWatch Logs encrypts log data at rest with service-managed keys; pass encryptionKey (a KMS key whose policy admits logs.<region>.amazonaws.com) if your policy requires a customer managed key.',
    ...bothPacks('CloudWatchLogGroupEncrypted'), 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check');
}

/** A function the example creates, invoked synchronously (by the HTTP API or a RequestResponse invoke). */
export function acknowledgeExampleFunction(fn: lambda.Function): void {
  acknowledge(fn,
    'AWSLambdaBasicExecutionRole (own logs) and AWSLambdaVPCAccessExecutionRole (own ENIs) are the AWS managed policies the Lambda documentation prescribes.',
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]');
  acknowledge(fn,
    'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]');
  acknowledge(fn,
    'The default policy holds only least-privilege statements written by aws-cdk-lib and cdk-elastic-data-access grants, and belongs to this role alone.',
    ...bothPacks('IAMNoInlinePolicy'));
  acknowledge(fn,
    'Invoked synchronously (by API Gateway or a RequestResponse invoke), which returns errors to the caller; an asynchronous-invocation DLQ would never receive anything.',
    'Serverless::Serverless-LambdaDLQ', ...bothPacks('LambdaDLQ'));
  if (!fn.isBoundToVpc) {
    acknowledge(fn,
      'Calls only SQS (a public AWS endpoint) and holds no database connection: a VPC would add a NAT gateway or an interface endpoint and cold-start cost for no protection.',
      ...bothPacks('LambdaInsideVPC'), 'cdk-validator-cfnguard::lambda_inside_vpc_check');
  }
}
