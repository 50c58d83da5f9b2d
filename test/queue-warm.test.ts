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
 * CPU seconds so far of the threads of process `pid` other than its main thread (the evaluation
 * threads, and V8's and libuv's helpers): the worker's own work (loading BullMQ as it joins a run,
 * polling Redis) is not counted. A thread that ended is not counted either.
 */
function offMainCpu(pid: number): number {
  return fs
    .readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .filter((tid) => tid !== pid)
    .reduce((s, tid) => {
      try {
        return s + threadCpu(pid, tid);
      } catch {
        return s; // ended meanwhile
      }
    }, 0);
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

test('a worker joining a run with accuracy loads its model in its threads before any job: the registry entry carries the warm-up task', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-warm-'));
  const worker = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'dse', 'cli.ts'), 'worker', '--queue', REDIS, '--namespace', NS, '--concurrency', '2', '--progress-every', '0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  worker.stderr!.on('data', (d) => (err += d));
  const exited = new Promise((r) => worker.once('exit', r));
  const warm: PoolTask = { task: 'warm', args: [{ accuracy: { model: 'spam-bert', maxExamples: 16 } }] };
  let backend: QueueBackend | undefined;
  try {
    assert.ok(await waitFor(() => /waiting for runs/.test(err), 120_000), `the worker never became ready: ${err}`);
    assert.ok(await settled(worker.pid!), 'the worker never went idle');
    const cpu0 = offMainCpu(worker.pid!);
    backend = await QueueBackend.open({ url: REDIS, name: 'warm-join', dir, modelVersion: modelVersion(), namespace: NS, warm, log: () => {} });
    const { Redis } = await import('ioredis');
    const r = new Redis(parseRedisUrl(REDIS).options);
    const entry = JSON.parse((await r.hget(KEYS.runs, backend.queueName)) ?? '{}') as RunEntry;
    r.disconnect();
    assert.deepEqual(entry.warm && decodeTask(entry.warm), warm, 'the run entry carries the warm-up task');
    assert.ok(await waitFor(() => /serving run "warm-join"/.test(err), 30_000), err);
    assert.match(err, /serving run "warm-join" from .*; loading spam-bert in its 2 evaluation threads\n/);
    // no job was sent: what the worker's threads spend now is its 2 evaluation threads loading
    // TF.js and the model (measured 1.2-1.6 s of CPU in all); without the warm-up 0.22 s (V8's
    // helper threads while the main thread loads BullMQ to join)
    const loaded = await waitFor(() => offMainCpu(worker.pid!) - cpu0 > 0.7, 30_000, 200);
    assert.ok(loaded, `the worker's threads spent ${(offMainCpu(worker.pid!) - cpu0).toFixed(2)} s of CPU after joining, no job sent`);
  } finally {
    await backend?.close();
    worker.kill('SIGINT');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
