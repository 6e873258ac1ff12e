import { awscdk, javascript, JsonFile, typescript } from 'projen';

/*
 * The two workspace packages beside the construct library (docs/packages.md):
 *
 *   packages/runtime  @cdk-elastic-data-access/runtime  what runs inside the functions, and the `eda` CLI
 *   packages/local    @cdk-elastic-data-access/local    the local stack for users' tests (a devDependency)
 *
 * They are projen subprojects of the root: `npx projen` writes their package.json, tsconfig and tasks. They are
 * npm workspaces of the root, so the root `npm ci` installs their dependencies and `npm test` at the root runs
 * their tests (packages/<name>/test) with the construct library's.
 */

/** Shared settings of the workspace packages: plain TypeScript, tested and linted by the root. */
function workspacePackage(root: awscdk.AwsCdkConstructLibrary,
  options: Partial<typescript.TypeScriptProjectOptions> & { name: string; outdir: string }) {
  const pkg = new typescript.TypeScriptProject({
    parent: root,
    defaultReleaseBranch: 'main',
    packageManager: javascript.NodePackageManager.NPM,
    license: 'Apache-2.0',
    authorName: 'cdk-elastic-data-access founders',
    authorEmail: 'founders@example.com',
    repository: 'https://github.com/example/cdk-elastic-data-access.git',
    repositoryDirectory: options.outdir,
    minNodeVersion: '20.0.0',
    typescriptVersion: '~6.0.0',
    // the root runs every test and the linter over packages/*/src and packages/*/test
    jest: false,
    eslint: false,
    prettier: false,
    sampleCode: false,
    github: false,
    release: false,
    depsUpgrade: false,
    buildWorkflow: false,
    disableTsconfigDev: true,
    // the root `npm ci` installs the workspaces; a subproject must not run its own install
    projenDevDependency: false,
    // the root's devDependencies hold the versions the repository tests with
    peerDependencyOptions: { pinnedDevDependency: false },
    entrypoint: 'lib/index.js',
    tsconfig: {
      include: ['src/**/*.ts'],
      compilerOptions: {
        rootDir: 'src',
        outDir: 'lib',
        target: 'ES2022',
        lib: ['ES2022'],
        // CommonJS output (no "type": "module"); node16 resolution honours the dependencies' `exports`
        module: 'node16',
        moduleResolution: javascript.TypeScriptModuleResolution.NODE16,
        declaration: true,
        esModuleInterop: true,
        skipLibCheck: true,
        stripInternal: true,
        sourceMap: false,
        inlineSourceMap: false,
        inlineSources: false,
        isolatedModules: true,
      },
    },
    ...options,
  });
  // Subprojects are installed by the root's workspaces (see the note above): skip projen's per-package install.
  (pkg.package as unknown as { installDependencies: () => void }).installDependencies = () => undefined;
  pkg.npmignore?.exclude('/src/', '/test/', '/tsconfig.json', '/scripts/');
  // The tests are type-checked by the root's test/tsconfig.json; this one lets eslint's project service find them
  // (it uses the nearest tsconfig.json, and the package's own covers src only).
  new JsonFile(pkg, 'test/tsconfig.json', {
    obj: { extends: '../../../test/tsconfig.json', include: ['**/*.ts'] },
    marker: true,
    allowComments: true,
  });
  return pkg;
}

export function addWorkspacePackages(root: awscdk.AwsCdkConstructLibrary) {
  const runtime = workspacePackage(root, {
    name: '@cdk-elastic-data-access/runtime',
    outdir: 'packages/runtime',
    description: 'Runtime helpers for ElasticDataAccess functions (writer, reader, producer, cache) and the `eda` operations CLI.',
    // Powertools and the drivers are peers: a function that also uses them holds one copy (npm ≥ 7 installs
    // required peers itself). mysql2 and ioredis only for MySQL and the read cache.
    peerDeps: [
      '@aws-lambda-powertools/logger@^2',
      '@aws-lambda-powertools/metrics@^2',
      '@aws-lambda-powertools/tracer@^2',
      '@aws-lambda-powertools/batch@^2',
      'pg@^8.23.1',
      'mysql2@^3.24.6',
      'ioredis@^5',
    ],
    deps: [
      // SDK v3 clients: the Lambda Node.js runtime has them and addWriter leaves @aws-sdk/client-* out of the bundle
      '@aws-sdk/client-sqs@^3',
      '@aws-sdk/client-rds-data@^3',
      '@aws-sdk/client-secrets-manager@^3',
      // the `eda` CLI (doctor, redrive) on an operator's machine
      '@aws-sdk/client-rds@^3',
      '@aws-sdk/client-lambda@^3',
      '@aws-sdk/credential-provider-node@^3',
      // the handlers' event types are part of this package's types
      '@types/aws-lambda@^8.10.164',
    ],
    devDeps: ['@types/node@^20', '@types/pg@^8.23.1', 'esbuild', '@aws-sdk/rds-signer@^3'],
    bin: { eda: 'bin/eda' },
  });
  runtime.package.addField('peerDependenciesMeta', { mysql2: { optional: true }, ioredis: { optional: true } });
  // Bundlers may drop any export a function does not use (ESM + no side effects at import).
  runtime.package.addField('sideEffects', false);
  const entry = (path: string) => ({
    types: `./lib/${path}.d.ts`,
    import: `./lib/esm/${path}.js`,
    require: `./lib/${path}.js`,
  });
  runtime.package.addField('exports', {
    '.': entry('index'),
    // The producer alone bundles far smaller than the whole runtime (BENCHMARKS.md).
    './producer': entry('producer'),
    './cache': entry('cache/index'),
    './data-api': entry('data-api/index'),
    './package.json': './package.json',
  });
  runtime.package.addField('module', './lib/esm/index.js');
  runtime.package.addField('types', './lib/index.d.ts');
  // the ESM build: one esbuild pass over the entry points (scripts/build-esm.mjs)
  runtime.compileTask.exec('node scripts/build-esm.mjs');

  const local = workspacePackage(root, {
    name: '@cdk-elastic-data-access/local',
    outdir: 'packages/local',
    description: 'The ElasticDataAccess local stack for tests: PostgreSQL, PgBouncer as RDS Proxy, a faithful SQS, a Lambda emulator.',
    peerDeps: ['@cdk-elastic-data-access/runtime@>=0.0.0', 'pg@^8.23.1', 'mysql2@^3.24.6'],
    deps: ['local-aws-sqs@^2', '@aws-sdk/client-sqs@^3', 'tsx', '@types/aws-lambda@^8.10.164'],
    devDeps: ['@types/node@^20', '@types/pg@^8.23.1'],
    bin: { 'eda-local': 'bin/eda-local' },
  });
  local.package.addField('peerDependenciesMeta', { mysql2: { optional: true } });
  return { runtime, local };
}
