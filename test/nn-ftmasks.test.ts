// Pruning-aware fine-tuning with the cascade's own selection (sim/nn/ft-masks.ts, masks 'cascade'):
// on a tiny random GPT, the masks of a batch hide exactly the keys the inference engine drops at
// the first generation step of the same window and keep ratio (checked against a separate engine
// loaded from a saved checkpoint, reporting its alive sets through Stats.onAlive), and they are
// causal, nested over layers, never hide a query's own token, and keep keepCount(S, keep_l) keys.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initBackend, tf } from '../sim/nn/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../sim/nn/checkpoint.ts';
import { Engine, runAlgo, Stats } from '../sim/nn/engine.ts';
import { cascadeKeptSets, engineOf, prunedKeyMasks } from '../sim/nn/ft-masks.ts';
import { generate } from '../sim/nn/generate.ts';
import { logitsAlgo } from '../sim/nn/logits.ts';
import { initWeights, type ModelConfig } from '../sim/nn/model.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { trainBpe } from '../sim/nn/tokenizer.ts';
import { keepCount, tokenKeepSchedule } from '../sim/workload/schedule.ts';

const C: ModelConfig = {
  kind: 'gpt', vocabSize: 257, hidden: 16, layers: 4, heads: 2, intermediate: 32, maxPositions: 64, numLabels: 0,
  lnEps: 1e-5, padId: -1, clsId: -1, sepId: -1, eosId: 0, act: 'relu',
};

/** Random weights with peaked attention (QKV scaled ×25: std 0.5) so the scores rank tokens clearly. */
function tinyWeights() {
  const w = initWeights(C, 3);
  for (let l = 0; l < C.layers; l++) {
    const t = w.get(`l${l}.wqkv`)!;
    for (let i = 0; i < t.data.length; i++) t.data[i] *= 25;
  }
  return w;
}

/** The engine as `accuracy` / `logits` load it: the weights saved as a checkpoint folder and loaded back. */
function loadedEngine(w: ReturnType<typeof initWeights>): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'ftmasks-'));
  saveCheckpoint(dir, C, w, trainBpe([], 257, ['<|endoftext|>']));
  const e = new Engine(loadCheckpoint(dir));
  rmSync(dir, { recursive: true });
  return e;
}

/** The keep ratio a mask draw gives with denseShare 0: the dense-share draw, then log-uniform in [keepMin, 1]. */
function drawnRho(rng: () => number, keepMin: number): number {
  rng(); // the dense-share draw (denseShare 0: never dense)
  return Math.exp(Math.log(keepMin) * rng());
}

test('cascade fine-tuning masks = the keys the inference cascade keeps on the same window and ρ', async () => {
  await initBackend();
  const B = 4, S = 40;
  const w = tinyWeights();
  assert.ok(w.has('l0.wqkv'), 'w.has(\'l0.wqkv\')');
  const rnd = mulberry32(11);
  const windows = Array.from({ length: B }, () => Array.from({ length: S + 1 }, () => 1 + Math.floor(rnd() * 256)));
  const ft = { keepMin: 0.1, denseShare: 0, masks: 'cascade' as const };
  const tensors0 = tf.memory().numTensors;
  const trainEngine = engineOf(C, w);
  const masks = prunedKeyMasks(B, S, C.layers, mulberry32(7), ft, { engine: trainEngine, windows });
  trainEngine.dispose();
  assert.equal(masks[0], null, 'front layer (15% of 4 → 1) never pruned');
  const data = masks.map((m) => (m ? (m.dataSync() as Float32Array) : null));
  masks.forEach((m) => m?.dispose());
  assert.equal(tf.memory().numTensors, tensors0, 'no tensor leaked by the selection (it runs every fine-tuning step)');

  // The engine as `accuracy` / `logits` load it (quantization off, score 'mean' below).
  const e = loadedEngine(w);
  const rng = mulberry32(7);
  let prunedSomewhere = 0;
  for (let b = 0; b < B; b++) {
    const rho = drawnRho(rng, ft.keepMin);
    const keep = tokenKeepSchedule(C.layers, rho);
    // Prompt = the first S − 1 tokens, the window's last input is generation step 0; the alive sets
    // the engine reports for that step (a longer generation does not change step 0).
    const alive: number[][] = [];
    const stats = new Stats(C.layers, false);
    stats.onAlive = (_ex, step, layer, a) => { if (step === 0) alive[layer] = [...a]; };
    const win = [...windows[b], 5]; // one more token: two generation steps
    generate(e, [win], S - 1, 2, runAlgo(logitsAlgo({ tokenKeep: rho, tokenScore: 'mean' }), C), stats);
    for (let l = 0; l < C.layers; l++) {
      assert.equal(alive[l].length, keepCount(S, keep[l]), `b ${b} layer ${l}: keepCount(S, keep_l) kept`);
      assert.ok(alive[l].includes(S - 1), 'the current token is protected');
      if (l > 0) assert.ok(alive[l].every((p) => alive[l - 1].includes(p)), 'engine sets nested');
      if (l === 0) continue; // dense layer (checked above)
      const m = data[l]!;
      const kept = new Set(alive[l]);
      if (kept.size < S) prunedSomewhere++;
      for (let i = 0; i < S; i++) {
        const row = (b * S + i) * S;
        assert.equal(m[row + i], 0, 'own token visible');
        for (let j = i + 1; j < S; j++) assert.equal(m[row + j], -1e9, 'causal');
        for (let j = 0; j < i; j++) {
          assert.equal(m[row + j] === 0, kept.has(j), `b ${b} layer ${l} query ${i} key ${j}: visible iff the cascade keeps it`);
          if (l > 1 && m[row + j] === 0) assert.equal(data[l - 1]![row + j], 0, 'nested: hidden in layer l − 1 stays hidden');
        }
      }
    }
  }
  assert.ok(prunedSomewhere >= B, 'the draws prune keys (the check is not vacuous)');
  e.dispose();
});

test("'cascade-gen' masks: prompt queries dense, the last G queries see exactly the engine's keys at their generation step", async () => {
  await initBackend();
  const B = 2, S = 40, G = 32, P = S - G; // GEN_TOKENS = 32 generation steps, as the accuracy protocol
  const w = tinyWeights();
  const rnd = mulberry32(21);
  const windows = Array.from({ length: B }, () => Array.from({ length: S + 1 }, () => 1 + Math.floor(rnd() * 256)));
  const ft = { keepMin: 0.1, denseShare: 0, masks: 'cascade-gen' as const };
  const te = engineOf(C, w);
  const masks = prunedKeyMasks(B, S, C.layers, mulberry32(9), ft, { engine: te, windows });
  te.dispose();
  const data = masks.map((m) => (m ? (m.dataSync() as Float32Array) : null));
  masks.forEach((m) => m?.dispose());
  const e = loadedEngine(w);
  const rng = mulberry32(9);
  let hiddenKeys = 0;
  for (let b = 0; b < B; b++) {
    const rho = drawnRho(rng, ft.keepMin);
    const keep = tokenKeepSchedule(C.layers, rho);
    const alive: number[][][] = Array.from({ length: G }, () => []);
    const stats = new Stats(C.layers, false);
    stats.onAlive = (_ex, step, layer, a) => { alive[step][layer] = [...a]; };
    generate(e, [windows[b]], P, G, runAlgo(logitsAlgo({ tokenKeep: rho, tokenScore: 'mean' }), C), stats);
    for (let l = 1; l < C.layers; l++) {
      const m = data[l]!;
      for (let i = 0; i < S; i++) {
        const row = (b * S + i) * S;
        for (let j = i + 1; j < S; j++) assert.equal(m[row + j], -1e9, 'causal');
        assert.equal(m[row + i], 0, 'own token visible');
        if (i < P) {
          for (let j = 0; j < i; j++) assert.equal(m[row + j], 0, 'prompt queries are dense');
          continue;
        }
        const ks = alive[i - P][l];
        assert.ok(ks.length <= keepCount(i + 1, keep[l]) && ks.includes(i), `step ${i - P} layer ${l}: at most keepCount(pos + 1, keep_l), current token kept`);
        const kept = new Set(ks);
        for (let j = 0; j < i; j++) {
          assert.equal(m[row + j] === 0, kept.has(j), `b ${b} layer ${l} query ${i} key ${j}: visible iff the engine keeps it at that step`);
          if (m[row + j] !== 0) hiddenKeys++;
        }
      }
    }
  }
  assert.ok(hiddenKeys > 100, `${hiddenKeys} keys hidden: the check is not vacuous`);
  e.dispose();
});

test('cascade masks: the selection is not a prefix, not random: kept sets follow the weights', async () => {
  await initBackend();
  const S = 40;
  const rnd = mulberry32(12);
  const windows = [Array.from({ length: S + 1 }, () => 1 + Math.floor(rnd() * 256))];
  const ft = { keepMin: 0.1, denseShare: 0, masks: 'cascade' as const };
  // a mask seed whose draw ρ is in [0.45, 0.6]: the last layer keeps 0.18–0.4 of the keys (draws: dense share, then ρ)
  const rhoOf = (s: number) => drawnRho(mulberry32(s), ft.keepMin);
  const seed = Array.from({ length: 100 }, (_, s) => s).find((s) => rhoOf(s) >= 0.45 && rhoOf(s) <= 0.6)!;
  const keptOf = (w: ReturnType<typeof initWeights>) => {
    const e = engineOf(C, w);
    const masks = prunedKeyMasks(1, S, C.layers, mulberry32(seed), ft, { engine: e, windows });
    e.dispose();
    const m1 = masks[C.layers - 1]; // the last layer: the fewest keys kept
    masks.slice(0, -1).forEach((m) => m?.dispose());
    const d = m1!.dataSync() as Float32Array;
    m1!.dispose();
    return Array.from({ length: S - 1 }, (_, j) => j).filter((j) => d[(S - 1) * S + j] === 0);
  };
  const a = keptOf(tinyWeights());
  const w2 = tinyWeights();
  const t = w2.get('l0.wqkv')!;
  for (let i = 0; i < t.data.length; i++) t.data[i] *= -1.3; // other weights, same window and draws
  const b2 = keptOf(w2);
  assert.equal(a.length, b2.length, 'same count (same ρ)');
  assert.ok(a.length > 0 && a.length < S / 2, `${a.length} earlier keys kept of ${S - 1}`);
  assert.notDeepEqual(a, b2, 'different weights keep different keys');
  assert.notDeepEqual(a, Array.from({ length: a.length }, (_, j) => j), 'not the first k');
  assert.notDeepEqual(a, Array.from({ length: a.length }, (_, j) => S - 1 - a.length + j), 'not the last k');
});

test('fine-tuning masks follow the schedule floor (fineTune.minKeep = algo.tokenMinKeep)', async () => {
  await initBackend();
  const S = 40;
  const rnd = mulberry32(5);
  const window = Array.from({ length: S + 1 }, () => 1 + Math.floor(rnd() * 256));
  const e = engineOf(C, tinyWeights());
  // ρ = 0.25 on 4 layers: the 1% floor keeps 0.49 / 0.25 / 0.01 after the front layer, a 0.1 floor 0.4 / 0.25 / 0.1
  for (const minKeep of [0.01, 0.1]) {
    const keep = tokenKeepSchedule(C.layers, 0.25, 0.5, 0.15, minKeep);
    const [alive] = cascadeKeptSets(e, window, 0.25, 1, minKeep);
    alive.forEach((ks, l) => assert.equal(ks.length, keepCount(S, keep[l]), `floor ${minKeep} layer ${l}`));
  }
  assert.equal(keepCount(S, tokenKeepSchedule(C.layers, 0.25, 0.5, 0.15, 0.1)[C.layers - 1]), 4);
  e.dispose();
});

test('cascade masks: a dense draw (denseShare 1) leaves every layer causal only', async () => {
  await initBackend();
  const S = 16;
  const e = engineOf(C, tinyWeights());
  const windows = [Array.from({ length: S + 1 }, (_, i) => 1 + i)];
  const masks = prunedKeyMasks(1, S, C.layers, mulberry32(1), { keepMin: 0.1, denseShare: 1, masks: 'cascade' }, { engine: e, windows });
  e.dispose();
  assert.deepEqual(masks, [null, null, null, null]);
  assert.throws(() => prunedKeyMasks(1, S, C.layers, mulberry32(1), { keepMin: 0.1, denseShare: 0, masks: 'cascade' }), /need the batch's windows/);
});

test("'cascade-mix' masks: each sequence is, by one extra draw, exactly its 'cascade' or its 'cascade-gen' mask", async () => {
  await initBackend();
  const B = 6, S = 40, G = 32, P = S - G;
  const rnd = mulberry32(33);
  const windows = Array.from({ length: B }, () => Array.from({ length: S + 1 }, () => 1 + Math.floor(rnd() * 256)));
  const e = engineOf(C, tinyWeights());
  const masks = prunedKeyMasks(B, S, C.layers, mulberry32(4), { keepMin: 0.1, denseShare: 0, masks: 'cascade-mix' }, { engine: e, windows });
  const data = masks.map((m) => (m ? (m.dataSync() as Float32Array) : null));
  masks.forEach((m) => m?.dispose());
  const rng = mulberry32(4);
  const modes = new Set<string>();
  for (let b = 0; b < B; b++) {
    const rho = drawnRho(rng, 0.1);
    const whole = rng() < 0.5; // 'cascade': every query sees the last position's set
    modes.add(whole ? 'cascade' : 'cascade-gen');
    const kept = cascadeKeptSets(e, windows[b], rho, whole ? 1 : G).map((st) => st.map((ks) => new Set(ks)));
    for (let l = 1; l < C.layers; l++) {
      for (let i = 0; i < S; i++) {
        const row = (b * S + i) * S;
        for (let j = 0; j < i; j++) {
          const visible = whole ? kept[0][l].has(j) : i < P || kept[i - P][l].has(j);
          assert.equal(data[l]![row + j] === 0, visible, `b ${b} (${whole ? 'cascade' : 'cascade-gen'}) layer ${l} query ${i} key ${j}`);
        }
      }
    }
  }
  assert.deepEqual([...modes].sort(), ['cascade', 'cascade-gen'], 'both kinds drawn (the check covers each)');
  e.dispose();
});
