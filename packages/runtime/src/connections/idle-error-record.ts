import { classifyError, ErrorClass } from '../resilience/error-classification';

/** What the runtime logs about a connection that failed while idle in the pool. */
export interface IdleErrorRecord {
  readonly host: string;
  readonly error_class: ErrorClass;
  /** SQLSTATE, socket code or the runtime's `EDA_*` code (see classifyError). */
  readonly error_code: string;
  /** The error's message, cut to {@link MAX_IDLE_ERROR_MESSAGE_CHARS}. */
  readonly error: string;
}

/** Longest error message kept in the record: a server's termination message fits; a dump of state does not. */
export const MAX_IDLE_ERROR_MESSAGE_CHARS = 300;

/**
 * The log record of an idle connection's error, in the fields the writer's failure lines use. Never the error
 * itself: pg-pool attaches the whole pg `Client` to the error it emits (`err.client = client`), and the Logger
 * serialises every enumerable property of an error, which wrote 3.9 KB of client internals per line.
 */
export function idleErrorRecord(host: string, error: unknown): IdleErrorRecord {
  const verdict = classifyError(error);
  const message = verdict.message.length > MAX_IDLE_ERROR_MESSAGE_CHARS
    ? `${verdict.message.slice(0, MAX_IDLE_ERROR_MESSAGE_CHARS - 1)}…`
    : verdict.message;
  return { host, error_class: verdict.errorClass, error_code: verdict.code, error: message };
}
