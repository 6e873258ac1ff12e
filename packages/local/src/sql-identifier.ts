/** Identifiers are interpolated into DDL, so only plain lower-case names are accepted. */
export function checkIdentifier(kind: string, value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new Error(`${kind} must be a lower-case SQL identifier, got '${value}'`);
  }
  return value;
}
