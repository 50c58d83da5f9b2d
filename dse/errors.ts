/** Bad user input (YAML, flags, files): the CLI prints the message and exits 2, writing nothing. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
