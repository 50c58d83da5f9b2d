import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { EvalPool as Pool, type PoolOptions, type PoolTask } from '../dse/pool.ts';

const filename = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pool-tasks.ts')).href;
const call = (task: string, ...args: unknown[]): PoolTask => ({ task, args });
/** A pool on the test task file. */
class EvalPool extends Pool {
  constructor(opts: PoolOptions = {}) {
    super({ filename, ...opts });
  }
}

test('a throwing task is returned as failed and the others complete', async () => {
  const pool = new EvalPool({ jobs: 2 });
  try {
    const rs = await pool.runAll([call('square', 3), call('fails', 'bad point'), call('square', 4)]);
    assert.equal(rs[0].status, 'ok');
    assert.deepEqual(rs[0].status === 'ok' && rs[0].value, { x: 3, y: 9 });
    assert.equal(rs[1].status, 'failed');
    assert.ok(rs[1].status === 'failed' && rs[1].error === 'bad point' && !rs[1].crashed, 'rs[1].status === \'failed\' && rs[1].error === \'bad point\' && !rs[1].crashed');
    assert.deepEqual(rs[2].status === 'ok' && rs[2].value, { x: 4, y: 16 });
  } finally {
    await pool.close();
  }
});

test('a crashed worker is replaced and its point retried once', async () => {
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pool-')), 'crashed');
  const pool = new EvalPool({ jobs: 2 });
  try {
    const [once, always, after] = await pool.runAll([call('crashOnce', marker, 42), call('crashAlways'), call('square', 5)]);
    assert.deepEqual(once, { ...once, status: 'ok', value: 42, attempts: 2 });
    assert.ok(always.status === 'failed' && always.crashed && always.attempts === 2, JSON.stringify(always));
    assert.match((always as { error: string }).error, /worker crashed/);
    assert.equal(after.status, 'ok');
    // the pool still works afterwards
    const again = await pool.run(call('square', 6));
    assert.deepEqual(again.status === 'ok' && again.value, { x: 6, y: 36 });
  } finally {
    await pool.close();
  }
});

test('same results with 1 and 2 workers', async () => {
  const tasks = Array.from({ length: 12 }, (_, i) => call('spin', 200_000 + i * 1000, i));
  tasks.splice(5, 0, call('fails', 'x'));
  const strip = (rs: Awaited<ReturnType<EvalPool['runAll']>>) => rs.map((r) => (r.status === 'ok' ? ['ok', r.value] : [r.status, (r as { error: string }).error]));
  const p1 = new EvalPool({ jobs: 1 });
  const p2 = new EvalPool({ jobs: 2 });
  try {
    const [r1, r2] = await Promise.all([p1.runAll(tasks), p2.runAll(tasks)]);
    assert.deepEqual(strip(r2), strip(r1));
    assert.equal(r1.length, 13);
  } finally {
    await Promise.all([p1.close(), p2.close()]);
  }
});

test('abort resolves queued and in-flight tasks as aborted', async () => {
  const pool = new EvalPool({ jobs: 1 });
  // ~2e9 iterations take seconds on any host (50e6 took 0.1-0.5 s, and on a quiet machine it ended
  // before the abort at 300 ms, with nothing left to abort): the abort always finds it running or queued
  const runs = [pool.run(call('spin', 2_000_000_000, 1)), pool.run(call('square', 2)), pool.run(call('square', 3))];
  await new Promise((r) => setTimeout(r, 300));
  await pool.abort();
  const rs = await Promise.all(runs);
  assert.ok(rs.every((r) => r.status === 'aborted' || r.status === 'ok'), 'rs.every((r) => r.status === \'aborted\' || r.status === \'ok\')');
  assert.ok(rs.some((r) => r.status === 'aborted'), 'rs.some((r) => r.status === \'aborted\')');
});

test('the project worker runs a named task (dse/tasks.ts): a design point through the evaluator', async () => {
  const { defaultHardware, defaultAlgo, defaultWorkload } = await import('../sim/schema.ts');
  const { evaluatePoint } = await import('../dse/evaluate.ts');
  const ctx = { base: { hw: defaultHardware(), algo: defaultAlgo(), workload: { ...defaultWorkload(), genTokens: 2 } }, fidelity: 'analytical' as const, constraints: [], metrics: [] };
  const pool = new Pool({ jobs: 1 });
  try {
    const r = await pool.run<{ metrics: { latency_s: number } }>({ task: 'evaluate', args: [ctx, 0, { 'hw.dramChannels': 8 }] });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.deepEqual(r.status === 'ok' && r.value, await evaluatePoint(ctx, 0, { 'hw.dramChannels': 8 }));
    const bad = await pool.run({ task: 'no-such-task', args: [] });
    assert.ok(bad.status === 'failed' && /unknown task "no-such-task"/.test(bad.error) && !bad.crashed, JSON.stringify(bad));
  } finally {
    await pool.close();
  }
});

test('warmTask: the accuracy block less what loading does not read, so runs that load the same model and inputs send one warm-up', async () => {
  const { warmTask } = await import('../dse/tasks.ts');
  type Ctx = Parameters<typeof warmTask>[0];
  const ctx = (accuracy: Record<string, unknown> | undefined) => ({ accuracy }) as unknown as Ctx;
  const acc = { model: 'spam-bert', maxExamples: 64, checkpoint: 'c0ffee' };
  assert.deepEqual(warmTask(ctx({ ...acc, seed: 3, subsetExamples: 32 })), { task: 'warm', args: [{ accuracy: acc }] });
  const key = (a: Record<string, unknown>) => JSON.stringify(warmTask(ctx(a)));
  assert.equal(key({ ...acc, seed: 1 }), key({ ...acc, seed: 2, subsetExamples: 16 }), 'the seed and the first rung do not change what loads');
  assert.notEqual(key(acc), key({ ...acc, maxExamples: 128 }), 'other inputs load');
  assert.notEqual(key(acc), key({ ...acc, checkpoint: 'beef' }), 'other checkpoint files load');
  assert.equal(warmTask(ctx(undefined)), undefined, 'no accuracy: no warm-up');
});

test('warm: every worker runs the warm-up task as it starts, before any task is sent to it', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pool-warm-')), 'marks');
  const pool = new EvalPool({ jobs: 2, warm: call('mark', file) });
  const threads = () => (fs.existsSync(file) ? new Set(fs.readFileSync(file, 'utf8').trim().split('\n')) : new Set<string>());
  try {
    // no task is run: only the warm-up can write the file, once in each of the 2 workers
    for (let t0 = Date.now(); threads().size < 2 && Date.now() - t0 < 30_000; ) await new Promise((r) => setTimeout(r, 50));
    assert.equal(threads().size, 2, `warm-up ran in ${threads().size} of 2 workers`);
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 2, 'one warm-up per worker');
    // the pool serves tasks as before, on the workers that warmed up
    const r = await pool.run(call('mark', file));
    assert.ok(r.status === 'ok' && threads().has(String(r.value)), JSON.stringify(r));
  } finally {
    await pool.close();
  }
});

test('warm(task): every worker runs it once, those still starting when it is sent and those already waiting for tasks', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-warm-later-'));
  const marks = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : []);
  const settle = async (file: string) => {
    for (let t0 = Date.now(); new Set(marks(file)).size < 2 && Date.now() - t0 < 30_000; ) await new Promise((r) => setTimeout(r, 50));
  };
  const pool = new EvalPool({ jobs: 2 });
  try {
    // sent at once: the workers are still loading their task file, and get it when they say hello
    const early = path.join(dir, 'early');
    pool.warm(call('mark', early));
    await settle(early);
    assert.equal(new Set(marks(early)).size, 2, `the early warm-up ran in ${new Set(marks(early)).size} of 2 workers`);
    // sent to workers waiting for tasks (no task was ever sent to them); the same task again runs nowhere twice
    const later = path.join(dir, 'later');
    pool.warm(call('mark', later));
    pool.warm(call('mark', later));
    await settle(later);
    assert.equal(new Set(marks(later)).size, 2, `the later warm-up ran in ${new Set(marks(later)).size} of 2 workers`);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([marks(early).length, marks(later).length], [2, 2], 'once per worker each');
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('warm(task) returns a release: a worker that starts after every holder released it does not run it; one still held it does', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-unwarm-'));
  const marks = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : []);
  const until = async (ok: () => boolean) => {
    for (let t0 = Date.now(); !ok() && Date.now() - t0 < 30_000; ) await new Promise((r) => setTimeout(r, 50));
  };
  const [left, kept, twice] = ['left', 'kept', 'twice'].map((f) => path.join(dir, f));
  const pool = new EvalPool({ jobs: 1 });
  try {
    // the first worker runs all three (as a queue worker serving three runs)
    const release = pool.warm(call('mark', left));
    pool.warm(call('mark', kept));
    const [once, again] = [pool.warm(call('mark', twice)), pool.warm(call('mark', twice))];
    await until(() => [left, kept, twice].every((f) => marks(f).length === 1));
    const first = marks(left)[0];
    assert.deepEqual([left, kept, twice].map(marks), [[first], [first], [first]], 'one worker, each warm-up once');
    assert.equal(pool.wasWarmed(call('mark', left)), true);
    // the worker leaves the run of `left`, and one of the two runs holding `twice`
    release();
    release(); // a second call of one release changes nothing
    once();
    // a crash starts new workers (the replacement, and the one-task pool of the retry, which crashes too):
    // they say hello and are sent the warm-ups in force
    const crash = await pool.run(call('crashAlways'));
    assert.ok(crash.status === 'failed' && crash.crashed, JSON.stringify(crash));
    await until(() => marks(kept).length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    const started = new Set(marks(kept));
    started.delete(first);
    assert.ok(started.size >= 2, `${started.size} workers started after the crash, ran the held warm-up`);
    assert.deepEqual(new Set(marks(twice)), new Set([first, ...started]), 'held by one of its two holders: run by every new worker');
    assert.deepEqual(marks(left), [first], 'released by its only holder: run by no new worker');
    assert.equal(pool.wasWarmed(call('mark', left)), true, 'released, but sent before: the first worker keeps what it loaded');
    again();
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a pool without warm: async work a worker starts as it loads its task file runs while no task is sent', async () => {
  const { startupMarks } = await import('./fixtures/pool-startup.ts');
  const file = startupMarks(process.pid);
  fs.rmSync(file, { force: true });
  const startup = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pool-startup.ts')).href;
  const pool = new Pool({ jobs: 2, filename: startup });
  const marks = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : []);
  try {
    // with piscina's default Atomics.wait an idle worker's timer never fires: no mark until a task comes
    for (let t0 = Date.now(); marks().length < 2 && Date.now() - t0 < 30_000; ) await new Promise((r) => setTimeout(r, 50));
    assert.equal(new Set(marks()).size, 2, `start-up work finished in ${marks().length} of 2 idle workers`);
  } finally {
    await pool.close();
    fs.rmSync(file, { force: true });
  }
});

test('two tasks on one worker: the second starts while the first awaits a timer (they interleave)', async () => {
  const startup = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pool-startup.ts')).href;
  const pool = new Pool({ jobs: 1, filename: startup });
  try {
    const [, b] = await pool.runAll<string[]>([call('nap', 'a', 200), call('nap', 'b', 200)]);
    assert.equal(b.status, 'ok', JSON.stringify(b));
    // one after the other would log a start, a end, b start, b end
    assert.deepEqual(b.status === 'ok' && b.value, ['a start', 'b start', 'a end', 'b end']);
  } finally {
    await pool.close();
  }
});
