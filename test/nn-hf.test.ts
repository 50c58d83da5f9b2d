// Hugging Face folders: parity with `transformers` (outputs it computed in float64, fixtures in
// test/fixtures/hf-reference/, see its README) and strict config reading (unsupported keys,
// too-long prompts and tokenizer/vocabulary mismatches are errors naming what to change).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AlgoSchema } from '../sim/schema.ts';
import { computeLogits, logitsAlgo } from '../sim/nn/logits.ts';
import { loadCheckpoint } from '../sim/nn/checkpoint.ts';
import { ConfigError, configFromHf } from '../sim/nn/hfconfig.ts';
import { lk, type ModelConfig, type Weights } from '../sim/nn/model.ts';
import { referenceForward } from '../sim/nn/reference.ts';
import { readSafetensors, writeSafetensors } from '../sim/nn/safetensors.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIX = join(ROOT, 'test/fixtures/hf-reference');
type GptRef = { ids: number[]; next_token_logprob: number[]; rows: number[][] };
type BertRef = { seqs: number[][]; logits: number[][] };
const REF = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as Record<string, GptRef & BertRef>;
const maxAbs = (a: number[], b: number[]) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

for (const folder of ['gpt2-tiny', 'gpt2-tiny-untied', 'gpt2-tiny-relu']) {
  test(`${folder}: next-token log-probs equal transformers' within 1e-4 (quantization off)`, async () => {
    const ref = REF[folder];
    const r = await computeLogits(join(FIX, folder), ref.ids, logitsAlgo({}));
    assert.equal(r.next_token_logprob!.length, ref.ids.length - 1);
    const d = maxAbs(r.next_token_logprob!, ref.next_token_logprob);
    assert.ok(d <= 1e-4, `max |Δ log-prob| = ${d}`);
  });
}

for (const folder of ['bert-tiny', 'bert-tiny-relu']) {
  test(`${folder}: classifier logits equal transformers' within 1e-4 on all reference sequences`, async () => {
    const ref = REF[folder];
    for (let i = 0; i < ref.seqs.length; i++) {
      const r = await computeLogits(join(FIX, folder), ref.seqs[i], logitsAlgo({}));
      const d = maxAbs(r.logits!, ref.logits[i]);
      assert.ok(d <= 1e-4, `sequence ${i}: max |Δ logit| = ${d}`);
    }
  });
}

test('the untied head matters: reading gpt2-tiny-untied as tied would be far off', async () => {
  const ck = loadCheckpoint(join(FIX, 'gpt2-tiny-untied'));
  assert.equal(ck.config.tiedHead, false);
  const tied = referenceForward({ ...ck.config, tiedHead: true }, ck.weights, REF['gpt2-tiny-untied'].ids.slice(0, 8));
  const untied = referenceForward(ck.config, ck.weights, REF['gpt2-tiny-untied'].ids.slice(0, 8));
  let diff = 0;
  for (let i = 0; i < tied.length; i++) diff = Math.max(diff, Math.abs(tied[i] - untied[i]));
  assert.ok(diff > 0.1, `logit difference ${diff}`);
});

/** A copy of a fixture folder whose config.json is edited by `edit`. */
function variant(folder: string, edit: (cfg: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-var-'));
  cpSync(join(FIX, folder), dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit(cfg);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  return dir;
}

test('forward-changing keys that are not implemented are rejected, naming the key and the file', () => {
  const cases: [string, (c: Record<string, unknown>) => void, string][] = [
    ['gpt2-tiny', (c) => (c.add_cross_attention = true), 'add_cross_attention'],
    ['gpt2-tiny', (c) => (c.activation_function = 'gelu_10'), 'activation_function'],
    ['gpt2-tiny', (c) => (c.architectures = ['GPT2ForSequenceClassification']), 'architectures'],
    ['bert-tiny', (c) => (c.hidden_act = 'mish'), 'hidden_act'],
    ['bert-tiny', (c) => (c.position_embedding_type = 'relative_key'), 'position_embedding_type'],
    ['bert-tiny', (c) => (c.is_decoder = true), 'is_decoder'],
    ['gpt2-tiny', (c) => (c.scale_attn_by_inverse_layer_idx = 'yes'), 'scale_attn_by_inverse_layer_idx'],
  ];
  for (const [folder, edit, key] of cases) {
    const dir = variant(folder, edit);
    try {
      assert.throws(() => loadCheckpoint(dir), (e: Error) => e instanceof ConfigError && e.message.includes(`'${key}'`) && e.message.includes(join(dir, 'config.json')), key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a config.json that is not a JSON object (null, an array, a number, a string) is a ConfigError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-var-'));
  cpSync(join(FIX, 'gpt2-tiny'), dir, { recursive: true });
  try {
    for (const text of ['null', '[1]', '3', '"gpt2"']) {
      writeFileSync(join(dir, 'config.json'), text);
      assert.throws(() => loadCheckpoint(dir), (e: Error) => e instanceof ConfigError && e.message.startsWith(`${join(dir, 'config.json')}: expected a JSON object`), text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('implemented keys are read: activations, eps, n_inner, attention scalings', () => {
  const base = JSON.parse(readFileSync(join(FIX, 'gpt2-tiny/config.json'), 'utf8')) as Record<string, unknown>;
  const c = configFromHf({ ...base, activation_function: 'gelu_pytorch_tanh', layer_norm_epsilon: 1e-3, n_inner: 96, scale_attn_weights: false, scale_attn_by_inverse_layer_idx: true, tie_word_embeddings: false });
  assert.equal(c.act, 'gelu_new');
  assert.equal(c.lnEps, 1e-3);
  assert.equal(c.intermediate, 96);
  assert.equal(c.scaleAttn, false);
  assert.equal(c.scaleAttnByLayer, true);
  assert.equal(c.tiedHead, false);
  assert.equal(configFromHf({ ...base, n_inner: null }).intermediate, 4 * 64);
  assert.equal(configFromHf({ ...base, activation_function: 'relu' }).act, 'relu');
});

/** Scale the query projection (weights + bias) of layer l by f: scores scale by f. */
function scaleQ(c: ModelConfig, w: Weights, f: (l: number) => number): Weights {
  const out: Weights = new Map(w);
  const d = c.hidden;
  for (let l = 0; l < c.layers; l++) {
    const W = w.get(lk(l, 'wqkv'))!;
    const b = w.get(lk(l, 'bqkv'))!;
    const W2 = new Float32Array(W.data);
    const b2 = new Float32Array(b.data);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) W2[i * 3 * d + j] *= f(l);
    for (let j = 0; j < d; j++) b2[j] *= f(l);
    out.set(lk(l, 'wqkv'), { shape: W.shape, data: W2 });
    out.set(lk(l, 'bqkv'), { shape: b.shape, data: b2 });
  }
  return out;
}

test('scale_attn_by_inverse_layer_idx / scale_attn_weights = the same model with rescaled queries (engine and reference)', async () => {
  const ck = loadCheckpoint(join(FIX, 'gpt2-tiny'));
  const ids = REF['gpt2-tiny'].ids.slice(0, 40);
  const dh = ck.config.hidden / ck.config.heads;
  const plain = referenceForward(ck.config, scaleQ(ck.config, ck.weights, (l) => 1 / (l + 1)), ids);
  const byLayer = referenceForward({ ...ck.config, scaleAttnByLayer: true }, ck.weights, ids);
  assert.ok(maxAbs(Array.from(plain), Array.from(byLayer)) < 1e-9, 'maxAbs(Array.from(plain), Array.from(byLayer)) < 1e-9');
  const unscaled = referenceForward({ ...ck.config, scaleAttn: false }, scaleQ(ck.config, ck.weights, () => 1 / Math.sqrt(dh)), ids);
  assert.ok(maxAbs(Array.from(referenceForward(ck.config, ck.weights, ids)), Array.from(unscaled)) < 1e-6, 'maxAbs(Array.from(referenceForward(ck.config, ck.weights, ids)), Array.from(unscaled)) < 1e-6');
  // The engine with scale_attn_by_inverse_layer_idx equals transformers' own forward of the rescaled model.
  const dir = variant('gpt2-tiny', (c) => (c.scale_attn_by_inverse_layer_idx = true));
  try {
    const r = await computeLogits(dir, ids, logitsAlgo({}));
    const V = ck.config.vocabSize;
    const want = ids.slice(1).map((id, i) => {
      const row = Array.from(plain.subarray(i * V, (i + 1) * V));
      const mx = Math.max(...row);
      return row[id] - mx - Math.log(row.reduce((a, x) => a + Math.exp(x - mx), 0));
    });
    assert.ok(maxAbs(r.next_token_logprob!, want) < 1e-4, `max Δ ${maxAbs(r.next_token_logprob!, want)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const BIN = join(ROOT, 'bin/spatten-dse.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });

test('CLI: logits matches the reference; prompt longer than n_positions and tokenizer/vocab mismatch exit 2 saying what to change', () => {
  const ids = REF['gpt2-tiny'].ids;
  const ok = cli('logits', '--model', join(FIX, 'gpt2-tiny'), '--ids', ids.join(','), '--json');
  assert.equal(ok.status, 0, ok.stderr);
  const out = JSON.parse(ok.stdout) as { next_token_logprob: number[] };
  assert.ok(maxAbs(out.next_token_logprob, REF['gpt2-tiny'].next_token_logprob) <= 1e-4, 'maxAbs(out.next_token_logprob, REF[\'gpt2-tiny\'].next_token_logprob) <= 1e-4');
  const long = cli('logits', '--model', join(FIX, 'gpt2-tiny'), '--ids', [...ids, ...ids].join(','), '--json');
  assert.equal(long.status, 2);
  assert.match(long.stderr, /n_positions .*\(128\): pass at most 128 ids/);
  const dir = variant('gpt2-tiny', (c) => (c.vocab_size = 300));
  try {
    const mm = cli('logits', '--model', dir, '--ids', '1,2,3');
    assert.equal(mm.status, 2);
    assert.match(mm.stderr, /tokenizer has 512 tokens but config\.json 'vocab_size' is 300/);
    const acc = cli('accuracy', '--model', dir, '--max-examples', '1');
    assert.equal(acc.status, 2);
    assert.match(acc.stderr, /vocab_size/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const tiny = variant('gpt2-tiny', (c) => (c.activation_function = 'swiglu'));
  try {
    const bad = cli('accuracy', '--model', tiny, '--max-examples', '1');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /'activation_function'/);
  } finally {
    rmSync(tiny, { recursive: true, force: true });
  }
});

/** A copy of fixture folder `folder` with its tokenizer files replaced by those of `tokFrom`. */
function withTokenizerOf(folder: string, tokFrom: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-tok-'));
  cpSync(join(FIX, folder), dir, { recursive: true });
  for (const f of ['vocab.json', 'merges.txt', 'vocab.txt']) rmSync(join(dir, f), { force: true });
  cpSync(join(FIX, tokFrom), dir, { recursive: true });
  return dir;
}

test('a tokenizer of the wrong kind is a ConfigError (CLI exit 2) naming the folder and what the model needs', () => {
  const cases: [string, string, RegExp][] = [
    ['gpt2-tiny', 'tokenizer-wordpiece', /GPT-2, which needs its byte-level BPE tokenizer \(vocab\.json \+ merges\.txt\), but the folder has only a WordPiece vocab\.txt/],
    ['bert-tiny', 'tokenizer-bpe', /BERT, whose inputs start with \[CLS\] and end with \[SEP\], but the tokenizer \(vocab\.json \+ merges\.txt\) has no \[CLS\] and \[SEP\]/],
  ];
  for (const [folder, tok, re] of cases) {
    const dir = withTokenizerOf(folder, tok);
    try {
      assert.throws(() => loadCheckpoint(dir), (e: Error) => e instanceof ConfigError && e.message.startsWith(`${dir}: `) && re.test(e.message), folder);
      const r = cli('accuracy', '--model', dir, '--max-examples', '1');
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // a BERT with a BPE tokenizer that has [CLS] and [SEP] (the shipped spam-bert) loads, with their ids
  const ck = loadCheckpoint(join(ROOT, 'sim/nn/checkpoints/spam-bert'));
  assert.equal(ck.config.kind, 'bert');
  assert.equal(ck.config.clsId, ck.tokenizer.tokenId('[CLS]'));
  assert.equal(ck.config.sepId, ck.tokenizer.tokenId('[SEP]'));
});

test('a NaN in the logits or losses fails the accuracy evaluation instead of reporting a number', async () => {
  const { measureAccuracy } = await import('../sim/nn/api.ts');
  // weights of ±3e38 (the loader refuses non-finite ones) overflow float32 activations: Inf − Inf = NaN
  for (const [folder, tensor] of [['gpt2-tiny', 'transformer.ln_f.weight'], ['bert-tiny', 'bert.encoder.layer.0.attention.self.query.weight']]) {
    const dir = mkdtempSync(join(tmpdir(), 'hf-nan-'));
    cpSync(join(FIX, folder), dir, { recursive: true });
    try {
      const st = readSafetensors(join(dir, 'model.safetensors'));
      st.get(tensor)!.data.forEach((_, i, a) => (a[i] = i % 2 ? 3e38 : -3e38));
      rmSync(join(dir, 'model.safetensors'));
      writeSafetensors(join(dir, 'model.safetensors'), st);
      await assert.rejects(measureAccuracy({ model: dir, maxExamples: 4 }, AlgoSchema.parse({})), (e: Error) => e.message.startsWith(`${dir}: example 0: the `) && / are NaN /.test(e.message), folder);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('logits: --set turns quantization on (6-bit Q/K/V change the log-probs a little, not a lot)', async () => {
  const ref = REF['gpt2-tiny'];
  const r = await computeLogits(join(FIX, 'gpt2-tiny'), ref.ids, AlgoSchema.parse({ msbBits: 6, queryBits: 6, valueBits: 6 }));
  const d = maxAbs(r.next_token_logprob!, ref.next_token_logprob);
  assert.ok(d > 1e-4 && d < 1, `6-bit Δ ${d}`);
});
