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
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

/**
 * A bundled module's path from its first `node_modules/` on (`../node_modules/zod/…`, or
 * `../../work/main/node_modules/zod/…` where node_modules is a symlink esbuild resolved); the
 * project's own paths unchanged.
 */
const fromNodeModules = (p: string): string => p.replace(/^(?:\.\.\/)+(?:[^/]+\/)*?node_modules\//, 'node_modules/');

/**
 * The CLI bundle is one CommonJS file (dse/bundle.ts, whitespace-minified): the modules evaluated
 * on first import sit in wrappers keyed by their path (`"sim/schema.ts"(){…}`), which run when first
 * imported; the light entry's modules are at its top level. Returns the wrapped modules, and a copy
 * of the file that records the path of every wrapper it runs (in globalThis.__evaluated).
 */
function bundleModules(file: string): { wrapped: Set<string>; instrumented: string } {
  const text = fs.readFileSync(file, 'utf8');
  const wrapped = new Set([...text.matchAll(/"([^"]+\.(?:ts|js|mjs|cjs|json))"\([^)]*\)\{/g)].map((m) => fromNodeModules(m[1])));
  assert.ok(wrapped.size > 100, `wrapped modules found: ${wrapped.size}`);
  const hooks: [RegExp, string][] = [
    [/(var __esm=\(fn,res(?:,err)?\)=>function __init\(\)\{)/, '$1if(fn)globalThis.__evaluated.push(__getOwnPropNames(fn)[0]);'],
    [/(var __commonJS=\(cb,mod\)=>function __require\(\)\{)/, '$1if(!mod)globalThis.__evaluated.push(__getOwnPropNames(cb)[0]);'],
  ];
  let instrumented = text;
  for (const [re, by] of hooks) {
    assert.match(instrumented, re, 'esbuild\'s module wrapper helper');
    instrumented = instrumented.replace(re, by);
  }
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-bundle-')), 'cli.cjs');
  fs.writeFileSync(out, instrumented);
  return { wrapped, instrumented: out };
}

/** The source files `main(argv)` of the instrumented bundle `file` evaluates, in a fresh process. */
function evaluatedBy(file: string, argv: string[]): string[] {
  const loader = pathToFileURL(path.join(ROOT, 'bin', 'load-bundle.mjs')).href;
  const script = `globalThis.__evaluated = []; const { loadBundle } = await import(${JSON.stringify(loader)}); const code = await loadBundle(${JSON.stringify(file)}, 'test').exports.main(${JSON.stringify(argv)}); process.stderr.write('EVALUATED ' + JSON.stringify(globalThis.__evaluated) + '\\n'); process.exit(code);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stderr.split('\n').find((l) => l.startsWith('EVALUATED '));
  assert.ok(line, r.stderr);
  return (JSON.parse(line.slice('EVALUATED '.length)) as string[]).map(fromNodeModules);
}

test('from the bundle, --help lists every command, each command --help works, and the entry evaluates no command module, zod or model', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPATTEN_DEBUG: '1' } });
  const help = cli(['--help']);
  assert.equal(help.status, 0, help.stderr);
  const entry = /in-process from (\S+cli\.cjs)/.exec(help.stderr)?.[1];
  assert.ok(entry, help.stderr);
  for (const c of commandFiles()) assert.match(help.stdout, new RegExp(`\\n  ${c} `), `command ${c} listed`);
  for (const c of commandFiles()) {
    const r = cli([c, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: spatten-dse ${c} `));
  }
  assert.equal(cli(['--version']).stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  const { wrapped, instrumented } = bundleModules(entry!);
  try {
    // the command modules, the config schemas, the models, the reports and zod are evaluated only when imported ...
    const heavy = (mods: Iterable<string>) => [...mods].filter((s) => /\/zod\/|^sim\/|^dse\/commands\/|^reports\//.test(s));
    for (const c of commandFiles()) assert.ok(wrapped.has(`dse/commands/${c}.ts`), `dse/commands/${c}.ts evaluated on import`);
    for (const m of ['sim/schema.ts', 'sim/index.ts', 'sim/cycle/sim.ts', 'reports/index.ts']) assert.ok(wrapped.has(m), `${m} evaluated on import`);
    assert.ok([...wrapped].some((m) => m.startsWith('node_modules/zod/')), 'zod evaluated on import');
    assert.ok(!wrapped.has('dse/cli-registry.ts'), 'the registry is at the top level');
    // ... and --help imports none of them
    const forHelp = evaluatedBy(instrumented, ['--help']);
    assert.ok(forHelp.some((s) => s.includes('commander/')), forHelp.join(' '));
    assert.deepEqual(heavy(forHelp), [], 'evaluated by --help');

    // `simulate` evaluates its own module graph: zod (English messages only), the config schemas and the
    // models — not the YAML parser, the sweep's schemas or the drivers
    const sim = evaluatedBy(instrumented, ['simulate', '--trace', 'sim/workload/traces/small.csv', '--fidelity', 'cycle', '--json']);
    for (const s of ['dse/commands/simulate.ts', 'sim/schema.ts', 'sim/cycle/sim.ts', 'dse/params.ts']) assert.ok(sim.includes(s), `${s} in the simulate graph`);
    assert.ok(sim.some((s) => s.endsWith('zod/v4/locales/en.js')), 'zod\'s English messages evaluated');
    const unneeded = sim.filter((s) => /\/yaml\/|^dse\/space\.ts$|^dse\/drivers\/|^dse\/commands\/(?!simulate)|^reports\/|\/zod\/v4\/locales\/(?!en\.js)/.test(s));
    assert.deepEqual(unneeded, []);
    // zod's other languages are not in the bundle at all
    assert.deepEqual([...wrapped].filter((m) => /zod\/v4\/locales\/(?!en\.js)/.test(m)), []);
    assert.ok(wrapped.has('node_modules/zod/v4/locales/en.js'), 'zod\'s English messages bundled');
  } finally {
    fs.rmSync(path.dirname(instrumented), { recursive: true, force: true });
  }
});
