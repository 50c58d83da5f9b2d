/**
 * Chunked dispatch (dse/pool-dispatch.ts, dse/tasks.ts evaluateMany): once a configuration's
 * accuracy outcome is known, its analytical points go to a worker 64 at a time. The points must be
 * the ones one-point tasks give, a chunk whose worker died must be retried point by point, and a
 * backend that does not take chunks (a queue) must keep getting one point per task.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Executor } from '../dse/executor.ts';
import { cheapOnceAccuracyKnown, type EvalContext, type EvaluatedPoint } from '../dse/evaluate.ts';
import { type AccuracyOutcome } from '../dse/accuracy-runs.ts';
import { FAKE_OUTCOME, accuracySpaceYaml, preparedSpace } from './accuracy-outcome.fixture.ts';
import { TASKS } from '../dse/tasks.ts';
import type { EvalBackend, PoolResult, PoolTask } from '../dse/backends/types.ts';
import type { Params, Trial } from '../dse/driver.ts';

const SPACE = accuracySpaceYaml('chunks', [
  'algo.tokenKeep: [1.0, 0.5]',
  'hw.dramChannels: [2, 4, 8, 16, 32]',
  'hw.qkMultipliers: [128, 256, 512, 1024]',
  'hw.clockGHz: [0.5, 1, 2, 4]',
]);

const prepared = () => preparedSpace(SPACE, 'chunks-');
const FAKE = FAKE_OUTCOME;

/** The space's 2 configurations × 80 hardware points, configuration by configuration. */
function trials(): Trial[] {
  const out: Trial[] = [];
  for (const tk of [1.0, 0.5])
    for (const ch of [2, 4, 8, 16, 32])
      for (const m of [128, 256, 512, 1024])
        for (const f of [0.5, 1, 2, 4]) out.push({ id: out.length, params: { 'algo.tokenKeep': tk, 'hw.dramChannels': ch, 'hw.qkMultipliers': m, 'hw.clockGHz': f } as Params });
  return out;
}

/**
 * An in-process backend that runs the real tasks with FAKE as every configuration's outcome (a
 * task without a known outcome gets FAKE back, as a worker that ran the model would), and logs the
 * task names. `chunks` says whether it takes evaluateMany; `crashChunks` fails every chunk as a
 * worker that died twice would.
 */
function loggingBackend(chunks: boolean, crashChunks = false) {
  const log: string[] = [];
  const backend: EvalBackend = {
    kind: 'local',
    jobs: 2,
    lanes: 4,
    chunks,
    async run<T>(task: PoolTask): Promise<PoolResult<T>> {
      log.push(task.task);
      if (task.task === 'evaluateMany') {
        if (crashChunks) return { status: 'failed', error: 'worker crashed (2 attempts): test', ms: 1, attempts: 2, crashed: true };
        const [t, ctx, items, known] = task.args as Parameters<typeof TASKS.evaluateMany>;
        return { status: 'ok', value: (await TASKS.evaluateMany(t, ctx, items, known)) as T, ms: 1, attempts: 1 };
      }
      const [ctx, id, params, known] = task.args as [EvalContext, number, Params, AccuracyOutcome | undefined];
      const p = await TASKS.evaluate(ctx, id, params, known ?? FAKE);
      return { status: 'ok', value: p as T, ms: 1, attempts: 1 };
    },
    describe: () => ({ kind: 'local', jobs: 2 }),
    abort: async () => {},
    close: async () => {},
  };
  return { backend, log };
}

const count = (log: string[], name: string) => log.filter((n) => n === name).length;

async function run(backend: EvalBackend, dir: string, ctx: EvalContext): Promise<{ points: EvaluatedPoint[]; journal: string[] }> {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  const ex = Executor.open({ ctx, dir: out, backend });
  const points = await ex.evaluate(trials());
  await ex.close();
  const journal = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trim().split('\n');
  return { points, journal };
}

test('only accuracy runs on a model that is not CPU-bound are cheap once the outcome is known', () => {
  const { dir, ctx } = prepared();
  assert.equal(cheapOnceAccuracyKnown(ctx, 'evaluate'), true);
  assert.equal(cheapOnceAccuracyKnown({ ...ctx, accuracy: undefined }, 'evaluate'), false, 'no accuracy: nothing to wait for');
  assert.equal(cheapOnceAccuracyKnown({ ...ctx, fidelity: 'cycle' }, 'evaluate'), false, 'a cycle-model point is not cheap');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a configuration\'s first point runs alone, the other 79 go in chunks of at most 64; the points equal one-point tasks\'', async () => {
  const { dir, ctx } = prepared();
  const single = loggingBackend(false);
  const chunked = loggingBackend(true);
  const a = await run(single.backend, dir, ctx);
  const b = await run(chunked.backend, dir, ctx);
  assert.deepEqual([count(single.log, 'evaluate'), count(single.log, 'evaluateMany')], [160, 0]);
  // per configuration: 1 point alone, then 79 = 64 + 15
  assert.deepEqual([count(chunked.log, 'evaluate'), count(chunked.log, 'evaluateMany')], [2, 4]);
  assert.equal(b.points.length, 160);
  assert.deepEqual(b.points.map((p) => [p.id, p.status, p.metrics]), a.points.map((p) => [p.id, p.status, p.metrics]));
  assert.ok(b.points.every((p) => p.status === 'ok' && p.metrics.accuracy === 0.123 && p.metrics.latency_s > 0), 'b.points.every((p) => p.status === \'ok\' && p.metrics.accuracy === 0.123 && p.metrics.latency_s > 0)');
  assert.ok(b.points.every((p) => p.accuracyOutcome === undefined), 'recorded points carry no outcome');
  // every point journaled, and the outcome on one line per configuration, as without chunks
  const withOutcome = (j: string[]) => j.filter((l) => l.includes('"accuracy":{')).length;
  assert.equal(withOutcome(b.journal), 2);
  assert.equal(withOutcome(a.journal), 2);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a chunk whose worker died is sent again point by point: every point evaluated once, none lost', async () => {
  const { dir, ctx } = prepared();
  const ref = await run(loggingBackend(false).backend, dir, ctx);
  const crashing = loggingBackend(true, true);
  const r = await run(crashing.backend, dir, ctx);
  assert.deepEqual([count(crashing.log, 'evaluateMany'), count(crashing.log, 'evaluate')], [4, 160]);
  assert.deepEqual(r.points.map((p) => [p.id, p.status, p.metrics]), ref.points.map((p) => [p.id, p.status, p.metrics]));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('evaluateMany returns each point as evaluate does, without the outcome it was sent, a failing point as failed', async () => {
  const { dir, ctx } = prepared();
  const items: Array<[number, Params]> = [
    [7, { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 8 }],
    [8, { 'algo.tokenKeep': 0.5, 'hw.dramChannels': -3 }],
  ];
  const got = await TASKS.evaluateMany('evaluate', ctx, items, FAKE);
  const want = await TASKS.evaluate(ctx, 7, items[0][1], FAKE);
  assert.equal(got.length, 2);
  const { accuracyOutcome: sent, ...wantPoint } = want;
  assert.deepEqual(sent, FAKE);
  assert.deepEqual(got[0].point, wantPoint);
  assert.ok(got[0].ms >= 0, 'got[0].ms >= 0');
  assert.equal(got[1].point.id, 8);
  assert.equal(got[1].point.status, 'failed');
  assert.match(got[1].point.error, /dramChannels/);
  fs.rmSync(dir, { recursive: true, force: true });
});
