/**
 * Bundle size of representative handlers built on `@cdk-elastic-data-access/runtime`, bundled the way
 * projen/NodejsFunction bundle Lambda handlers: esbuild, minified, --platform=node --target=node20,
 * `@aws-sdk/*` external (provided by the Lambda Node.js runtime).
 *
 *   npx tsx benchmarks/bundle-size.ts
 */
import { existsSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// Consumers import the compiled CommonJS (lib/, written by `projen compile`), which esbuild cannot
// tree-shake; bundling the TypeScript sources would under-state the size.
const RUNTIME = process.env.RUNTIME_ENTRY ?? (existsSync('lib/runtime/index.js') ? './lib/runtime' : './src/runtime');

const handlers: Record<string, string> = {
  'writer (sqlWriter, postgres)': `
    import { sqlWriter } from '${RUNTIME}';
    export const handler = sqlWriter(async (tx, message) => {
      await tx.query('insert into orders (id, total) values ($1, $2)', [message.body.id, message.body.total]);
    }, { mode: 'batch' });`,
  'producer (API → enqueueWrite)': `
    import { enqueueWrite, useCorrelationId } from '${RUNTIME}';
    export const handler = async (event) => {
      useCorrelationId(event);
      const order = JSON.parse(event.body ?? '{}');
      await enqueueWrite(order, { idempotencyKey: order.id });
      return { statusCode: 202, body: '' };
    };`,
  'producer via the runtime/producer entry': `
    import { enqueueWrite, useCorrelationId } from '${RUNTIME}/producer';
    export const handler = async (event) => {
      useCorrelationId(event);
      const order = JSON.parse(event.body ?? '{}');
      await enqueueWrite(order, { idempotencyKey: order.id });
      return { statusCode: 202, body: '' };
    };`,
  'writer (sqlWriter, mysql via useMysqlDriver)': `
    import * as mysql from 'mysql2/promise';
    import { sqlWriter, useMysqlDriver } from '${RUNTIME}';
    useMysqlDriver(mysql);
    export const handler = sqlWriter(async (tx, message) => {
      await tx.query('insert into orders (id, total) values (?, ?)', [message.body.id, message.body.total]);
    });`,
  'reader (API → withReader, 503 on DatabaseUnavailableError)': `
    import { withReader, useCorrelationId, DatabaseUnavailableError } from '${RUNTIME}';
    export const handler = async (event) => {
      useCorrelationId(event);
      try {
        const r = await withReader((db) => db.query('select * from orders where id = $1', [event.pathParameters.id]));
        return { statusCode: 200, body: JSON.stringify(r.rows) };
      } catch (e) {
        if (e instanceof DatabaseUnavailableError) return { statusCode: 503, body: '' };
        throw e;
      }
    };`,
};

interface Variant {
  readonly name: string;
  readonly external: string[];
}

// @aws-sdk/rds-signer is a utility library, not a client: bundle it unless the Lambda runtime's SDK is
// known to include it. Every other @aws-sdk package stays external in both variants.
const sdkPackagesButSigner = readdirSync('node_modules/@aws-sdk').filter((n) => n !== 'rds-signer').map((n) => `@aws-sdk/${n}`);

const variants: Variant[] = [
  { name: '@aws-sdk/* external', external: ['@aws-sdk/*'] },
  { name: '@aws-sdk/* external but rds-signer bundled', external: sdkPackagesButSigner },
];

async function size(source: string, external: string[]): Promise<{ bytes: number; gzip: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'handler.ts' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].contents;
  return { bytes: code.byteLength, gzip: gzipSync(code).byteLength };
}

async function main(): Promise<void> {
  console.log(`runtime entry: ${RUNTIME}`);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`| handler | ${variants.map((v) => `${v.name} (min / gzip)`).join(' | ')} |`);
  console.log(`|---|${variants.map(() => '---').join('|')}|`);
  for (const [name, source] of Object.entries(handlers)) {
    const cells: string[] = [];
    for (const variant of variants) {
      const s = await size(source, variant.external);
      cells.push(`${kb(s.bytes)} / ${kb(s.gzip)}`);
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

void main();
