import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InvokeRequest, InvokeResponse } from './lambda-protocol';

/** Options of {@link LocalFunction}. */
export interface LocalFunctionOptions {
  /** Absolute path of the handler module (.ts files are loaded through tsx). */
  readonly handlerModule: string;
  /** Exported function name. @default 'handler' */
  readonly handlerExport?: string;
  /** Lambda function name, as in `context.functionName` and `AWS_LAMBDA_FUNCTION_NAME`. @default 'local-function' */
  readonly functionName?: string;
  /** Variables added to the environments' process.env (e.g. `LocalStack.environment()`). @default none */
  readonly environment?: Record<string, string>;
  /** Function timeout: an invocation still running after it is killed with its environment. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Limit of the init phase (loading the handler module), which Lambda counts separately from the timeout
   * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). @default 10000
   */
  readonly initTimeoutMs?: number;
  /** Execution environments that may run at once (reserved concurrency). @default 1 */
  readonly maxEnvironments?: number;
  /** Copies the environments' stdout/stderr to this process's; otherwise only the last lines are kept. @default false */
  readonly forwardLogs?: boolean;
  /** Receives every line the environments write (e.g. to sum EMF metrics). @default none */
  readonly onLogLine?: (line: string) => void;
}

/** Why an invocation did not return a result. */
export class InvocationError extends Error {
  constructor(message: string, public readonly kind: 'timeout' | 'crash' | 'handler' | 'init', public readonly stackInEnvironment?: string) {
    super(message);
    this.name = 'InvocationError';
  }
}

/** Invocation counters of a {@link LocalFunction}. */
export interface LocalFunctionStats {
  readonly invocations: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Environments started (cold starts), including replacements of killed ones. */
  readonly coldStarts: number;
}

interface Environment {
  readonly process: ChildProcess;
  busy: boolean;
  pending?: { id: number; resolve: (value: unknown) => void; reject: (error: Error) => void };
}

const LOG_LINES_KEPT = 200;

/** tsx's loader, which lets the environments load TypeScript handler modules. */
function tsxLoader(): string {
  try {
    return pathToFileURL(require.resolve('tsx')).href;
  } catch {
    throw new Error('running a TypeScript handler module needs the npm package tsx (npm install --save-dev tsx), or pass compiled JavaScript');
  }
}

/**
 * Runs a Lambda handler the way Lambda does, on this machine: each execution environment is a separate Node
 * process that loads the handler module once and serves one invocation at a time; an invocation that outlives
 * the timeout is killed with its environment (in-flight transactions die with their connections) and the next
 * invocation cold-starts a new one.
 */
export class LocalFunction {
  private readonly environments = new Set<Environment>();
  private readonly waiting: Array<() => void> = [];
  private readonly logLines: string[] = [];
  private nextId = 1;
  private closed = false;
  private counters = { invocations: 0, errors: 0, timeouts: 0, coldStarts: 0 };

  constructor(private readonly options: LocalFunctionOptions) {}

  /** Counters since construction. */
  public get stats(): LocalFunctionStats {
    return { ...this.counters };
  }

  /** The last lines the environments wrote (for diagnosing a failed run). */
  public logs(): string {
    return this.logLines.join('\n');
  }

  /** Invokes the handler in an idle environment (waiting for one when all are busy); rejects with {@link InvocationError}. */
  public async invoke(event: unknown): Promise<unknown> {
    if (this.closed) throw new Error('LocalFunction is closed');
    this.counters.invocations++;
    let environment: Environment;
    try {
      environment = await this.acquire();
    } catch (error) {
      this.counters.errors++;
      throw error;
    }
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    try {
      return await new Promise<unknown>((resolvePromise, rejectPromise) => {
        const deadlineMs = Date.now() + timeoutMs;
        const timer = setTimeout(() => {
          this.counters.timeouts++;
          environment.pending = undefined;
          this.discard(environment);
          rejectPromise(new InvocationError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, 'timeout'));
        }, timeoutMs);
        environment.pending = {
          id,
          resolve: (value) => {
            clearTimeout(timer);
            resolvePromise(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            rejectPromise(error);
          },
        };
        const request: InvokeRequest = {
          type: 'invoke', id, requestId: randomUUID(), functionName: this.functionName, timeoutMs, deadlineMs, event,
        };
        environment.process.send(request);
      });
    } catch (error) {
      this.counters.errors++;
      throw error;
    } finally {
      this.release(environment);
    }
  }

  /**
   * Starts environments up to `count` and waits for their init, like provisioned concurrency: a cold start
   * (several hundred ms with tsx) then does not eat into a short local visibility timeout.
   */
  public async warm(count: number = this.options.maxEnvironments ?? 1): Promise<void> {
    const starting: Promise<Environment>[] = [];
    while (this.environments.size < Math.min(count, this.options.maxEnvironments ?? 1)) starting.push(this.start());
    const started = await Promise.all(starting);
    for (const environment of started) this.release(environment);
  }

  /** Kills every environment (as when a function is updated) and refuses further invocations. */
  public async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.environments].map((environment) => new Promise<void>((resolveExit) => {
      if (environment.process.exitCode !== null || environment.process.signalCode !== null) return resolveExit();
      environment.process.once('exit', () => resolveExit());
      environment.process.kill('SIGKILL');
    }));
    this.environments.clear();
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(exits);
  }

  private get functionName(): string {
    return this.options.functionName ?? 'local-function';
  }

  private async acquire(): Promise<Environment> {
    const maxEnvironments = this.options.maxEnvironments ?? 1;
    for (;;) {
      if (this.closed) throw new Error('LocalFunction is closed');
      const idle = [...this.environments].find((environment) => !environment.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.environments.size < maxEnvironments) {
        return this.start();
      }
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  private release(environment: Environment): void {
    environment.busy = false;
    this.waiting.shift()?.();
  }

  /** Forks an environment (counted, and busy, at once so concurrent acquires respect the limit) and waits for its init. */
  private start(): Promise<Environment> {
    const workerPath = join(__dirname, `lambda-worker${extname(__filename)}`);
    const handlerModule = resolve(this.options.handlerModule);
    const needsTypeScript = [workerPath, handlerModule].some((path) => /\.[cm]?ts$/.test(path));
    const child = fork(workerPath, [], {
      // Never inherit the parent's flags (jest, inspector); TypeScript sources load through tsx's loader.
      execArgv: needsTypeScript ? ['--import', tsxLoader()] : [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        ...this.options.environment,
        AWS_LAMBDA_FUNCTION_NAME: this.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${this.functionName}`,
        _HANDLER: `${handlerModule}.${this.options.handlerExport ?? 'handler'}`,
        EDA_LOCAL_HANDLER_MODULE: handlerModule,
        EDA_LOCAL_HANDLER_EXPORT: this.options.handlerExport ?? 'handler',
      },
    });
    this.counters.coldStarts++;
    const environment: Environment = { process: child, busy: true };
    this.environments.add(environment);
    // Chunks may end mid-line: complete lines only, per stream.
    const lineReader = () => {
      let rest = '';
      return (chunk: Buffer) => {
        if (this.options.forwardLogs) process.stdout.write(chunk);
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        keepLines(lines);
      };
    };
    const keepLines = (lines: string[]) => {
      for (const line of lines) {
        if (line.length === 0) continue;
        this.options.onLogLine?.(line);
        this.logLines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      }
      if (this.logLines.length > LOG_LINES_KEPT) this.logLines.splice(0, this.logLines.length - LOG_LINES_KEPT);
    };
    child.stdout?.on('data', lineReader());
    child.stderr?.on('data', lineReader());
    const initTimeoutMs = this.options.initTimeoutMs ?? 10_000;
    const ready = new Promise<Environment>((resolveReady, rejectReady) => {
      const timer = setTimeout(() => {
        this.discard(environment);
        rejectReady(new InvocationError(`init did not finish within ${initTimeoutMs} ms`, 'init'));
      }, initTimeoutMs);
      environment.pending = {
        id: 0,
        resolve: () => {
          clearTimeout(timer);
          resolveReady(environment);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.discard(environment);
          rejectReady(error);
        },
      };
    });
    child.on('message', (response: InvokeResponse) => {
      const pending = environment.pending;
      if (response.type === 'ready' || response.type === 'init-error') {
        if (!pending || pending.id !== 0) return;
        environment.pending = undefined;
        if (response.type === 'ready') {
          pending.resolve(undefined);
        } else {
          pending.reject(new InvocationError(`init failed: ${response.error.name}: ${response.error.message}`, 'init', response.error.stack));
        }
        return;
      }
      if (!pending || pending.id !== response.id) return;
      environment.pending = undefined;
      if (response.type === 'result') {
        pending.resolve(response.result);
      } else {
        pending.reject(new InvocationError(`${response.error.name}: ${response.error.message}`, 'handler', response.error.stack));
      }
    });
    child.on('exit', (code, signal) => {
      this.environments.delete(environment);
      const pending = environment.pending;
      environment.pending = undefined;
      pending?.reject(new InvocationError(`execution environment exited (${code ?? signal}) during an invocation`, 'crash'));
      this.waiting.shift()?.();
    });
    return ready;
  }

  private discard(environment: Environment): void {
    this.environments.delete(environment);
    environment.process.kill('SIGKILL');
  }
}
