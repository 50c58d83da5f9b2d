/** Bad user input (YAML, flags, files): the CLI prints the message and exits 2, writing nothing. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The run was interrupted (SIGINT): outputs for what finished are written, exit code 130. */
export class InterruptedError extends Error {
  readonly exitCode = 130;
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}
