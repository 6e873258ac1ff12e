/**
 * Switches aws-cdk-lib's built-in CloudFormation Validate plugin back on for the synths of this test file (and of
 * the processes it spawns), which test/support/jest-setup.ts switches off for the rest of the suite.
 */
export function useCloudFormationValidation(): void {
  if (process.env.CDK_VALIDATION === 'false') delete process.env.CDK_VALIDATION;
}
