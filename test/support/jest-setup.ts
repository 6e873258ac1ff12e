/**
 * Runs before every test file (jest `setupFiles`).
 *
 * aws-cdk-lib 2.276 runs its built-in "CloudFormation Validate" plugin (a WASM rule engine) at every synth unless
 * `CDK_VALIDATION=false` (core/lib/private/synthesis-validation.js: `defaultValidationEnabled(app)` is
 * `app._builtinCloudFormationValidation && process.env.CDK_VALIDATION !== "false"`). Starting it costs seconds per
 * test file (measured 2026-12-02: test/examples/examples.test.ts 20.3 s with it, 10.0 s without; CPU of that file
 * and one rule test 31.9 s → 12.7 s). Construct and template tests do not read its findings, so it is off for them.
 * The tests that are about it switch it back on with {@link useCloudFormationValidation}: the compliance suite
 * (every example and the full-featured stacks, where its findings count) and the new-user apps.
 * An explicit CDK_VALIDATION in the environment is left as it is.
 */
process.env.CDK_VALIDATION ??= 'false';
