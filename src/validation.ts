import { Annotations, Token, ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Synth-time validation shared by every construct: errors are aws-cdk-lib `ValidationError`s (so
 * `Errors.isValidationError` and the CLI's construct-path reporting work), and each message names the
 * prop, the offending value and the limit, e.g. `maxConcurrency must be between 2 and 1000, got 1`.
 *
 * Values that are unresolved tokens are never validated: their value is only known at deploy time.
 */

/** Throws a ValidationError attached to `scope`. The name becomes the error's `name` (e.g. `EdaMaxConcurrency`). */
export function fail(scope: IConstruct, name: string, message: string): never {
  // aws-cdk-lib brands error names as literal strings; ours are constants chosen at call sites.
  throw new ValidationError(name as any, message, scope);
}

/** True when `value` is a concrete number that can be compared (not undefined, not a token). */
export function isConcrete(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Fails unless `min ≤ value ≤ max`; skips undefined and tokens. */
export function validateRange(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
  why?: string,
): void {
  if (!isConcrete(value)) return;
  if (value < min || value > max || Number.isNaN(value)) {
    // An open upper bound reads as "at least", not as a 16-digit maximum nobody chose.
    const limit = max >= Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`;
    fail(scope, 'EdaOutOfRange', `${prop} ${limit}, got ${value}${why ? ` (${why})` : ''}`);
  }
}

/** Fails unless `value` is an integer; skips undefined and tokens. */
export function validateInteger(scope: IConstruct, prop: string, value: number | undefined): void {
  if (!isConcrete(value)) return;
  if (!Number.isInteger(value)) {
    fail(scope, 'EdaNotAnInteger', `${prop} must be a whole number, got ${value}`);
  }
}

/** Fails when both an existing resource and props for a new one were given (Solutions Constructs rule). */
export function validateExclusive(scope: IConstruct, existingProp: string, existing: unknown, propsProp: string, props: unknown): void {
  if (existing !== undefined && props !== undefined) {
    fail(scope, 'EdaExclusiveProps', `${existingProp} and ${propsProp} cannot both be set: pass an existing resource or configure a new one, not both`);
  }
}

/** Adds a warning annotation with a stable id so users can acknowledge it. */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`cdk-elastic-data-access:${id}`, message);
}
