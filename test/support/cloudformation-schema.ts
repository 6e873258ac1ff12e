import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, TypeDefinition } from '@aws-cdk/service-spec-types';

/*
 * Checks synthesized templates against CloudFormation's resource schemas, as the @aws-cdk/aws-service-spec
 * database holds them (the registry schemas aws-cdk-lib's L1 classes are generated from): every resource
 * type exists, every property name exists, primitive values have the schema's type (intrinsics are
 * resolved only at deploy and are not checked), required properties are present, enum values are
 * allowed, and every Fn::GetAtt / Ref / ${…} in Fn::Sub names a resource (and attribute) that exists.
 */

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

/** One mismatch between a template and the schemas. */
export interface SchemaFinding {
  readonly severity: 'error' | 'warning';
  /** `<logical id>` or `Outputs.<id>`, then the property path, e.g. `Alarm.Properties.Metrics[0].Id`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Resource types that are not in the registry but that CloudFormation accepts: CDK's metadata resource
 * (handled by CloudFormation for the CDK toolkit) and custom resources, whose properties are whatever
 * the provider reads (only ServiceToken is required: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html).
 */
const CDK_METADATA = 'AWS::CDK::Metadata';
const CUSTOM_RESOURCE = 'AWS::CloudFormation::CustomResource';

/** Pseudo parameters a Ref may name (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html). */
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
]);

type Json = unknown;
interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}

/** The parts of a synthesized template the check reads. */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, Json>;
  readonly Parameters?: Record<string, Json>;
  readonly Conditions?: Record<string, Json>;
}

/** `{ Ref }`, `{ Fn::… }` or `{ Condition }` (inside Fn::And/Or/Not): a value known only at deploy. */
function isIntrinsic(value: Json): value is Record<string, Json> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

/** What the reference checks of one template look things up in, and where they report. */
interface ReferenceScope {
  readonly resources: Record<string, TemplateResource>;
  /** Resources and parameters: what a Ref may name. */
  readonly names: Set<string>;
  readonly findings: SchemaFinding[];
}

/** The schemas, loaded once per test file (jest gives each file its own module registry). */
let loaded: CloudFormationSchema | undefined;

export class CloudFormationSchema {
  /** The schema database of this test file, loaded on first use. */
  public static load(): CloudFormationSchema {
    loaded ??= new CloudFormationSchema(loadAwsServiceSpecSync());
    return loaded;
  }

  private readonly resources = new Map<string, Resource | undefined>();

  private constructor(private readonly db: SpecDatabase) {}

  /** Every mismatch of `template` (a template as synthesized: `Template.toJSON()` or the assembly's file). */
  public validate(template: Template): SchemaFinding[] {
    const findings: SchemaFinding[] = [];
    const resources = template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      this.validateResource(logicalId, resource, findings);
    }
    const scope: ReferenceScope = { resources, names: new Set([...Object.keys(resources), ...Object.keys(template.Parameters ?? {})]), findings };
    const references = (where: string, value: Json) => this.validateReferences(where, value, scope);
    for (const [logicalId, resource] of Object.entries(resources)) references(`${logicalId}.Properties`, resource.Properties);
    for (const [id, output] of Object.entries(template.Outputs ?? {})) references(`Outputs.${id}`, output);
    for (const [id, condition] of Object.entries(template.Conditions ?? {})) references(`Conditions.${id}`, condition);
    return findings;
  }

  /** The registry schema of a resource type, or undefined if CloudFormation has no such type. */
  public resourceType(type: string): Resource | undefined {
    if (!this.resources.has(type)) {
      this.resources.set(type, this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0]);
    }
    return this.resources.get(type);
  }

  private validateResource(logicalId: string, resource: TemplateResource, findings: SchemaFinding[]): void {
    const type = resource.Type;
    if (type === CDK_METADATA) return;
    const where = `${logicalId}.Properties`;
    if (type.startsWith('Custom::') || type === CUSTOM_RESOURCE) {
      if (resource.Properties?.ServiceToken === undefined) {
        findings.push({ severity: 'error', path: where, message: `custom resource ${type} has no ServiceToken` });
      }
      return;
    }
    const spec = this.resourceType(type);
    if (!spec) {
      findings.push({ severity: 'error', path: logicalId, message: `unknown resource type ${type}` });
      return;
    }
    this.validateObject(where, resource.Properties ?? {}, spec.properties, type, findings);
  }

  /** Property names, required properties and each value's type, against one object schema. */
  private validateObject(
    where: string, value: Record<string, Json>, properties: Record<string, Property>, typeName: string, findings: SchemaFinding[],
  ): void {
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && value[name] === undefined) {
        findings.push({ severity: 'error', path: where, message: `${typeName} requires property ${name}` });
      }
    }
    for (const [name, propertyValue] of Object.entries(value)) {
      const property = properties[name];
      if (!property) {
        findings.push({ severity: 'error', path: `${where}.${name}`, message: `${typeName} has no property ${name}` });
        continue;
      }
      // A property whose type changed keeps accepting its earlier types (the spec lists them in previousTypes).
      const candidates = [property.type, ...(property.previousTypes ?? [])];
      let best: SchemaFinding[] | undefined;
      for (const candidate of candidates) {
        const attempt: SchemaFinding[] = [];
        this.validateValue(`${where}.${name}`, propertyValue, candidate, attempt);
        if (best === undefined || attempt.length < best.length) best = attempt;
        if (attempt.length === 0) break;
      }
      findings.push(...best!);
    }
  }

  private validateValue(where: string, value: Json, type: PropertyType, findings: SchemaFinding[]): void {
    if (isIntrinsic(value)) return;
    const got = JSON.stringify(value)?.slice(0, 80);
    const mismatch = (expected: string) => findings.push({ severity: 'error', path: where, message: `expected ${expected}, got ${got}` });
    switch (type.type) {
      case 'string':
      case 'date-time':
        // CloudFormation passes scalars to string properties as strings (a number where a string is due is fine).
        if (typeof value === 'object' || value === undefined) return void mismatch('a string');
        if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
          findings.push({ severity: 'error', path: where, message: `${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}` });
        }
        return;
      case 'number':
      case 'integer': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || Number.isNaN(number)) return void mismatch(`a ${type.type}`);
        if (type.type === 'integer' && !Number.isInteger(number)) return void mismatch('an integer');
        if (typeof value === 'string') findings.push({ severity: 'warning', path: where, message: `${type.type} given as the string ${JSON.stringify(value)}` });
        return;
      }
      case 'boolean':
        if (typeof value === 'boolean') return;
        if (value === 'true' || value === 'false') {
          findings.push({ severity: 'warning', path: where, message: `boolean given as the string ${JSON.stringify(value)}` });
          return;
        }
        return void mismatch('a boolean');
      case 'json':
        return;
      case 'null':
        if (value !== null) mismatch('null');
        return;
      case 'tag':
        if (!value || typeof value !== 'object' || Array.isArray(value)) return void mismatch('a tag { Key, Value }');
        this.validateObject(where, value as Record<string, Json>, TAG_PROPERTIES, 'Tag', findings);
        return;
      case 'array':
        if (!Array.isArray(value)) return void mismatch('a list');
        value.forEach((element, i) => this.validateValue(`${where}[${i}]`, element, type.element, findings));
        return;
      case 'map':
        if (!value || typeof value !== 'object' || Array.isArray(value)) return void mismatch('a map');
        for (const [key, element] of Object.entries(value)) this.validateValue(`${where}.${key}`, element, type.element, findings);
        return;
      case 'ref': {
        const definition = this.db.get('typeDefinition', type.reference.$ref) as TypeDefinition;
        if (!value || typeof value !== 'object' || Array.isArray(value)) return void mismatch(`a ${definition.name} object`);
        this.validateObject(where, value as Record<string, Json>, definition.properties, definition.name, findings);
        return;
      }
      case 'union': {
        // Valid if any member type accepts the value; otherwise report the closest member's findings.
        let best: SchemaFinding[] | undefined;
        for (const member of type.types) {
          const attempt: SchemaFinding[] = [];
          this.validateValue(where, value, member, attempt);
          if (attempt.length === 0) return;
          if (best === undefined || attempt.length < best.length) best = attempt;
        }
        findings.push(...(best ?? []));
        return;
      }
    }
  }

  /** Fn::GetAtt names an existing resource and one of its attributes; Ref and ${…} name what exists. */
  private validateReferences(where: string, value: Json, scope: ReferenceScope): void {
    if (Array.isArray(value)) {
      value.forEach((element, i) => this.validateReferences(`${where}[${i}]`, element, scope));
      return;
    }
    if (!value || typeof value !== 'object') return;
    const object = value as Record<string, Json>;
    if (isIntrinsic(object)) {
      const [fn, args] = Object.entries(object)[0];
      if (fn === 'Ref' && typeof args === 'string') this.checkRef(where, args, scope);
      if (fn === 'Fn::GetAtt') {
        const [logicalId, attribute] = Array.isArray(args) ? args : String(args).split(/\.(.*)/s);
        if (typeof logicalId === 'string' && typeof attribute === 'string') this.checkGetAtt(where, logicalId, attribute, scope);
      }
      if (fn === 'Fn::Sub') {
        const [text, variables] = Array.isArray(args) ? args : [args, {}];
        if (typeof text === 'string') this.checkSub(where, text, new Set(Object.keys((variables ?? {}) as object)), scope);
      }
    }
    for (const [key, element] of Object.entries(object)) this.validateReferences(`${where}.${key}`, element, scope);
  }

  private checkRef(where: string, name: string, scope: ReferenceScope): void {
    if (!scope.names.has(name) && !PSEUDO_PARAMETERS.has(name)) {
      scope.findings.push({ severity: 'error', path: where, message: `Ref to ${name}, which is neither a resource nor a parameter of the template` });
    }
  }

  private checkGetAtt(where: string, logicalId: string, attribute: string, scope: ReferenceScope): void {
    const target = scope.resources[logicalId];
    if (!target) {
      scope.findings.push({ severity: 'error', path: where, message: `Fn::GetAtt on ${logicalId}, which is not a resource of the template` });
      return;
    }
    // A custom resource's attributes are whatever its provider returns in Data.
    if (target.Type.startsWith('Custom::') || target.Type === CUSTOM_RESOURCE) return;
    const spec = this.resourceType(target.Type);
    if (spec && !(attribute in spec.attributes)) {
      scope.findings.push({
        severity: 'error',
        path: where,
        message: `${target.Type} ${logicalId} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).sort().join(', ') || 'none'})`,
      });
    }
  }

  private checkSub(where: string, text: string, local: Set<string>, scope: ReferenceScope): void {
    // ${!Literal} is an escaped literal; ${Name} a Ref; ${Name.Attribute} a GetAtt.
    for (const [, expression] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const [name, attribute] = expression.split(/\.(.*)/s);
      if (local.has(expression) || local.has(name)) continue;
      if (attribute === undefined || PSEUDO_PARAMETERS.has(expression)) this.checkRef(where, expression, scope);
      else this.checkGetAtt(where, name, attribute, scope);
    }
  }
}

/** The legacy `tag` type: `{ Key, Value }`, both required strings. */
const TAG_PROPERTIES: Record<string, Property> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};
