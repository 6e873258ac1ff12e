/**
 * Reading resolved CloudFormation values: after `stack.resolve(...)`, a reference to another resource
 * is `{ Ref: id }`, `{ 'Fn::GetAtt': [id, attr] }` (or `'id.attr'`), or a string built with
 * `Fn::Join` / `Fn::Sub` around them. Everything else that is not a plain string is treated as unknown.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

/** The logical id a value points at when the value IS a Ref or GetAtt (not merely contains one). */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** The attribute name of a GetAtt (`Arn`, `GroupId`, `QueueName`...), undefined for a Ref or anything else. */
export function referencedAttribute(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[1] === 'string') return getAtt[1];
  if (typeof getAtt === 'string') return getAtt.split('.').slice(1).join('.');
  return undefined;
}

/** Every logical id referenced anywhere inside a value (Ref, GetAtt and `${Id}` / `${Id.Attr}` in Fn::Sub). */
export function allReferencedLogicalIds(value: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (Array.isArray(v)) {
      v.forEach((item) => visit(item, depth + 1));
      return;
    }
    if (!isObject(v)) return;
    const direct = referencedLogicalId(v);
    if (direct) found.add(direct);
    const sub = v['Fn::Sub'];
    const template = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (template) {
      for (const match of template.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) found.add(match[1]);
    }
    Object.values(v).forEach((item) => visit(item, depth + 1));
  };
  visit(value, 0);
  return [...found];
}

/**
 * A comparable identity for a value that names another resource: `ref:<logicalId>` for a Ref/GetAtt,
 * `lit:<string>` for a literal (an imported `sg-123`, a queue ARN), undefined when unknown.
 */
export function identityKey(value: unknown): string | undefined {
  const logicalId = referencedLogicalId(value);
  if (logicalId) return `ref:${logicalId}`;
  if (typeof value === 'string') return `lit:${value}`;
  return undefined;
}

/** The value as a list: CloudFormation accepts a single item where it accepts a list (IAM actions, statements). */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A concrete number from a resolved value (CloudFormation allows numbers as strings); undefined if not concrete. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** A plain (non-array) object. */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
