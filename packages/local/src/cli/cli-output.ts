/** An error whose message is for people: `eda-local` prints it without a stack trace and exits with its code. */
export class LocalCliError extends Error {
  constructor(message: string, public readonly exitCode = 1) {
    super(message);
    this.name = 'LocalCliError';
  }
}

/** Where a command prints (tests capture both). */
export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}
