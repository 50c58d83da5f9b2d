/**
 * The flags bundle workers start with (dse/worker-argv.ts): the parent's, without tsx's loader and
 * without the V8 and per-process flags Node refuses in a Worker's execArgv — a run started as
 * `node --max-old-space-size=… bin/spatten-dse.js run …` runs its pool instead of stopping at it.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { refusedFlags, workerExecArgv } from '../dse/worker-argv.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

test('refusedFlags reads the flags from the error Node throws for a refused execArgv', () => {
  let error: unknown;
  try {
    new Worker('', { eval: true, execArgv: ['--enable-source-maps', '--max-old-space-size=512', '--expose-gc'] }).terminate();
  } catch (e) {
    error = e;
  }
  assert.equal((error as { code?: string } | undefined)?.code, 'ERR_WORKER_INVALID_EXEC_ARGV', 'Node 20 refuses V8 flags in a worker');
  assert.deepEqual(refusedFlags(error).sort(), ['--expose-gc', '--max-old-space-size=512']);
  assert.deepEqual(refusedFlags(new Error('x: y')), [], 'another error names no flag');
});

test('workerExecArgv keeps the flags a worker accepts, in order, and drops tsx and the refused ones', () => {
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  assert.deepEqual(
    workerExecArgv(['--enable-source-maps', '--import', tsx, '--max-old-space-size=512', '--stack-size=900', '--trace-warnings']),
    ['--enable-source-maps', '--trace-warnings'],
  );
  assert.deepEqual(workerExecArgv(['--trace-warnings', '--enable-source-maps']), ['--trace-warnings', '--enable-source-maps']);
  assert.deepEqual(workerExecArgv([]), []);
});

test('node --max-old-space-size=… --stack-size=… bin/spatten-dse.js run … --jobs 2 runs its pool and writes every point', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-argv-'));
  try {
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(
      space,
      'name: wa\nworkload: { model: gpt2-small, stage: generation, seqLen: 64, genTokens: 4 }\nfidelity: cycle\n' +
        'objectives:\n  - { metric: latency_s, goal: min }\n  - { metric: energy_j, goal: min }\n' +
        'parameters:\n  hw.dramChannels: [4, 8]\n  hw.qkMultipliers: [128, 256]\nsearch: { driver: grid }\n',
    );
    const out = path.join(dir, 'out');
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=1024', '--stack-size=1200', path.join(ROOT, 'bin', 'spatten-dse.js'), 'run', space, '--jobs', '2', '--out', out, '--progress', 'none', '--no-report'],
      { encoding: 'utf8', cwd: ROOT },
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = fs.readFileSync(path.join(out, 'points.csv'), 'utf8').trim().split('\n');
    assert.equal(rows.length, 1 + 4, 'a header and the grid\'s 4 points');
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { counts: { ok: number }; options: { jobs: number } };
    assert.equal(run.counts.ok, 4);
    assert.equal(run.options.jobs, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
