import { CfnResource, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { StackModel } from './model/stack-model';
import { NagPack, NagPackProps } from './nag-api';
import { ELASTIC_DATA_ACCESS_RULES } from './rules/all-rules';

/**
 * A cdk-nag pack that flags the serverless-to-database antipatterns that exhaust database connections
 * or lose writes (Lambda→Lambda calls, proxy bypass, unbounded concurrency, unsafe SQS event sources,
 * plain-text proxies, unwatched DLQs). It works on any stack, not only on this library's constructs.
 *
 * Findings are reported as `ElasticDataAccess-EDA<n>` (see `ElasticDataAccessRule` and RULES.md).
 *
 * @example
 * Validations.of(app).addPlugins(new ElasticDataAccessChecks(app));
 */
export class ElasticDataAccessChecks extends NagPack {
  /** The plugin name shown in the validation report. */
  public readonly name = 'ElasticDataAccess';

  private readonly models = new Map<Stack, StackModel>();

  /**
   * @param scope the app (or stage) the pack is added to; only used for `writeSuppressionsToCloudFormation`
   * @param props cdk-nag pack options
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'ElasticDataAccess';
  }

  /** Validates a construct tree; every stack is indexed once per call. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.models.clear();
    try {
      return super.validateScope(scope);
    } finally {
      this.models.clear();
    }
  }

  protected checkResource(node: CfnResource): void {
    const model = this.modelOf(node);
    for (const rule of ELASTIC_DATA_ACCESS_RULES) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level,
        node,
        rule: (resource: CfnResource) => rule.check(resource, model),
      });
    }
  }

  private modelOf(node: CfnResource): StackModel {
    const stack = Stack.of(node);
    let model = this.models.get(stack);
    if (!model) {
      model = new StackModel(stack);
      this.models.set(stack, model);
    }
    return model;
  }
}
