import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { BUDGET_USAGE, runBudget } from './budget/budget-command';
import { CliContext, CliDependencies, CliError, EXIT_CANNOT_RUN, EXIT_OK } from './cli-context';
import { DOCTOR_USAGE, runDoctor } from './doctor/doctor-command';
import { packageVersionLine } from './package-version';
import { REDRIVE_USAGE, runRedrive } from './redrive/redrive-command';
import { runSimulate, SIMULATE_USAGE } from './simulate/simulate-command';

/*
 * `eda`, the operations CLI of cdk-elastic-data-access. The package bin is a two-line shim:
 *   #!/usr/bin/env node
 *   require('../lib/cli/main.js').run();
 */

const USAGE = `usage: eda <command> [options]

commands:
  budget    print the concurrency budget of a synthesized app (cdk.out), every reservation the account line counts
  doctor    describe a deployed RDS Proxy, its pool and target health; compare with the concurrency budget
  redrive   move dead-letter queue messages back (or list them with --dry-run)
  simulate  play a traffic spike or a database outage forward on a synthesized stack (offline)

Run \`eda <command> --help\` for the options of a command; \`eda --version\` prints the version.`;

function context(deps: CliDependencies): CliContext {
  return {
    env: deps.env ?? process.env,
    out: (line) => (deps.stdout ?? ((text: string) => process.stdout.write(text)))(`${line}\n`),
    err: (line) => (deps.stderr ?? ((text: string) => process.stderr.write(text)))(`${line}\n`),
    credentialProvider: async () => deps.credentials ?? defaultProvider(),
  };
}

function positiveInteger(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new CliError(`${flag} must be a whole number of at least 1, got ${raw}`);
  return value;
}

function wholeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new CliError(`${flag} must be a whole number of at least 0, got ${raw}`);
  return value;
}

function budget(ctx: CliContext, args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      assembly: { type: 'string' },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.out(BUDGET_USAGE);
    return EXIT_OK;
  }
  return runBudget(ctx, { assembly: values.assembly, stack: values.stack });
}

async function doctor(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      proxy: { type: 'string' },
      assembly: { type: 'string' },
      stack: { type: 'string' },
      pattern: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.out(DOCTOR_USAGE);
    return EXIT_OK;
  }
  if (!values.proxy) throw new CliError(`--proxy <name> is required\n\n${DOCTOR_USAGE}`);
  return runDoctor(ctx, {
    proxy: values.proxy,
    assembly: values.assembly,
    stack: values.stack,
    pattern: values.pattern,
    region: values.region,
    json: values.json,
  });
}

async function redrive(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'dlq': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'max': { type: 'string' },
      'to': { type: 'string' },
      'rate': { type: 'string' },
      'region': { type: 'string' },
      'json': { type: 'boolean' },
      'wait-seconds': { type: 'string' },
      'poll-seconds': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.out(REDRIVE_USAGE);
    return EXIT_OK;
  }
  if (!values.dlq) throw new CliError(`--dlq <queue-url> is required\n\n${REDRIVE_USAGE}`);
  const rate = positiveInteger('--rate', values.rate);
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
  if (rate !== undefined && rate > 500) throw new CliError(`--rate must be at most 500 messages per second, got ${rate}`);
  const waitSeconds = values['wait-seconds'] === undefined ? undefined : Number(values['wait-seconds']);
  if (waitSeconds !== undefined && !(Number.isInteger(waitSeconds) && waitSeconds >= 0 && waitSeconds <= 20)) {
    throw new CliError(`--wait-seconds must be a whole number between 0 and 20, got ${values['wait-seconds']}`);
  }
  return runRedrive(ctx, {
    dlq: values.dlq,
    dryRun: values['dry-run'],
    max: positiveInteger('--max', values.max),
    to: values.to,
    rate,
    region: values.region,
    json: values.json,
    waitSeconds,
    pollSeconds: wholeNumber('--poll-seconds', values['poll-seconds']),
    timeoutSeconds: positiveInteger('--timeout-seconds', values['timeout-seconds']),
  });
}

function simulateCommand(ctx: CliContext, args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      assembly: { type: 'string' },
      stack: { type: 'string' },
      scenario: { type: 'string' },
      rate: { type: 'string' },
      spike: { type: 'string' },
      for: { type: 'string' },
      outage: { type: 'string' },
      out: { type: 'string' },
      expect: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.out(SIMULATE_USAGE);
    return EXIT_OK;
  }
  for (const flag of ['assembly', 'stack', 'scenario', 'out'] as const) {
    if (!values[flag]) throw new CliError(`--${flag} is required\n\n${SIMULATE_USAGE}`);
  }
  return runSimulate(ctx, {
    assembly: values.assembly!,
    stack: values.stack!,
    scenario: values.scenario!,
    rate: values.rate,
    spike: values.spike,
    for: values.for,
    outage: values.outage,
    out: values.out!,
    expect: values.expect,
  });
}

/** Runs `eda` with `argv` (without node and the script); returns the exit code instead of exiting. */
export async function main(argv: readonly string[], deps: CliDependencies = {}): Promise<number> {
  const ctx = context(deps);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'budget':
        return budget(ctx, rest);
      case 'doctor':
        return await doctor(ctx, rest);
      case 'redrive':
        return await redrive(ctx, rest);
      case 'simulate':
        return simulateCommand(ctx, rest);
      case '--version':
      case '-v':
        ctx.out(packageVersionLine());
        return EXIT_OK;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        ctx.out(USAGE);
        return command === undefined ? EXIT_CANNOT_RUN : EXIT_OK;
      default:
        throw new CliError(`unknown command ${command}\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      ctx.err(`eda ${command}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof Error && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      ctx.err(`eda ${command}: ${error.message}`);
      return EXIT_CANNOT_RUN;
    }
    ctx.err(`eda ${command}: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return EXIT_CANNOT_RUN;
  }
}

/** Entry point of the bin shim: runs main with the process arguments and sets the exit code. */
export function run(): void {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
