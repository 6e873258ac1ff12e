// The ESM build of @cdk-elastic-data-access/runtime (package.json `exports` → `import`). tsc writes the CommonJS
// build and the types to lib/; this writes lib/esm/: the same entry points bundled with code splitting, so
// shared modules land in shared chunks once and every dependency stays an import (packages: 'external').
// Bundlers that consume it can drop unused exports (the package declares "sideEffects": false).
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';

const entryPoints = {
  'index': 'src/index.ts',
  'producer': 'src/producer.ts',
  'cache/index': 'src/cache/index.ts',
  'data-api/index': 'src/data-api/index.ts',
};

await build({
  entryPoints,
  outdir: 'lib/esm',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
writeFileSync('lib/esm/package.json', JSON.stringify({ type: 'module', sideEffects: false }, null, 2) + '\n');
