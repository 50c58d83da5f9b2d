/**
 * Accuracy prefixes (sim/nn/api.ts measureAccuracy): a run on N examples that continues a run on
 * the first M (successive halving's next rung) must give exactly the numbers a run from scratch
 * gives, run only the N − M new examples, and ignore a state that is not a prefix of it.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAccuracy, measureAccuracy, perplexityOf, type AccuracyMeasurement, type AccuracySpec } from '../sim/nn/api.ts';
import { Engine } from '../sim/nn/engine.ts';
import { AlgoSchema, type AlgoConfig } from '../sim/schema.ts';

/** Everything a measurement reports but `ran` (how it got there). */
const numbers = ({ ran: _ran, ...m }: AccuracyMeasurement) => m;

/** The run on spec.maxExamples from scratch, the run on the first `first`, and that one continued to all: the continued run's numbers must be the whole run's. */
async function continuedRun(spec: AccuracySpec, algo: AlgoConfig, first: number) {
  const whole = await measureAccuracy(spec, algo);
  const head = await measureAccuracy({ ...spec, maxExamples: first }, algo);
  const continued = await measureAccuracy(spec, algo, head.prefix);
  assert.deepEqual(numbers(continued), numbers(whole));
  return { whole, first: head, continued };
}

test('spam-bert: 64 examples continued from the first 32 equal 64 from scratch (metric, CI, measured rates, counters); only 32 run', async () => {
  const algo = AlgoSchema.parse({ tokenKeep: 0.5, headKeep: 0.75, valueKeep: 0.7, tokenFrontFrac: 0 });
  const spec = { model: 'spam-bert', maxExamples: 64 };
  const { whole, first, continued } = await continuedRun(spec, algo, 32);
  assert.deepEqual([whole.ran, first.ran, continued.ran], [64, 32, 32]);
  assert.ok(whole.measured.tokenKeepPerLayer[1] < 1 && whole.measured.valueKeepPerLayer[0] < 1, 'pruning was counted');
  // the sweep's measurement and the trace-recording evaluation agree
  const full = await evaluateAccuracy(spec, algo);
  assert.deepEqual([full.value, full.ci95, full.measured, full.lsbRefetchFraction], [whole.value, whole.ci95, whole.measured, whole.lsbRefetchFraction]);
  assert.ok(full.trace.requests.length > 0, 'full.trace.requests.length > 0');
  // a prefix is not changed by being continued
  assert.equal(first.prefix.scores.length, 32);
});

test('sotu-char: 32 windows continued from the first 16 equal 32 from scratch, LSB refetch counters included', async () => {
  const algo = AlgoSchema.parse({ tokenKeep: 0.5, msbBits: 4, lsbBits: 4, lsbThreshold: 0.2 });
  const spec = { model: 'sotu-char', maxExamples: 32 };
  const { whole, continued } = await continuedRun(spec, algo, 16);
  assert.deepEqual([whole.ran, continued.ran], [32, 16]);
  assert.ok(whole.lsbRefetchFraction > 0 && whole.lsbRefetchFraction < 1, `refetch ${whole.lsbRefetchFraction}`);
});

test('a state that is not a prefix of the run is ignored: another configuration, part of a batch, more examples than the run', async () => {
  const algo = AlgoSchema.parse({ tokenKeep: 0.5 });
  const spec = { model: 'spam-bert', maxExamples: 64 };
  const whole = await measureAccuracy(spec, algo);
  const other = await measureAccuracy({ ...spec, maxExamples: 32 }, AlgoSchema.parse({ tokenKeep: 0.25 }));
  const partial = await measureAccuracy({ ...spec, maxExamples: 40 }, algo); // 32 + 8: the run's second batch is 32 wide
  const larger = await measureAccuracy({ ...spec, maxExamples: 96 }, algo);
  for (const [what, from] of [['another configuration', other], ['part of a batch', partial], ['more examples', larger]] as const) {
    const r = await measureAccuracy(spec, algo, from.prefix);
    assert.equal(r.ran, 64, what);
    assert.deepEqual(numbers(r), numbers(whole), what);
  }
  // as many examples as the run: nothing left to run
  const same = await measureAccuracy(spec, algo, whole.prefix);
  assert.equal(same.ran, 0);
  assert.deepEqual(numbers(same), numbers(whole));
});

/** Counts the engine's LM forward passes (Engine.generateBatch calls) while `fn` runs. */
async function forwards<T>(fn: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const real = Engine.prototype.generateBatch;
  let calls = 0;
  Engine.prototype.generateBatch = function (this: Engine, ...args: Parameters<Engine['generateBatch']>) {
    calls++;
    return real.apply(this, args);
  };
  try {
    return { value: await fn(), calls };
  } finally {
    Engine.prototype.generateBatch = real;
  }
}

test('sotu-char: a complete run state of seed 1 gives seed 9\'s run without a forward pass, bit-identical to seed 9 from scratch (the seed moves only the bootstrap CI)', async () => {
  const algo = AlgoSchema.parse({ tokenKeep: 0.5, msbBits: 6, lsbBits: 4, lsbThreshold: 0.2 });
  const spec = { model: 'sotu-char', maxExamples: 20 }; // 16 + 4: the state is complete, not whole batches
  const one = await forwards(() => measureAccuracy({ ...spec, seed: 1 }, algo));
  assert.equal(one.calls, 2, 'seed 1 from scratch: two batches (16 + 4 windows)');
  const nine = await forwards(() => measureAccuracy({ ...spec, seed: 9 }, algo));
  const reseeded = await forwards(() => measureAccuracy({ ...spec, seed: 9 }, algo, one.value.prefix));
  assert.equal(reseeded.calls, 0, 'no forward pass: the CI comes from the scores');
  assert.equal(reseeded.value.ran, 0);
  assert.deepEqual(numbers(reseeded.value), numbers(nine.value), 'every number as seed 9 from scratch gives it');
  assert.equal(nine.value.value, one.value.value, 'the seed does not move the perplexity');
  assert.notDeepEqual(nine.value.ci95, one.value.ci95, 'it moves the bootstrap CI');
  // the perplexity is exp of the mean window NLL, recomputed here from the scores by hand
  const scores = one.value.prefix.scores as number[][];
  const meanNll = scores.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length).reduce((a, b) => a + b, 0) / scores.length;
  assert.ok(Math.abs(Math.log(one.value.value) - meanNll) < 1e-12, `log perplexity ${Math.log(one.value.value)} is the mean window NLL ${meanNll}`);
  assert.deepEqual(perplexityOf(scores, 9), { value: nine.value.value, ci95: nine.value.ci95 });
  assert.ok(nine.value.ci95[0] < nine.value.value && nine.value.value < nine.value.ci95[1], `CI ${nine.value.ci95} holds ${nine.value.value}`);
});
