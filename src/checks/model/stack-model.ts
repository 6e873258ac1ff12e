import { CfnResource, Stack } from 'aws-cdk-lib';
import { isObject } from './cfn-references';

/** One resource of a stack as CloudFormation will see it: resolved properties, overrides included. */
export interface ModelResource {
  readonly logicalId: string;
  readonly type: string;
  /** Resolved `Properties`; undefined when the resource could not be rendered (then rules say N/A). */
  readonly properties: Record<string, any> | undefined;
  readonly node: CfnResource;
}

/**
 * A read-only index of one stack's CloudFormation resources, built once per validation run.
 *
 * Rules link resources through it (a Ref/GetAtt in one resource → the resource it names) instead of
 * walking the construct tree themselves, so a rule stays a small function of (resource, model).
 * Only resources whose template is this stack's are indexed: a nested stack's resources live in another
 * template and are referenced through parameters, which rules treat as unknown.
 */
export class StackModel {
  private readonly byLogicalId = new Map<string, ModelResource>();
  private readonly byNode = new Map<CfnResource, ModelResource>();
  private readonly views = new Map<string, unknown>();

  constructor(public readonly stack: Stack) {
    for (const construct of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(construct) || Stack.of(construct) !== stack) continue;
      const resource = this.render(construct);
      if (!resource) continue;
      this.byLogicalId.set(resource.logicalId, resource);
      this.byNode.set(construct, resource);
    }
  }

  /** The indexed resource for a construct, undefined if it is not in this stack or could not be rendered. */
  public resourceOf(node: CfnResource): ModelResource | undefined {
    return this.byNode.get(node);
  }

  /** The resource with this logical id. */
  public resource(logicalId: string | undefined): ModelResource | undefined {
    return logicalId === undefined ? undefined : this.byLogicalId.get(logicalId);
  }

  /** Every resource of a CloudFormation type (e.g. `AWS::SQS::Queue`). */
  public ofType(type: string): ModelResource[] {
    return [...this.byLogicalId.values()].filter((r) => r.type === type);
  }

  /** A derived view (e.g. the security-group graph), computed once per model. */
  public view<T>(name: string, compute: (model: StackModel) => T): T {
    if (!this.views.has(name)) this.views.set(name, compute(this));
    return this.views.get(name) as T;
  }

  private render(node: CfnResource): ModelResource | undefined {
    let logicalId: string;
    try {
      logicalId = this.stack.resolve(node.logicalId);
    } catch {
      return undefined;
    }
    let properties: Record<string, any> | undefined;
    try {
      // _toCloudFormation applies property overrides and raw overrides, which the L1 getters do not show.
      const rendered = this.stack.resolve((node as any)._toCloudFormation());
      const body = rendered?.Resources?.[logicalId];
      properties = isObject(body?.Properties) ? body.Properties : {};
    } catch {
      properties = undefined;
    }
    return { logicalId, type: node.cfnResourceType, properties, node };
  }
}
