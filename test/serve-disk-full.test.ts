/**
 * `serve` on a full disk: an evaluation whose journal line cannot be written is answered with an
 * error naming the journal, the OS reason and that the result was not recorded, and saying what to
 * do; the service goes on, and after space is freed the same request evaluates and is journaled.
 * ENOSPC is injected into the writes to journal.jsonl (fs.writeSync, as the kernel returns it for
 * a full disk), as test/outputs-disk-full.test.ts does for a run. A journal that cannot take the
 * dense model's outcome at start-up (a constraint relative to it) stops the service before it
 * answers, worded as a run's journal failure: the file and why, what was not kept, what to do.
 * A folder, lock or journal it cannot create at start-up (a read-only folder: EACCES, EROFS; a full
 * disk, also for the journal's header) stops it before it answers, worded as a run's start
 * (dse/run-checks.ts `notStarted`: what failed and why, nothing written, what to do), and leaves
 * the folder as it was (no empty journal, no lock, no folder it created): the folder's real mode
 * 0o500 (as another user when the tests run as root, for whom the mode is no bar), and the failures
 * test/run-start-failures.test.ts injects into a run's start.
 */
import { test, mock } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Service } from '../dse/serve.ts';
import { loadJournal } from '../dse/journal.ts';
import { InputError } from '../dse/errors.ts';
import { FIX, inject, REASON, type Code, type FaultMethod } from './fs-faults.ts';
import { denseSpace, smallSweep } from './sweeps.ts';

const SPACE = smallSweep('serve-disk-full');

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/** Every write to journal.jsonl fails with ENOSPC while the returned mock is on. */
function journalDiskFull() {
  const real = fs.writeSync;
  return mock.method(fs, 'writeSync', function (this: unknown, fd: number, ...rest: unknown[]) {
    if (path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)) === 'journal.jsonl') throw enospc();
    return (real as (...a: unknown[]) => number).call(fs, fd, ...rest);
  } as typeof fs.writeSync);
}

test('serve: a journal that cannot be written (ENOSPC) answers that evaluation with what failed, that it was not recorded and what to do; the service goes on', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-enospc-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  const out = path.join(dir, 'out');
  const journal = path.join(out, 'journal.jsonl');
  const logged: string[] = [];
  const service = new Service({ spaceFile: space, outDir: out, log: (l) => logged.push(l) });
  try {
    await service.ready;
    const full = journalDiskFull();
    const line = JSON.stringify({ op: 'evaluate', rid: 7, params: { 'hw.dramChannels': 8 } });
    let r;
    try {
      r = await service.handle(line);
    } finally {
      full.mock.restore();
    }
    assert.deepEqual(r, {
      ok: false,
      op: 'evaluate',
      rid: 7,
      error:
        `cannot write the journal ${journal}: no space left on the device (ENOSPC); this evaluation was not recorded, and its result is not given: ` +
        'the journal holds every earlier evaluation up to its last complete line; after freeing space, send the request again (the service goes on)',
    });
    assert.ok(!logged.some((l) => l.includes('internal error') || l.includes('    at ')), `no stack logged for a full disk: ${logged.join('\n')}`);
    const before = loadJournal(journal);
    assert.equal(before.records.length, 0, 'nothing journaled for the refused evaluation');
    // space freed: the same request evaluates and is journaled
    const again = await service.handle(line);
    assert.equal(again.ok, true, JSON.stringify(again));
    assert.equal((again as Record<string, unknown>).cached, false);
    assert.equal(loadJournal(journal).records.length, 1, 'the evaluation is journaled once the disk has space');
    // an asked trial whose evaluation was not recorded stays asked: the same request evaluates it once the disk has space
    const asked = await service.handle(JSON.stringify({ op: 'ask', n: 1 }));
    const id = ((asked as Record<string, unknown>).trials as { id: number }[])[0].id;
    const byId = JSON.stringify({ op: 'evaluate', id });
    const full2 = journalDiskFull();
    let refused;
    try {
      refused = await service.handle(byId);
    } finally {
      full2.mock.restore();
    }
    assert.equal(refused.ok, false, JSON.stringify(refused));
    assert.match((refused as { error: string }).error, /^cannot write the journal .*\(ENOSPC\); this evaluation was not recorded/);
    const evaluated = await service.handle(byId);
    assert.equal(evaluated.ok, true, JSON.stringify(evaluated));
    assert.equal((evaluated as Record<string, unknown>).id, id);
    assert.equal(loadJournal(journal).records.length, 2, 'the asked trial is journaled once the disk has space');
  } finally {
    await service.close();
  }
});

/** A space whose constraint is relative to the dense model: serve runs the dense model at start-up and journals its outcome. */
const DENSE_SPACE = denseSpace('serve-dense-full', 32, '0.5');

for (const [code, meaning, once] of [
  ['ENOSPC', 'no space left on the device', 'after freeing space'],
  ['EROFS', 'read-only file system', 'once that is fixed'],
] as const) {
  test(`serve: a journal that cannot be written (${code}) when the dense model's outcome is journaled at start-up stops the service (exit 2) naming the file, why, what was not kept and what to do`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sdse-serve-dense-${code}-`));
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, DENSE_SPACE);
    const out = path.join(dir, 'out');
    const journal = path.join(out, 'journal.jsonl');
    // the journal's header is written; its next write, the dense model's outcome, fails
    const real = fs.writeSync as (...a: unknown[]) => number;
    let writes = 0;
    const full = mock.method(fs, 'writeSync', function (this: unknown, fd: number, ...rest: unknown[]) {
      if (path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)) === 'journal.jsonl' && writes++ > 0) throw Object.assign(new Error(`${code}: write`), { code, syscall: 'write' });
      return real.call(fs, fd, ...rest);
    } as typeof fs.writeSync);
    const service = new Service({ spaceFile: space, outDir: out, log: () => {} });
    try {
      await assert.rejects(service.ready, (e: Error & { exitCode?: number }) => {
        assert.ok(e instanceof InputError, `an InputError: ${e.stack}`);
        assert.equal(e.exitCode, 2);
        assert.equal(
          e.message,
          `cannot write the journal ${journal}: ${meaning} (${code})\n` +
            "the dense model's outcome (the reference of the constraints relative to it) was not recorded: the journal holds every earlier evaluation up to its last complete line\n" +
            `the service stopped before answering any request; ${once}, the same command runs the dense model again and starts serving`,
        );
        return true;
      });
      assert.equal(writes, 2, "the header, then the dense model's outcome");
    } finally {
      full.mock.restore();
      await service.close();
    }
    assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the journal (its header), nothing else');
    assert.equal(loadJournal(journal).records.length, 0, "the dense model's outcome was not kept");
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** The three lines of serve's refusal at start-up, worded as run's (dse/run-checks.ts `notStarted`): what failed and why, that nothing was written, what to do. */
const notStarted = (what: string, reason: string, fix: string, kept = '') =>
  `cannot ${what}: ${reason}\n` + `nothing was written: the service stopped before answering any request${kept}\n` + `${fix}, then the same command starts serving (or give --out another folder)`;


/** `new Service(…)` on `space` and `out` is refused at start-up: an InputError, exit 2, with `message`. */
function refusedAtStart(space: string, out: string, message: string): void {
  assert.throws(
    () => new Service({ spaceFile: space, outDir: out, log: () => {} }),
    (e: Error & { exitCode?: number }) => {
      assert.ok(e instanceof InputError, `an InputError: ${e.stack}`);
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, message);
      return true;
    },
  );
}

const SETPRIV = '/usr/bin/setpriv';

test('serve: a results folder it cannot write (mode 0o500) stops it before it answers, worded as run words it (exit 2, nothing written)', (t) => {
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !fs.existsSync(SETPRIV)) return t.skip('running as root without setpriv: the mode is no bar to root (the injected failures below cover the wording)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-readonly-'));
  try {
    fs.chmodSync(dir, 0o755);
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, SPACE, { mode: 0o644 });
    const out = path.join(dir, 'out');
    fs.mkdirSync(out, { mode: 0o500 });
    fs.chmodSync(out, 0o500);
    const cli = [process.execPath, '--import', 'tsx', path.join(import.meta.dirname, '..', 'dse', 'cli.ts'), 'serve', '--space', space, '--out', out];
    // as root, the user nobody (65534): the mode binds it as it binds any user but root
    const [cmd, ...args] = asRoot ? [SETPRIV, '--reuid=65534', '--regid=65534', '--clear-groups', ...cli] : cli;
    const r = spawnSync(cmd, args, { cwd: path.join(import.meta.dirname, '..'), input: '{"op":"space"}\n', encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '', 'no request answered');
    assert.equal(r.stderr, `error: ${notStarted(`write in the results folder ${out}`, 'permission denied (EACCES)', FIX.EACCES)}\n`);
    assert.deepEqual(fs.readdirSync(out), [], 'nothing written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});


// the same failures as test/run-start-failures.test.ts injects into a run's start
const CASES: { name: string; code: Code; method: FaultMethod; outExists: boolean; hit: (name: string, flags: unknown) => boolean; what: (out: string) => string }[] = [
  { name: 'checking the folder', code: 'EROFS', method: 'accessSync', outExists: true, hit: (n) => n === 'out', what: (out) => `write in the results folder ${out}` },
  { name: 'creating the folder', code: 'ENOSPC', method: 'mkdirSync', outExists: false, hit: (n) => n === 'out', what: (out) => `create the results folder ${out}` },
  { name: 'creating the lock file', code: 'EROFS', method: 'openSync', outExists: true, hit: (n, f) => n === '.lock' && f === 'wx', what: (out) => `create the lock file ${path.join(out, '.lock')}` },
  { name: 'writing the lock file', code: 'ENOSPC', method: 'writeSync', outExists: true, hit: (n) => n === '.lock', what: (out) => `create the lock file ${path.join(out, '.lock')}` },
  { name: 'creating the journal', code: 'EACCES', method: 'openSync', outExists: true, hit: (n, f) => n === 'journal.jsonl' && f === 'w+', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
  { name: 'creating the journal', code: 'EROFS', method: 'openSync', outExists: false, hit: (n, f) => n === 'journal.jsonl' && f === 'w+', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
  { name: "writing the journal's header", code: 'ENOSPC', method: 'writeSync', outExists: false, hit: (n) => n === 'journal.jsonl', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
  { name: "writing the journal's header", code: 'ENOSPC', method: 'writeSync', outExists: true, hit: (n) => n === 'journal.jsonl', what: (out) => `create the journal ${path.join(out, 'journal.jsonl')}` },
];

for (const c of CASES) {
  test(`serve: ${c.code} ${c.name} at start-up (the folder ${c.outExists ? 'empty' : 'missing'}): what failed and why, nothing written, "${FIX[c.code]}" (exit 2); the folder as it was, then the same start serves`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sdse-serve-start-${c.code}-`));
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, SPACE);
    const out = path.join(dir, 'out');
    const journal = path.join(out, 'journal.jsonl');
    if (c.outExists) fs.mkdirSync(out);
    const fault = inject(c.method, c.code, c.hit);
    try {
      refusedAtStart(space, out, notStarted(c.what(out), `${REASON[c.code]} (${c.code})`, FIX[c.code]));
      assert.ok(fault.mock.calls.some((call) => call.error !== undefined), 'the injected failure was reached');
    } finally {
      fault.mock.restore();
    }
    // an empty journal left behind would be a journal without the header a run checks; an empty lock would hold up the next start for 2 s
    if (c.outExists) assert.deepEqual(fs.readdirSync(out), [], 'nothing written: no journal, no lock');
    else assert.ok(!fs.existsSync(out), `the folder the start created is removed: ${fs.existsSync(out) ? fs.readdirSync(out).join(', ') : ''}`);
    // fixed: the same start serves and journals
    const service = new Service({ spaceFile: space, outDir: out, log: () => {} });
    try {
      await service.ready;
      const r = await service.handle(JSON.stringify({ op: 'evaluate', params: { 'hw.dramChannels': 8 } }));
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(loadJournal(journal).records.length, 1, 'journaled once the folder is writable');
    } finally {
      await service.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("serve: a results folder's journal it cannot open at start-up (EACCES) is refused the same way, saying the journal is as it was", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-start-open-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  const out = path.join(dir, 'out');
  const journal = path.join(out, 'journal.jsonl');
  const first = new Service({ spaceFile: space, outDir: out, log: () => {} });
  try {
    await first.ready;
    assert.equal((await first.handle(JSON.stringify({ op: 'evaluate', params: { 'hw.dramChannels': 8 } }))).ok, true);
  } finally {
    await first.close();
  }
  const before = fs.readFileSync(journal);
  const fault = inject('openSync', 'EACCES', (n, f) => n === 'journal.jsonl' && f === 'r+');
  try {
    refusedAtStart(space, out, notStarted(`open the journal ${journal}`, 'permission denied (EACCES)', FIX.EACCES, ` (${journal} is as it was)`));
    assert.ok(fault.mock.calls.some((call) => call.error !== undefined), 'the injected failure was reached');
  } finally {
    fault.mock.restore();
  }
  assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'no lock left');
  assert.deepEqual(fs.readFileSync(journal), before, 'the journal byte for byte');
  fs.rmSync(dir, { recursive: true, force: true });
});
