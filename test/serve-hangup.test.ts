/**
 * `serve` stopped by SIGHUP (the terminal closed: a dropped SSH session, a closed window), on
 * stdin/stdout and on a TCP port, as a real process started by the launcher (bin/spatten-dse.js)
 * and signalled with process.kill: as SIGTERM stops it — the journal closed, the folder's lock
 * released — and exit 143 (dse/stop.ts `serviceExitCode`). SIGHUP's default action killed it: no
 * exit code (killed by the signal) and the lock file left in the folder. SIGTERM still exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadJournal } from '../dse/journal.ts';
import { smallSweep } from './sweeps.ts';
import { waitFor } from './wait.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

const SPACE = smallSweep('serve-hangup');
const EVALUATE = { op: 'evaluate', params: { 'hw.dramChannels': 8 } };

type Res = Record<string, unknown>;

/** A client of one JSON-lines stream: send a request, await its answer. */
function client(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
  const waiting: ((r: Res) => void)[] = [];
  readline.createInterface({ input }).on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  return (req: object): Promise<Res> =>
    new Promise((resolve) => {
      waiting.push(resolve);
      output.write(JSON.stringify(req) + '\n');
    });
}

interface Serve {
  child: ChildProcess;
  err: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServe(args: string[]): Serve {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, err: () => err, exit: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))) };
}

/** Waits for serve's first line (it listens), then returns what it said. */
async function listening(s: Serve): Promise<string> {
  await waitFor(() => /journal in /.test(s.err()) || s.child.exitCode !== null, 60_000);
  assert.match(s.err(), /journal in /, 'serve started');
  return s.err();
}

/** A results folder with its space file. */
function setup(): { dir: string; space: string; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-hup-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  return { dir, space, out: path.join(dir, 'out') };
}

for (const mode of ['stdio', 'port'] as const) {
  test(`serve (${mode === 'stdio' ? 'stdin/stdout' : '--port'}): SIGHUP stops it as SIGTERM does — the journal closed, the lock released — and it exits 143; the next start answers from that journal`, { timeout: 120_000 }, async () => {
    const { dir, space, out } = setup();
    try {
      const s = startServe(['--space', space, '--out', out, ...(mode === 'port' ? ['--port', '0'] : [])]);
      const said = await listening(s);
      let sock: net.Socket | undefined;
      let ask: (req: object) => Promise<Res>;
      if (mode === 'port') {
        const port = Number(/JSON lines on [^:]+:(\d+);/.exec(said)?.[1]);
        assert.ok(port > 0, `the port serve listens on: ${said}`);
        sock = net.connect(port, '127.0.0.1');
        await new Promise((r) => sock!.once('connect', r));
        ask = client(sock, sock);
      } else ask = client(s.child.stdout!, s.child.stdin!);
      const first = await ask(EVALUATE);
      assert.equal(first.ok, true, JSON.stringify(first));
      assert.equal(first.cached, false);
      assert.ok(fs.existsSync(path.join(out, '.lock')), 'serve holds the folder\'s lock while it runs');
      // what a dropped SSH session sends; stdin stays open, as the TCP client does
      s.child.kill('SIGHUP');
      const r = await s.exit;
      sock?.destroy();
      assert.deepEqual(r, { code: 143, signal: null }, `exited 143 by itself, not killed by the signal: ${s.err()}`);
      assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the lock released, the journal kept');
      assert.equal(loadJournal(path.join(out, 'journal.jsonl')).records.length, 1, 'the evaluation journaled');
      // the folder is free and its journal whole: the same point is answered from it
      const again = startServe(['--space', space, '--out', out]);
      await listening(again);
      const second = await client(again.child.stdout!, again.child.stdin!)(EVALUATE);
      assert.equal(second.ok, true, JSON.stringify(second));
      assert.equal(second.cached, true, 'answered from the journal of the hung-up session');
      assert.deepEqual(second.metrics, first.metrics);
      // SIGTERM, the way to stop it, still exits 0
      again.child.kill('SIGTERM');
      assert.deepEqual(await again.exit, { code: 0, signal: null }, again.err());
      assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the lock released');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
