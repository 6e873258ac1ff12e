import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<name> <version>` of the package this file ships in: its package.json is two levels up, from the sources
 * (src/cli) as from the compiled code (lib/cli).
 */
export function packageVersionLine(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}
