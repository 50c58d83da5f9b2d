// TF.js engine vs plain-TS reference, cascade invariants, HF checkpoint loading, trace export.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlgoSchema } from '../sim/schema.ts';
import { initBackend, tf } from '../sim/nn/backend.ts';
import { loadCheckpoint, type Checkpoint } from '../sim/nn/checkpoint.ts';
import { Engine, runAlgo, Stats } from '../sim/nn/engine.ts';
import { initWeights, trainForward, type ModelConfig, type Weights } from '../sim/nn/model.ts';
import { toHf } from '../sim/nn/hf-weights.ts';
import { referenceForward } from '../sim/nn/reference.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { serializeSafetensors } from '../sim/nn/safetensors.ts';
import { BpeTokenizer, trainBpe, WordPieceTokenizer } from '../sim/nn/tokenizer.ts';

const bertCfg: ModelConfig = { kind: 'bert', vocabSize: 50, hidden: 16, layers: 4, heads: 4, intermediate: 32, maxPositions: 24, numLabels: 2, lnEps: 1e-12, padId: 0, clsId: 2, sepId: 3, eosId: -1 };
const gptCfg: ModelConfig = { kind: 'gpt', vocabSize: 40, hidden: 16, layers: 4, heads: 4, intermediate: 32, maxPositions: 24, numLabels: 0, lnEps: 1e-5, padId: -1, clsId: -1, sepId: -1, eosId: 0 };

/** Random weights with a large scale so that attention is far from uniform. */
function randomWeights(c: ModelConfig, seed: number): Weights {
  const w = initWeights(c, seed);
  const rng = mulberry32(seed + 1);
  for (const [k, t] of w) {
    const scale = /wqkv|tokEmb|posEmb/.test(k) ? 25 : 10;
    if (t.shape.length === 2) for (let i = 0; i < t.data.length; i++) t.data[i] *= scale;
    else if (!/G$/.test(k)) for (let i = 0; i < t.data.length; i++) t.data[i] = (rng() - 0.5) * 0.2;
  }
  return w;
}
function ck(c: ModelConfig, w: Weights): Checkpoint {
  return { dir: 'mem', config: c, weights: w, tokenizer: new WordPieceTokenizer(['[PAD]']), hash: 'test' };
}
const exact = AlgoSchema.parse({ msbBits: 32, queryBits: 32, valueBits: 32 });
const seqs = (n: number, len: (i: number) => number, V: number, seed: number, cls = -1, sep = -1) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const body = Array.from({ length: len(i) }, () => 4 + Math.floor(rng() * (V - 4)));
    return cls >= 0 ? [cls, ...body, sep] : body;
  });
};

test('TF.js BERT forward equals the plain-TS reference (and the training forward)', async () => {
  await initBackend();
  assert.equal(tf.getBackend(), 'wasm');
  const w = randomWeights(bertCfg, 11);
  const e = new Engine(ck(bertCfg, w));
  const batch = seqs(5, (i) => 6 + 3 * i, bertCfg.vocabSize, 5, 2, 3);
  const logits = e.classifyBatch(batch, runAlgo(exact, bertCfg), new Stats(4));
  const W = new Map([...w].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  batch.forEach((ids, b) => {
    const ref = referenceForward(bertCfg, w, ids);
    for (let k = 0; k < 2; k++) assert.ok(Math.abs(logits[b][k] - ref[k]) < 2e-3 * (1 + Math.abs(ref[k])), `ex ${b}: ${logits[b][k]} vs ${ref[k]}`);
    const tr = tf.tidy(() => trainForward(bertCfg, W, Int32Array.from(ids), 1, ids.length, [ids.length]));
    const td = tr.dataSync();
    tr.dispose();
    for (let k = 0; k < 2; k++) assert.ok(Math.abs(td[k] - ref[k]) < 2e-3 * (1 + Math.abs(ref[k])), 'Math.abs(td[k] - ref[k]) < 2e-3 * (1 + Math.abs(ref[k]))');
  });
  e.dispose();
});

test('TF.js GPT generation (KV cache) equals the plain-TS causal reference', async () => {
  await initBackend();
  const w = randomWeights(gptCfg, 12);
  const e = new Engine(ck(gptCfg, w));
  const wins = seqs(3, () => 21, gptCfg.vocabSize, 6);
  const prompt = 12;
  const gen = 8;
  const nll = e.generateBatch(wins, prompt, gen, runAlgo(exact, gptCfg), new Stats(4));
  for (let b = 0; b < wins.length; b++) {
    const ref = referenceForward(gptCfg, w, wins[b].slice(0, prompt + gen));
    const V = gptCfg.vocabSize;
    for (let t = 0; t < gen; t++) {
      const row = Array.from(ref.subarray((prompt + t) * V, (prompt + t + 1) * V));
      const mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((a, x) => a + Math.exp(x - mx), 0));
      const refNll = lse - row[wins[b][prompt + t + 1]];
      assert.ok(Math.abs(nll[b][t] - refNll) < 2e-3 * (1 + refNll), `ex ${b} step ${t}: ${nll[b][t]} vs ${refNll}`);
    }
  }
  e.dispose();
});

test('progressive quantization: threshold 1 refetches every row and gives the static (msb + lsb)-bit keys; threshold 0 none', async () => {
  await initBackend();
  const e = new Engine(ck(gptCfg, randomWeights(gptCfg, 15)));
  const wins = seqs(2, () => 21, gptCfg.vocabSize, 10);
  // prompt 12 ≥ TF_MIN_QUERIES: the prompt pass refetches through the TF.js path, generation through attendHead.
  const run = (o: object) => {
    const st = new Stats(4);
    const nll = e.generateBatch(wins, 12, 8, runAlgo(AlgoSchema.parse(o), gptCfg), st);
    return { nll, refetch: st.refetchFraction() };
  };
  for (const msb of [4, 6]) {
    const all = run({ msbBits: msb, lsbBits: 4, lsbThreshold: 1 });
    const none = run({ msbBits: msb, lsbBits: 4, lsbThreshold: 0 });
    // Keys at msb + 4 bits throughout, values at msb bits (valueBits 0 → msbBits).
    const fixed = run({ msbBits: msb + 4, valueBits: msb });
    assert.equal(all.refetch, 1);
    assert.equal(none.refetch, 0);
    assert.deepEqual(all.nll, fixed.nll, `${msb}+4 at threshold 1 = static ${msb + 4}-bit keys`);
    assert.notDeepEqual(none.nll, fixed.nll, `${msb}+4 at threshold 0 = the MSB-only keys`);
  }
  e.dispose();
});

test('cascade pruning never revives a token or head; counts follow the schedule', async () => {
  await initBackend();
  const algo = AlgoSchema.parse({ tokenKeep: 0.4, headKeep: 0.6, valueKeep: 0.5, msbBits: 4, lsbBits: 4, lsbThreshold: 0.5 });
  // BERT: alive sets shrink with depth, sizes = min(keepCount(L, keep[l]), previous)
  {
    const e = new Engine(ck(bertCfg, randomWeights(bertCfg, 13)));
    const ra = runAlgo(algo, bertCfg);
    const st = new Stats(4);
    const seen = new Map<number, { alive: number[]; heads: number[] }[]>();
    st.onAlive = (ex, _s, l, alive, heads) => {
      if (!seen.has(ex)) seen.set(ex, []);
      seen.get(ex)![l] = { alive: [...alive], heads: [...heads] };
    };
    const batch = seqs(4, (i) => 10 + 4 * i, bertCfg.vocabSize, 8, 2, 3);
    e.classifyBatch(batch, ra, st);
    for (const [ex, layers] of seen) {
      const L = batch[ex].length;
      for (let l = 1; l < 4; l++) {
        for (const p of layers[l].alive) assert.ok(layers[l - 1].alive.includes(p), 'token revived');
        for (const h of layers[l].heads) assert.ok(layers[l - 1].heads.includes(h), 'head revived');
        const want = Math.min(Math.max(1, Math.round(L * ra.tokenKeep[l])), layers[l - 1].alive.length);
        assert.equal(layers[l].alive.length, ra.tokenKeep[l] >= 1 ? layers[l - 1].alive.length : want);
        assert.ok(layers[l].alive.includes(0), '[CLS] kept');
        for (let i = 1; i < layers[l].alive.length; i++) assert.ok(layers[l].alive[i] > layers[l].alive[i - 1], 'order kept');
      }
    }
    const trRows = st.rows.filter((r) => r.iteration === 3);
    assert.ok(trRows.some((r) => r.topk > 0), 'trRows.some((r) => r.topk > 0)');
    e.dispose();
  }
  // GPT: per layer, a token pruned at step t never returns at a later step; nested across layers.
  {
    const e = new Engine(ck(gptCfg, randomWeights(gptCfg, 14)));
    const ra = runAlgo(algo, gptCfg);
    const st = new Stats(4);
    const hist = new Map<string, number[]>();
    st.onAlive = (ex, step, l, alive) => {
      const prev = hist.get(`${ex}/${l}`);
      if (prev) for (const p of alive) assert.ok(prev.includes(p) || p === 12 + step, `token ${p} revived at ex ${ex} layer ${l} step ${step}`);
      hist.set(`${ex}/${l}`, [...alive]);
      if (l > 0) for (const p of alive) assert.ok(hist.get(`${ex}/${l - 1}`)!.includes(p), 'not nested');
      assert.ok(alive.includes(12 + step), 'current token kept');
      assert.ok(alive.length <= Math.max(1, Math.round((13 + step) * ra.tokenKeep[l])) + 1, 'alive.length <= Math.max(1, Math.round((13 + step) * ra.tokenKeep[l])) + 1');
    };
    e.generateBatch(seqs(2, () => 21, gptCfg.vocabSize, 9), 12, 8, ra, st);
    const m = st.measured();
    assert.ok(m.tokenKeepPerLayer[3] < m.tokenKeepPerLayer[1] && m.tokenKeepPerLayer[0] === 1, 'm.tokenKeepPerLayer[3] < m.tokenKeepPerLayer[1] && m.tokenKeepPerLayer[0] === 1');
    assert.ok(st.rows.every((r) => r.refetch === 0 || r.refetch === 1), 'st.rows.every((r) => r.refetch === 0 || r.refetch === 1)');
    e.dispose();
  }
});

test('a tiny HF-layout checkpoint written by the test loads (BERT + WordPiece, GPT-2 + BPE)', async () => {
  await initBackend();
  const dir = mkdtempSync(join(tmpdir(), 'nn-hf-'));
  // BERT: HF names, [out, in] Linear weights, token_type_embeddings, vocab.txt
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', '##s', 'spam', '!', ...Array.from({ length: 41 }, (_, i) => `w${i}`)];
  const c = { ...bertCfg, clsId: 2, sepId: 3 };
  const w = randomWeights(c, 21);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', vocab_size: 50, hidden_size: 16, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 32, max_position_embeddings: 24, type_vocab_size: 2, num_labels: 2 }));
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(toHf(c, w)));
  writeFileSync(join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  const ckpt = loadCheckpoint(dir);
  assert.equal(ckpt.config.kind, 'bert');
  assert.equal(ckpt.config.clsId, 2);
  assert.deepEqual(ckpt.tokenizer.encode('Hello worlds!'), [4, 5, 6, 8]);
  const ids = [2, ...ckpt.tokenizer.encode('hello spam world!'), 3];
  const e = new Engine(ckpt);
  const got = e.classifyBatch([ids], runAlgo(exact, ckpt.config), new Stats(4))[0];
  const ref = referenceForward(c, w, ids);
  for (let k = 0; k < 2; k++) assert.ok(Math.abs(got[k] - ref[k]) < 2e-3 * (1 + Math.abs(ref[k])), 'Math.abs(got[k] - ref[k]) < 2e-3 * (1 + Math.abs(ref[k]))');
  e.dispose();
  // GPT-2 folder with `transformer.`-less names, vocab.json + merges.txt
  const gdir = mkdtempSync(join(tmpdir(), 'nn-gpt2-'));
  const tok: BpeTokenizer = trainBpe(['the cat sat on the mat. the cat ran.'], 270, ['<|endoftext|>']);
  const gc = { ...gptCfg, vocabSize: tok.vocabSize };
  const gw = randomWeights(gc, 22);
  const hf = new Map([...toHf(gc, gw)].map(([k, t]) => [k.replace(/^transformer\./, ''), t]));
  writeFileSync(join(gdir, 'config.json'), JSON.stringify({ model_type: 'gpt2', vocab_size: gc.vocabSize, n_embd: 16, n_layer: 4, n_head: 4, n_positions: 24, n_inner: 32, eos_token_id: 0 }));
  writeFileSync(join(gdir, 'model.safetensors'), serializeSafetensors(hf));
  tok.save(gdir);
  const g = loadCheckpoint(gdir);
  assert.equal(g.tokenizer.decode(g.tokenizer.encode('the cat sat')), 'the cat sat');
  assert.equal(g.config.intermediate, 32);
  // bad folders → clear errors
  writeFileSync(join(gdir, 'config.json'), JSON.stringify({ model_type: 't5' }));
  assert.throws(() => loadCheckpoint(gdir), /unsupported model_type 't5'/);
  writeFileSync(join(gdir, 'config.json'), JSON.stringify({ model_type: 'gpt2', vocab_size: 999, n_embd: 16, n_layer: 4, n_head: 4, n_positions: 24 }));
  assert.throws(() => loadCheckpoint(gdir), /wte.weight' has shape/);
});

test('the measured trace is accepted by parseTrace (both stages)', async () => {
  await initBackend();
  const { formatTrace, parseTrace } = await import('../sim/workload/trace.ts');
  const algo = AlgoSchema.parse({ tokenKeep: 0.5, headKeep: 0.75, valueKeep: 0.8, msbBits: 6, lsbBits: 4, lsbThreshold: 0.3 });
  for (const c of [bertCfg, gptCfg]) {
    const e = new Engine(ck(c, randomWeights(c, 31)));
    const st = new Stats(4);
    if (c.kind === 'bert') e.classifyBatch(seqs(3, () => 12, c.vocabSize, 3, 2, 3), runAlgo(algo, c), st);
    else e.generateBatch(seqs(2, () => 21, c.vocabSize, 4), 12, 8, runAlgo(algo, c), st);
    const stage = c.kind === 'bert' ? 'summarization' : 'generation';
    const w = {
      name: `tiny-${c.kind}`, model: { name: `tiny-${c.kind}`, layers: 4, heads: 4, headDim: 4, dModel: 16, kind: c.kind === 'bert' ? 'encoder' : 'decoder' },
      stage, iterations: c.kind === 'bert' ? 3 : 16, reuseKV: stage === 'summarization', requests: st.rows, source: 'generated', provenance: 'test',
    } as const;
    const text = formatTrace(w as never, 'test');
    const back = parseTrace(text, 'tiny.csv');
    assert.equal(back.requests.length, st.rows.length);
    back.requests.forEach((r, i) => {
      assert.equal(r.keys, st.rows[i].keys);
      assert.equal(r.layer, st.rows[i].layer);
      assert.equal(r.refetch, st.rows[i].refetch);
      assert.equal(r.topk, st.rows[i].topk);
    });
    e.dispose();
  }
});

test('TF.js quantization and attention paths equal the plain-JS ones', async () => {
  await initBackend();
  const { quantizeProgressive, quantizeVectors, attendHead } = await import('../sim/nn/quant.ts');
  const { attendHeadFast } = await import('../sim/nn/attention.ts');
  const e = new Engine(ck(bertCfg, randomWeights(bertCfg, 41)));
  const rng = mulberry32(42);
  const n = 9;
  const x = Float32Array.from({ length: n * 16 }, () => (rng() - 0.5) * 8);
  const [q6] = e.fq(tf.tensor2d(x, [n, 16]), n, 6);
  const js6 = quantizeVectors(x, 4, 6);
  q6.dataSync().forEach((v, i) => assert.ok(Math.abs(v - js6[i]) < 1e-4, 'Math.abs(v - js6[i]) < 1e-4'));
  const [msb, full] = e.fq(tf.tensor2d(x, [n, 16]), n, 4, 4);
  const jsP = quantizeProgressive(x, 4, 4, 4);
  msb.dataSync().forEach((v, i) => assert.ok(Math.abs(v - jsP.msb[i]) < 1e-4, 'Math.abs(v - jsP.msb[i]) < 1e-4'));
  full.dataSync().forEach((v, i) => assert.ok(Math.abs(v - jsP.full[i]) < 1e-4, 'Math.abs(v - jsP.full[i]) < 1e-4'));
  // attention: 20 queries (TF path) vs JS, causal, refetch and local V pruning on
  const nq = 20;
  const dh = 8;
  const mk = (s: number) => Float32Array.from({ length: nq * dh }, () => (rng() - 0.5) * s);
  const args = (ctx: Float32Array, colSum: Float32Array) => ({
    q: qv, nq, kMsb: kq.msb, kFull: kq.full, v: vv, nk: nq, dh, visible: Int32Array.from({ length: nq }, (_, i) => i + 1),
    valueKeep: 0.6, progressive: true, threshold: 0.3, ctx, colSum,
  });
  const qv = mk(6);
  const kq = quantizeProgressive(mk(6), dh, 4, 4);
  const vv = mk(2);
  const a = args(new Float32Array(nq * dh), new Float32Array(nq));
  const b = args(new Float32Array(nq * dh), new Float32Array(nq));
  const sa = attendHead(a);
  const sb = attendHeadFast(b);
  assert.ok(sa.refetchedRows > 0, 'sa.refetchedRows > 0');
  assert.equal(sb.refetchedRows, sa.refetchedRows);
  assert.equal(sb.valuesKept, sa.valuesKept);
  a.ctx.forEach((v, i) => assert.ok(Math.abs(v - b.ctx[i]) < 1e-4, 'Math.abs(v - b.ctx[i]) < 1e-4'));
  a.colSum.forEach((v, i) => assert.ok(Math.abs(v - b.colSum[i]) < 1e-4, 'Math.abs(v - b.colSum[i]) < 1e-4'));
  e.dispose();
});

test('block-diagonal all-heads attention equals per-head attention (with local V pruning)', async () => {
  await initBackend();
  const { attendHead } = await import('../sim/nn/quant.ts');
  const { attendAllHeads } = await import('../sim/nn/attention.ts');
  const rng = mulberry32(51);
  const m = 10;
  const d = 16;
  const dh = 4;
  const base = 3;
  const qkv = Float32Array.from({ length: (base + m) * 4 * d }, () => (rng() - 0.5) * 6);
  const heads = [0, 2, 3];
  const ctx = new Float32Array((base + m) * d);
  const colSum = new Float64Array(m);
  const r = attendAllHeads({ qkv, stride: 4 * d, base, m, d, dh, heads, valueKeep: 0.5, ctx, colSum });
  const refCol = new Float32Array(m);
  heads.forEach((h, hi) => {
    const sl = (off: number) => {
      const out = new Float32Array(m * dh);
      for (let i = 0; i < m; i++) for (let t = 0; t < dh; t++) out[i * dh + t] = qkv[(base + i) * 4 * d + off + h * dh + t];
      return out;
    };
    const k = sl(d);
    const hctx = new Float32Array(m * dh);
    const st = attendHead({ q: sl(0), nq: m, kMsb: k, kFull: k, v: sl(3 * d), nk: m, dh, visible: null, valueKeep: 0.5, progressive: false, threshold: 0, ctx: hctx, colSum: refCol });
    assert.equal(r.valuesKept, st.valuesKept);
    assert.ok(Math.abs(r.absSum[hi] - st.absSum) < 1e-3 * (1 + st.absSum), 'Math.abs(r.absSum[hi] - st.absSum) < 1e-3 * (1 + st.absSum)');
    for (let i = 0; i < m; i++) for (let t = 0; t < dh; t++) assert.ok(Math.abs(ctx[(base + i) * d + h * dh + t] - hctx[i * dh + t]) < 1e-4, 'Math.abs(ctx[(base + i) * d + h * dh + t] - hctx[i * dh + t]) < 1e-4');
  });
  for (let j = 0; j < m; j++) assert.ok(Math.abs(colSum[j] - refCol[j]) < 1e-4, 'Math.abs(colSum[j] - refCol[j]) < 1e-4');
  // pruned head 1 untouched
  for (let i = 0; i < m; i++) for (let t = 0; t < dh; t++) assert.equal(ctx[(base + i) * d + dh + t], 0);
});
