// The shipped checkpoints: baseline accuracy on a fixed subset, pruning effects, trace export,
// evaluation inside a worker_thread (as the sweep runner's piscina pool does).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { AlgoSchema } from '../sim/schema.ts';
import { CHECKPOINT_ROOT } from '../sim/nn/paths.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { tokenKeepSchedule, keepCount } from '../sim/workload/schedule.ts';

const has = (m: string) => existsSync(join(CHECKPOINT_ROOT, m, 'model.safetensors'));

test('shipped spam-bert reaches its baseline on a fixed 300-example subset', { skip: !has('spam-bert') && 'no checkpoint' }, async () => {
  const r = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 300 }, AlgoSchema.parse({}));
  assert.equal(r.metric, 'accuracy');
  assert.equal(r.n, 300);
  assert.ok(r.value >= 0.96, `accuracy ${r.value}`);
  assert.ok(r.ci95[0] <= r.value && r.value <= r.ci95[1], 'r.ci95[0] <= r.value && r.value <= r.ci95[1]');
  assert.deepEqual(r.measured.tokenKeepPerLayer, [1, 1, 1, 1]);
  assert.equal(r.lsbRefetchFraction, 0); // BERT: static quantization only
  // cache key: same inputs → same key; algorithm or size change → new key
  const { cacheKeyOf, getEngine } = await import('../sim/nn/api.ts');
  const h = (await getEngine('spam-bert')).ck.hash;
  assert.equal(cacheKeyOf({ model: 'spam-bert', maxExamples: 300 }, AlgoSchema.parse({}), h), r.cacheKey);
  assert.equal(cacheKeyOf({ model: 'spam-bert', maxExamples: 300 }, AlgoSchema.parse({ lsbRefetchFraction: 0.2 }), h), r.cacheKey);
  assert.notEqual(cacheKeyOf({ model: 'spam-bert', maxExamples: 300 }, AlgoSchema.parse({ tokenKeep: 0.9 }), h), r.cacheKey);
  assert.notEqual(cacheKeyOf({ model: 'spam-bert', maxExamples: 200 }, AlgoSchema.parse({}), h), r.cacheKey);
});

test('pruned spam-bert: kept-token counts follow the schedule; trace parses', { skip: !has('spam-bert') && 'no checkpoint' }, async () => {
  const algo = AlgoSchema.parse({ tokenKeep: 0.3, headKeep: 0.75 });
  const r = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 40 }, algo);
  const sched = tokenKeepSchedule(4, 0.3, algo.tokenSpread, algo.tokenFrontFrac);
  for (const row of r.trace.requests) {
    let want = row.L;
    for (let l = 0; l <= row.layer; l++) want = Math.min(want, keepCount(row.L, sched[l]));
    assert.equal(row.keys, want, `iteration ${row.iteration} layer ${row.layer}`);
  }
  assert.ok(r.measured.headKeepPerLayer[3] < 1, 'r.measured.headKeepPerLayer[3] < 1');
  const { formatTrace, parseTrace } = await import('../sim/workload/trace.ts');
  const back = parseTrace(formatTrace(r.trace, r.trace.provenance), 'spam.csv');
  assert.equal(back.requests.length, r.trace.requests.length);
  assert.equal(back.stage, 'summarization');
});

test('sotu-gpt: finite perplexity; KV pruning raises it; LSB refetch is measured', { skip: !has('sotu-gpt') && 'no checkpoint' }, async () => {
  const base = await evaluateAccuracy({ model: 'sotu-gpt', maxExamples: 8 }, AlgoSchema.parse({}));
  assert.equal(base.metric, 'perplexity');
  assert.ok(Number.isFinite(base.value) && base.value > 1, 'Number.isFinite(base.value) && base.value > 1');
  const pruned = await evaluateAccuracy({ model: 'sotu-gpt', maxExamples: 8 }, AlgoSchema.parse({ tokenKeep: 0.1, msbBits: 4, lsbBits: 4, lsbThreshold: 0.2 }));
  assert.ok(pruned.value > base.value, `${pruned.value} vs ${base.value}`);
  assert.ok(pruned.lsbRefetchFraction > 0 && pruned.lsbRefetchFraction < 1, 'pruned.lsbRefetchFraction > 0 && pruned.lsbRefetchFraction < 1');
  assert.ok(pruned.trace.requests.every((q) => q.queries === 1 && q.keys <= q.L), 'pruned.trace.requests.every((q) => q.queries === 1 && q.keys <= q.L)');
});

test('evaluateAccuracy works inside a worker_thread', { skip: !has('spam-bert') && 'no checkpoint' }, async () => {
  const spec = { model: 'spam-bert', maxExamples: 16 };
  const algo = { tokenKeep: 0.5 };
  const msg = await new Promise<{ value?: number; key?: string; error?: string }>((res, rej) => {
    // A .mjs shim loads the .ts entry through tsx's API (workers lack the tsx hooks on Node 20).
    const w = new Worker(new URL('./nn-worker.fixture.mjs', import.meta.url), { workerData: { spec, algo } });
    w.once('message', (m) => { res(m); void w.terminate(); });
    w.once('error', rej);
  });
  assert.equal(msg.error, undefined);
  const local = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 16 }, AlgoSchema.parse({ tokenKeep: 0.5 }));
  assert.equal(msg.value, local.value);
  assert.equal(msg.key, local.cacheKey);
});

test('sotu-char: perplexity depends on the context (1 → 4 → 64 characters); KV pruning costs perplexity, the mean score (the LM default) less than the sum', { skip: !has('sotu-char') && 'no checkpoint' }, async () => {
  const { contextPerplexity } = await import('../sim/nn/context.ts');
  const spec = { model: 'sotu-char', maxExamples: 16 };
  const [one, four, sixtyFour] = [await contextPerplexity(spec, 1), await contextPerplexity(spec, 4), await contextPerplexity(spec, 64)];
  // a character-level model needs the characters before it: each longer context is clearly better
  assert.ok(one.perplexity > 1.5 * four.perplexity, `N=1 ${one.perplexity} vs N=4 ${four.perplexity}`);
  assert.ok(four.perplexity > 1.08 * sixtyFour.perplexity, `N=4 ${four.perplexity} vs N=64 ${sixtyFour.perplexity}`);
  const algo = (o: object) => AlgoSchema.parse(o);
  const dense = await evaluateAccuracy(spec, algo({}));
  const half = await evaluateAccuracy(spec, algo({ tokenKeep: 0.5, tokenScore: 'mean' }));
  const quarterMean = await evaluateAccuracy(spec, algo({ tokenKeep: 0.25, tokenScore: 'mean' }));
  const quarterSum = await evaluateAccuracy(spec, algo({ tokenKeep: 0.25, tokenScore: 'sum' }));
  assert.ok(dense.value < half.value && half.value < quarterMean.value, `${dense.value} < ${half.value} < ${quarterMean.value}`);
  assert.ok(quarterMean.value < quarterSum.value, `mean ${quarterMean.value} vs sum ${quarterSum.value}`);
  // an LM's default score is the mean (sim/nn/engine.ts runAlgo)
  const quarterDefault = await evaluateAccuracy(spec, algo({ tokenKeep: 0.25 }));
  assert.equal(quarterDefault.value, quarterMean.value);
});

/** 4× KV pruning's relative perplexity cost of a shipped LM on 8 windows. */
async function quarterCost(model: string): Promise<number> {
  const s = { model, maxExamples: 8 };
  return (await evaluateAccuracy(s, AlgoSchema.parse({ tokenKeep: 0.25 }))).value / (await evaluateAccuracy(s, AlgoSchema.parse({}))).value - 1;
}

// ALiBi adds a bias that the softmax cancels exactly; RoPE rotates by other angles (float32 rounding).
for (const [model, scheme, tol] of [['sotu-char-alibi', 'ALiBi', 1e-6], ['sotu-char-rope', 'RoPE', 1e-5]] as const) {
  test(`${model}: the last N characters at their own positions predict as a fresh N-character sequence (${scheme} sees distances only; to ${tol.toExponential(0)}); its 4× pruning costs less than half of sotu-char's`, { skip: !has(model) && 'no checkpoint' }, async () => {
    const { contextPerplexity } = await import('../sim/nn/context.ts');
    const spec = { model, maxExamples: 8 };
    for (const N of [8, 32]) {
      const fresh = await contextPerplexity(spec, N, 'fresh');
      const own = await contextPerplexity(spec, N, 'original');
      assert.ok(Math.abs(fresh.perplexity - own.perplexity) < tol * fresh.perplexity, `N=${N}: fresh ${fresh.perplexity} vs own positions ${own.perplexity}`);
    }
    const [cost, learned] = [await quarterCost(model), await quarterCost('sotu-char')];
    assert.ok(cost < 0.5 * learned, `4× cost: ${scheme} ${cost} vs learned positions ${learned}`);
  });
}
