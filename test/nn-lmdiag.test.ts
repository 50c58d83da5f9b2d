// The LM pruning diagnostics (sim/nn/lm-diag.ts, scripts/lm-diag.ts) on tiny random GPTs:
// the diagnostic key rule keeps exactly the most recent k tokens (nested, current token included) in
// the layers it names; the batched forward at shifted positions equals the float64 reference at the
// same positions; `--context N` at the tokens' own positions equals the fresh form when the position
// embedding is zero and differs when it is not; the attention spread of a model whose attention is
// uniform is the hand-computed one (mass 8/(i+1) on the last 8 keys, i+1 effective keys); the
// repeated-span NLLs are the float64 reference's at the span's two occurrences.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initBackend, tf } from '../sim/nn/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../sim/nn/checkpoint.ts';
import { contextPerplexity } from '../sim/nn/context.ts';
import { Engine, runAlgo, Stats } from '../sim/nn/engine.ts';
import { generate } from '../sim/nn/generate.ts';
import { attentionSpread, copySpanNll, COPY_FROM, COPY_LEN, COPY_TO, prunedPerplexity } from '../sim/nn/lm-diag.ts';
import { evalInputs, getEngine } from '../sim/nn/api.ts';
import { logitsAlgo } from '../sim/nn/logits.ts';
import { initWeights, trainForward, type ModelConfig, type TfWeights, type Weights } from '../sim/nn/model.ts';
import { referenceForward } from '../sim/nn/reference.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { trainBpe } from '../sim/nn/tokenizer.ts';

const C: ModelConfig = {
  kind: 'gpt', vocabSize: 257, hidden: 16, layers: 4, heads: 2, intermediate: 32, maxPositions: 64, numLabels: 0,
  lnEps: 1e-5, padId: -1, clsId: -1, sepId: -1, eosId: 0, act: 'relu',
};

function saved(w: Weights): string {
  const dir = mkdtempSync(join(tmpdir(), 'lmdiag-'));
  saveCheckpoint(dir, C, w, trainBpe([], 257, ['<|endoftext|>']));
  return dir;
}

test('keyRule recent: the k most recent positions (current token included) in every layer ≥ fromLayer, all of them before', async () => {
  await initBackend();
  const w = initWeights(C, 5);
  const dir = saved(w);
  const e = new Engine(loadCheckpoint(dir));
  rmSync(dir, { recursive: true });
  const rnd = mulberry32(3);
  const P = 24, G = 8, k = 5, from = 2;
  const win = Array.from({ length: P + G + 1 }, () => 1 + Math.floor(rnd() * 256));
  const stats = new Stats(C.layers, false);
  let checked = 0;
  stats.onAlive = (_ex, step, layer, alive) => {
    const pos = P + step;
    const want = layer >= from ? Array.from({ length: k }, (_, i) => pos - k + 1 + i) : Array.from({ length: pos + 1 }, (_, i) => i);
    assert.deepEqual([...alive], want, `step ${step} layer ${layer}`);
    checked++;
  };
  const ra = runAlgo(logitsAlgo({}), C);
  const pruned = generate(e, [win], P, G, ra, stats, 0, { keyRule: { rank: 'recent', keep: k, fromLayer: from } }).nll[0];
  assert.equal(checked, G * C.layers);
  const dense = generate(e, [win], P, G, ra, new Stats(C.layers, false)).nll[0];
  assert.ok(pruned.some((x, i) => Math.abs(x - dense[i]) > 1e-6), 'pruning the keys changes the predictions');
  e.dispose();
});

test('trainForward with posOffset = the float64 reference forward at the same positions', async () => {
  await initBackend();
  const w = initWeights(C, 7);
  const rnd = mulberry32(4);
  const S = 20, off = [30, 0];
  const ids = Array.from({ length: 2 * S }, () => 1 + Math.floor(rnd() * 256));
  const W: TfWeights = new Map([...w].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  const lg = tf.tidy(() => trainForward(C, W, Int32Array.from(ids), 2, S, [], { posOffset: off }));
  const got = lg.dataSync() as Float32Array;
  lg.dispose();
  W.forEach((t) => t.dispose());
  let maxd = 0;
  for (let b = 0; b < 2; b++) {
    const ref = referenceForward(C, w, ids.slice(b * S, (b + 1) * S), { posOffset: off[b] });
    for (let i = 0; i < S * C.vocabSize; i++) maxd = Math.max(maxd, Math.abs(ref[i] - got[b * S * C.vocabSize + i]));
  }
  assert.ok(maxd < 1e-4, `max |Δ logit| ${maxd}`);
  const shifted = referenceForward(C, w, ids.slice(0, S), { posOffset: 30 });
  const fresh = referenceForward(C, w, ids.slice(0, S));
  assert.ok(Math.abs(shifted[0] - fresh[0]) > 1e-4, 'the offset moves the logits (the check is not vacuous)');
});

test("--context N at the tokens' own positions: equal to the fresh form iff the position embedding is zero", async () => {
  await initBackend();
  const w = initWeights(C, 9);
  const dirA = saved(w);
  const pos = w.get('posEmb')!;
  w.set('posEmb', { shape: pos.shape, data: new Float32Array(pos.data.length) });
  const dirZ = saved(w);
  try {
    const spec = (model: string) => ({ model, maxExamples: 4 });
    const a = [await contextPerplexity(spec(dirA), 8, 'fresh'), await contextPerplexity(spec(dirA), 8, 'original')];
    const z = [await contextPerplexity(spec(dirZ), 8, 'fresh'), await contextPerplexity(spec(dirZ), 8, 'original')];
    assert.equal(a[1].positions, 'original');
    assert.ok(Math.abs(z[0].perplexity - z[1].perplexity) < 1e-9 * z[0].perplexity, `zero posEmb: ${z[0].perplexity} vs ${z[1].perplexity}`);
    assert.ok(Math.abs(a[0].perplexity - a[1].perplexity) > 1e-4, `random posEmb: ${a[0].perplexity} vs ${a[1].perplexity}`);
    // The diagnostic pass with no rule is the accuracy protocol's dense pass (same windows and NLL).
    const d = await prunedPerplexity(spec(dirA), logitsAlgo({}));
    assert.equal(d.n, 4);
    assert.deepEqual(d.keptPerLayer.map((x) => Math.round(x * 100) / 100), Array(C.layers).fill(32 + 1 + 15.5)); // mean context pos + 1 over the 32 steps
  } finally {
    rmSync(dirA, { recursive: true });
    rmSync(dirZ, { recursive: true });
  }
});

test('attention spread of a model with uniform attention (zero Q/K projections): mass 8/(i+1) on the last 8 keys, i+1 effective keys', async () => {
  await initBackend();
  const w = initWeights(C, 11);
  for (let l = 0; l < C.layers; l++) {
    const t = w.get(`l${l}.wqkv`)!;
    const b = w.get(`l${l}.bqkv`)!;
    const d = C.hidden;
    for (let r = 0; r < d; r++) for (let c = 0; c < 2 * d; c++) t.data[r * 3 * d + c] = 0; // Q and K columns
    for (let c = 0; c < 2 * d; c++) b.data[c] = 0;
  }
  const dir = saved(w);
  try {
    const rows = await attentionSpread({ model: dir, windows: 2 });
    assert.equal(rows.length, C.layers * C.heads);
    const P = 32; // maxPositions 64 − 32 generated tokens
    const qs = Array.from({ length: 32 }, (_, t) => P + t); // query indices of the generation stage
    const mean = (f: (i: number) => number) => qs.reduce((a, i) => a + f(i), 0) / qs.length;
    for (const r of rows) {
      assert.ok(Math.abs(r.last8 - mean((i) => 8 / (i + 1))) < 1e-9, `L${r.layer} h${r.head} last8 ${r.last8}`);
      assert.ok(Math.abs(r.last32 - mean((i) => 32 / (i + 1))) < 1e-9, 'Math.abs(r.last32 - mean((i) => 32 / (i + 1))) < 1e-9');
      assert.ok(Math.abs(r.last96 - 1) < 1e-9, 'all keys are within the last 96');
      assert.ok(Math.abs(r.effectiveKeys - mean((i) => i + 1)) < 1e-6, `effective keys ${r.effectiveKeys}`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('copySpanNll: the NLL of the span where it first occurs and of its copy, each = the float64 reference at those positions', async () => {
  await initBackend();
  const c: ModelConfig = { ...C, maxPositions: 256 };
  const w = initWeights(c, 11);
  const dir = mkdtempSync(join(tmpdir(), 'lmdiag-'));
  saveCheckpoint(dir, c, w, trainBpe([], 257, ['<|endoftext|>']));
  try {
    const windows = 2;
    const got = await copySpanNll({ model: dir, maxExamples: windows }, windows);
    assert.equal(got.n, windows * (COPY_LEN - 5));
    const e = await getEngine(dir);
    const inputs = evalInputs(e, windows);
    if (inputs.kind !== 'gpt') throw new Error('unreachable');
    let first = 0;
    let copy = 0;
    for (const win of inputs.windows.slice(0, windows)) {
      const ids = win.slice(0, 256);
      for (let i = 0; i < COPY_LEN; i++) ids[COPY_TO + i] = ids[COPY_FROM + i];
      const logits = referenceForward(c, w, ids);
      const V = c.vocabSize;
      const nll = (j: number) => { // −log p(ids[j + 1] | ids[0..j])
        let m = -Infinity;
        for (let v = 0; v < V; v++) m = Math.max(m, logits[j * V + v]);
        let z = 0;
        for (let v = 0; v < V; v++) z += Math.exp(logits[j * V + v] - m);
        return m + Math.log(z) - logits[j * V + ids[j + 1]];
      };
      for (let i = 5; i < COPY_LEN; i++) {
        first += nll(COPY_FROM + i - 1);
        copy += nll(COPY_TO + i - 1);
      }
    }
    assert.ok(Math.abs(got.first - first / got.n) < 1e-4, `first ${got.first} vs ${first / got.n}`);
    assert.ok(Math.abs(got.copy - copy / got.n) < 1e-4, `copy ${got.copy} vs ${copy / got.n}`);
    assert.ok(Math.abs(got.first - got.copy) > 1e-4, 'a random model sees the two occurrences in different contexts');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('generation hits: a window continued greedily by the float64 reference is all hits; a runner-up target is a miss', async () => {
  await initBackend();
  const w = initWeights(C, 11);
  const dir = saved(w);
  const e = new Engine(loadCheckpoint(dir));
  rmSync(dir, { recursive: true });
  const rnd = mulberry32(7);
  const P = 20, G = 6, V = C.vocabSize;
  const win = Array.from({ length: P }, () => 1 + Math.floor(rnd() * 256));
  let runnerUp = -1;
  while (win.length < P + G + 1) { // append the reference's most probable next token, noting the runner-up of the first generated step
    const logits = referenceForward(C, w, win);
    const row = logits.subarray((win.length - 1) * V, win.length * V);
    const order = Array.from({ length: V }, (_, v) => v).sort((a, b) => row[b] - row[a]);
    assert.ok(row[order[0]] - row[order[1]] > 1e-3, 'no near-tie: float32 and float64 agree on the argmax');
    if (win.length === P + 1) runnerUp = order[1];
    win.push(order[0]);
  }
  const ra = runAlgo(logitsAlgo({}), C);
  assert.deepEqual(generate(e, [win], P, G, ra, new Stats(C.layers, false)).hits[0], Array(G).fill(1));
  const other = [...win];
  other[P + 1] = runnerUp; // step 0 predicts position P + 1
  assert.equal(generate(e, [other], P, G, ra, new Stats(C.layers, false)).hits[0][0], 0);
  e.dispose();
});
