import { asList, asNumber, identityKey, isObject } from './cfn-references';
import { StackModel } from './stack-model';

/** One security-group-to-security-group ingress permission. */
interface GroupIngress {
  readonly targetGroupKey: string;
  readonly sourceGroupKey: string;
  readonly protocol: string;
  readonly fromPort: number | undefined;
  readonly toPort: number | undefined;
}

/**
 * The security-group ingress rules of a stack whose source is another security group, from both
 * standalone `AWS::EC2::SecurityGroupIngress` resources (what aws-cdk-lib's `connections.allowFrom`
 * emits) and the inline `SecurityGroupIngress` of `AWS::EC2::SecurityGroup`.
 * CIDR and prefix-list sources are not followed: they do not say which function is allowed in.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-securitygroupingress.html
 */
function groupIngressRules(model: StackModel): GroupIngress[] {
  const rules: GroupIngress[] = [];
  const add = (targetGroupKey: string | undefined, rule: unknown) => {
    if (!targetGroupKey || !isObject(rule)) return;
    const sourceGroupKey = identityKey(rule.SourceSecurityGroupId);
    if (!sourceGroupKey) return;
    rules.push({
      targetGroupKey,
      sourceGroupKey,
      protocol: String(rule.IpProtocol ?? '-1').toLowerCase(),
      fromPort: asNumber(rule.FromPort),
      toPort: asNumber(rule.ToPort),
    });
  };
  for (const ingress of model.ofType('AWS::EC2::SecurityGroupIngress')) {
    add(identityKey(ingress.properties?.GroupId), ingress.properties);
  }
  for (const group of model.ofType('AWS::EC2::SecurityGroup')) {
    for (const rule of asList(group.properties?.SecurityGroupIngress)) add(`ref:${group.logicalId}`, rule);
  }
  return rules;
}

function allowsPort(rule: GroupIngress, port: number | undefined): boolean {
  // IpProtocol -1 (all) opens every port; tcp is 'tcp' or its protocol number 6.
  if (rule.protocol === '-1' || rule.protocol === 'all') return true;
  if (rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  if (port === undefined || rule.fromPort === undefined || rule.toPort === undefined) return true;
  if (rule.fromPort === -1 && rule.toPort === -1) return true;
  return rule.fromPort <= port && port <= rule.toPort;
}

/**
 * Whether any of the source groups may open a TCP connection to `port` on any of the target groups.
 * An unknown port (undefined) matches any TCP rule, so unknown values err towards reporting a path.
 */
export function canReach(model: StackModel, sourceGroupKeys: string[], targetGroupKeys: string[], port: number | undefined): boolean {
  if (sourceGroupKeys.length === 0 || targetGroupKeys.length === 0) return false;
  const rules = model.view('securityGroupIngress', groupIngressRules);
  return rules.some((rule) =>
    targetGroupKeys.includes(rule.targetGroupKey) && sourceGroupKeys.includes(rule.sourceGroupKey) && allowsPort(rule, port),
  );
}

/** Normalises a security-group id so that `Ref sg` and `GetAtt sg.GroupId` compare equal. */
export function securityGroupKeys(values: unknown): string[] {
  return asList(values)
    .map(identityKey)
    .filter((key): key is string => key !== undefined);
}
