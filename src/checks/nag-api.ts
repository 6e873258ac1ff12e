/**
 * The part of cdk-nag the ElasticDataAccess pack uses, imported from the two modules that define it.
 *
 * `import … from 'cdk-nag'` evaluates cdk-nag's index, which loads all six of its packs and their few
 * hundred rules: ≈0.4 s of every `cdk synth` of every app that imports this library, checks used or not
 * (measured with cdk-nag 3.0.2 on Node 20, EDA-15, BENCHMARKS.md). These two modules load in a few
 * milliseconds. They are the same modules the index re-exports, so `NagPack`, `NagRuleCompliance` and
 * `NagMessageLevel` are the very objects `import { NagPack } from 'cdk-nag'` gives users.
 * cdk-nag 3 has no `exports` map, so its `lib/` files are importable; test/checks/nag-api.test.ts fails
 * if a cdk-nag upgrade moves them.
 */
export { NagPack } from 'cdk-nag/lib/nag-pack';
export type { NagPackProps } from 'cdk-nag/lib/nag-pack';
export { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
