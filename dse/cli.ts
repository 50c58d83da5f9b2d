/**
 * `spatten-dse` command line. Every command is a module of dse/commands/ exporting
 * `register(program)`; dse/cli-registry.ts lists them and holds what help shows of each, so that
 * `--help`, `--version` and `<command> --help` print without loading any command module, and a
 * command loads only its own module (and what that imports).
 *
 * Exit codes: 0 ok (also a run stopped by its budget: it says so), 1 failure (every point failed,
 * or an unexpected error: rerun with --debug for the stack), 2 bad input (one line naming the
 * file/option/field; nothing written), 130 interrupted (SIGINT), 143 terminated (SIGTERM, or SIGHUP:
 * the terminal closed) — both after writing the outputs of what finished. The long-running `serve`
 * and `worker` exit 0 on SIGINT or SIGTERM and 143 on SIGHUP, having closed what they hold (serve its
 * journal and lock, a worker its running jobs): dse/stop.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError, type Command } from 'commander';
import { errnoText, fsMessage, InputError, isUserFsError } from './errors.ts';
import { printable } from './cli-util.ts';
import { COMMANDS, lightProgram, realProgram } from './cli-registry.ts';
import { keepWritingFiles, writeFailure } from './closed-pipe.ts';

export { printable } from './cli-util.ts';

/** The whole program, every command module loaded (for tests and tools; `main` loads only the command it runs). */
export function buildProgram(): Promise<Command> {
  return realProgram();
}

/**
 * The one error path: user-caused errors (InputError, errors with exitCode 2 such as a held lock or
 * a malformed results folder, filesystem errors on the user's paths) → one message, exit 2;
 * anything else is unexpected → a short message and a hint to rerun with --debug, exit 1.
 */
export function reportError(e: unknown, debug: boolean): number {
  const err = e as Error & { exitCode?: number };
  if (e instanceof InputError || err?.exitCode === 2) {
    process.stderr.write(`error: ${printable(err.message)}\n`);
    if (debug) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
  if (isUserFsError(e)) {
    process.stderr.write(`error: ${printable(fsMessage(e))}\n`);
    if (debug) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
  const first = printable(String(err?.message ?? e).split('\n')[0]);
  process.stderr.write(`error: ${first}\n`);
  if (debug) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('(an unexpected error: rerun with --debug for the stack trace, and please report it)\n');
  return typeof err?.exitCode === 'number' ? err.exitCode : 1;
}

/**
 * `help <name>` of a name that is no command, as `<name>`: an unknown command (exit 2, with a
 * suggestion). Commander would print the general help and exit 0.
 */
export function helpOfUnknown(argv: string[]): string[] {
  const i = argv.findIndex((a) => !a.startsWith('-'));
  const name = argv[i + 1];
  if (i < 0 || argv[i] !== 'help' || name === undefined || name.startsWith('-') || Object.hasOwn(COMMANDS, name)) return argv;
  return [...argv.slice(0, i), ...argv.slice(i + 1)];
}

export async function main(args: string[]): Promise<number> {
  const argv = helpOfUnknown(args);
  const debug = argv.includes('--debug') || !!process.env.SPATTEN_DEBUG;
  // a reader that closes stdout or stderr (`run … | head -3`) does not end the command (dse/closed-pipe.ts)
  keepWritingFiles();
  process.exitCode = undefined;
  let code: number;
  try {
    // help, version and argument errors come from the light declarations; a command to run is
    // then parsed again, and run, by its own module, the only one loaded
    let chosen: string | undefined;
    await lightProgram((name) => (chosen = name)).parseAsync(argv, { from: 'user' });
    if (chosen !== undefined) await (await realProgram([chosen])).parseAsync(argv, { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      code = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    } else code = reportError(e, debug);
  } finally {
    process.exitCode = undefined;
  }
  return outputFailure(code);
}

/**
 * The exit code once stdout and stderr are checked: a write to either that failed (a full disk,
 * `> /dev/full`) lost part of what the command printed, so a command that succeeded exits 2 and
 * says so (on stderr, when that is the stream that still works). dse/closed-pipe.ts
 */
function outputFailure(code: number): number {
  const out = writeFailure(process.stdout);
  const err = writeFailure(process.stderr);
  if (out) process.stderr.write(`error: cannot write to stdout: ${errnoText(out)}; what the command printed there is incomplete\n`);
  return (out || err) && code === 0 ? 2 : code;
}

// Run when executed directly (bin/spatten-dse.js → tsx dse/cli.ts).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => process.exit(reportError(e, process.argv.includes('--debug'))),
  );
}
