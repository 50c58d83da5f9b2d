/**
 * `run` into a results folder it cannot write at its start (a read-only folder: EACCES, EROFS; a
 * full disk: ENOSPC), on the folder, its lock file or its journal: one message worded as serve's
 * start-up failures (dse/run-checks.ts `notStarted`), what failed and why, that nothing was
 * written, what to do; exit 2; nothing left in the folder (a folder or journal the run created is
 * removed, the lock released). The folder's real mode 0o500 (as the user nobody when the tests run
 * as root, for whom the mode is no bar), and failures injected into fs.accessSync, fs.mkdirSync,
 * fs.openSync and fs.writeSync (mock.method, as test/serve-disk-full.test.ts does for serve).
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { runSpace } from '../dse/run.ts';
import { InputError } from '../dse/errors.ts';
import { FIX, inject, REASON, type Code, type FaultMethod } from './fs-faults.ts';
import { smallSweep } from './sweeps.ts';

const ROOT = path.join(import.meta.dirname, '..');

const SPACE = smallSweep('run-start-failures');

/** The three lines of run's refusal: what failed and why, that nothing was written, what to do. */
const notStarted = (what: string, reason: string, fix: string, kept = '') =>
  `cannot ${what}: ${reason}\n` + `nothing was written: the run stopped before evaluating any point${kept}\n` + `${fix}, then the same command runs (or give --out another folder)`;


const SETPRIV = '/usr/bin/setpriv';

function tmpSpace(prefix: string): { dir: string; space: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE, { mode: 0o644 });
  return { dir, space };
}

test('run: a results folder it cannot write (mode 0o500), or one it cannot create in it, is refused as serve refuses it: what, why, nothing written, the fix (exit 2, nothing written)', (t) => {
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !fs.existsSync(SETPRIV)) return t.skip('running as root without setpriv: the mode is no bar to root (the injected failures below cover the wording)');
  const { dir, space } = tmpSpace('sdse-run-readonly-');
  try {
    const out = path.join(dir, 'out');
    fs.mkdirSync(out, { mode: 0o500 });
    fs.chmodSync(out, 0o500);
    const cli = (o: string) => [process.execPath, '--import', 'tsx', path.join(ROOT, 'dse', 'cli.ts'), 'run', space, '--out', o, '--progress', 'none', '--no-report'];
    const run = (o: string) => {
      // as root, the user nobody (65534): the mode binds it as it binds any user but root
      const [cmd, ...args] = asRoot ? [SETPRIV, '--reuid=65534', '--regid=65534', '--clear-groups', ...cli(o)] : cli(o);
      return spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    };
    const r = run(out);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '', 'no summary');
    assert.equal(r.stderr, `error: ${notStarted(`write in the results folder ${out}`, 'permission denied (EACCES)', FIX.EACCES)}\n`);
    assert.deepEqual(fs.readdirSync(out), [], 'nothing written');
    // a folder to create under a folder it cannot write in: the folder the system refused is named
    fs.chmodSync(dir, 0o555);
    const sub = path.join(dir, 'new', 'sub');
    const r2 = run(sub);
    assert.equal(r2.status, 2, r2.stderr);
    assert.equal(r2.stderr, `error: ${notStarted(`create the results folder ${sub}`, `permission denied (EACCES) on ${dir}`, FIX.EACCES)}\n`);
    assert.ok(!fs.existsSync(path.join(dir, 'new')), 'no folder created');
  } finally {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});


const CASES: { name: string; code: Code; method: FaultMethod; outExists: boolean; hit: (name: string, flags: unknown) => boolean; what: (out: string) => string }[] = [
  { name: 'checking the folder', code: 'EROFS', method: 'accessSync', outExists: true, hit: (n) => n === 'out', what: (out) => `write in the results folder ${out}` },
  { name: 'creating the folder', code: 'ENOSPC', method: 'mkdirSync', outExists: false, hit: (n) => n === 'out', what: (out) => `create the results folder ${out}` },
  { name: 'creating the lock file', code: 'EROFS', method: 'openSync', outExists: true, hit: (n, f) => n === '.lock' && f === 'wx', what: (out) => `create the lock file ${path.join(out, '.lock')}` },
  { name: 'creating the lock file', code: 'EACCES', method: 'openSync', outExists: true, hit: (n, f) => n === '.lock' && f === 'wx', what: (out) => `create the lock file ${path.join(out, '.lock')}` },
  { name: 'writing the lock file', code: 'ENOSPC', method: 'writeSync', outExists: false, hit: (n) => n === '.lock', what: (out) => `create the lock file ${path.join(out, '.lock')}` },
  { name: 'creating the journal', code: 'EACCES', method: 'openSync', outExists: true, hit: (n, f) => n === 'journal.jsonl' && f === 'w+', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
  { name: 'creating the journal', code: 'EROFS', method: 'openSync', outExists: false, hit: (n, f) => n === 'journal.jsonl' && f === 'w+', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
  { name: "writing the journal's header", code: 'ENOSPC', method: 'writeSync', outExists: false, hit: (n) => n === 'journal.jsonl', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
];

for (const c of CASES) {
  test(`run: ${c.code} ${c.name} at the start: what failed and why, nothing written, "${FIX[c.code]}" (exit 2); the folder as it was`, async () => {
    const { dir, space } = tmpSpace(`sdse-run-start-${c.code}-`);
    const out = path.join(dir, 'out');
    if (c.outExists) fs.mkdirSync(out);
    const fault = inject(c.method, c.code, c.hit);
    try {
      await assert.rejects(runSpace({ spaceFile: space, outDir: out, progress: 'none', report: false, log: () => {} }), (e: Error & { exitCode?: number }) => {
        assert.ok(e instanceof InputError, `an InputError: ${e.stack}`);
        assert.equal(e.exitCode, 2);
        assert.equal(e.message, notStarted(c.what(out), `${REASON[c.code]} (${c.code})`, FIX[c.code]));
        return true;
      });
      assert.ok(fault.mock.calls.some((call) => call.error !== undefined), 'the injected failure was reached');
    } finally {
      fault.mock.restore();
    }
    if (c.outExists) assert.deepEqual(fs.readdirSync(out), [], 'nothing written: no journal, no lock');
    else assert.ok(!fs.existsSync(out), `the folder the run created is removed: ${fs.existsSync(out) ? fs.readdirSync(out).join(', ') : ''}`);
    // fixed: the same command runs
    const r = await runSpace({ spaceFile: space, outDir: out, progress: 'none', report: false, log: () => {} });
    assert.equal(r.run.counts.total, 3, 'the 3 points of the grid');
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test("run: a results folder's journal it cannot open (EACCES) is refused the same way, saying the journal is as it was; the outputs too", async () => {
  const { dir, space } = tmpSpace('sdse-run-start-open-');
  const out = path.join(dir, 'out');
  await runSpace({ spaceFile: space, outDir: out, progress: 'none', report: false, log: () => {} });
  const digest = () => Object.fromEntries(fs.readdirSync(out).sort().map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(out, f))).digest('hex')]));
  const before = digest();
  const journal = path.join(out, 'journal.jsonl');
  const fault = inject('openSync', 'EACCES', (n, f) => n === 'journal.jsonl' && f === 'r+');
  try {
    await assert.rejects(runSpace({ spaceFile: space, outDir: out, progress: 'none', report: false, log: () => {} }), (e: Error & { exitCode?: number }) => {
      assert.ok(e instanceof InputError, `an InputError: ${e.stack}`);
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, notStarted(`open the journal ${journal}`, 'permission denied (EACCES)', FIX.EACCES, ` (${journal} is as it was)`));
      return true;
    });
    assert.ok(fault.mock.calls.some((call) => call.error !== undefined), 'the injected failure was reached');
  } finally {
    fault.mock.restore();
  }
  assert.deepEqual(digest(), before, 'the journal and the outputs byte for byte, no lock left');
  fs.rmSync(dir, { recursive: true, force: true });
});
