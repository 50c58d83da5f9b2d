/**
 * A queue worker joining a run with accuracy loads the run's model in each evaluation thread as it
 * joins (RunEntry.warm), as a local run's pool threads do as they start, rather than at its first
 * job. Needs Redis (SPATTEN_TEST_REDIS, test/redis-suite.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueueBackend } from '../dse/backends/queue.ts';
import { decodeTask } from '../dse/backends/queue-task.ts';
import type { RunEntry } from '../dse/backends/redis.ts';
import { parseRedisUrl } from '../dse/backends/redis.ts';
import { modelVersion } from '../dse/model-version.ts';
import type { PoolTask } from '../dse/pool.ts';
import { redisSuite } from './redis-suite.ts';
import { waitFor } from './wait.ts';

const ROOT = path.join(import.meta.dirname, '..');
const { REDIS, NS, KEYS, skip } = await redisSuite('queue warm-up tests', 'warm');

/** CPU seconds (user + system) of thread `tid` of process `pid` so far, from /proc (clock ticks of 1/100 s). */
function threadCpu(pid: number, tid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // fields after the name: state is [0], utime [11], stime [12] (proc(5) fields 14 and 15)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds so far of each thread of process `pid` other than its main thread (the evaluation
 * threads, and V8's and libuv's helpers), by thread id: the worker's own work (loading BullMQ as
 * it joins a run, polling Redis) is not counted. A thread that ended is left out.
 */
function offMainCpus(pid: number): Map<number, number> {
  const cpus = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`).map(Number)) {
    if (tid === pid) continue;
    try {
      cpus.set(tid, threadCpu(pid, tid));
    } catch {
      // ended meanwhile
    }
  }
  return cpus;
}

const offMainCpu = (pid: number): number => [...offMainCpus(pid).values()].reduce((a, b) => a + b, 0);

/** The CPU seconds each off-main thread of `pid` spent since `before` (offMainCpus), busiest first. */
function spentSince(pid: number, before: Map<number, number>): number[] {
  return [...offMainCpus(pid)].map(([tid, s]) => s - (before.get(tid) ?? 0)).sort((x, y) => y - x);
}

/** Waits until the threads of `pid` off its main thread spend under 0.05 s of CPU in a second (start-up done), 60 s at most. */
async function settled(pid: number): Promise<boolean> {
  for (let t0 = Date.now(), last = offMainCpu(pid); Date.now() - t0 < 60_000; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = offMainCpu(pid);
    if (now - last < 0.05) return true;
    last = now;
  }
  return false;
}

test('a worker joining a run with accuracy loads its model in its threads before any job: the registry entry carries the warm-up task; a second run of that model loads nothing new', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-warm-'));
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-warm-'));
  const worker = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'dse', 'cli.ts'), 'worker', '--queue', REDIS, '--namespace', NS, '--concurrency', '2', '--progress-every', '0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  worker.stderr!.on('data', (d) => (err += d));
  const exited = new Promise((r) => worker.once('exit', r));
  const warm: PoolTask = { task: 'warm', args: [{ accuracy: { model: 'spam-bert', maxExamples: 16 } }] };
  let backend: QueueBackend | undefined;
  let again: QueueBackend | undefined;
  try {
    assert.ok(await waitFor(() => /waiting for runs/.test(err), 120_000), `the worker never became ready: ${err}`);
    assert.ok(await settled(worker.pid!), 'the worker never went idle');
    const cpu0 = offMainCpus(worker.pid!);
    backend = await QueueBackend.open({ url: REDIS, name: 'warm-join', dir, modelVersion: modelVersion(), namespace: NS, warm, log: () => {} });
    const { Redis } = await import('ioredis');
    const r = new Redis(parseRedisUrl(REDIS).options);
    const entry = JSON.parse((await r.hget(KEYS.runs, backend.queueName)) ?? '{}') as RunEntry;
    r.disconnect();
    assert.deepEqual(entry.warm && decodeTask(entry.warm), warm, 'the run entry carries the warm-up task');
    assert.ok(await waitFor(() => /serving run "warm-join"/.test(err), 30_000), err);
    assert.match(err, /serving run "warm-join" from .*; loading spam-bert in its 2 evaluation threads\n/);
    // no job was sent: each of the 2 evaluation threads loading TF.js and the model spends
    // 0.4 s of CPU or more (measured 0.41-0.43 s a thread, 1.5 s with V8's helper threads, on a
    // loaded 2-core host); without the warm-up no thread of the process reaches 0.15 s (V8's
    // helpers while the main thread loads BullMQ to join: 0.41 s over 7 threads, 0.13 s at most).
    // Per thread, not summed: the sum's gap (1.5 s against 0.41 s, both helper-thread noise that
    // grows with the host's load) is narrower than two threads each past 0.2 s, about 2× either side.
    const twoBusy = () => (spentSince(worker.pid!, cpu0)[1] ?? 0) >= 0.2;
    assert.ok(await waitFor(twoBusy, 60_000, 200), `the worker's threads spent ${spentSince(worker.pid!, cpu0).slice(0, 4).map((s) => s.toFixed(2)).join(', ')} s of CPU (the busiest) after joining, no job sent: two of them should have loaded the model`);
    // another run with the same warm-up: the threads ran it already, and the worker does not say it loads
    again = await QueueBackend.open({ url: REDIS, name: 'warm-again', dir: dir2, modelVersion: modelVersion(), namespace: NS, warm, log: () => {} });
    assert.ok(await waitFor(() => /serving run "warm-again"/.test(err), 30_000), err);
    assert.match(err, /serving run "warm-again" from .*; spam-bert loaded in its 2 evaluation threads for an earlier run\n/);
  } finally {
    await again?.close();
    await backend?.close();
    worker.kill('SIGINT');
    await exited;
    for (const d of [dir, dir2]) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('a registry entry whose warm-up cannot be read: the worker serves the run without it and stays up', { skip }, async () => {
  const worker = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'dse', 'cli.ts'), 'worker', '--queue', REDIS, '--namespace', NS, '--concurrency', '1', '--progress-every', '0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  worker.stderr!.on('data', (d) => (err += d));
  let code: number | null | undefined;
  const exited = new Promise((r) => worker.once('exit', (c) => r((code = c))));
  const { Redis } = await import('ioredis');
  const r = new Redis(parseRedisUrl(REDIS).options);
  const queue = `bad-warm.${process.pid}`;
  try {
    assert.ok(await waitFor(() => /waiting for runs/.test(err), 120_000), `the worker never became ready: ${err}`);
    // as a coordinator registers a run (QueueBackend.open), with a warm-up that is not a task's JSON
    const entry = { queue, name: 'bad-warm', dir: os.tmpdir(), host: os.hostname(), pid: process.pid, modelVersion: modelVersion(), t: Date.now(), warm: '{"task": "warm", "args": [' };
    await r.set(KEYS.alive(queue), 'x', 'PX', 60_000);
    await r.hset(KEYS.runs, queue, JSON.stringify(entry));
    assert.ok(await waitFor(() => /serving run "bad-warm"/.test(err) || code !== undefined, 30_000), err);
    assert.match(err, /serving run "bad-warm" from \S+ \(queue bad-warm\.\d+\)\n/, 'served, no warm-up said');
    // two more polls (one a second): still up
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(code, undefined, `the worker exited (${code}): ${err}`);
  } finally {
    await r.del(KEYS.alive(queue));
    await r.hdel(KEYS.runs, queue);
    r.disconnect();
    worker.kill('SIGINT');
    await exited;
  }
});
