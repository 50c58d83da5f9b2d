/**
 * The command registry of `spatten-dse`, light enough to load on every start.
 *
 * Each command is a module of dse/commands/ exporting `register(program)`, which declares the
 * command (arguments, options, parsers) and its action. Those modules import zod, the models, the
 * drivers …: loading all of them to print `--help` cost about as much as a simulation. So the CLI
 * starts from this registry instead:
 *
 * - `COMMANDS` names every command, in the order help lists them, with a loader (a dynamic import:
 *   in the CLI bundle each command is a chunk of its own, see dse/bundle.ts).
 * - `CLI_SURFACE` (dse/cli-surface.ts) is what help shows and what commander checks before any
 *   action runs: each command's description, arguments and options (flags, description, default,
 *   choices, hidden, mandatory). It is generated from the real command modules by
 *   `npm run cli-surface`; test/cli-registry.test.ts fails when it no longer matches them, and
 *   compares the help text of every command, so the two cannot drift apart.
 * - `main` (dse/cli.ts) parses the arguments with the light program (`lightProgram`): `--help`,
 *   `--version`, `help <command>`, `<command> --help`, unknown commands or options, missing
 *   arguments, bad choices and empty values (`checkValues`) are answered there without loading a command module. When a command
 *   is to run, only its module is loaded (`realProgram([name])`) and the arguments are parsed
 *   again by the real declaration, whose option parsers and action then run as before.
 */
import { readFileSync } from 'node:fs';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { CLI_SURFACE } from './cli-surface.ts';
import { InputError } from './errors.ts';
import { closest } from '../core/suggest.ts';

/** A command module of dse/commands/. */
export interface CommandModule {
  register(program: Command): void;
}

/** Every command, in the order `--help` lists them: name → its module, loaded on use. */
export const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import('./commands/run.ts'),
  simulate: () => import('./commands/simulate.ts'),
  schema: () => import('./commands/schema.ts'),
  accuracy: () => import('./commands/accuracy.ts'),
  compare: () => import('./commands/compare.ts'),
  logits: () => import('./commands/logits.ts'),
  report: () => import('./commands/report.ts'),
  reproduce: () => import('./commands/reproduce.ts'),
  serve: () => import('./commands/serve.ts'),
  train: () => import('./commands/train.ts'),
  worker: () => import('./commands/worker.ts'),
};

/** What help shows of one argument. */
export interface ArgumentSurface {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  defaultValue?: unknown;
  defaultValueDescription?: string;
  choices?: string[];
}

/** What help shows of one option, and what commander checks before an action runs. */
export interface OptionSurface {
  flags: string;
  description: string;
  defaultValue?: unknown;
  defaultValueDescription?: string;
  choices?: string[];
  hidden?: boolean;
  mandatory?: boolean;
}

export interface CommandSurface {
  name: string;
  description: string;
  arguments: ArgumentSurface[];
  options: OptionSurface[];
}

/** The package's version (package.json), without loading the run machinery. */
function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

/** The root command with its own options; both the light and the real program start from it. */
export function rootProgram(): Command {
  return new Command()
    .name('spatten-dse')
    .description('Design-space exploration for the SpAtten sparse-attention accelerator')
    .version(version())
    .option('--debug', 'print the stack of an unexpected error')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
}

/** The root with the given commands (default: all) registered by their real modules, in registry order. */
export async function realProgram(names: readonly string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = rootProgram();
  for (const [name, load] of Object.entries(COMMANDS)) if (names.includes(name)) (await load()).register(program);
  return checkValues(program);
}

/**
 * Checks every value given to a command's options and arguments before its action runs (the light
 * program's and the real one's alike):
 * - an empty value (`--out ''`, `--trace ''`, `run ''`) is bad input naming the option: a path
 *   given as '' would mean the current folder (`run --out ''` wrote its journal there), and an
 *   option tested for truthiness would take it as not given (`simulate --trace ''` ran the
 *   default workload);
 * - a value outside an option's choices gets commander's message and the closest choice, as an
 *   unknown option or command does (`--preset spaten`: `(Did you mean spatten?)`).
 */
export function checkValues(program: Command): Command {
  for (const cmd of program.commands) {
    for (const o of cmd.options) if (o.required || o.optional) guardValue(o, o.long ?? o.flags, `${/[<[][^>\]]*[>\]]/.exec(o.flags)?.[0]}: ${o.description}`, false, o.short);
    for (const a of cmd.registeredArguments) guardValue(a, `<${a.name()}>`, a.description, a.variadic);
  }
  return program;
}

/**
 * `target`'s parser, preceded by the empty-value check (`expected`: what the value should be), the
 * check of a short option's value that starts with "=" (`-o=results` gives `-o` the value
 * "=results": commander takes what follows a short flag as its value, and `run` wrote its results
 * into a folder named "=results") and the choices' suggestion.
 */
function guardValue(target: Option | Argument, name: string, expected: string, variadic: boolean, short?: string): void {
  const parse = target.parseArg;
  const choices = target.argChoices;
  const here = expected.startsWith('<dir>') ? '; give . for the current folder' : '';
  target.argParser((v: string, previous: unknown) => {
    if (v === '') throw new InputError(`${name}: the value is empty; expected ${expected}${here}`);
    if (short && v.startsWith('=')) {
      const rest = v.slice(1);
      throw new InputError(`${short}: the value "${v}" starts with "=": a short option's value follows it after a space (${short} ${rest || 'VALUE'}), or write ${name}=${rest || 'VALUE'}`);
    }
    if (choices && !choices.includes(v)) {
      const near = closest(v, choices);
      throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.${near ? `\n(Did you mean ${near}?)` : ''}`);
    }
    if (parse) return parse(v, previous);
    // commander collects a variadic argument's values only when it has no parser
    return variadic ? [...(Array.isArray(previous) && previous !== target.defaultValue ? previous : []), v] : v;
  });
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The surface of a command as its real module declares it (what cli-surface.ts holds). */
export function describeCommand(cmd: Command): CommandSurface {
  return {
    name: cmd.name(),
    description: cmd.description(),
    arguments: cmd.registeredArguments.map((a) =>
      defined({
        name: a.name(),
        description: a.description,
        required: a.required,
        variadic: a.variadic,
        defaultValue: a.defaultValue,
        defaultValueDescription: a.defaultValueDescription,
        choices: a.argChoices,
      }),
    ),
    options: cmd.options.map((o) =>
      defined({
        flags: o.flags,
        description: o.description,
        defaultValue: o.defaultValue,
        defaultValueDescription: o.defaultValueDescription,
        choices: o.argChoices,
        hidden: o.hidden || undefined,
        mandatory: o.mandatory || undefined,
      }),
    ),
  };
}

/**
 * The root with every command declared from `surface` (default CLI_SURFACE) and no command module
 * loaded. A command's action only reports its name to `onCommand`: option values are left as
 * text (the real declaration parses them when the command runs). Unknown options and extra
 * arguments of a command are left to its real declaration too (same messages), so a surface not
 * yet regenerated after a new option only lags in help, never rejects what the command accepts.
 */
export function lightProgram(onCommand: (name: string) => void, surface: readonly CommandSurface[] = CLI_SURFACE): Command {
  const program = rootProgram();
  for (const s of surface) {
    const cmd = program.command(s.name).description(s.description).allowUnknownOption().allowExcessArguments();
    for (const a of s.arguments) {
      const spec = `${a.name}${a.variadic ? '...' : ''}`;
      const arg = new Argument(a.required ? `<${spec}>` : `[${spec}]`, a.description);
      if (a.defaultValue !== undefined || a.defaultValueDescription !== undefined) arg.default(a.defaultValue, a.defaultValueDescription);
      if (a.choices) arg.choices(a.choices);
      cmd.addArgument(arg);
    }
    for (const o of s.options) {
      const opt = new Option(o.flags, o.description);
      if (o.defaultValue !== undefined || o.defaultValueDescription !== undefined) opt.default(o.defaultValue, o.defaultValueDescription);
      if (o.choices) opt.choices(o.choices);
      if (o.hidden) opt.hideHelp();
      if (o.mandatory) opt.makeOptionMandatory();
      cmd.addOption(opt);
    }
    cmd.action(() => onCommand(s.name));
  }
  return checkValues(program);
}

/** The text of dse/cli-surface.ts for `surface` (written by `npm run cli-surface`). */
export function surfaceSource(surface: readonly CommandSurface[]): string {
  return `// Generated by \`npm run cli-surface\` (scripts/cli-surface.ts) from the command modules of
// dse/commands/: what \`--help\` shows of each command, loaded without the modules themselves
// (dse/cli-registry.ts). Do not edit by hand; test/cli-registry.test.ts checks it is current.
import type { CommandSurface } from './cli-registry.ts';

export const CLI_SURFACE: readonly CommandSurface[] = [
${surface.map(commandSource).join(',\n')},
];
`;
}

/** One command of the generated file: its name and description, then an argument or option a line. */
function commandSource(c: CommandSurface): string {
  const list = (xs: readonly object[]) => (xs.length === 0 ? '[]' : `[\n${xs.map((x) => `      ${JSON.stringify(x)},`).join('\n')}\n    ]`);
  return `  {\n    "name": ${JSON.stringify(c.name)},\n    "description": ${JSON.stringify(c.description)},\n    "arguments": ${list(c.arguments)},\n    "options": ${list(c.options)}\n  }`;
}
