/**
 * Accuracy outcomes shared between workers (dse/accuracy-outcomes.ts, dse/evaluate.ts
 * `known`): each worker caches only its own accuracy runs, so the executor hands an outcome a
 * worker returned to every later task of the same configuration, wherever it runs.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Executor } from '../dse/executor.ts';
import { ACCURACY_SCORES_RECORD } from '../dse/journal.ts';
import { accuracyKeyOf, evaluatePoint, pointBreakdown, type EvaluatedPoint } from '../dse/evaluate.ts';
import { ENGINE_IGNORED_ALGO, type AccuracyOutcome } from '../dse/accuracy-runs.ts';
import { AlgoSchema } from '../sim/schema.ts';
import { FAKE_OUTCOME, accuracySpaceYaml, preparedSpace } from './accuracy-outcome.fixture.ts';
import { withExamples } from '../dse/fidelity.ts';
import type { EvalBackend, PoolResult, PoolTask } from '../dse/backends/types.ts';
import type { Params } from '../dse/driver.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';

const SPACE = accuracySpaceYaml('shared-accuracy', [
  'algo.tokenKeep: [1.0, 0.5, 0.25]',
  'hw.dramChannels: [8, 16]',
]);

const prepared = () => preparedSpace(SPACE, 'shared-acc-');
const FAKE = FAKE_OUTCOME;

test('evaluatePoint and pointBreakdown use a known outcome instead of running the model', async () => {
  const { ctx } = prepared();
  const params: Params = { 'algo.tokenKeep': 0.37, 'hw.dramChannels': 8 };
  const p = await evaluatePoint(ctx, 0, params, FAKE);
  assert.equal(p.status, 'ok', p.error);
  assert.equal(p.metrics.accuracy, 0.123);
  assert.deepEqual([p.metrics.accuracy_ci_low, p.metrics.accuracy_ci_high], [0.1, 0.2]);
  assert.deepEqual(p.accuracyOutcome, FAKE, 'the outcome travels back with the point');
  const b = await pointBreakdown(ctx, params, FAKE);
  assert.ok(Object.values(b.stages).some((v) => v > 0), 'Object.values(b.stages).some((v) => v > 0)');
  // the key ignores hardware knobs and the measured refetch fraction, and tells configurations apart
  assert.equal(accuracyKeyOf(ctx, params), accuracyKeyOf(ctx, { ...params, 'hw.dramChannels': 16 }));
  assert.notEqual(accuracyKeyOf(ctx, params), accuracyKeyOf(ctx, { ...params, 'algo.tokenKeep': 0.5 }));
});

test('a worker given another worker\'s outcome uses it without keeping it: its next task of that configuration without the outcome (the next run a queue worker serves) runs the model and returns the scores of its examples', async () => {
  const { dir, ctx } = prepared();
  // a configuration no other test of this file evaluates (the outcome cache is the module's)
  const params: Params = { 'algo.tokenKeep': 0.61, 'hw.dramChannels': 8 };
  const given = await evaluatePoint(ctx, 0, params, FAKE);
  assert.equal(given.metrics.accuracy, 0.123, 'the given outcome is used');
  assert.equal(given.accuracyOutcome?.prefix, undefined, 'no scores for an outcome this process did not compute');
  // the same configuration asked afresh: it was served from the cache as the given outcome,
  // without scores, so the paired rule of a later run knew nothing of it
  const own = await evaluatePoint(ctx, 1, { ...params, 'hw.dramChannels': 16 });
  assert.equal(own.status, 'ok', own.error);
  const out = own.accuracyOutcome!;
  assert.equal(out.n, 8);
  assert.equal(out.prefix?.examples, 8, 'the run state of its 8 emails comes back');
  // a classifier's accuracy is the mean of its per-example 1/0 scores (core/paired.ts exampleValues)
  const scores: number[] = [...(out.prefix!.scores as readonly number[])];
  assert.equal(scores.length, 8);
  assert.ok(scores.every((s) => s === 0 || s === 1), `scores ${scores}`);
  assert.equal(own.metrics.accuracy, scores.reduce((a: number, b: number) => a + b, 0) / 8);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the accuracy key ignores the algorithm fields the engine does not read: a sweep of algo.fcWeightBits runs the model once per configuration', async () => {
  const { ctx } = prepared();
  const params: Params = { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 8 };
  // fcWeightBits is the hardware's e2e FC width: 8 and 12 used to be two accuracy runs of the same model
  assert.equal(accuracyKeyOf(ctx, { ...params, 'algo.fcWeightBits': 8 }), accuracyKeyOf(ctx, { ...params, 'algo.fcWeightBits': 12 }));
  assert.equal(accuracyKeyOf(ctx, { ...params, 'algo.lsbRefetchFraction': 0.1 }), accuracyKeyOf(ctx, { ...params, 'algo.lsbRefetchFraction': 0.3 }));
  const { inertReason } = await import('../dse/commands/accuracy.ts');
  const algo = AlgoSchema.parse({});
  for (const k of ENGINE_IGNORED_ALGO) for (const kind of ['classifier', 'lm'] as const) assert.ok(inertReason(k, kind, algo), `accuracy --set algo.${k} on a ${kind} should be refused (dse/commands/accuracy.ts inertReason)`);
});

test('two workers with their own caches: each configuration runs once; later tasks carry the outcome; recorded points drop it', async () => {
  const { dir, ctx } = prepared();
  const { backend, stats } = countingBackend(ctx, 0, 2);
  const ex = Executor.open({ ctx, dir: path.join(dir, 'out'), backend, journal: false });
  const pts = await ex.evaluate(TRIALS);
  assert.equal(stats.runs, 3, `one run per configuration, not per worker: ${stats.runs}`);
  assert.equal(stats.carried, 3, 'the second point of each configuration carried the outcome');
  assert.ok(pts.every((p) => p.accuracyOutcome === undefined), 'recorded points drop the outcome');
  // both points of a configuration report the same accuracy, whichever worker evaluated them
  for (let i = 0; i < 6; i += 2) assert.equal(pts[i].metrics.accuracy, pts[i + 1].metrics.accuracy);
  assert.equal(ex.knownAccuracy(ctx, { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 32 })?.value, pts[2].metrics.accuracy);
  assert.equal(ex.knownAccuracy(ctx, { 'algo.tokenKeep': 0.75, 'hw.dramChannels': 8 }), undefined);
  await ex.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The space's 3 configurations × 2 DRAM designs, configuration by configuration. */
const TRIALS = [1.0, 0.5, 0.25].flatMap((tk, i) => [8, 16].map((ch, j) => ({ id: 2 * i + j, params: { 'algo.tokenKeep': tk, 'hw.dramChannels': ch } as Params })));

/**
 * A simulated pool of `workers` workers with their own caches, tasks alternating between them. A
 * worker "runs" a configuration (counted; accuracy base + runs/100) when a task arrives without an
 * outcome and it has none cached; `carried` counts the tasks that arrived with one.
 */
function countingBackend(ctx: ReturnType<typeof prepared>['ctx'], base: number, workers = 1) {
  const caches = Array.from({ length: workers }, () => new Map<string, AccuracyOutcome>());
  const stats = { runs: 0, tasks: 0, carried: 0 };
  const backend: EvalBackend = {
    kind: 'local',
    jobs: 2,
    lanes: 2,
    async run<T>(task: PoolTask): Promise<PoolResult<T>> {
      const [c, id, params, known] = task.args as [typeof ctx, number, Params, AccuracyOutcome | undefined];
      const cache = caches[stats.tasks++ % workers];
      const k = accuracyKeyOf(c, params)!;
      if (known) (stats.carried++, cache.set(k, known));
      if (!cache.has(k)) cache.set(k, { ...FAKE, value: base + ++stats.runs / 100 });
      const p: EvaluatedPoint = { id, params, metrics: { accuracy: cache.get(k)!.value }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy', accuracyOutcome: cache.get(k) };
      return { status: 'ok', value: p as T, ms: 1, attempts: 1 };
    },
    describe: () => ({ kind: 'local', jobs: 2 }),
    abort: async () => {},
    close: async () => {},
  };
  return { backend, stats };
}

test('a rerun on the same folder knows each configuration\'s accuracy outcome from the journal: no model run, not even for a new hardware point', async () => {
  const { dir, ctx } = prepared();
  const out = path.join(dir, 'out');
  const trials = TRIALS;
  const first = countingBackend(ctx, 0.5);
  const ex1 = Executor.open({ ctx, dir: out, backend: first.backend });
  const pts1 = await ex1.evaluate(trials);
  await ex1.close();
  assert.equal(first.stats.runs, 3);
  // one record per configuration carries its outcome (a line of its own, with its key)
  const lines = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const carrying = lines.filter((l) => l.extra?.accuracy);
  assert.equal(carrying.length, 3);
  assert.ok(carrying.every((l) => typeof l.key === 'string' && l.key.length > 0), 'a record line with an outcome has its key');

  // the rerun: a fresh process (a fresh pool and executor), the same folder
  const second = countingBackend(ctx, 0.9);
  const ex2 = Executor.open({ ctx, dir: out, backend: second.backend });
  const progress: number[] = [];
  const pts2 = await ex2.evaluate(trials, undefined, (d) => progress.push(d));
  assert.equal(second.stats.tasks, 0, 'every point from the journal');
  assert.deepEqual(progress, [6], 'a step answered from the journal reports all its points done');
  assert.deepEqual(pts2.map((p) => p.metrics.accuracy), pts1.map((p) => p.metrics.accuracy));
  for (const tk of [1.0, 0.5, 0.25]) {
    const want = pts1.find((p) => p.params['algo.tokenKeep'] === tk)!.metrics.accuracy;
    assert.equal(ex2.knownAccuracy(ctx, { 'algo.tokenKeep': tk, 'hw.dramChannels': 32 })?.value, want, `outcome of tokenKeep ${tk} known from the journal`);
  }
  // a hardware point not in the journal: its task carries the journaled outcome, the model does not run
  const [p] = await ex2.evaluate([{ id: 6, params: { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 32 } }]);
  assert.deepEqual([second.stats.tasks, second.stats.carried, second.stats.runs], [1, 1, 0]);
  assert.equal(p.metrics.accuracy, pts1[2].metrics.accuracy);
  await ex2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the accuracy key ignores subsetExamples: a run\'s final context finds the outcomes its last rung computed', () => {
  const { dir, ctx } = prepared();
  const withSubset = { ...ctx, accuracy: { ...ctx.accuracy!, subsetExamples: 4 } };
  const params: Params = { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 8 };
  assert.equal(accuracyKeyOf(withSubset, params), accuracyKeyOf(withExamples(withSubset, ctx.accuracy!.maxExamples), params));
  assert.notEqual(accuracyKeyOf(withSubset, params), accuracyKeyOf(withExamples(withSubset, 4), params), 'the rungs themselves differ');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a configuration\'s first task in a larger rung carries the smaller rung\'s prefix, also after a resume (the journal keeps it); its other tasks carry the outcome', async () => {
  const { dir, ctx } = prepared();
  const rung1 = withExamples(ctx, 4);
  const carried: Array<{ examples: number | undefined; known: boolean; n: number }> = [];
  const backend: EvalBackend = {
    kind: 'local',
    jobs: 1,
    lanes: 1,
    async run<T>(task: PoolTask): Promise<PoolResult<T>> {
      const [c, id, params, known, from] = task.args as [typeof ctx, number, Params, AccuracyOutcome | undefined, AccuracyPrefix | undefined];
      const n = c.accuracy!.maxExamples!;
      carried.push({ examples: from?.examples, known: !!known, n });
      // a worker that ran the model returns the outcome with its prefix (n examples)
      const outcome: AccuracyOutcome = known ?? { ...FAKE, n, prefix: { key: 'k', examples: n, scores: Array(n).fill(1), counters: COUNTERS } };
      const p: EvaluatedPoint = { id, params, metrics: { accuracy: outcome.value }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy', accuracyOutcome: outcome };
      return { status: 'ok', value: p as T, ms: 1, attempts: 1 };
    },
    describe: () => ({ kind: 'local', jobs: 1 }),
    abort: async () => {},
    close: async () => {},
  };
  const out = path.join(dir, 'out');
  const journaledPrefixes = () =>
    fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"accuracyPrefix":{')).map((l) => {
      const r = JSON.parse(l);
      assert.deepEqual([r.fidelity, r.params, r.extra.accuracy], [ACCURACY_SCORES_RECORD, {}, undefined], 'a prefix is journaled in a scores record of its own');
      return r.extra.accuracyPrefix.examples;
    });
  const ex = Executor.open({ ctx, dir: out, backend });
  await ex.evaluate(TRIALS, { fidelity: 'rung1', ctx: rung1 });
  assert.deepEqual(carried.map((c) => [c.n, c.examples, c.known]), [1, 2, 3].flatMap(() => [[4, undefined, false], [4, undefined, true]]));
  assert.equal(ex.knownPrefix(ctx, TRIALS[0].params)?.examples, 4);
  await ex.close(); // interrupted before rung 2
  assert.deepEqual(journaledPrefixes(), [4, 4, 4], 'one prefix per configuration');

  // resumed: rung 1 comes from the journal (no task), with its prefixes; rung 2 continues them
  carried.length = 0;
  const resumed = Executor.open({ ctx, dir: out, backend });
  await resumed.evaluate(TRIALS, { fidelity: 'rung1', ctx: rung1 });
  assert.equal(carried.length, 0, 'rung 1 answered by the journal');
  assert.equal(resumed.knownPrefix(ctx, TRIALS[0].params)?.examples, 4, 'the prefix comes back from the journal');
  assert.deepEqual(resumed.knownPrefix(ctx, TRIALS[2].params)?.scores, [1, 1, 1, 1]);
  await resumed.evaluate(TRIALS);
  assert.deepEqual(carried.map((c) => [c.n, c.examples, c.known]), [1, 2, 3].flatMap(() => [[8, 4, false], [8, undefined, true]]), 'rung 2 continues rung 1');
  assert.equal(resumed.knownPrefix(ctx, TRIALS[0].params)?.examples, 8, 'the larger prefix replaces the smaller');
  assert.equal(resumed.knownAccuracy(ctx, TRIALS[0].params)?.prefix, undefined, 'outcomes handed to later tasks carry no prefix');
  await resumed.close();
  assert.deepEqual(journaledPrefixes(), [4, 4, 4, 8, 8, 8]);
  const journal = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8');
  assert.ok(!journal.includes('"prefix"'), 'journaled outcomes carry no prefix of their own');
  fs.rmSync(dir, { recursive: true, force: true });
});

const COUNTERS = { tokAlive: [1], tokTotal: [1], headAlive: [1], headTotal: [1], valKept: [1], valVisible: [1], refetch: [0], requests: [1], flops: 1 };

test('a rerun answered by its journal starts no worker (the breakdowns run in-process); the first point it lacks starts them', async () => {
  const { dir, ctx } = prepared();
  const out = path.join(dir, 'out');
  const first = Executor.open({ ctx, dir: out, backend: countingBackend(ctx, 0.5).backend });
  const pts1 = await first.evaluate(TRIALS);
  await first.close();

  const rerun = Executor.open({ ctx, dir: out, jobs: 2 });
  assert.equal(rerun.workersStarted, false, 'a journal with records: no warm-up at open');
  const pts2 = await rerun.evaluate(TRIALS);
  assert.deepEqual(pts2.map((p) => p.metrics), pts1.map((p) => p.metrics));
  const params = TRIALS[2].params;
  const b = await rerun.call('breakdown', ctx, params, rerun.knownAccuracy(ctx, params));
  assert.ok(Object.values(b.stages).some((v) => v > 0), 'Object.values(b.stages).some((v) => v > 0)');
  assert.equal(rerun.workersStarted, false, 'every point and breakdown answered without workers');
  // a hardware point the journal lacks: the workers start (and evaluate it with the journaled outcome)
  const [p] = await rerun.evaluate([{ id: 6, params: { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 32 } }]);
  assert.equal(rerun.workersStarted, true);
  assert.equal(p.status, 'ok', p.error);
  assert.equal(p.metrics.accuracy, pts1[2].metrics.accuracy);
  await rerun.close();

  const fresh = Executor.open({ ctx, dir: path.join(dir, 'fresh'), jobs: 2 });
  assert.equal(fresh.workersStarted, true, 'an empty journal: the workers start at open');
  await fresh.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('evaluatePoint returns the run\'s prefix with a point whose task did not carry the outcome, and none when it did', async () => {
  const { dir, ctx } = prepared();
  const params: Params = { 'algo.tokenKeep': 0.62, 'hw.dramChannels': 8 };
  const p = await evaluatePoint(ctx, 0, params);
  assert.equal(p.status, 'ok', p.error);
  assert.equal(p.accuracyOutcome?.prefix?.examples, 8, 'the run on 8 examples comes back with its state');
  assert.equal(p.accuracyOutcome?.prefix?.scores.length, 8);
  const { prefix: _state, ...outcome } = p.accuracyOutcome!;
  const q = await evaluatePoint(ctx, 1, { ...params, 'hw.dramChannels': 16 }, outcome);
  assert.equal(q.accuracyOutcome?.prefix, undefined, 'a task that carried the outcome gets no prefix back');
  assert.equal(q.metrics.accuracy, p.metrics.accuracy);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('lanesNow: a backend that knows its capacity (a queue\'s connected workers\' threads) gives it at each call; one that does not, its jobs', async () => {
  const { dir, ctx } = prepared();
  let known: number | undefined;
  const fake = (capacity?: () => number | undefined): EvalBackend => ({
    kind: 'queue',
    jobs: 16,
    lanes: 1 << 16,
    run: async () => ({ status: 'aborted', error: 'not run', attempts: 0 }),
    ...(capacity ? { capacity } : {}),
    describe: () => ({ kind: 'local', jobs: 16 }),
    abort: async () => {},
    close: async () => {},
  });
  const ex = Executor.open({ ctx, dir: path.join(dir, 'q'), backend: fake(() => known) });
  assert.equal(ex.usePool, true, 'accuracy is CPU-bound: on the backend');
  assert.equal(ex.lanesNow(), 16, 'no worker connected yet: the jobs');
  known = 2;
  assert.equal(ex.lanesNow(), 2);
  known = 5;
  assert.equal(ex.lanesNow(), 5, 'read again: a worker joined');
  await ex.close();
  const plain = Executor.open({ ctx, dir: path.join(dir, 'p'), backend: fake() });
  assert.equal(plain.lanesNow(), 16);
  await plain.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
