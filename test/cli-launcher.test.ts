/**
 * The launcher (bin/spatten-dse.js): the CLI runs from the compiled bundle in the launcher's own
 * process; the tsx fallback runs it in a child that follows the launcher's signals and dies with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');
const TRACE = 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPATTEN_DEBUG: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Pids whose parent is `pid` (Linux /proc). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Running (a zombie waiting to be reaped counts as dead). */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** A cycle-model sweep long enough (hundreds of points) to be signalled while it runs. */
function longSpace(): { dir: string; space: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-launch-'));
  const space = path.join(dir, 'long.yaml');
  fs.writeFileSync(
    space,
    `name: long
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 8 }
model: cycle
objectives: [{ metric: latency_s, goal: min }, { metric: energy_j, goal: min }]
parameters:
  hw.dramChannels: [2, 4, 6, 8, 12, 16, 24, 32]
  hw.topkParallelism: [1, 2, 4, 8, 16, 32]
  hw.qkMultipliers: [128, 256, 512, 1024]
  algo.tokenKeep: [0.3, 0.6, 1.0]
search: { driver: grid }
`,
  );
  return { dir, space };
}

/** Waits (bounded) until cond() holds; returns whether it did. */
async function until(cond: () => boolean, ms = 20000): Promise<boolean> {
  for (let t = 0; t < ms; t += 50) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

test('from the bundle: in-process, every dse/commands module registered, same output as the tsx path', () => {
  const help = cli(['--help']);
  assert.equal(help.code, 0, help.err);
  assert.match(help.err, /in-process from .*cli\.cjs/);
  const commands = fs.readdirSync(path.join(ROOT, 'dse', 'commands')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
  assert.ok(commands.length >= 5, 'commands.length >= 5');
  for (const c of commands) assert.match(help.out, new RegExp(`\\n  ${c} `), `command ${c} listed`);
  const a = cli(['simulate', '--trace', TRACE, '--model', 'cycle', '--json']);
  const b = cli(['simulate', '--trace', TRACE, '--model', 'cycle', '--json'], { SPATTEN_CLI_BUNDLE: '0' });
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /tsx child process/);
  assert.equal(a.out, b.out);
  // the same cycle count as the golden fixture of this command (test/fixtures/golden/)
  const golden = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/golden/simulate-summary-gpt2-small-wikitext2-per8-cycle.json'), 'utf8'));
  assert.equal(JSON.parse(a.out).cycles, golden.cycles);
  // bad input keeps its exit code through the launcher
  assert.equal(cli(['simulate', '--seq-len', 'x']).code, 2);
});

test('code cache: written per command after exit 0 and used by the next process (same output); a damaged one is refused and rewritten; import() of ES modules works from cached code', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-code-cache-'));
  try {
    const env = { SPATTEN_CACHE_DIR: cache };
    const sim = ['simulate', '--trace', 'sim/workload/traces/small.csv', '--model', 'cycle', '--json'];
    const a = cli(sim, env); // builds the bundle; no cache yet
    assert.equal(a.code, 0, a.err);
    const bundle = /in-process from (.*cli\.cjs)/.exec(a.err)?.[1];
    assert.ok(bundle, a.err);
    assert.doesNotMatch(a.err, /code cache/);
    const cacheFile = `${bundle}.simulate.v8cache`;
    assert.ok(fs.statSync(cacheFile).size > 100_000, 'the simulate cache written');
    const b = cli(sim, env);
    assert.match(b.err, /\(code cache\)/);
    assert.equal(b.out, a.out);
    // a command that fails writes none
    assert.equal(cli(['reproduce', 'fig99'], env).code, 2);
    assert.equal(fs.existsSync(`${bundle}.reproduce.v8cache`), false, 'no cache after exit 2');
    // garbage of the same size: V8 refuses it, the command runs from the source and writes a good one
    const garbage = Buffer.alloc(fs.statSync(cacheFile).size, 0x5a);
    fs.writeFileSync(cacheFile, garbage);
    const c = cli(sim, env);
    assert.equal(c.code, 0, c.err);
    assert.doesNotMatch(c.err, /code cache/);
    assert.equal(c.out, a.out);
    assert.notDeepEqual(fs.readFileSync(cacheFile), garbage, 'the cache rewritten');
    assert.match(cli(sim, env).err, /\(code cache\)/);
    // Node flags change V8's: such a process keeps a cache of its own, the plain one untouched
    const plain = fs.readFileSync(cacheFile);
    const withFlags = () => spawnSync(process.execPath, ['--max-old-space-size=512', BIN, ...sim], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPATTEN_DEBUG: '1', ...env } });
    const f1 = withFlags();
    assert.equal(f1.status, 0, f1.stderr);
    assert.equal(f1.stdout, a.out);
    assert.doesNotMatch(f1.stderr, /code cache/);
    assert.match(withFlags().stderr, /\(code cache\)/);
    assert.deepEqual(fs.readFileSync(cacheFile), plain, 'the plain cache untouched');
    assert.equal(fs.readdirSync(path.dirname(bundle)).filter((f) => /^cli\.cjs\.simulate-[0-9a-f]{8}\.v8cache$/.test(f)).length, 1, 'one cache for the flags');
    // a sweep in this process: the worker bundle and vega are ES modules (core/import-esm.ts), loaded from cached code the second time
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-code-cache-run-'));
    try {
      const space = path.join(dir, 's.yaml');
      fs.writeFileSync(space, 'name: s\nworkload: { model: bert-base, stage: summarization, seqLen: 128 }\nobjectives: [{ metric: latency_s, goal: min }, { metric: energy_j, goal: min }]\nparameters:\n  hw.dramChannels: [4, 8]\nsearch: { driver: grid }\n');
      for (const [i, cached] of [[1, false], [2, true]] as const) {
        const r = cli(['run', space, '--out', path.join(dir, `out${i}`), '--jobs', '1'], env);
        assert.equal(r.code, 0, r.err);
        assert.equal(/\(code cache\)/.test(r.err), cached, r.err);
        assert.match(fs.readFileSync(path.join(dir, `out${i}`, 'report.html'), 'utf8'), /<svg/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('in-process: a running sweep has no child process and marks its bundle in use; SIGINT to the launcher pid stops it with its outputs (exit 130), the mark gone', { skip: !fs.existsSync('/proc/self/stat') && 'needs Linux /proc' }, async () => {
  const { dir, space } = longSpace();
  const out = path.join(dir, 'out');
  const p = spawn(process.execPath, [BIN, 'run', space, '--out', out, '--progress', 'lines', '--jobs', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPATTEN_DEBUG: '1' } });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  try {
    assert.ok(await until(() => fs.existsSync(path.join(out, 'journal.jsonl')) && fs.statSync(path.join(out, 'journal.jsonl')).size > 0), `the run started: ${err}`);
    assert.deepEqual(children(p.pid!), [], 'no child process');
    const bundle = /in-process from (.*)\n/.exec(err)?.[1];
    assert.ok(bundle, `ran from the bundle: ${err}`);
    const marker = path.join(path.dirname(bundle), `.in-use-${p.pid}`);
    assert.ok(fs.existsSync(marker), 'the bundle is marked in use by the running process (dse/bundle.ts prune leaves it)');
    process.kill(p.pid!, 'SIGINT');
    const code = await new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    assert.equal(code, 130, err);
    assert.ok(fs.existsSync(path.join(out, 'points.csv')), 'outputs written');
    assert.ok(!fs.existsSync(marker), 'the mark is removed at exit');
  } finally {
    if (alive(p.pid!)) p.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tsx fallback: SIGINT to the launcher alone reaches the CLI once (exit 130); kill -9 of the launcher leaves no orphan', { skip: !fs.existsSync('/proc/self/stat') && 'needs Linux /proc' }, async () => {
  const env = { ...process.env, SPATTEN_CLI_BUNDLE: '0' };
  for (const mode of ['SIGINT', 'SIGKILL'] as const) {
    const { dir, space } = longSpace();
    const out = path.join(dir, 'out');
    const p = spawn(process.execPath, [BIN, 'run', space, '--out', out, '--progress', 'lines', '--jobs', '1'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    let child = 0;
    try {
      assert.ok(await until(() => fs.existsSync(path.join(out, 'journal.jsonl')) && fs.statSync(path.join(out, 'journal.jsonl')).size > 0), `the run started: ${err}`);
      const kids = children(p.pid!);
      assert.equal(kids.length, 1, 'one CLI child');
      child = kids[0];
      const exited = new Promise<[number | null, string | null]>((r) => p.on('exit', (c, s) => r([c, s])));
      process.kill(p.pid!, mode);
      const [code, sig] = await exited;
      if (mode === 'SIGINT') {
        assert.equal(code, 130, err);
        assert.doesNotMatch(err, /abandoning/, 'one interrupt, not two');
        assert.ok(fs.existsSync(path.join(out, 'points.csv')), 'outputs written');
      } else assert.equal(sig, 'SIGKILL');
      assert.ok(await until(() => !alive(child)), `CLI child ${child} still running after its launcher died (${mode})`);
    } finally {
      if (alive(p.pid!)) p.kill('SIGKILL');
      if (child && alive(child)) process.kill(child, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
