/**
 * The cache folder (dse/cache-dir.ts, and its copy in the launcher bin/spatten-dse.js):
 * SPATTEN_CACHE_DIR overrides it for the bundles, the manifest and the profile cache; a project
 * folder that cannot be written falls back to the user's cache folder (mode 0o700), where the
 * CLI still runs in-process from its bundle (packages resolve through the bundle's link), not
 * through tsx; the launcher and the TypeScript rule pick the same folder.
 *
 * The end-to-end cases run a copy of the project in a temporary folder (its sources, and a
 * node_modules of links to this one's packages), so that its node_modules/.cache can be made a
 * file (mkdir fails there, even for root) and nothing touches the cache folder checkouts share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectCacheDir, resolveCacheDir, userCacheDir } from '../dse/cache-dir.ts';
import { cliManifestFile } from '../dse/bundle.ts';
import { profileCacheFile } from '../dse/profile-cache.ts';

const ROOT = path.join(import.meta.dirname, '..');
const TRACE = path.join(ROOT, 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv');
const golden = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/golden/simulate-summary-gpt2-small-wikitext2-per8-cycle.json'), 'utf8'));

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `spatten-${name}-`));
const mode = (dir: string) => fs.statSync(dir).mode & 0o777;

/**
 * A copy of the project under `dir`: bin/ and the bundled source folders copied, node_modules a
 * folder of links to this checkout's packages, with `.cache` an empty folder or (`blocked`) a file.
 */
function tempProject(dir: string, blocked: boolean): string {
  const root = path.join(dir, 'project');
  for (const d of ['bin', 'core', 'dse', 'sim', 'reports']) fs.cpSync(path.join(ROOT, d), path.join(root, d), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  const modules = path.join(root, 'node_modules');
  fs.mkdirSync(modules);
  for (const n of fs.readdirSync(path.join(ROOT, 'node_modules'))) if (!n.startsWith('.')) fs.symlinkSync(path.join(ROOT, 'node_modules', n), path.join(modules, n));
  if (blocked) fs.writeFileSync(path.join(modules, '.cache'), 'not a folder');
  else fs.mkdirSync(path.join(modules, '.cache'));
  return root;
}

/** The launcher of the project at `root` with SPATTEN_DEBUG=1 and only `env` of the cache settings. */
function launch(root: string, args: string[], env: Record<string, string>) {
  const base = { ...process.env };
  for (const k of ['SPATTEN_CACHE_DIR', 'XDG_CACHE_HOME', 'SPATTEN_CLI_BUNDLE', 'SPATTEN_WORKER_BUNDLE', 'SPATTEN_PROFILE_CACHE']) delete base[k];
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'spatten-dse.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...base, SPATTEN_DEBUG: '1', ...env } });
  const folder = /^spatten-dse: cache folder (.*)$/m.exec(r.stderr)?.[1];
  return { code: r.status, out: r.stdout, err: r.stderr, folder };
}

test('resolveCacheDir: SPATTEN_CACHE_DIR, else the project folder, else the user cache folder (0o700), never /tmp', () => {
  const dir = tmp('cache-rule');
  try {
    const open = tempProject(path.join(dir, 'a'), false);
    const blocked = tempProject(path.join(dir, 'b'), true);
    const home = path.join(dir, 'home');
    // the project's folder when it can be written
    assert.equal(resolveCacheDir(open, { HOME: home }), path.join(open, 'node_modules', '.cache', 'spatten-dse'));
    assert.ok(fs.statSync(projectCacheDir(open)).isDirectory(), 'the project folder is created');
    // SPATTEN_CACHE_DIR wins, relative to the working directory, created 0o700
    const mine = path.join(dir, 'mine', 'cache');
    assert.equal(resolveCacheDir(open, { HOME: home, SPATTEN_CACHE_DIR: mine }), mine);
    assert.equal(mode(mine), 0o700);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(resolveCacheDir(open, { SPATTEN_CACHE_DIR: 'rel/c' }), path.join(dir, 'rel', 'c'));
    } finally {
      process.chdir(cwd);
    }
    // node_modules/.cache is a file: mkdir fails, the user's folder is used
    assert.equal(resolveCacheDir(blocked, { HOME: home }), path.join(home, '.cache', 'spatten-dse'));
    assert.equal(mode(path.join(home, '.cache', 'spatten-dse')), 0o700);
    assert.equal(mode(path.join(home, '.cache')), 0o700, 'parents it creates are private too');
    const xdg = path.join(dir, 'xdg');
    assert.equal(resolveCacheDir(blocked, { HOME: home, XDG_CACHE_HOME: xdg }), path.join(xdg, 'spatten-dse'));
    assert.equal(mode(path.join(xdg, 'spatten-dse')), 0o700);
    // a relative XDG_CACHE_HOME is not a valid one (XDG spec): ~/.cache
    assert.equal(userCacheDir({ HOME: home, XDG_CACHE_HOME: 'rel' }), path.join(home, '.cache', 'spatten-dse'));
    for (const env of [{ HOME: home }, { HOME: home, XDG_CACHE_HOME: xdg }]) assert.ok(!resolveCacheDir(blocked, env).startsWith(path.join(os.tmpdir(), 'spatten-dse')), 'not a shared temporary folder');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the launcher picks the same cache folder as resolveCacheDir in every case', () => {
  const dir = tmp('cache-agree');
  try {
    const open = tempProject(path.join(dir, 'a'), false);
    const blocked = tempProject(path.join(dir, 'b'), true);
    const home = path.join(dir, 'home');
    const cases: [string, Record<string, string>][] = [
      [open, { HOME: home }],
      [open, { HOME: home, SPATTEN_CACHE_DIR: path.join(dir, 'set') }],
      [blocked, { HOME: home }],
      [blocked, { HOME: home, XDG_CACHE_HOME: path.join(dir, 'xdg') }],
      [blocked, { HOME: home, XDG_CACHE_HOME: 'relative' }],
      [blocked, { HOME: home, SPATTEN_CACHE_DIR: path.join(dir, 'set2') }],
    ];
    for (const [root, env] of cases) {
      // the sources through tsx: the folder is printed before the path is chosen, no bundle is built
      const r = launch(root, ['--version'], { ...env, SPATTEN_CLI_BUNDLE: '0' });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.folder, resolveCacheDir(root, env), `${root} ${JSON.stringify(env)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SPATTEN_CACHE_DIR: the CLI bundle, its manifest, the worker bundle and the profile cache go there, nothing under node_modules/.cache', () => {
  const dir = tmp('cache-set');
  try {
    const root = tempProject(dir, false);
    const cache = path.join(dir, 'my-cache');
    const env = { SPATTEN_CACHE_DIR: cache, HOME: path.join(dir, 'home') };
    const sim = launch(root, ['simulate', '--trace', TRACE, '--model', 'cycle', '--json'], env);
    assert.equal(sim.code, 0, sim.err);
    assert.equal(sim.folder, cache);
    assert.equal(JSON.parse(sim.out).cycles, golden.cycles);
    const bundle = /in-process from (.*)\n/.exec(sim.err)?.[1];
    assert.ok(bundle && path.dirname(path.dirname(bundle)) === cache, `the CLI ran in-process from a bundle in ${cache}: ${sim.err}`);
    assert.ok(fs.existsSync(cliManifestFile(cache, root)), 'the manifest is there');
    assert.ok(fs.existsSync(profileCacheFile(cache)!), 'the profile cache is there');
    // the bundle folder links the project's packages (it is outside node_modules)
    assert.equal(fs.readlinkSync(path.join(path.dirname(bundle), 'node_modules')), path.join(root, 'node_modules'));
    // a parallel run: its workers start from the worker bundle, built in the same folder
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, 'name: tiny\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 2 }\nmodel: cycle\nobjectives: [{ metric: latency_s, goal: min }]\nparameters:\n  hw.dramChannels: [4, 8]\nsearch: { driver: grid }\n');
    const run = launch(root, ['run', space, '--out', path.join(dir, 'out'), '--jobs', '2', '--progress', 'none'], env);
    assert.equal(run.code, 0, run.err);
    assert.equal(fs.readdirSync(cache).filter((n) => n.startsWith('worker-')).length, 1, `one worker bundle in ${cache}: ${fs.readdirSync(cache)}`);
    const points = fs.readFileSync(path.join(dir, 'out', 'points.csv'), 'utf8').trim().split('\n');
    assert.equal(points.length, 3, 'a header and both points');
    // a second start finds the bundle fresh (no rebuild) and still writes nothing in the project
    const again = launch(root, ['--help'], env);
    assert.equal(again.code, 0, again.err);
    assert.ok(again.err.includes(`in-process from ${bundle}`), again.err);
    assert.deepEqual(fs.readdirSync(path.join(root, 'node_modules', '.cache')), [], 'nothing under node_modules/.cache');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('node_modules/.cache not writable: the user cache folder (0o700), the CLI in-process from its bundle there, not through tsx', () => {
  const dir = tmp('cache-fallback');
  try {
    const root = tempProject(dir, true);
    const home = path.join(dir, 'home');
    const user = path.join(home, '.cache', 'spatten-dse');
    const sim = launch(root, ['simulate', '--trace', TRACE, '--model', 'cycle', '--json'], { HOME: home });
    assert.equal(sim.code, 0, sim.err);
    assert.equal(sim.folder, user);
    assert.match(sim.err, new RegExp(`in-process from ${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/cli-[0-9a-f]+/cli\\.cjs`));
    assert.doesNotMatch(sim.err, /tsx child process/);
    assert.equal(JSON.parse(sim.out).cycles, golden.cycles);
    assert.equal(mode(user), 0o700);
    assert.ok(fs.existsSync(cliManifestFile(user, root)), 'the manifest is in the user folder');
    assert.ok(fs.existsSync(profileCacheFile(user)!), 'the profile cache is in the user folder');
    const bundleDir = path.dirname(/in-process from (.*)\n/.exec(sim.err)![1]);
    assert.equal(fs.readlinkSync(path.join(bundleDir, 'node_modules')), path.join(root, 'node_modules'), 'its packages resolve through the link');
    assert.equal(fs.readFileSync(path.join(root, 'node_modules', '.cache'), 'utf8'), 'not a folder');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache folder that cannot be made (SPATTEN_CACHE_DIR names a file): the sources run through tsx, the command still works', () => {
  const dir = tmp('cache-file');
  try {
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const r = launch(ROOT, ['--version'], { SPATTEN_CACHE_DIR: file });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.folder, file);
    assert.match(r.err, /tsx child process/);
    assert.equal(r.out.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    assert.equal(fs.readFileSync(file, 'utf8'), 'x', 'the file is left as it was');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
