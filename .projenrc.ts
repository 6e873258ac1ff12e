import { awscdk, javascript } from 'projen';
import { addWorkspacePackages } from './projenrc/packages';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-elastic-data-access',
  description:
    'ElasticDataAccess: Lambda + RDS Proxy + read/write split + SQS write buffer + idempotent writes, with concurrency budgets and proxy limits checked at cdk synth.',
  keywords: ['aws-cdk', 'cdk', 'rds-proxy', 'aurora', 'lambda', 'sqs', 'concurrency', 'idempotency', 'serverless'],
  author: 'cdk-elastic-data-access founders',
  authorAddress: 'founders@example.com',
  repositoryUrl: 'https://github.com/example/cdk-elastic-data-access.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,

  // 2.276.0 is the newest aws-cdk-lib on this registry; it has RDS Proxy end-to-end IAM auth
  // (DefaultAuthScheme IAM_AUTH) and proxy.addEndpoint. jsii 6 pairs with TypeScript ~6.0.
  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',

  // cdk-nag is a peer: users already run it, and our rule pack (src/checks) plugs into their app.
  peerDeps: ['cdk-nag@^3.0.2'],

  // Nothing is bundled: the runtime helpers, the `eda` CLI and the local stack are their own packages
  // (packages/runtime, packages/local; docs/packages.md), so a CDK app installs only the constructs.
  devDeps: [
    'cdk-nag@^3.0.2',
    '@types/node@^20',
    '@types/pg',
    '@types/aws-lambda',
    'esbuild',
    'tsx',
    'aws-cdk@^2',
    'aws-sdk-client-mock@^4',
    '@aws-sdk/types@^3',
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    // CloudFormation registry schemas (the source aws-cdk-lib is generated from): templates are validated against them in tests
    '@aws-cdk/aws-service-spec',
    // tests and examples use the workspace packages' sources and dependencies
    'pg@^8.23.1',
    'mysql2@^3.24.6',
    'ioredis@^5',
    '@aws-lambda-powertools/logger@^2',
    '@aws-lambda-powertools/metrics@^2',
    '@aws-lambda-powertools/tracer@^2',
    '@aws-lambda-powertools/batch@^2',
    '@aws-sdk/client-sqs@^3',
    '@aws-sdk/client-rds@^3',
    '@aws-sdk/client-rds-data@^3',
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/credential-provider-node@^3',
    '@aws-sdk/rds-signer@^3',
    'local-aws-sqs@^2',
  ],

  // No Python/Java/.NET/Go registries are reachable here; only the npm (JavaScript) package is built.
  publishToPypi: undefined,
  publishToMaven: undefined,
  publishToNuget: undefined,
  publishToGo: undefined,

  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  gitignore: ['cdk.out', '*.cdk.out', '.local-stack/', '.bench/'],
  eslintOptions: {
    dirs: ['src', 'packages/runtime/src', 'packages/local/src'],
    devdirs: ['test', 'packages/runtime/test', 'packages/local/test', 'packages/runtime/scripts', 'build-tools', 'projenrc', 'examples', 'benchmarks', 'scripts'],
  },
  // No source maps in lib/: jsii's default inline maps point stack traces at ../src/*.ts, which the package does
  // not ship. Without them a trace names the lib/*.js line that ran, which is in the package (EDA-17).
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: false } },
  tsconfigDev: {
    include: ['../src/**/*.ts', '../packages/*/src/**/*.ts', '../packages/*/test/**/*.ts', '../examples/**/*.ts', '../benchmarks/**/*.ts', '../scripts/**/*.ts'],
    exclude: ['../examples/**/cdk.out'],
    compilerOptions: {
      // the repository type-checks the local package against the runtime's sources (as jest resolves it)
      // test/new-user/apps import the construct library by its package name, as a fresh CDK app does (EDA-17).
      paths: { 'cdk-elastic-data-access': ['../src/index.ts'], '@cdk-elastic-data-access/runtime': ['../packages/runtime/src/index.ts'] },
    },
  },
  jestOptions: {
    // Snapshots are asserted in every run (CI included); `npx projen test:update` rewrites them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testTimeout: 60_000,
      // jest defaults to one worker on a 2-core machine (cores − 1). The local-stack proofs mostly wait on their
      // servers and the construct tests mostly load aws-cdk-lib: two workers keep both cores busy (docs/toolchain.md).
      maxWorkers: 2,
      // examples carry their own cdk.out; never collect tests from there
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '<rootDir>/examples/'],
      // One `npm test` runs every package's tests (packages/*/test mirror packages/*/src).
      testMatch: ['<rootDir>/@(test|packages/*/test)/**/*(*.)@(spec|test).ts?(x)'],
      // Inside the repository the local package's import of the runtime resolves to the runtime's sources,
      // so that tests hold one copy of its module state (the published local package depends on the built one).
      moduleNameMapper: { '^@cdk-elastic-data-access/runtime$': '<rootDir>/packages/runtime/src/index.ts' },
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      // aws-cdk-lib's CloudFormation Validate plugin off except where a test is about it (see the file).
      setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
    },
  },
});

for (const ignored of ['/examples/', '/benchmarks/', '/scripts/', '/.ci/', '/.local-stack/', '/packages/', '/docs/']) {
  project.npmignore?.exclude(ignored);
}
// npm workspaces: one `npm ci` at the root installs the three packages' dependencies and links
// node_modules/@cdk-elastic-data-access/{runtime,local} to packages/* (docs/packages.md).
project.package.addField('workspaces', ['packages/runtime', 'packages/local']);
project.package.addField('engines', { node: '>= 20.0.0' });

project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The import resolver also reads test/tsconfig.json, whose `paths` map @cdk-elastic-data-access/runtime to the runtime's
// sources: on a fresh clone packages/runtime/lib (what the package's `exports` name) does not exist yet.
(project.eslint!.config.settings['import/resolver'].typescript as { project: string | string[] }).project = ['./tsconfig.json', './test/tsconfig.json'];

// The packages' tests run with the root's devDependencies (one jest, one node_modules), not their package's own;
// the new-user apps import the construct library by its published name (mapped to src/ for the type-check).
project.eslint?.addOverride({
  files: ['packages/*/test/**/*.ts', 'test/new-user/apps/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': 'off', 'import/no-unresolved': 'off' },
});

// The runtime helpers and the local stack are workspace packages (projenrc/packages.ts, docs/packages.md).
addWorkspacePackages(project);

// ts-jest only transpiles (isolatedModules); type-check src, tests, examples and scripts as part of `test`.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
// The local-stack proofs need real servers: name a missing Debian package in one line before anything runs.
project.testTask.prependExec('bash scripts/install-system-deps.sh --check');

// README's main command: synthesize the example app with the aws-cdk CLI and print its budget.
project.addTask('example', {
  description: 'Synthesize examples/orders-api with cdk synth and print a summary and its concurrency budget',
  exec: 'tsx scripts/synth-example.ts orders-api',
});

// The local stack (docs/local-stack.md): PostgreSQL 15 + PgBouncer (transaction mode) + SQS on 127.0.0.1.
const localTasks: Array<[string, string, string]> = [
  ['local:up', 'Start the local stack in the background (--schema <file.sql>); prints the database, psql command and queues, writes .local-stack/env', 'up'],
  ['local:down', 'Stop the local stack and delete its data', 'down'],
  ['local:status', 'Show whether the local stack runs and its environment', 'status'],
  ['local:writer', 'Run a writer handler against the local stack as Lambda would (args: <handler file>)', 'writer'],
];
for (const [name, description, command] of localTasks) {
  project.addTask(name, { description, exec: `tsx scripts/local-stack.ts ${command}`, receiveArgs: command === 'writer' || command === 'up' });
}
project.addTask('test:packaged', {
  description: 'Pack the three packages, install them into a fresh CDK app, synthesize README Quick start and run its writer locally',
  exec: 'tsx scripts/packaged-install.ts',
  receiveArgs: true,
});
project.addTask('synth:examples', { description: 'cdk synth every example app with the aws-cdk CLI', exec: 'bash scripts/synth-examples.sh' });
project.addTask('test:local', { description: 'Only the local-stack proof tests', exec: 'jest packages/local/test --coverage=false' });

// Benchmarks print numbers (BENCHMARKS.md); they are not tests.
const benchmarks: Array<[string, string, string]> = [
  ['bench:storm', 'Connection storm: 1,000 clients direct vs through PgBouncer', 'benchmarks/storm.ts'],
  ['bench:writer', 'Writer rows/s (per-message, batch; 1/2/4 consumers) next to COPY, same run (~5 min)', 'benchmarks/writer-throughput.ts'],
  ['bench:writer-inprocess', 'sqlWriter called in-process vs a hand-written writer vs COPY: modes, batch sizes, 1/2/4 writers (--quick)', 'benchmarks/writer-inprocess.ts'],
  ['bench:bundle-size', 'Bundles addWriter builds (examples/orders-api synthesized) and their cold require() vs a hand-written writer', 'benchmarks/bundle-size.ts'],
  ['bench:synth', 'Synth of examples/orders-api vs the same resources hand-written with aws-cdk-lib', 'benchmarks/synth-overhead.ts'],
];
for (const [name, description, file] of benchmarks) {
  // benchmarks/tsconfig.json maps the runtime package to its source, so a benchmark runs on a fresh clone
  // without building packages/runtime first (tsx alone would read the root tsconfig.json, which has no paths).
  project.addTask(name, { description, exec: `tsx --tsconfig benchmarks/tsconfig.json ${file}`, receiveArgs: true });
}

// projen's integ snapshot task synthesizes straight into test/<name>.integ.snapshot (2 levels deep),
// while its assert and deploy tasks synthesize into test/.tmp/<name>.integ/*.cdk.out (4 levels deep).
// esbuild source maps hold paths relative to the output directory, so the asset hashes in the
// templates differ with that depth and assert would always fail. Snapshot at the same depth, then move,
// exactly as the deploy task does.
for (const task of project.tasks.all) {
  const integ = /^integ:(.+):snapshot$/.exec(task.name);
  if (!integ) continue;
  const name = integ[1];
  const tmp = `test/.tmp/${name}.integ/snapshot.cdk.out`;
  task.reset(`rm -fr ${tmp}`);
  task.exec(`cdk synth --quiet --app "ts-node -P test/tsconfig.json test/${name}.integ.ts" --no-notices --no-version-reporting --no-asset-metadata --no-path-metadata -o ${tmp}`);
  // The aws-cdk CLI asks aws-cdk-lib for performance counters (CDK_PERF_COUNTERS_FILE); aws-cdk-lib writes
  // performance-counters.json into the assembly only when a synth is slow (≥ 10 s, i.e. on a busy machine). It
  // says how long the synth took, nothing about the stack: never snapshot it, never compare it.
  task.exec(`rm -f ${tmp}/performance-counters.json`);
  task.exec(`rm -fr test/${name}.integ.snapshot && mv ${tmp} test/${name}.integ.snapshot`);
}
for (const task of project.tasks.all) {
  if (!/^integ:.+:assert$/.test(task.name)) continue;
  task.steps.forEach((step, index) => {
    if (step.exec === 'diff' || step.execArgs?.[0] === 'diff') {
      const args = step.execArgs ?? [];
      task.updateStep(index, { ...step, execArgs: [...args.slice(0, 2), '-x', 'performance-counters.json', ...args.slice(2)] });
    }
  });
}

project.synth();
