/**
 * `npm run local:up | local:status | local:writer -- <handler file> | local:down` in this repository: the local
 * package's own CLI, `eda-local` (packages/local/src/cli, docs/local-stack.md), run from its TypeScript sources.
 * One implementation: this file only makes the sources runnable without a compile.
 *
 * The local package imports the runtime by its package name, which Node resolves to the compiled
 * packages/runtime/lib (absent in a fresh clone: "Cannot find module …/lib/index.js"). tsx maps the name to
 * packages/runtime/src through the `paths` of scripts/tsconfig.json when TSX_TSCONFIG_PATH names it, so this
 * script runs itself again with that variable set; the stack's background process and the writer's execution
 * environments inherit it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

if (process.env.TSX_TSCONFIG_PATH === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: join(__dirname, 'tsconfig.json') },
  });
  // Ctrl-C reaches the child from the terminal itself (one SIGINT stops a writer cleanly): only SIGTERM is forwarded.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../packages/local/src/cli/main') as typeof import('../packages/local/src/cli/main')).run();
}
