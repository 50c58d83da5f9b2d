// The shipped checkpoints: baseline accuracy on a fixed subset, pruning effects, trace export,
// evaluation inside a worker_thread (as the sweep runner's piscina pool does).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
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
  assert.ok(r.ci95[0] <= r.value && r.value <= r.ci95[1]);
  assert.deepEqual(r.measured.tokenKeepPerLayer, [1, 1, 1, 1]);
  assert.equal(r.lsbRefetchFraction, 0); // BERT: static quantization only
  // cache key: same inputs → same key; algorithm change → new key
  const again = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 300 }, AlgoSchema.parse({}));
  assert.equal(again.cacheKey, r.cacheKey);
  assert.equal(again.value, r.value);
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
  assert.ok(r.measured.headKeepPerLayer[3] < 1);
  const { formatTrace, parseTrace } = await import('../sim/workload/trace.ts');
  const back = parseTrace(formatTrace(r.trace, r.trace.provenance), 'spam.csv');
  assert.equal(back.requests.length, r.trace.requests.length);
  assert.equal(back.stage, 'summarization');
});

test('sotu-gpt: finite perplexity; KV pruning raises it; LSB refetch is measured', { skip: !has('sotu-gpt') && 'no checkpoint' }, async () => {
  const base = await evaluateAccuracy({ model: 'sotu-gpt', maxExamples: 8 }, AlgoSchema.parse({}));
  assert.equal(base.metric, 'perplexity');
  assert.ok(Number.isFinite(base.value) && base.value > 1);
  const pruned = await evaluateAccuracy({ model: 'sotu-gpt', maxExamples: 8 }, AlgoSchema.parse({ tokenKeep: 0.1, msbBits: 4, lsbBits: 4, lsbThreshold: 0.2 }));
  assert.ok(pruned.value > base.value, `${pruned.value} vs ${base.value}`);
  assert.ok(pruned.lsbRefetchFraction > 0 && pruned.lsbRefetchFraction < 1);
  assert.ok(pruned.trace.requests.every((q) => q.queries === 1 && q.keys <= q.L));
});

test('evaluateAccuracy works inside a worker_thread', { skip: !has('spam-bert') && 'no checkpoint' }, async () => {
  const code = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      try {
        const { tsImport } = require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/esm/api'))});
        const api = await tsImport(${JSON.stringify(new URL('../sim/nn/api.ts', import.meta.url).href)}, __filename);
        const schema = await tsImport(${JSON.stringify(new URL('../sim/schema.ts', import.meta.url).href)}, __filename);
        const r = await api.evaluateAccuracy({ model: 'spam-bert', maxExamples: 16 }, schema.AlgoSchema.parse({ tokenKeep: 0.5 }));
        parentPort.postMessage({ value: r.value, key: r.cacheKey });
      } catch (e) { parentPort.postMessage({ error: String(e && e.stack || e).slice(0, 500) }); }
    })();`;
  const msg = await new Promise<{ value?: number; key?: string; error?: string }>((res, rej) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m) => { res(m); void w.terminate(); });
    w.once('error', rej);
  });
  assert.equal(msg.error, undefined);
  const local = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 16 }, AlgoSchema.parse({ tokenKeep: 0.5 }));
  assert.equal(msg.value, local.value);
  assert.equal(msg.key, local.cacheKey);
});
