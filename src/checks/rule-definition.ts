import { CfnResource } from 'aws-cdk-lib';
import { StackModel } from './model/stack-model';
import { NagMessageLevel, NagRuleCompliance } from './nag-api';

/**
 * One rule of the ElasticDataAccess pack: metadata for the report plus a pure check.
 * `check` sees one resource and the read-only model of its stack (for cross-resource rules) and
 * answers compliant / non-compliant / not applicable. Values it cannot resolve make it N/A, never throw.
 */
export interface RuleDefinition {
  /** Short id, e.g. `EDA1`; the reported rule id is `ElasticDataAccess-EDA1`. */
  readonly id: string;
  /** Readable name of the antipattern. */
  readonly name: string;
  readonly level: NagMessageLevel;
  /** Why this resource was reported (one sentence). */
  readonly info: string;
  /** Why the rule exists and how to fix it. */
  readonly explanation: string;
  readonly check: (node: CfnResource, model: StackModel) => NagRuleCompliance;
}
