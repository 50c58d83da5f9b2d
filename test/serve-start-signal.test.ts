/**
 * `serve` signalled during its start-up — the dense model's run that resolves the constraints
 * relative to it (dse/serve.ts, dse/steps/dense.ts), seconds before it answers — as a real process
 * started by the launcher (bin/spatten-dse.js): it handles SIGINT, SIGTERM and SIGHUP from the
 * moment it holds the folder's lock, as it does once serving: the journal closed, the lock
 * released, exit 0 (SIGINT, SIGTERM) or 143 (SIGHUP) — dse/stop.ts `serviceExitCode`. Its handlers
 * were installed only once the dense model's outcome was in: the signal's default action killed
 * the process (no exit code) and left `.lock` in the folder.
 *
 * The signal is sent when serve says the dense model runs (600 of spam-bert's emails: ~1 s of
 * model loading, then ~4 s of forward pass here), or 2 s later, with stdin left open as a client's
 * pipe is. Where it lands decides what the folder keeps, and both are checked: during the loading
 * the run is abandoned at once and journals nothing, and the journal and folder serve created are
 * removed (as a run's are: dse/steps/dense.ts `denseInterrupted`); the forward pass holds serve's
 * thread, which sees the signal when it ends: the journal holds its outcome, complete lines only,
 * and serve stops before it serves. Either way the next start on the folder answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadJournal } from '../dse/journal.ts';
import { waitFor } from './wait.ts';
import { denseSpace } from './sweeps.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

const SPACE = denseSpace('serve-start-signal', 600, '0.5, 1.0');

/** What serve says as its dense model starts (dse/serve.ts), and once it answers (dse/commands/serve.ts). */
const RUNNING = /serve: running the dense model \(spam-bert, 600 examples\) for the constraints relative to it/;
const SERVING = /journal in /;
/** What it says once the dense model's outcome is in (dse/dense-reference.ts `resolutionLine`). */
const RESOLVED = /accuracy >= dense - 0\.05: dense [\d.]+% \(600 examples\) → accuracy >= /;

function startServe(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, err: () => err, exit };
}

/** The lines of a journal, each parsed (a torn or unreadable line fails the test). */
function journalLines(file: string): Record<string, unknown>[] {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), `the journal ends with a complete line: ${JSON.stringify(text.slice(-80))}`);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The signal, how serve answers, its exit code, and when the signal is sent: ms after serve says the dense model runs. */
const CASES = [
  ['SIGINT', 'stdio', 0, 0],
  ['SIGTERM', 'port', 0, 0],
  ['SIGHUP', 'stdio', 143, 0],
  // the model loaded (~1.1 s after the message here), its forward pass holding serve's thread (~4 s)
  ['SIGTERM', 'stdio', 0, 2000],
] as const;

for (const [sig, mode, code, after] of CASES) {
  const when = after === 0 ? 'as the dense model starts' : `${after / 1000} s into the dense model's run`;
  test(`serve (${mode === 'stdio' ? 'stdin/stdout' : '--port'}): ${sig} ${when} at start-up exits ${code}, the journal closed and the lock released; the next start answers`, { timeout: 180_000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-start-'));
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, SPACE);
    const out = path.join(dir, 'out');
    const journal = path.join(out, 'journal.jsonl');
    const s = startServe(['--space', space, '--out', out, ...(mode === 'port' ? ['--port', '0'] : [])]);
    const again = { child: undefined as ReturnType<typeof startServe>['child'] | undefined };
    try {
      assert.ok(await waitFor(() => RUNNING.test(s.err()) || s.child.exitCode !== null, 120_000), `serve said it runs the dense model: ${s.err()}`);
      assert.ok(RUNNING.test(s.err()), `serve said it runs the dense model: ${s.err()}`);
      assert.ok(fs.existsSync(path.join(out, '.lock')), 'serve holds the folder\'s lock while its dense model runs');
      if (after > 0) await new Promise((r) => setTimeout(r, after));
      // (stderr is a pipe, written synchronously: a resolution not read yet was not written when the signal was sent)
      const endedBefore = RESOLVED.test(s.err());
      s.child.kill(sig);
      const r = await s.exit;
      assert.deepEqual(r, { code, signal: null }, `exited ${code} by itself, not killed by ${sig}: ${s.err()}`);
      if (endedBefore) {
        // a machine fast enough to end the dense model's run within `after` ms: the signal came after the
        // start-up, so this case checks what serve does then (exit 0, the lock released), and says so
        t.diagnostic(`the dense model's run ended within ${after} ms of its start: the signal came after it`);
        assert.ok(!fs.existsSync(path.join(out, '.lock')), `the lock released: ${fs.readdirSync(out)}`);
        return;
      }
      // a signal sent while the forward pass held serve's thread is handled before it serves
      assert.doesNotMatch(s.err(), SERVING, 'it stopped before serving');
      assert.ok(!fs.existsSync(path.join(out, '.lock')), `the lock released: ${fs.existsSync(out) ? fs.readdirSync(out) : '(no folder)'}`);
      const abandoned = s.err().includes(`during the start-up: abandoning the dense model's run (nothing is journaled; the same command runs it again and starts serving)`);
      if (abandoned) {
        // nothing journaled: the journal and the folder this start created are removed, as a run's are
        assert.ok(!fs.existsSync(out), `the folder as it was before the start (none): ${fs.existsSync(out) ? fs.readdirSync(out) : ''}`);
      } else {
        // the signal was seen when the forward pass ended: its outcome journaled, in complete lines
        assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the journal kept, nothing else');
        const lines = journalLines(journal);
        assert.ok('journal' in lines[0], `the first line is the journal's header: ${JSON.stringify(lines[0])}`);
        assert.equal(loadJournal(journal).records.filter((x) => x.fidelity === 'dense-reference').length, 1, `the dense model's outcome journaled once: ${JSON.stringify(lines)}`);
      }
      // the next start on the folder: no stale lock to take over, and it answers
      const next = startServe(['--space', space, '--out', out]);
      again.child = next.child;
      const answer = new Promise<Record<string, unknown>>((resolve) => readline.createInterface({ input: next.child.stdout! }).once('line', (l) => resolve(JSON.parse(l))));
      next.child.stdin!.write('{"op":"space","rid":1}\n');
      const reply = await answer;
      assert.equal(reply.ok, true, JSON.stringify(reply));
      // resolved with the dense model on 600 emails: 587 right (97.8333%, as serve logs it), less 0.05
      const bound = Number(/^accuracy >= ([\d.]+)$/.exec(String((reply.constraints as string[])?.[0]))?.[1]);
      assert.ok(Math.abs(bound - (587 / 600 - 0.05)) < 1e-9, `the constraint resolved to 587/600 - 0.05: ${JSON.stringify(reply)}`);
      assert.doesNotMatch(next.err(), /stale lock/, next.err());
      // the end of its input stops it: exit 0, the lock released, the dense model's outcome journaled
      next.child.stdin!.end();
      assert.deepEqual(await next.exit, { code: 0, signal: null }, next.err());
      assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the lock released');
      assert.equal(loadJournal(journal).records.filter((x) => x.fidelity === 'dense-reference').length, 1, 'the dense model\'s outcome journaled once');
      journalLines(journal);
    } finally {
      for (const c of [s.child, again.child]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
