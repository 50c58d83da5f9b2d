/**
 * Fault injection with real processes, as a user's shell or a scheduler would do it: SIGTERM of a
 * running sweep, kill -9 of a sweep and a rerun without --resume, another space on the same
 * folder (an --out folder refused, the default folder moved aside), and a --time-limit stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadJournal } from '../dse/journal.ts';
import { parseCsv } from '../reports/csv.ts';
import { cycleSweep } from './sweeps.ts';
import { waitFor } from './wait.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

// the 120-point cycle sweep (test/sweeps.ts): long enough to be stopped mid-run
const CYCLE = cycleSweep('faults');

function setup(text = CYCLE): { dir: string; space: string; out: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-faults-'));
  const space = path.join(dir, 'faults.yaml');
  writeFileSync(space, text);
  return { dir, space, out: path.join(dir, 'out') };
}

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
  return { child, done };
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Waits until the journal holds at least n evaluations. */
async function journaled(file: string, n: number, timeoutMs = 120_000): Promise<number> {
  const count = () => (existsSync(file) ? loadJournal(file).records.length : 0);
  if (!(await waitFor(() => count() >= n, timeoutMs))) throw new Error(`journal ${file}: ${count()} < ${n} evaluations after ${timeoutMs} ms`);
  return count();
}

const rowsOf = (file: string) => parseCsv(readFileSync(file, 'utf8')).length - 1;
const runArgs = (space: string, out: string, ...extra: string[]) => ['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report', ...extra];

test('SIGTERM: the evaluations in flight finish, every output is written for what is done, exit 143', { timeout: 180_000 }, async () => {
  const { space, out } = setup();
  const { child, done } = start(runArgs(space, out));
  await journaled(path.join(out, 'journal.jsonl'), 20);
  child.kill('SIGTERM'); // the launcher's pid, as `kill PID` would
  const r = await done;
  assert.equal(r.code, 143, r.err);
  assert.match(r.err, /terminate: finishing the evaluations in flight/);
  assert.match(r.out, /— stopped: terminated \(SIGTERM received\)/);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.stopReason, 'terminated');
  const n = rowsOf(path.join(out, 'points.csv'));
  assert.equal(n, run.counts.total);
  assert.ok(n >= 20 && n < 120, `${n} points written`);
  // every written point is journaled (nothing finished is lost)
  assert.ok(loadJournal(path.join(out, 'journal.jsonl')).records.length >= n, 'loadJournal(path.join(out, \'journal.jsonl\')).records.length >= n');
  assert.ok(!existsSync(path.join(out, '.lock')), 'lock released');
});

test('SIGHUP (the terminal closed): as SIGTERM — the evaluations in flight finish, every output is written, the lock released, exit 143', { timeout: 180_000 }, async () => {
  const { space, out } = setup();
  const { child, done } = start(runArgs(space, out));
  await journaled(path.join(out, 'journal.jsonl'), 20);
  child.kill('SIGHUP'); // what a dropped SSH session sends (before: the default action, no outputs, the lock left)
  const r = await done;
  assert.equal(r.signal, null, 'exited, not killed by the signal');
  assert.equal(r.code, 143, r.err);
  assert.match(r.err, /hangup \(the terminal closed\): finishing the evaluations in flight/);
  assert.match(r.out, /— stopped: terminated \(SIGHUP received\)/);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.stopReason, 'terminated');
  const n = rowsOf(path.join(out, 'points.csv'));
  assert.equal(n, run.counts.total);
  assert.ok(n >= 20 && n < 120, `${n} points written`);
  assert.ok(!existsSync(path.join(out, '.lock')), 'lock released');
});

test('kill -9 mid-run, then the same command without --resume: journal intact, nothing finished re-evaluated', { timeout: 120_000 }, async () => {
  const { space, out } = setup();
  const journal = path.join(out, 'journal.jsonl');
  const { child, done } = start(runArgs(space, out));
  await journaled(journal, 30);
  process.kill(-child.pid!, 'SIGKILL'); // the whole process group: launcher and CLI
  await done;
  await new Promise((r) => setTimeout(r, 200));
  const before = loadJournal(journal);
  const prefix = readFileSync(journal).subarray(0, before.validBytes);
  assert.ok(before.records.length >= 30, 'before.records.length >= 30');
  const r = cli(runArgs(space, out));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`continuing: ${before.records.length} finished evaluations`));
  assert.match(r.err, /took over the stale lock/);
  const after = loadJournal(journal);
  // the old records are untouched (a byte-identical prefix), each point evaluated exactly once
  assert.deepEqual(readFileSync(journal).subarray(0, before.validBytes), prefix);
  assert.equal(after.records.length, 120);
  assert.equal(new Set(after.records.map((x) => x.key)).size, 120);
  assert.equal(rowsOf(path.join(out, 'points.csv')), 120);
  // and it equals an uninterrupted run
  const ref = setup();
  assert.equal(cli(runArgs(ref.space, ref.out)).code, 0);
  assert.equal(readFileSync(path.join(out, 'points.csv'), 'utf8'), readFileSync(path.join(ref.out, 'points.csv'), 'utf8'));
});

test('default folder of another space version or model version: the old run is moved aside, not refused; refused while its lock is live or with --resume', { timeout: 120_000 }, () => {
  const TINY = CYCLE.replace('model: cycle\n', '').replace('name: faults', 'name: tiny');
  const { dir, space } = setup(TINY);
  const inDir = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    return { code: r.status, err: r.stderr };
  };
  const args = ['run', space, '--progress', 'none', '--no-report'];
  assert.equal(inDir(args).code, 0);
  const folder = path.join(dir, 'results', 'tiny');
  const journal = readFileSync(path.join(folder, 'journal.jsonl'));
  const started = loadJournal(path.join(folder, 'journal.jsonl')).header!.createdAt;
  writeFileSync(space, TINY.replace('seqLen: 992', 'seqLen: 512')); // same name, another space version
  // a live run holding the folder's lock (this test's own pid): refused, nothing moved
  writeFileSync(path.join(folder, '.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: started }) + '\n');
  const held = inDir(args);
  assert.equal(held.code, 2, held.err);
  assert.match(held.err, new RegExp(`results/tiny: .*another version of space "tiny".*and process pid ${process.pid} on .* is writing there`));
  assert.deepEqual(readdirSync(path.join(dir, 'results')), ['tiny']);
  unlinkSync(path.join(folder, '.lock'));
  // --resume asks to continue that journal: refused as with --out
  const resume = inDir([...args, '--resume']);
  assert.equal(resume.code, 2, resume.err);
  assert.match(resume.err, /rerun with --fresh to discard it and start over, or choose another --out folder/);
  // otherwise the old run moves to results/tiny.<its start time> and the new one starts over
  const r = inDir(args);
  assert.equal(r.code, 0, r.err);
  const moved = path.join(dir, 'results', `tiny.${started.slice(0, 19).replace(/:/g, '-')}`);
  assert.match(r.err, new RegExp(`note: .*another version of space "tiny".*; moved that run to results/tiny\\.${started.slice(0, 10)}T[-0-9]{8} and starting over in results/tiny`));
  assert.doesNotMatch(r.err, /earlier runs are kept/, 'one run moved aside: no count');
  assert.deepEqual(readFileSync(path.join(moved, 'journal.jsonl')), journal);
  assert.ok(existsSync(path.join(moved, 'points.csv')), 'existsSync(path.join(moved, \'points.csv\'))');
  const now = loadJournal(path.join(folder, 'journal.jsonl'));
  assert.notEqual(now.header?.space, loadJournal(path.join(moved, 'journal.jsonl')).header?.space);
  assert.equal(now.records.length, 120);
  assert.equal(rowsOf(path.join(folder, 'points.csv')), 120);
  // a journal of another model version (the sources changed since: `npm start` after an update)
  const file = path.join(folder, 'journal.jsonl');
  const [head, ...rest] = readFileSync(file, 'utf8').split('\n');
  const old = JSON.parse(head);
  writeFileSync(file, [JSON.stringify({ ...old, modelVersion: 'src-0000000000000000', createdAt: '2026-01-02T03:04:05.000Z' }), ...rest].join('\n'));
  const u = inDir(args);
  assert.equal(u.code, 0, u.err);
  assert.match(u.err, /note: results\/tiny\/journal\.jsonl was written by another model version \(src-0000000000000000; the models are now src-[0-9a-f]+\): none of its evaluations would be reused; moved that run to results\/tiny\.2026-01-02T03-04-05 and starting over in results\/tiny \(2 earlier runs are kept as results\/tiny\.<time they started>: remove those you no longer need\)/);
  assert.ok(existsSync(path.join(dir, 'results', 'tiny.2026-01-02T03-04-05', 'points.csv')), 'existsSync(path.join(dir, \'results\', \'tiny.2026-01-02T03-04-05\', \'points.csv\'))');
  assert.equal(loadJournal(file).records.length, 120);
  assert.deepEqual(readdirSync(path.join(dir, 'results')).sort(), ['tiny', 'tiny.2026-01-02T03-04-05', path.basename(moved)].sort());
});

test('another space on the same folder: exit 2 naming --fresh and --out, journal untouched; --fresh starts over', { timeout: 120_000 }, () => {
  const TINY = CYCLE.replace('model: cycle\n', '').replace('name: faults', 'name: tiny');
  const { dir, space, out } = setup(TINY);
  assert.equal(cli(runArgs(space, out)).code, 0);
  const journal = readFileSync(path.join(out, 'journal.jsonl'));
  const other = path.join(dir, 'other.yaml');
  writeFileSync(other, TINY.replace('name: tiny', 'name: other').replace('seqLen: 992', 'seqLen: 512'));
  const r = cli(runArgs(other, out));
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /holds the evaluations of space "tiny" .*not of "other"; rerun with --fresh to discard it and start over, or choose another --out folder/);
  assert.deepEqual(readFileSync(path.join(out, 'journal.jsonl')), journal);
  assert.ok(!existsSync(path.join(out, '.lock')), '!existsSync(path.join(out, \'.lock\'))');
  const f = cli(runArgs(other, out, '--fresh'));
  assert.equal(f.code, 0, f.err);
  const l = loadJournal(path.join(out, 'journal.jsonl'));
  assert.equal(l.header?.name, 'other');
  assert.equal(l.records.length, 120);
});

test('--time-limit: the stop reason is in the summary, run.json and the report; exit 0', { timeout: 120_000 }, () => {
  // 9,600 cycle-model points (3·5·20·4·8; ≈ 20 s on one core of the dev machine, where 960 took 2.1 s: too few
  // once the model got faster): a 2 s limit stops the run whatever the machine
  const grid = CYCLE.replace('algo.tokenKeep: [0.3, 0.5, 0.7, 1.0]', 'algo.tokenKeep: [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0]')
    .replace('algo.headKeep: [0.5, 1.0]', 'algo.headKeep: [0.25, 0.5, 0.75, 1.0]');
  const { space, out } = setup(grid.replace('search: { driver: grid }', '  hw.fetcherPorts: [8, 16, 32, 64, 128, 256, 512, 1024]\nsearch: { driver: grid }'));
  const r = cli(['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--time-limit', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /— stopped: time-limit \(2 s reached after \d+ of 9600 points\)/);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.stopReason, 'time-limit');
  assert.ok(run.counts.total < 9600, `${run.counts.total} points`);
  assert.equal(run.options.timeLimit, 2);
  assert.equal(rowsOf(path.join(out, 'points.csv')), run.counts.total);
  assert.match(readFileSync(path.join(out, 'report.html'), 'utf8'), /time-limit \(2 s reached after \d+ of 9600 points\)/);
});
