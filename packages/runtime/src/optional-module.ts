import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Loads a module that function bundles deliberately leave out: an SDK client the Lambda Node.js runtime provides
 * (it lives on NODE_PATH, /var/runtime/node_modules), the full AWS credential chain for a process outside Lambda, a
 * driver the user may not have installed.
 *
 * The specifier is a variable, so bundlers do not follow it. `createRequire` rather than `import()`: Lambda's SDK is
 * found through NODE_PATH, which only CommonJS resolution honours, and it works from both builds of this package
 * (CommonJS and ESM, where `require` does not exist). Resolution starts at the working directory: /var/task in Lambda,
 * the project root for a process started there.
 */
export function requireOptional<T>(specifier: string): T {
  return createRequire(join(process.cwd(), 'noop.js'))(specifier) as T;
}
