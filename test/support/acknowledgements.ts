import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One acknowledgement recorded on a construct: where, which rule id, and the reason. */
export interface RecordedAcknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** The acknowledgements recorded on `construct` itself (Validations.of(c).acknowledge writes them as metadata). */
export function acknowledgementsOn(construct: IConstruct): RecordedAcknowledgement[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })));
}

/** The acknowledgements recorded anywhere in the tree below (and on) `root`. */
export function acknowledgementsIn(root: IConstruct): RecordedAcknowledgement[] {
  return root.node.findAll().flatMap(acknowledgementsOn);
}
