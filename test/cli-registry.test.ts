/**
 * The light command registry (dse/cli-registry.ts, dse/cli-surface.ts) against the real command
 * modules (dse/commands/): the same commands in the same order, the same arguments and options,
 * the same help text; `--help`, `--version` and every `<command> --help` answered from the bundle
 * without loading zod, the models or any command module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { COMMANDS, describeCommand, lightProgram, realProgram, surfaceSource } from '../dse/cli-registry.ts';
import { CLI_SURFACE } from '../dse/cli-surface.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

const commandFiles = () =>
  fs
    .readdirSync(path.join(ROOT, 'dse', 'commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

/** Help text as a 100-column terminal shows it (commander wraps to the terminal width). */
function helpOf(cmd: Command): string {
  cmd.configureOutput({ getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });
  return cmd.helpInformation();
}

test('the registry lists every command module of dse/commands/, and each module registers that one command', async () => {
  assert.deepEqual(Object.keys(COMMANDS).slice().sort(), commandFiles());
  assert.deepEqual(
    CLI_SURFACE.map((c) => c.name),
    Object.keys(COMMANDS),
  );
  for (const [name, load] of Object.entries(COMMANDS)) {
    const program = await realProgram([]);
    (await load()).register(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      [name],
      `dse/commands/${name}.ts registers "${name}"`,
    );
  }
});

test('dse/cli-surface.ts is what the command modules declare (else: npm run cli-surface)', async () => {
  const real = await realProgram();
  const surface = real.commands.map(describeCommand);
  assert.deepEqual(CLI_SURFACE, surface, 'dse/cli-surface.ts is out of date: run `npm run cli-surface`');
  assert.equal(fs.readFileSync(path.join(ROOT, 'dse', 'cli-surface.ts'), 'utf8'), surfaceSource(surface));
  // every option of every command is in the surface (a command with options has them all listed)
  const options = surface.reduce((n, c) => n + c.options.length, 0);
  assert.ok(options >= 60, `${options} options`);
  assert.ok(surface.find((c) => c.name === 'simulate')!.options.some((o) => o.flags === '-m, --model <name>' && o.hidden === true), 'surface.find((c) => c.name === \'simulate\')!.options.some((o) => o.flags === \'-m, --model <name>\' …');
});

test('the light program shows the same help as the real one, for the root and every command', async () => {
  const real = await realProgram();
  const light = lightProgram(() => {});
  assert.equal(helpOf(light), helpOf(real));
  assert.equal(light.commands.length, real.commands.length);
  for (const r of real.commands) {
    const l = light.commands.find((c) => c.name() === r.name());
    assert.ok(l, `light command ${r.name()}`);
    assert.equal(helpOf(l), helpOf(r), `help of ${r.name()}`);
  }
});

test('the light program catches missing arguments, mandatory options and bad choices, leaves unknown options to the command module, and names the command to run', async () => {
  const parse = async (argv: string[]) => {
    let chosen: string | undefined;
    const p = lightProgram((n) => (chosen = n));
    let err = '';
    p.configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
    for (const c of p.commands) c.configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
    try {
      await p.parseAsync(argv, { from: 'user' });
      return { chosen, err, code: 'ok' };
    } catch (e) {
      return { chosen, err, code: (e as { code?: string }).code };
    }
  };
  assert.deepEqual(await parse(['simulate', '--trace', 'x.csv', '--fidelity', 'cycle', '--json']), { chosen: 'simulate', err: '', code: 'ok' });
  assert.equal((await parse(['report', 'a', 'b', '--interactive'])).chosen, 'report');
  const bad = await parse(['simulate', '--fidelity', 'rtl']);
  assert.equal(bad.chosen, undefined);
  assert.equal(bad.code, 'commander.invalidArgument');
  assert.match(bad.err, /Allowed choices are analytical, cycle/);
  // unknown options and extra arguments are the real declaration's to reject (a surface not yet
  // regenerated after a new option must not refuse it)
  assert.deepEqual(await parse(['simulate', '--bogus', 'x']), { chosen: 'simulate', err: '', code: 'ok' });
  const real = await realProgram(['simulate']);
  let realErr = '';
  real.configureOutput({ writeErr: (s) => (realErr += s) });
  real.commands[0].configureOutput({ writeErr: (s) => (realErr += s) });
  await assert.rejects(real.parseAsync(['simulate', '--bogus'], { from: 'user' }), { code: 'commander.unknownOption' });
  assert.match(realErr, /unknown option '--bogus'/);
  assert.equal((await parse(['run'])).code, 'commander.missingArgument');
  assert.equal((await parse(['accuracy'])).code, 'commander.missingMandatoryOptionValue');
  assert.equal((await parse(['simulate', '--help'])).code, 'commander.helpDisplayed');
});

/** Source files in the static import graph of the bundle file `file` (esbuild's `// path` comments). */
function staticSources(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  const out = new Set([...text.matchAll(/^\/\/ (\S+\.(?:ts|js|mjs|cjs|json))$/gm)].map((m) => m[1]));
  for (const m of text.matchAll(/^import\s+(?:[^'";]*?\s+from\s+)?"(\.\/[^"]+)";?$/gm)) for (const s of staticSources(path.join(path.dirname(file), m[1]), seen)) out.add(s);
  return out;
}

test('from the bundle, --help lists every command, each command --help works, and the entry loads no command module, zod or model', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPATTEN_DEBUG: '1' } });
  const help = cli(['--help']);
  assert.equal(help.status, 0, help.stderr);
  const entry = /in-process from (\S+cli\.mjs)/.exec(help.stderr)?.[1];
  assert.ok(entry, help.stderr);
  for (const c of commandFiles()) assert.match(help.stdout, new RegExp(`\\n  ${c} `), `command ${c} listed`);
  for (const c of commandFiles()) {
    const r = cli([c, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: spatten-dse ${c} `));
  }
  assert.equal(cli(['--version']).stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  const loaded = [...staticSources(entry!)];
  assert.ok(loaded.some((s) => s.includes('commander/')) && loaded.includes('dse/cli-registry.ts'), loaded.join(' '));
  const heavy = loaded.filter((s) => /\/zod\/|^sim\/|^dse\/commands\/|^reports\//.test(s));
  assert.deepEqual(heavy, [], `statically loaded by ${path.basename(fileURLToPath(new URL(`file://${entry}`)))}`);

  // `simulate` loads its own module graph: zod (English messages only), the config schemas and the
  // models — not the YAML parser, the sweep's schemas or the drivers
  const dir = path.dirname(entry!);
  const chunk = fs.readdirSync(dir).find((f) => /^simulate-[A-Z0-9]+\.mjs$/.test(f));
  assert.ok(chunk, 'a chunk of its own for dse/commands/simulate.ts');
  const sim = [...staticSources(path.join(dir, chunk))];
  for (const s of ['dse/commands/simulate.ts', 'sim/schema.ts', 'sim/cycle/sim.ts', 'dse/params.ts']) assert.ok(sim.includes(s), `${s} in the simulate graph`);
  assert.ok(sim.some((s) => s.endsWith('zod/v4/locales/en.js')), 'sim.some((s) => s.endsWith(\'zod/v4/locales/en.js\'))');
  const unneeded = sim.filter((s) => /\/yaml\/|^dse\/space\.ts$|^dse\/drivers\/|^dse\/commands\/(?!simulate)|^reports\/|\/zod\/v4\/locales\/(?!en\.js)/.test(s));
  assert.deepEqual(unneeded, []);
});
