// Schedules applied as written (layer 0 included) for BERT and GPT engines of 2, 3, 4 and 12
// layers; tokenizers equal Hugging Face's on the reference passage; the llm token policy
// (official SpAtten-LLM KV cache) keeps per-head sets of the budget it promises.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AlgoSchema } from '../sim/schema.ts';
import { initBackend } from '../sim/nn/backend.ts';
import type { Checkpoint } from '../sim/nn/checkpoint.ts';
import { Engine, runAlgo, Stats } from '../sim/nn/engine.ts';
import { cascadeScore, llmBudgetOf, llmPrune } from '../sim/nn/generate.ts';
import { initWeights, type ModelConfig } from '../sim/nn/model.ts';
import { referenceForward } from '../sim/nn/reference.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { basicTokenize, BpeTokenizer, WordPieceTokenizer } from '../sim/nn/tokenizer.ts';
import { keepCount, tokenKeepSchedule } from '../sim/workload/schedule.ts';

const FIX = join(fileURLToPath(new URL('..', import.meta.url)), 'test/fixtures/hf-reference');

function engine(kind: 'bert' | 'gpt', layers: number, hidden = 16): Engine {
  const c: ModelConfig = {
    kind, vocabSize: 60, hidden, layers, heads: 4, intermediate: 32, maxPositions: 80, numLabels: kind === 'bert' ? 2 : 0,
    lnEps: 1e-5, padId: kind === 'bert' ? 0 : -1, clsId: kind === 'bert' ? 2 : -1, sepId: kind === 'bert' ? 3 : -1, eosId: kind === 'bert' ? -1 : 0,
  };
  const ck: Checkpoint = { dir: 'mem', config: c, weights: initWeights(c, 7), tokenizer: new WordPieceTokenizer(['[PAD]']), hash: 't' };
  return new Engine(ck);
}
const seq = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => 4 + Math.floor(rng() * 56));
};

for (const layers of [2, 3, 4, 12]) {
  test(`BERT, ${layers} layers: per-layer kept tokens = the schedule, layer 0 included (tokenKeep 0.5, tokenFrontFrac 0 and 0.15)`, async () => {
    await initBackend();
    const e = engine('bert', layers);
    for (const front of [0, 0.15]) {
      const algo = AlgoSchema.parse({ tokenKeep: 0.5, tokenFrontFrac: front });
      const sched = tokenKeepSchedule(layers, 0.5, algo.tokenSpread, front);
      const L = 40;
      const stats = new Stats(layers);
      e.classifyBatch([[2, ...seq(L - 2, layers), 3]], runAlgo(algo, e.c), stats);
      const kept = stats.measured().tokenKeepPerLayer;
      // Cascade: a layer keeps keepCount(L, schedule[l]) of the tokens (never more than the previous layer).
      let prev = L;
      for (let l = 0; l < layers; l++) {
        prev = Math.min(prev, keepCount(L, sched[l]));
        assert.equal(kept[l] * L, prev, `layer ${l} (front ${front}): kept ${kept[l] * L}, schedule ${sched[l]}`);
      }
      if (front === 0) assert.ok(kept[0] < 1, `layer 0 must be pruned: ${kept[0]}`);
      const mean = kept.reduce((a, b) => a + b, 0) / layers;
      if (front === 0) assert.ok(Math.abs(mean - 0.5) <= 0.5 / L + 1e-9, `mean keep ${mean} for tokenKeep 0.5`);
    }
    e.dispose();
  });

  test(`GPT, ${layers} layers: generation-stage kept KV tokens = the schedule at every layer (tokenFrontFrac 0)`, async () => {
    await initBackend();
    const e = engine('gpt', layers);
    const algo = AlgoSchema.parse({ tokenKeep: 0.5, tokenFrontFrac: 0 });
    const sched = tokenKeepSchedule(layers, 0.5, algo.tokenSpread, 0);
    const stats = new Stats(layers);
    const prompt = 30;
    e.generateBatch([seq(prompt + 3, 5 + layers)], prompt, 2, runAlgo(algo, e.c), stats);
    // First generation step: context 31, every layer keeps keepCount(31, schedule[l]) (nested).
    const first = stats.rows.filter((r) => r.iteration === 0);
    let prev = 31;
    for (let l = 0; l < layers; l++) {
      prev = Math.min(prev, keepCount(31, sched[l]));
      const rows = first.filter((r) => r.layer === l);
      assert.ok(rows.length > 0, 'rows.length > 0');
      for (const r of rows) assert.equal(r.keys, prev, `layer ${l}`);
    }
    e.dispose();
  });
}

test('byte-level BPE: ids equal Hugging Face on the reference passage (GPT-2 pre-tokenization, digit runs grouped)', () => {
  const R = JSON.parse(readFileSync(join(FIX, 'tokenizer-reference.json'), 'utf8')) as { text: string; bpe: number[]; wp: number[] };
  const bpe = BpeTokenizer.load(join(FIX, 'tokenizer-bpe'));
  assert.ok(/\d{2,}/.test(R.text), 'the passage has digit runs');
  assert.deepEqual(bpe.encode(R.text), R.bpe);
  assert.equal(bpe.decode(R.bpe), R.text);
});

test('lower-cased WordPiece: ids equal Hugging Face on the reference passage (BasicTokenizer rules)', () => {
  const R = JSON.parse(readFileSync(join(FIX, 'tokenizer-reference.json'), 'utf8')) as { text: string; bpe: number[]; wp: number[] };
  const wp = WordPieceTokenizer.load(join(FIX, 'tokenizer-wordpiece'));
  assert.deepEqual(wp.encode(R.text), R.wp);
  // BasicTokenizer: letters and digits stay one word, punctuation splits, accents and controls go.
  assert.deepEqual(basicTokenize('The 3rd Café—costs $5.00\u0007!'), ['the', '3rd', 'cafe', '—', 'costs', '$', '5', '.', '00', '!']);
});

test('llm policy: protected start/recent windows, top-k of the middle by the last scores, fixed budget', () => {
  const set = Array.from({ length: 20 }, (_, i) => i);
  const score = new Float64Array(32);
  score[7] = 0.9; score[12] = 0.8; score[3] = 0.7; score[10] = 0.05;
  // budget 10, start 2, recent 4: keeps 0,1 + top-4 of 2..16 + the 3 most recent (17,18,19); +1 incoming = 10.
  const { kept, k } = llmPrune(set, score, 10, 2, 4);
  assert.equal(k, 4);
  assert.deepEqual(kept, [0, 1, 3, 7, 10, 12, 17, 18, 19]);
  assert.deepEqual(llmPrune(set.slice(0, 9), score, 10, 2, 4).kept, set.slice(0, 9)); // no overflow: unchanged
  const ra = runAlgo(AlgoSchema.parse({ tokenKeep: 0.25, tokenPolicy: 'llm', startTokens: 4, recentTokens: 32 }), { kind: 'gpt', layers: 4 } as ModelConfig);
  assert.equal(llmBudgetOf(ra, 256), 64);
  assert.equal(llmBudgetOf({ ...ra, tokenKeepAvg: 0.05 }, 256), 36); // never below start + recent
});

test('llm policy in the engine: every layer and head holds exactly the budget, head sets differ, trace carries them', async () => {
  await initBackend();
  const e = engine('gpt', 4);
  const algo = AlgoSchema.parse({ tokenKeep: 0.25, tokenPolicy: 'llm', startTokens: 2, recentTokens: 4 });
  const ra = runAlgo(algo, e.c);
  const stats = new Stats(4);
  const sets = new Map<string, string[]>();
  stats.onHeadKeys = (_ex, step, layer, _h, keys) => {
    const k = `${step}/${layer}`;
    sets.set(k, [...(sets.get(k) ?? []), keys.join(',')]);
    assert.deepEqual(keys.slice(0, 2), [0, 1], 'start tokens kept');
    assert.deepEqual(keys.slice(-4), [prompt + step - 3, prompt + step - 2, prompt + step - 1, prompt + step], 'recent tokens kept');
  };
  const prompt = 60;
  e.generateBatch([seq(prompt + 6, 3)], prompt, 5, ra, stats);
  const budget = llmBudgetOf(ra, prompt + 5);
  assert.equal(budget, 16);
  for (const r of stats.rows) assert.equal(r.keys, budget, `iteration ${r.iteration} layer ${r.layer} head ${r.head}`);
  // Per-head selection: the heads of a layer keep different middle tokens (somewhere); top-k size per row.
  assert.ok([...sets.values()].some((v) => new Set(v).size > 1), 'per-head key sets');
  for (const r of stats.rows) assert.equal(r.topk, budget - 2 - 4);
  e.dispose();
});

test('llm policy, first prune after the prompt: each head keeps the middle tokens its LAST prompt query attends to most (one decode step), not the column sums over the prompt', async () => {
  await initBackend();
  const c: ModelConfig = {
    kind: 'gpt', vocabSize: 60, hidden: 16, layers: 2, heads: 4, intermediate: 32, maxPositions: 80, numLabels: 0,
    lnEps: 1e-5, padId: -1, clsId: -1, sepId: -1, eosId: 0,
  };
  const weights = initWeights(c, 7);
  const e = new Engine({ dir: 'mem', config: c, weights, tokenizer: new WordPieceTokenizer(['[PAD]']), hash: 't' });
  const prompt = 40;
  const ids = seq(prompt + 2, 11);
  // Budget keepCount(41, 0.3) = 12 = 2 start + 6 middle + 4 recent (3 cached + the incoming token).
  const ra = runAlgo(AlgoSchema.parse({ tokenKeep: 0.3, tokenPolicy: 'llm', startTokens: 2, recentTokens: 4 }), c);
  assert.equal(llmBudgetOf(ra, prompt + 1), 12);
  // Independent expectation: the float64 reference forward's probabilities of query prompt − 1
  // (and, for contrast, their column sums over all prompt queries), per layer and head.
  const last = new Map<string, number[]>();
  const colSum = new Map<string, number[]>();
  referenceForward(c, weights, ids.slice(0, prompt), {
    probe: (l, h, i, p, lim, z) => {
      const cs = colSum.get(`${l}/${h}`) ?? new Array(prompt).fill(0);
      for (let j = 0; j < lim; j++) cs[j] += p[j] / z;
      colSum.set(`${l}/${h}`, cs);
      if (i === prompt - 1) last.set(`${l}/${h}`, Array.from({ length: lim }, (_, j) => p[j] / z));
    },
  });
  const middle = Array.from({ length: prompt - 3 - 2 }, (_, i) => 2 + i); // positions 2 … 36
  const top6 = (score: number[]) => [...middle].sort((a, b) => score[b] - score[a] || a - b).slice(0, 6).sort((a, b) => a - b);
  const got = new Map<string, number[]>();
  const stats = new Stats(2);
  stats.onHeadKeys = (_ex, step, l, h, keys) => { if (step === 0) got.set(`${l}/${h}`, [...keys]); };
  e.generateBatch([ids], prompt, 1, ra, stats);
  assert.equal(got.size, 8);
  let differs = 0;
  for (const [key, keys] of got) {
    const byLast = top6(last.get(key)!);
    // the 6th and 7th middle scores are apart, so float32 vs float64 cannot swap them
    const sorted = middle.map((p) => last.get(key)![p]).sort((a, b) => b - a);
    assert.ok(sorted[5] - sorted[6] > 1e-6, `${key}: a near tie at the top-6 boundary`);
    assert.deepEqual(keys, [0, 1, ...byLast, 37, 38, 39, 40], `head ${key}`);
    if (top6(colSum.get(key)!).join() !== byLast.join()) differs++;
  }
  // The column sums (token j seen by 40 − j queries) would keep other tokens in some heads.
  assert.ok(differs > 0, 'the two rankings coincide everywhere: the case does not tell them apart');
  e.dispose();
});

test('llm-policy trace is priced per head by both hardware models (fewer keys → less DRAM traffic; the per-head top-k is priced)', async () => {
  await initBackend();
  const { analyticalModel } = await import('../sim/hw/analytical.ts');
  const { simulateCycle } = await import('../sim/cycle/sim.ts');
  const { HardwareSchema } = await import('../sim/schema.ts');
  const e = engine('gpt', 4, 64); // head dim 16, as the shipped LM
  const hw = HardwareSchema.parse({});
  const traceOf = (algo: Record<string, unknown>) => {
    const stats = new Stats(4);
    e.generateBatch([seq(70, 9), seq(70, 10)], 60, 6, runAlgo(AlgoSchema.parse(algo), e.c), stats);
    return { name: 't', model: { name: 't', layers: 4, heads: 4, headDim: 16, dModel: 64, kind: 'decoder' as const }, stage: 'generation' as const, iterations: 12, reuseKV: false, requests: stats.rows, source: 'generated' as const, provenance: 'test' };
  };
  const dense = traceOf({});
  const llm = traceOf({ tokenKeep: 0.25, tokenPolicy: 'llm', startTokens: 2, recentTokens: 4 });
  assert.equal(llm.requests.length, dense.requests.length);
  assert.ok(llm.requests.every((r) => r.keys === 17), "budget keepCount(66, 0.25) = 17 keys per head");
  for (const model of [analyticalModel, simulateCycle]) {
    const a = model(dense, hw);
    const b = model(llm, hw);
    assert.ok(b.dram_bytes < 0.4 * a.dram_bytes, `${model.name}: DRAM ${b.dram_bytes} vs ${a.dram_bytes} (17 of ~63 keys)`);
    // The per-head top-k of every pruning step is priced too (not free): dropping it never costs cycles.
    const noTopk = model({ ...llm, requests: llm.requests.map((r) => ({ ...r, topk: -1 })) }, hw);
    assert.ok(noTopk.cycles <= b.cycles, `${model.name}: ${noTopk.cycles} without top-k vs ${b.cycles}`);
    assert.ok(noTopk.dram_bytes === b.dram_bytes, 'noTopk.dram_bytes === b.dram_bytes');
  }
  e.dispose();
});

test('cascade token score: sum (paper Alg. 2) ranks by received probability, mean by probability per row that saw the token', () => {
  // A 4-token causal prompt, one head: token j is seen by 4 − j queries. Column sums 2.0 / 1.0 / 0.9 / 0.6.
  const score = Float64Array.from([2.0, 1.0, 0.9, 0.6]);
  const seen = Float64Array.from([4, 3, 2, 1]);
  const sum = [0, 1, 2, 3].map(cascadeScore('sum', score, seen));
  const mean = [0, 1, 2, 3].map(cascadeScore('mean', score, seen));
  assert.deepEqual(sum, [2.0, 1.0, 0.9, 0.6]);
  assert.deepEqual(mean, [0.5, 1 / 3, 0.45, 0.6]);
  // keep 2: sum keeps the two oldest, mean the most recent and the first
  const top2 = (v: number[]) => v.map((x, i) => [x, i]).sort((a, b) => b[0] - a[0]).slice(0, 2).map((p) => p[1]).sort();
  assert.deepEqual(top2(sum), [0, 1]);
  assert.deepEqual(top2(mean), [0, 3]);
  // a token nobody saw yet scores 0 either way (no division by zero)
  assert.equal(cascadeScore('mean', Float64Array.from([0]), Float64Array.from([0]))(0), 0);
});

test('cascade with tokenScore mean in the engine: same budgets per layer as sum, later positions kept (causal prompts favour early tokens under sum)', async () => {
  await initBackend();
  const e = engine('gpt', 4);
  const prompt = 60;
  const run = (tokenScore: 'sum' | 'mean') => {
    const ra = runAlgo(AlgoSchema.parse({ tokenKeep: 0.25, tokenSpread: 0, tokenScore }), e.c);
    const stats = new Stats(4);
    const kept: number[][] = [];
    stats.onAlive = (_ex, step, layer, alive) => { if (step === 3 && layer === 3) kept.push([...alive]); };
    e.generateBatch([seq(prompt + 6, 5)], prompt, 5, ra, stats);
    return { kept: kept[0], rows: stats.rows };
  };
  const s = run('sum');
  const m = run('mean');
  assert.equal(s.kept.length, m.kept.length, 'same keep count');
  assert.equal(s.kept.length, keepCount(prompt + 4, 0.25));
  assert.ok(m.kept.includes(prompt + 3) && s.kept.includes(prompt + 3), 'the current token is always kept');
  const meanPos = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
  assert.ok(meanPos(m.kept) > meanPos(s.kept) + 3, `mean keeps later tokens: ${meanPos(m.kept)} vs ${meanPos(s.kept)}`);
  for (let i = 0; i < s.rows.length; i++) assert.equal(m.rows[i].keys, s.rows[i].keys, 'trace key counts follow the schedule, not the score');
  e.dispose();
});
