/**
 * Child-process entry of a {@link LocalFunction} execution environment: loads the handler module once at start
 * (the init phase, reported with 'ready'), then runs one invocation at a time on request from the parent over IPC. The parent enforces the
 * function timeout by killing this process, exactly as Lambda ends an environment that timed out.
 */
import type { InvokeRequest, InvokeResponse } from './lambda-protocol';

type Handler = (event: unknown, context: unknown) => Promise<unknown> | unknown;

let handler: Handler | undefined;

function loadHandler(): Handler {
  if (handler) return handler;
  const modulePath = process.env.EDA_LOCAL_HANDLER_MODULE;
  const exportName = process.env.EDA_LOCAL_HANDLER_EXPORT ?? 'handler';
  if (!modulePath) throw new Error('EDA_LOCAL_HANDLER_MODULE is not set');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(modulePath) as Record<string, unknown>;
  const candidate = loaded[exportName];
  if (typeof candidate !== 'function') throw new Error(`${modulePath} does not export a function '${exportName}'`);
  handler = candidate as Handler;
  return handler;
}

function context(request: InvokeRequest): Record<string, unknown> {
  // The parent's deadline, not "timeoutMs from now": measured from receipt, a slow hand-over (a loaded machine) gave
  // the handler more time than the parent's kill timer leaves it, and a writer that kept its budget was killed anyway.
  const deadline = request.deadlineMs;
  const name = request.functionName;
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: request.requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function reply(response: InvokeResponse): void {
  process.send?.(response);
}

process.on('message', (request: InvokeRequest) => {
  if (request.type !== 'invoke') return;
  void (async () => {
    try {
      const result = await loadHandler()(request.event, context(request));
      reply({ type: 'result', id: request.id, result: result === undefined ? null : result });
    } catch (error) {
      const { name, message, stack } = error instanceof Error ? error : { name: 'Error', message: String(error), stack: undefined };
      reply({ type: 'error', id: request.id, error: { name, message, stack } });
    }
  })();
});

try {
  loadHandler();
  reply({ type: 'ready' });
} catch (error) {
  const { name, message, stack } = error instanceof Error ? error : { name: 'Error', message: String(error), stack: undefined };
  reply({ type: 'init-error', error: { name, message, stack } });
}

// The parent's death must not leave this environment (and its database connections) behind.
process.on('disconnect', () => process.exit(0));
