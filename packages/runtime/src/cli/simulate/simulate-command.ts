import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTopology } from './assembly-reader';
import { parseDuration } from './duration';
import { renderPage } from './report-page';
import { builtInScenario, checkScenarioNames, readScenarioFile, Scenario } from './scenario';
import { simulate } from './step-model';
import { brokenExpectation, parseExpectation, summarize } from './summary';
import { terminalTable } from './terminal-table';
import { CliContext, CliError, EXIT_OK, EXIT_PROBLEMS } from '../cli-context';

/** Options of `eda simulate`, as the command line gives them. */
export interface SimulateOptions {
  readonly assembly: string;
  readonly stack: string;
  readonly scenario: string;
  readonly rate?: string;
  readonly spike?: string;
  readonly for?: string;
  readonly outage?: string;
  readonly out: string;
  readonly expect?: readonly string[];
}

export const SIMULATE_USAGE = `usage: eda simulate --assembly <cdk.out> --stack <name> --scenario <steady|spike|outage|file.json>
                    [--rate <req/s>] [--spike <factor>] [--for <duration>] [--outage <duration>]
                    --out <dir> [--expect <key><op><number> ...]

Plays a scenario forward, second by second, on a synthesized stack (its template and its ConcurrencyBudget
report): concurrency and throttles per function, queue depth, age of the oldest message, dead-letter messages,
proxy connections against the pool, and the time to drain after the scenario. Offline; no credentials.
  steady   every entry function at --rate (default 100 req/s) for --for (default 10m)
  spike    1m at --rate, --for (default 1m) at --rate × --spike (default 10), 1m at --rate
  outage   --rate throughout; the database is down for --outage (default 10m) from 1m on, then 1m more
  <file>   a scenario file (docs/simulate.md)
Durations: 500ms, 90s, 10m, 1h. Writes <dir>/summary.json and <dir>/index.html.
--expect 'deadLetterMessages==0' (==, !=, <, <=, >, >= on summary.json keys, dotted for nested ones such as
functions.GetOrder.throttles) may be repeated. Exit code: 0 every expectation holds, 1 one is broken, 2 could not run.`;

function number(flag: string, raw: string | undefined, minimum: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < minimum) throw new CliError(`${flag} must be a number of at least ${minimum}, got ${raw}`);
  return value;
}

function scenarioOf(options: SimulateOptions): Scenario {
  if (options.scenario.endsWith('.json')) {
    const given = (['rate', 'spike', 'for', 'outage'] as const).filter((flag) => options[flag] !== undefined);
    if (given.length > 0) throw new CliError(`--${given[0]} belongs to the built-in scenarios: a scenario file sets its own load and outages`);
    return readScenarioFile(options.scenario);
  }
  return builtInScenario(options.scenario, {
    rate: number('--rate', options.rate, 0),
    spike: number('--spike', options.spike, 1),
    forSeconds: options.for === undefined ? undefined : parseDuration('--for', options.for),
    outageSeconds: options.outage === undefined ? undefined : parseDuration('--outage', options.outage),
  });
}

/** Runs `eda simulate`; returns the exit code. */
export function runSimulate(context: CliContext, options: SimulateOptions): number {
  // Every input is checked before anything runs or is written.
  const expectations = (options.expect ?? []).map(parseExpectation);
  const scenario = scenarioOf(options);
  const topology = readTopology(options.assembly, options.stack);
  checkScenarioNames(scenario, topology);

  const result = simulate(topology, scenario);
  const summary = summarize(result);
  const broken = expectations.map((e) => brokenExpectation(summary, e)).filter((m): m is string => m !== undefined);

  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'summary.json'), `${JSON.stringify(summary, undefined, 2)}\n`);
  writeFileSync(join(options.out, 'index.html'), renderPage(result, summary));
  for (const line of terminalTable(summary)) context.out(line);
  context.out(`wrote ${join(options.out, 'summary.json')} and ${join(options.out, 'index.html')}`);
  for (const message of broken) context.err(message);
  return broken.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
}
