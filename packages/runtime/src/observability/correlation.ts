import { randomUUID } from 'node:crypto';
import { runtimeLogger, RuntimeLogger } from './runtime-logger';

/** Log key under which the correlation id appears in every log line. */
export const CORRELATION_LOG_KEY = 'correlation_id';
/** HTTP header that carries a caller-supplied correlation id. */
export const CORRELATION_HEADER = 'x-correlation-id';

// Caller-controlled: only accept ids that are safe to put in logs and SQS attributes.
const VALID_CORRELATION_ID = /^[A-Za-z0-9._:\-/+=]{1,128}$/;

/** The shape of API Gateway (REST, HTTP) and ALB events that matters here. */
export interface CorrelationSource {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: { readonly requestId?: string } | null;
}

let current: string | undefined;

/**
 * The correlation id of an API event: the `x-correlation-id` header (any case) when present and
 * well-formed, otherwise API Gateway's `requestContext.requestId`, otherwise undefined.
 */
export function correlationIdFromEvent(event: CorrelationSource | undefined | null): string | undefined {
  const headers = event?.headers ?? undefined;
  if (headers) {
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() === CORRELATION_HEADER && value && VALID_CORRELATION_ID.test(value.trim())) {
        return value.trim();
      }
    }
  }
  const requestId = event?.requestContext?.requestId;
  return requestId && VALID_CORRELATION_ID.test(requestId) ? requestId : undefined;
}

/**
 * Sets the correlation id of the current invocation (from the event, or a new UUID when the event
 * carries none) on the Logger and as the default of `enqueueWrite`. Call it first in a handler.
 * Lambda runs one invocation at a time per execution environment, so one current id is enough.
 */
export function useCorrelationId(event?: CorrelationSource | null, logger: RuntimeLogger = runtimeLogger()): string {
  const id = correlationIdFromEvent(event) ?? randomUUID();
  setCorrelationId(id, logger);
  return id;
}

/** Sets (or, with undefined, clears) the current correlation id and its Logger key. */
export function setCorrelationId(id: string | undefined, logger: RuntimeLogger = runtimeLogger()): void {
  current = id;
  if (id === undefined) logger.removeKeys([CORRELATION_LOG_KEY]);
  else logger.appendKeys({ [CORRELATION_LOG_KEY]: id });
}

/** The correlation id set by {@link useCorrelationId}, if any. */
export function currentCorrelationId(): string | undefined {
  return current;
}
