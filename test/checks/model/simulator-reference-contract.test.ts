import { referencedLogicalId as simulatorReading } from '../../../packages/runtime/src/cli/simulate/assembly-reader';
import { referencedLogicalId as constructsReading } from '../../../src/checks/model/cfn-references';

/*
 * `eda simulate` (runtime package) reads references in a synthesized template with its own copy of the construct
 * library's reading, because the CLI never loads the construct library. Both must point at the same resource for
 * every reference a template holds to another resource.
 */
const REFERENCES: unknown[] = [
  { Ref: 'WriteQueue1A2B3C' },
  { 'Fn::GetAtt': ['WriteQueue1A2B3C', 'Arn'] },
  { 'Fn::GetAtt': ['ProxyRole9F8E', 'Arn'] },
  'arn:aws:sqs:eu-west-1:123456789012:literal',
  42,
  null,
  undefined,
  { 'Fn::Join': ['', [{ Ref: 'AWS::Partition' }, ':x']] },
  { 'Fn::ImportValue': 'SharedQueueArn' },
  [],
];

test.each(REFERENCES.map((value) => [JSON.stringify(value) ?? String(value), value]))('%s: the simulator and the constructs read the same logical id', (_label, value) => {
  expect(simulatorReading(value)).toBe(constructsReading(value));
});
