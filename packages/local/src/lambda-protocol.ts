/** Messages between a {@link LocalFunction} and its execution-environment processes (packages/local/src/lambda-worker.ts). */

/** Parent → environment: run the handler once. */
export interface InvokeRequest {
  readonly type: 'invoke';
  readonly id: number;
  readonly requestId: string;
  readonly functionName: string;
  readonly timeoutMs: number;
  /**
   * When the parent kills the invocation (epoch ms, the same machine's clock): Lambda hands the runtime an absolute
   * deadline (`Lambda-Runtime-Deadline-Ms`), so the time the event spends in transit counts against the function.
   */
  readonly deadlineMs: number;
  readonly event: unknown;
}

/** Environment → parent: init finished (or failed), or the handler's result or the error it threw. */
export type InvokeResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: { name: string; message: string; stack?: string } }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: { name: string; message: string; stack?: string } };
