/**
 * README's TypeScript snippets as files a fresh project can type-check and synthesize (scripts/packaged-install.ts).
 *
 * Every ```ts block of README.md becomes one file:
 *   - a block whose first line is a path comment (`// src/order-writer.ts`) is written to that path as it is (a
 *     handler module: type-checked, and bundled when an app snippet names it as an entry);
 *   - a block that imports the runtime or the local package, or exports something, is a module: type-checked;
 *     statements of a local-stack block (top-level await) run inside an exported async function;
 *   - any other block is app code: its statements go into the constructor of a Stack, after a prelude that defines
 *     the names README's snippets use without defining them (`vpc`, `getOrderFn`, `createOrderFn`, `cluster`,
 *     `taskDefinition`, `service`, `orders`, `app`),
 *     and scripts/packaged-install.ts synthesizes each such stack in an app of its own.
 * A name a snippet uses that is neither defined by it nor in the prelude fails the type-check: README must not use
 * names a reader cannot know.
 */

export interface Snippet {
  /** 1-based position among README's ts blocks. */
  readonly index: number;
  /** Line of the opening fence in README.md. */
  readonly line: number;
  readonly kind: 'file' | 'module' | 'app';
  /** Where it is written, relative to the project. */
  readonly path: string;
  readonly source: string;
  /** app snippets: the Stack class the file exports */
  readonly stackClass?: string;
}

/** The names the prelude can define, and how (inside a Stack constructor; `this` is the stack). */
const PRELUDE: Record<string, string> = {
  vpc: "const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });",
  getOrderFn: "const getOrderFn = new nodejs.NodejsFunction(this, 'GetOrder', { entry: 'src/get-order.ts', runtime: lambda.Runtime.NODEJS_24_X, vpc });",
  createOrderFn: "const createOrderFn = new nodejs.NodejsFunction(this, 'CreateOrder', { entry: 'src/create-order.ts', runtime: lambda.Runtime.NODEJS_24_X, vpc });",
  cluster: "const cluster = new ecs.Cluster(this, 'Cluster', { vpc });",
  taskDefinition: [
    "const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task');",
    "taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24') });",
  ].join('\n'),
  service: "const service = new ecs.FargateService(this, 'Service', { cluster, taskDefinition });",
  orders: [
    "const orders = new ElasticDataAccess(this, 'Orders', {",
    '  vpc,',
    '  database: DatabaseSource.auroraServerlessV2({ engine: DatabaseEngineFamily.POSTGRES, readers: 1 }),',
    '});',
  ].join('\n'),
  app: 'const app = this.node.root as App;',
};
/** Prelude entries other entries need. */
const PRELUDE_NEEDS: Record<string, string[]> = {
  getOrderFn: ['vpc'], createOrderFn: ['vpc'], cluster: ['vpc'], service: ['cluster', 'taskDefinition'], orders: ['vpc'],
};
/** What the prelude (and the stack around a snippet) imports, name by name, unless the snippet imports the name itself. */
const PRELUDE_IMPORTS: Array<{ module: string; names?: string[]; star?: string }> = [
  { module: 'aws-cdk-lib', names: ['App', 'Duration', 'Stack'] },
  { module: 'aws-cdk-lib/aws-ec2', star: 'ec2' },
  { module: 'aws-cdk-lib/aws-ecs', star: 'ecs' },
  { module: 'aws-cdk-lib/aws-lambda', star: 'lambda' },
  { module: 'aws-cdk-lib/aws-lambda-nodejs', star: 'nodejs' },
  { module: 'cdk-elastic-data-access', names: ['DatabaseEngineFamily', 'DatabaseSource', 'ElasticDataAccess'] },
  { module: 'constructs', names: ['Construct'] },
];

/** The prelude's import statements without the names the snippet imports. */
function preludeImports(taken: Set<string>): string[] {
  const statements: string[] = [];
  for (const entry of PRELUDE_IMPORTS) {
    if (entry.star && !taken.has(entry.star)) statements.push(`import * as ${entry.star} from '${entry.module}';`);
    const names = (entry.names ?? []).filter((name) => !taken.has(name));
    if (names.length > 0) statements.push(`import { ${names.join(', ')} } from '${entry.module}';`);
  }
  return statements;
}

/** The ```ts blocks of a markdown text, with their opening line. */
export function typescriptBlocks(markdown: string): Array<{ line: number; code: string }> {
  const blocks: Array<{ line: number; code: string }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i;
    // a block inside a list item is indented like its fence
    const indentation = lines[i].length - lines[i].trimStart().length;
    const code: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) code.push(lines[i].slice(Math.min(indentation, lines[i].length - lines[i].trimStart().length)));
    blocks.push({ line: start + 1, code: code.join('\n') });
  }
  return blocks;
}

/** Splits `import …;` statements (possibly multi-line) from the rest. */
function splitImports(code: string): { imports: string[]; body: string } {
  const imports: string[] = [];
  const body: string[] = [];
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^import\s/.test(lines[i])) {
      let statement = lines[i];
      while (!/;\s*(\/\/.*)?$/.test(statement) && i + 1 < lines.length) statement += `\n${lines[++i]}`;
      imports.push(statement);
    } else {
      body.push(lines[i]);
    }
  }
  return { imports, body: body.join('\n') };
}

/** Names imported by a set of import statements, so the prelude's imports never clash with the snippet's. */
function importedNames(imports: string[]): Set<string> {
  const names = new Set<string>();
  for (const statement of imports) {
    const named = /\{([^}]*)\}/.exec(statement);
    if (named) for (const part of named[1].split(',')) names.add(part.trim().split(/\s+as\s+/).pop()!);
    const star = /\*\s+as\s+(\w+)/.exec(statement);
    if (star) names.add(star[1]);
    const def = /^import\s+(\w+)[\s,]/.exec(statement);
    if (def && def[1] !== 'type') names.add(def[1]);
  }
  return names;
}

/** The prelude statements an app snippet needs: the names it uses and does not define. */
function preludeFor(body: string): string[] {
  const wanted = new Set<string>();
  const defined = new Set([...body.matchAll(/\b(?:const|let|var|class|function)\s+(\w+)/g)].map((m) => m[1]));
  const add = (name: string) => {
    if (wanted.has(name) || defined.has(name)) return;
    for (const need of PRELUDE_NEEDS[name] ?? []) add(need);
    wanted.add(name);
  };
  for (const name of Object.keys(PRELUDE)) if (new RegExp(`\\b${name}\\b`).test(body)) add(name);
  // in dependency order
  return Object.keys(PRELUDE).filter((name) => wanted.has(name)).map((name) => PRELUDE[name]);
}

export function readmeSnippets(markdown: string): Snippet[] {
  return typescriptBlocks(markdown).map(({ line, code }, i): Snippet => {
    const index = i + 1;
    const pathComment = /^\/\/\s*(\S+\.ts)\s*$/.exec(code.split('\n')[0]);
    if (pathComment) return { index, line, kind: 'file', path: pathComment[1], source: `${code}\n` };
    const { imports, body } = splitImports(code);
    const isModule = imports.some((s) => /@cdk-elastic-data-access\/(runtime|local)/.test(s)) || /^export\s/m.test(body);
    if (isModule) {
      const topLevelAwait = /^await\s|^const\s+\w+\s*=\s*await\s/m.test(body);
      const source = topLevelAwait
        ? `${imports.join('\n')}\n\nexport async function snippet${index}(): Promise<void> {\n${indent(body)}\n}\n`
        : `${imports.join('\n')}\n${body}\n`;
      return { index, line, kind: 'module', path: `snippets/snippet-${index}.ts`, source };
    }
    const taken = importedNames(imports);
    const stackClass = `ReadmeSnippet${index}`;
    const source = [
      ...imports,
      ...preludeImports(taken),
      '',
      `/** README.md line ${line}, inside a stack. */`,
      `export class ${stackClass} extends Stack {`,
      '  constructor(scope: Construct, id: string) {',
      '    super(scope, id);',
      ...preludeFor(body).map((statement) => indent(statement, 4)),
      indent(body, 4),
      '  }',
      '}',
      '',
    ].join('\n');
    return { index, line, kind: 'app', path: `snippets/snippet-${index}.ts`, source, stackClass };
  });
}

/**
 * One app per app snippet: a snippet may apply Validations to its whole app (the compliance packs), which must not
 * judge the other snippets' prelude resources.
 */
export function snippetApps(snippets: readonly Snippet[]): Array<{ path: string; source: string; snippet: Snippet }> {
  return snippets.filter((s) => s.kind === 'app').map((s) => ({
    snippet: s,
    path: `app-${s.index}.ts`,
    source: [
      "import { App } from 'aws-cdk-lib';",
      `import { ${s.stackClass} } from './${s.path.replace(/\.ts$/, '')}';`,
      '',
      'const app = new App();',
      `new ${s.stackClass}(app, '${s.stackClass}');`,
      'app.synth();',
      '',
    ].join('\n'),
  }));
}

function indent(text: string, spaces = 2): string {
  return text.split('\n').map((line) => (line ? ' '.repeat(spaces) + line : line)).join('\n');
}
