/**
 * A real terminal hang-up: `run` and `serve --stdio` started on the slave side of a pseudo-terminal
 * (Python's pty module: what an SSH session or a terminal window gives a command), whose master side
 * is then closed (the session dropped, the window closed). The kernel sends SIGHUP and the terminal
 * fails every later read, write and tcsetattr with EIO. Both stop as on SIGHUP sent by process.kill
 * (test/faults.test.ts, test/serve-hangup.test.ts) — outputs written, lock released — and exit 143.
 * Before dse/stop.ts `releaseTerminalAtExit`, Node died at exit restoring the hung-up terminal's
 * settings (node::ResetStdio CHECK-fails on EIO): killed by SIGSEGV or SIGABRT, no exit code.
 *
 * Needs python3 with its pty module (PYTHON names another interpreter); without it the tests fail
 * saying so. The `worker` case needs Redis: SPATTEN_TEST_REDIS (default redis://127.0.0.1:6390),
 * skipped without one (failed under CI=true), as test/worker-hangup.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadJournal } from '../dse/journal.ts';
import { parseCsv } from '../reports/csv.ts';
import { redisSuite } from './redis-suite.ts';
import { cycleSweep, smallSweep } from './sweeps.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');
const PYTHON = process.env.PYTHON ?? 'python3';

/**
 * Runs spec.argv on a new pty (its controlling terminal: the command's stdin, stdout and stderr),
 * reads what it writes; waits for `ready` in its output, then writes `send`, waits for `until` in
 * its output and for `journal` to hold `records` lines after its header; then closes the master
 * (with `kill`: sends SIGHUP and reads the terminal until the process exits first) and waits for
 * the process. Prints one JSON line: its exit code or the signal that killed it,
 * what it wrote, or `error`.
 */
const HARNESS = String.raw`
import json, os, pty, re, select, signal, sys, time
spec = json.loads(sys.argv[1])
pid, master = pty.fork()
if pid == 0:
    os.chdir(spec['cwd'])
    os.execve(spec['argv'][0], spec['argv'], dict(os.environ, **spec['env']))
out = b''
def done(**r):
    r['out'] = out.decode(errors='replace')
    print(json.dumps(r))
    sys.exit(0)
def stop(what):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    done(error=what)
def lines(p):
    try:
        with open(p, 'rb') as f:
            return f.read().count(b'\n')
    except OSError:
        return 0
def wait(cond, what):
    global out
    t0 = time.time()
    while not cond():
        if time.time() - t0 > spec['timeout']:
            stop('timed out waiting for ' + what)
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b''
            if not data:
                stop('the process closed its terminal (exited?) before ' + what)
            out += data
if spec.get('ready'):
    wait(lambda: re.search(spec['ready'], out.decode(errors='replace')), repr(spec['ready']))
if spec.get('send'):
    os.write(master, spec['send'].encode())
if spec.get('until'):
    wait(lambda: re.search(spec['until'], out.decode(errors='replace')), repr(spec['until']))
if spec.get('journal'):
    wait(lambda: lines(spec['journal']) > spec['records'], str(spec['records']) + ' records in ' + spec['journal'])
if spec.get('kill'):
    # SIGHUP sent by kill, the terminal still open: read what it shows until the process exits
    os.kill(pid, signal.SIGHUP)
    t0 = time.time()
    while time.time() - t0 < spec['timeout']:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if not data:
            break
        out += data
os.close(master)  # the hang-up
t0 = time.time()
while True:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        break
    if time.time() - t0 > spec['timeout']:
        stop('the process did not exit after the hang-up')
    time.sleep(0.05)
done(code=os.WEXITSTATUS(st) if os.WIFEXITED(st) else None, signal=os.WTERMSIG(st) if os.WIFSIGNALED(st) else None)
`;

interface Spec {
  argv: string[];
  ready?: string;
  send?: string;
  until?: string;
  journal?: string;
  records?: number;
  kill?: boolean;
  env?: Record<string, string>;
}
interface Outcome {
  code?: number | null;
  signal?: number | null;
  out: string;
  error?: string;
}

/** Python with its pty module, or a failure saying what is missing (never a skip). */
function needPython(): void {
  const r = spawnSync(PYTHON, ['-c', 'import os, pty, select; os.openpty()'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `this test needs ${PYTHON} with its pty module (set PYTHON to another interpreter): ${r.error?.message ?? r.stderr}`);
}

/** Runs the harness (asynchronously: the test's own event loop stays free). */
function onPty(spec: Spec): Promise<Outcome> {
  const full = { cwd: ROOT, timeout: 120, ...spec, env: { FORCE_COLOR: '0', ...spec.env } };
  const py = spawn(PYTHON, ['-c', HARNESS, JSON.stringify(full)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  py.stdout.on('data', (d) => (out += d));
  py.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    py.on('exit', (code) => {
      try {
        resolve(JSON.parse(out) as Outcome);
      } catch {
        reject(new Error(`the pty harness failed (exit ${code}): ${err || out}`));
      }
    }),
  );
}

// 240 cycle-model points of a GPT-2-Medium generation (992 + 64; ~40 ms each on one core of the dev
// machine): still running when the terminal closes after 20 of them
const CYCLE = cycleSweep('pty-hangup', { genTokens: 64, headKeep: '0.25, 0.5, 0.75, 1.0' });

const SERVE = smallSweep('pty-serve');

function setup(text: string): { dir: string; space: string; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-pty-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, text);
  return { dir, space, out: path.join(dir, 'out') };
}

const rowsOf = (file: string) => parseCsv(fs.readFileSync(file, 'utf8')).length - 1;

// the CLI bundle run in the launcher's process, and the sources run through tsx in its child
// (SPATTEN_CLI_BUNDLE=0), the launcher forwarding the signal: both processes hold the terminal
for (const sources of [false, true]) {
  test(`run${sources ? ' from the sources (SPATTEN_CLI_BUNDLE=0)' : ''} on a terminal that hangs up mid-run: the evaluations in flight finish, every output is written, the lock released, exit 143 (not killed at exit)`, { timeout: 300_000 }, async () => {
    needPython();
    const { dir, space, out } = setup(CYCLE);
    try {
      const journal = path.join(out, 'journal.jsonl');
      // the progress the terminal shows by default: as a user runs it
      const r = await onPty({ argv: [process.execPath, BIN, 'run', space, '--out', out, '--jobs', '1', '--no-report'], journal, records: 20, env: sources ? { SPATTEN_CLI_BUNDLE: '0' } : {} });
      assert.equal(r.error, undefined, `${r.error}: ${r.out}`);
      assert.deepEqual({ code: r.code, signal: r.signal }, { code: 143, signal: null }, `exit 143, not killed by signal ${r.signal} (what the terminal showed: ${r.out})`);
      const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
      assert.equal(run.stopReason, 'terminated');
      assert.equal(run.stopDetail, 'SIGHUP received');
      const n = rowsOf(path.join(out, 'points.csv'));
      assert.equal(n, run.counts.total, 'points.csv holds every point of run.json');
      assert.ok(n >= 20 && n < 240, `${n} points written: those done when the terminal closed, and those in flight`);
      assert.ok(rowsOf(path.join(out, 'pareto.csv')) >= 1, 'pareto.csv written');
      assert.equal(loadJournal(journal).records.length, n, 'every written point journaled, and every journaled one written');
      assert.ok(!fs.existsSync(path.join(out, '.lock')), 'lock released');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('serve --stdio on a terminal (its stdin) that hangs up: the journal closed, the lock released, exit 143 (not killed at exit)', { timeout: 180_000 }, async () => {
  needPython();
  const { dir, space, out } = setup(SERVE);
  try {
    const r = await onPty({
      argv: [process.execPath, BIN, 'serve', '--stdio', '--space', space, '--out', out],
      ready: 'journal in ',
      send: JSON.stringify({ op: 'evaluate', params: { 'hw.dramChannels': 8 } }) + '\n',
      until: '"ok":true',
    });
    assert.equal(r.error, undefined, `${r.error}: ${r.out}`);
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: 143, signal: null }, `exit 143, not killed by signal ${r.signal} (what the terminal showed: ${r.out})`);
    assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the lock released, the journal kept');
    assert.equal(loadJournal(path.join(out, 'journal.jsonl')).records.length, 1, 'the evaluation journaled');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('run sent SIGHUP by kill, its terminal still open: the summary shows on the terminal, exit 143', { timeout: 300_000 }, async () => {
  needPython();
  const { dir, space, out } = setup(CYCLE);
  try {
    const r = await onPty({ argv: [process.execPath, BIN, 'run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report'], journal: path.join(out, 'journal.jsonl'), records: 20, kill: true });
    assert.equal(r.error, undefined, `${r.error}: ${r.out}`);
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: 143, signal: null }, `exit 143 (what the terminal showed: ${r.out})`);
    // the run's last lines reached the terminal: /dev/null takes its place only at the exit
    assert.match(r.out, /hangup \(the terminal closed\): finishing the evaluations in flight/);
    assert.match(r.out, /— stopped: terminated \(SIGHUP received\)/);
    assert.match(r.out, /wrote .*points\.csv, .*pareto\.csv, .*run\.json\r?\n$/);
    assert.ok(!fs.existsSync(path.join(out, '.lock')), 'lock released');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const { REDIS, NS, skip: noRedis } = await redisSuite('the worker pty hang-up test', 'test-pty');

test('worker on a terminal that hangs up: it stops and exits 143 (not killed at exit)', { timeout: 120_000, skip: noRedis }, async () => {
  needPython();
  // a namespace no run uses: the worker waits, holding no job (its jobs' hand-in is test/worker-hangup.test.ts's)
  const r = await onPty({ argv: [process.execPath, BIN, 'worker', '--queue', REDIS, '--namespace', NS, '--concurrency', '1'], ready: 'waiting for runs' });
  assert.equal(r.error, undefined, `${r.error}: ${r.out}`);
  assert.deepEqual({ code: r.code, signal: r.signal }, { code: 143, signal: null }, `exit 143, not killed by signal ${r.signal} (what the terminal showed: ${r.out})`);
});
