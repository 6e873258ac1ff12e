import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCliError } from './cli-output';
import { CommandContext, down, serve, status, up, UP_OPTIONS } from './stack-commands';
import { writer, WRITER_OPTIONS } from './writer-command';

/*
 * `eda-local`, the local stack from a project's directory (docs/local-stack.md). The package bin is a shim:
 *   #!/usr/bin/env node
 *   require('../lib/cli/main.js').run();
 */

export const USAGE = `usage: eda-local <command> [options]

commands:
  up ${UP_OPTIONS}
          start PostgreSQL, PgBouncer (as RDS Proxy) and the local SQS in the background; create the idempotency
          table, run the schema file (--schema or EDA_LOCAL_SCHEMA); state in ./.local-stack (EDA_LOCAL_STACK_DIR)
  writer ${WRITER_OPTIONS}
          run a writer handler against the stack as Lambda would, until Ctrl-C; prints the counts when they change
  status  print where the running stack is: database, psql command, queues, environment file
  down    stop every server and delete the state directory

eda-local --version prints the version.`;

/** `<name> <version>` from this package's package.json (two levels up from src/cli and from lib/cli). */
function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

/** Resolves on the first SIGINT/SIGTERM (Ctrl-C stops a writer cleanly). */
function stopSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

/** Runs `eda-local` with `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], context: CommandContext): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'up': return await up(context, rest);
      case 'serve': return await serve(context, rest);
      case 'writer': return await writer(context, rest, stopSignal());
      case 'status': return status(context);
      case 'down': return await down(context);
      case '--version':
      case '-v':
        context.out(versionLine());
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        context.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new LocalCliError(`unknown command ${command}\n\n${USAGE}`, 2);
    }
  } catch (error) {
    if (error instanceof LocalCliError) {
      context.err(`eda-local ${command}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof Error && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      context.err(`eda-local ${command}: ${error.message}`);
      return 2;
    }
    context.err(`eda-local ${command}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  }
}

/** Entry point of the bin shim (and of `up`'s background process): runs main with the process arguments. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  const context: CommandContext = {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  // `serve` keeps running afterwards: its servers hold the event loop until SIGTERM.
  void main(argv, context).then((code) => {
    process.exitCode = code;
  });
}

// `up` starts this file as its background process (`main.js serve`).
if (require.main === module) run();
