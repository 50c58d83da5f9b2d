/**
 * A reader that closes the run's stdout or stderr early (`run … | head -3`, `… 2>&1 | head -3`):
 * the run goes on, writes every output and releases the folder's lock (dse/closed-pipe.ts); and a
 * process that ends by an uncaught exception releases the locks it holds (dse/lock.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

/** Runs the CLI with stdout closed at once and stderr closed after its first line; resolves with the exit code and that line. */
function runClosedEarly(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // `| head -0`: every write to stdout meets a closed pipe
    let first = '';
    child.stderr.on('data', (d: Buffer) => {
      first += d.toString();
      if (first.includes('\n')) child.stderr.destroy(); // `2>&1 | head -1`: the rest of stderr meets a closed pipe
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, first: first.split('\n')[0] }));
  });
}

test('run with stdout and stderr closed by their reader: exit 0, every output written, the lock released; the next run in the folder continues without a takeover', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-pipe-'));
  try {
    const out = path.join(dir, 'D');
    const r = await runClosedEarly(['run', 'spaces/sram-bandwidth.yaml', '--out', out, '--progress', 'lines']);
    assert.equal(r.first, 'sram-bandwidth: starting…', 'the first line was read before stderr was closed');
    assert.deepEqual([r.code, r.signal], [0, null], 'exit code 0 (before: 1, an uncaught EPIPE)');
    assert.equal(existsSync(path.join(out, '.lock')), false, 'the lock is released');
    for (const f of ['points.csv', 'pareto.csv', 'run.json', 'report.html', 'journal.jsonl']) assert.equal(existsSync(path.join(out, f)), true, `${f} written`);
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    assert.equal(run.stopReason, 'completed');
    assert.equal(run.counts.total, 6 * 6 * 4 * 4, 'every point of the 6 × 6 × 4 × 4 grid');
    // the same command again: the folder is free, every point comes from the journal
    const again = spawnSync(process.execPath, [BIN, 'run', 'spaces/sram-bandwidth.yaml', '--out', out, '--progress', 'none', '--no-report'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /stale lock|in use by another run/);
    assert.match(again.stderr, /continuing: 576 evaluations reused from the journal, 0 new/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that holds a folder lock and dies of an uncaught exception leaves no lock behind', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-lock-exit-'));
  try {
    const script = path.join(dir, 'die.ts');
    writeFileSync(script, `import { acquireLock } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dse', 'lock.ts')).href)};\nacquireLock(${JSON.stringify(dir)});\nprocess.stdout.write('held\\n');\nsetTimeout(() => { throw new Error('boom'); }, 0);\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.stdout, 'held\n', r.stderr);
    assert.equal(r.status, 1, 'the uncaught exception ends the process');
    assert.match(r.stderr, /Error: boom/);
    assert.equal(existsSync(path.join(dir, '.lock')), false, 'the lock file is removed on exit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// /dev/full fails every write with ENOSPC: stdout or stderr redirected to a file on a full disk
const noDevFull = existsSync('/dev/full') ? false : 'no /dev/full on this system';

test('stdout on a full disk: simulate --json exits 2 and says its output is incomplete (before: exit 0, nothing written); serve too (before: an uncaught exception)', { skip: noDevFull }, () => {
  const full = openSync('/dev/full', 'w');
  try {
    const sim = spawnSync(process.execPath, [BIN, 'simulate', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', full, 'pipe'] });
    assert.equal(sim.status, 2, sim.stderr);
    assert.equal(sim.stderr, 'error: cannot write to stdout: no space left on the device (ENOSPC); what the command printed there is incomplete\n');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-full-'));
    try {
      const serve = spawnSync(process.execPath, [BIN, 'serve', '--space', 'spaces/sram-bandwidth.yaml', '--stdio', '--out', path.join(dir, 'S')], { cwd: ROOT, encoding: 'utf8', input: '{"op":"space"}\n{"op":"space"}\n', stdio: ['pipe', full, 'pipe'] });
      assert.equal(serve.status, 2, serve.stderr);
      assert.match(serve.stderr, /^error: cannot write to stdout: no space left on the device \(ENOSPC\); what the command printed there is incomplete$/m);
      assert.doesNotMatch(serve.stderr, /\n\s+at |unexpected error/, 'no stack trace');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    closeSync(full);
  }
});

test('stderr on a full disk: the run still writes every output and releases its lock, then exits 2 (before: exit 1 mid-run, no outputs)', { skip: noDevFull }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-full-'));
  const full = openSync('/dev/full', 'w');
  try {
    const out = path.join(dir, 'D');
    const r = spawnSync(process.execPath, [BIN, 'run', 'spaces/sram-bandwidth.yaml', '--out', out, '--progress', 'lines', '--no-report'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', full] });
    assert.equal(r.status, 2);
    assert.equal(existsSync(path.join(out, '.lock')), false, 'the lock is released');
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    assert.equal(run.stopReason, 'completed');
    assert.equal(run.counts.total, 6 * 6 * 4 * 4, 'every point of the 6 × 6 × 4 × 4 grid');
    for (const f of ['points.csv', 'pareto.csv', 'journal.jsonl']) assert.equal(existsSync(path.join(out, f)), true, `${f} written`);
    assert.match(r.stdout, /wrote .*points\.csv/, 'stdout still carries the summary');
  } finally {
    closeSync(full);
    rmSync(dir, { recursive: true, force: true });
  }
});
