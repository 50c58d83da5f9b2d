/**
 * `worker` stopped by SIGHUP (the terminal closed: a dropped SSH session) while it holds jobs of a
 * run, as real processes started by the launcher (bin/spatten-dse.js) on a real Redis and
 * signalled with process.kill: as SIGTERM stops it — no new job taken, the jobs it holds finished
 * and handed in, none left active under its name — and exit 143 (dse/stop.ts `serviceExitCode`).
 * SIGHUP's default action killed it: no exit code, and its jobs stayed active until their lock
 * expired (60 s here, longer than the test waits). Another worker then completes the run, every
 * point once.
 *
 * Redis: SPATTEN_TEST_REDIS (default redis://127.0.0.1:6390), skipped without one (failed under
 * CI=true), as test/distributed.test.ts; a namespace of its own, its keys removed at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadJournal } from '../dse/journal.ts';
import { parseRedisUrl } from '../dse/backends/redis.ts';
import { redisSuite } from './redis-suite.ts';
import { queueNameFor } from '../dse/backends/queue-claim.ts';
import { CYCLE_SWEEP_POINTS, cycleSweep } from './sweeps.ts';
import { waitFor } from './wait.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');
const { REDIS, NS, KEYS, skip } = await redisSuite('worker hang-up test', 'test-hup');
const onQueue = ['--queue', REDIS, '--namespace', NS];

// the 120-point cycle sweep (test/sweeps.ts): the worker still holds jobs when the signal lands
const N = CYCLE_SWEEP_POINTS;
const SPACE = cycleSweep('worker-hup');

interface Proc {
  child: ChildProcess;
  err: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, err: () => err, exit: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))) };
}

/** A worker's id (host:pid-suffix) from its first line, '' before it. */
const idOf = (w: Proc): string => /^worker (\S+): \d+ evaluation threads? on /m.exec(w.err())?.[1] ?? '';
const journaled = (out: string) => (fs.existsSync(path.join(out, 'journal.jsonl')) ? loadJournal(path.join(out, 'journal.jsonl')).records.length : 0);

test('worker: SIGHUP while it holds jobs stops it as SIGTERM does — the jobs it holds finished, none left active under its name — and it exits 143; another worker completes the run', { skip, timeout: 240_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-worker-hup-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  const out = path.join(dir, 'out');
  // a long lock: a job left active by a killed worker stays so for the whole test
  const workerArgs = ['worker', ...onQueue, '--concurrency', '1', '--lock-duration', '60000', '--progress-every', '0'];
  const victim = start(workerArgs);
  const procs: Proc[] = [victim];
  const { Queue } = await import('bullmq');
  const q = new Queue(queueNameFor('worker-hup', out), { connection: parseRedisUrl(REDIS).options as never, prefix: KEYS.prefix });
  try {
    assert.ok(await waitFor(() => /waiting for runs/.test(victim.err()), 120_000, 20), `the worker never became ready: ${victim.err()}`);
    const id = idOf(victim);
    const run = start(['run', space, '--out', out, ...onQueue, '--progress', 'none', '--no-report']);
    procs.push(run);
    const heldBy = async (w: string) => (await q.getActive()).filter((j) => j.processedBy === w).length;
    const holding = await waitFor(async () => journaled(out) >= 3 && (await heldBy(id)) > 0, 120_000, 20);
    assert.ok(holding, `the worker never held a job: ${victim.err()} | ${run.err()}`);
    victim.child.kill('SIGHUP'); // what a dropped SSH session sends
    const r = await victim.exit;
    assert.deepEqual(r, { code: 143, signal: null }, `exited 143 by itself, not killed by the signal: ${victim.err()}`);
    assert.match(victim.err(), new RegExp(`^worker ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SIGHUP \\(the terminal closed\\): finishing [1-9]\\d* running jobs?, then exiting`, 'm'));
    // the jobs it held were finished and handed in: none waits for its lock to expire
    assert.equal(await heldBy(id), 0, 'no job left active under the hung-up worker');
    const done = journaled(out);
    assert.ok(done < N, `the run was not over when the worker stopped (${done} of ${N} journaled)`);
    // another worker completes the run, every point once
    const other = start(workerArgs);
    procs.push(other);
    const code = await run.exit;
    assert.deepEqual(code, { code: 0, signal: null }, run.err());
    const recs = loadJournal(path.join(out, 'journal.jsonl')).records;
    assert.equal(recs.length, N, 'each point journaled once');
    assert.equal(new Set(recs.map((x) => x.key)).size, N);
    other.child.kill('SIGTERM');
    assert.deepEqual(await other.exit, { code: 0, signal: null }, `SIGTERM still exits 0: ${other.err()}`);
  } finally {
    await q.close();
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
