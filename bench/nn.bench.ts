/**
 * Accuracy-engine speed: forward GFLOP/s and examples/s of the pruned-forward engine on spam-bert
 * (FLOPs counted per executed matMul/attention, 2 per MAC), wall time of an unpruned vs a pruned
 * pass (pruning must make inference faster), LM generation tokens/s, and the dense batched TF.js
 * forward used for training as a reference point. Uses the shipped checkpoints when present,
 * otherwise random weights of the same shapes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlgoSchema } from '../sim/schema.ts';
import { initBackend, tf } from '../sim/nn/backend.ts';
import { loadCheckpoint, type Checkpoint } from '../sim/nn/checkpoint.ts';
import { Engine, runAlgo, Stats } from '../sim/nn/engine.ts';
import { initWeights, trainForward, type ModelConfig } from '../sim/nn/model.ts';
import { CHECKPOINT_ROOT } from '../sim/nn/paths.ts';
import { RECIPES } from '../sim/nn/train.ts';
import { WordPieceTokenizer } from '../sim/nn/tokenizer.ts';
import { mulberry32 } from '../sim/nn/rng.ts';

function checkpoint(name: string): Checkpoint {
  const dir = join(CHECKPOINT_ROOT, name);
  if (existsSync(join(dir, 'config.json'))) return loadCheckpoint(dir);
  const r = RECIPES[name];
  const config: ModelConfig = { ...r.config, vocabSize: r.vocabSize, padId: 0, clsId: 2, sepId: 3, eosId: 0 };
  return { dir: 'random', config, weights: initWeights(config, 1), tokenizer: new WordPieceTokenizer(['[PAD]']), hash: 'random' };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run(): Promise<object> {
  const backend = await initBackend();
  const bert = new Engine(checkpoint('spam-bert'));
  const c = bert.c;
  const rng = mulberry32(5);
  const N = 64;
  const S = c.maxPositions;
  const batches: number[][][] = [];
  for (let i = 0; i < N; i += 32) batches.push(Array.from({ length: 32 }, () => [c.clsId, ...Array.from({ length: S - 2 }, () => 4 + Math.floor(rng() * (c.vocabSize - 4))), c.sepId]));
  const passes = async (algo: object, reps: number) => {
    const ra = runAlgo(AlgoSchema.parse(algo), c);
    const times: number[] = [];
    const cpu: number[] = [];
    let flops = 0;
    for (let r = 0; r < reps; r++) {
      const st = new Stats(c.layers, false);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const b of batches) bert.classifyBatch(b, ra, st);
      times.push((performance.now() - t0) / 1000);
      const cu = process.cpuUsage(c0);
      cpu.push((cu.user + cu.system) / 1e6);
      flops = st.flops;
    }
    const s = median(times);
    const sc = median(cpu);
    return { seconds: s, cpuSeconds: sc, gflops: flops / s / 1e9, gflopsCpu: flops / sc / 1e9, gflop: flops / 1e9, examplesPerSecond: N / s };
  };
  await passes({}, 1); // warm-up
  const dense = await passes({}, 3);
  const pruned = await passes({ tokenKeep: 0.3, headKeep: 0.75 }, 3);

  // Dense batched TF.js forward (the training path), B=32, S=128.
  const W = new Map([...bert.ck.weights].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  const ids = Int32Array.from(batches[0].flat());
  const times: number[] = [];
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    const y = tf.tidy(() => trainForward(c, W, ids, 32, S, new Array(32).fill(S)));
    y.dataSync();
    y.dispose();
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  const d = c.hidden;
  const denseFlops = c.layers * (2 * 32 * S * (4 * d * d + 2 * d * c.intermediate) + 4 * 32 * S * S * d);
  for (const t of W.values()) t.dispose();

  // LM generation: tokens/s unpruned vs KV-pruned.
  const gpt = new Engine(checkpoint('sotu-gpt'));
  const gc = gpt.c;
  const wins = Array.from({ length: 16 }, () => Array.from({ length: gc.maxPositions + 1 }, () => 1 + Math.floor(rng() * (gc.vocabSize - 1))));
  const gen = async (algo: object) => {
    const ts: number[] = [];
    let flops = 0;
    for (let r = 0; r < 3; r++) {
      const st = new Stats(gc.layers, false);
      const t0 = performance.now();
      gpt.generateBatch(wins, gc.maxPositions - 32, 32, runAlgo(AlgoSchema.parse(algo), gc), st);
      ts.push((performance.now() - t0) / 1000);
      flops = st.flops;
    }
    const s = median(ts);
    return { seconds: s, gflops: flops / s / 1e9, generatedTokensPerSecond: (16 * 32) / s };
  };
  await gen({});
  const genDense = await gen({});
  const genPruned = await gen({ tokenKeep: 0.25 });
  const genPrunedPq = await gen({ tokenKeep: 0.25, lsbBits: 4, msbBits: 6 });
  bert.dispose();
  gpt.dispose();
  return {
    backend,
    model: `spam-bert ${c.layers}L d${c.hidden} h${c.heads} seq${S} (${bert.ck.dir === 'random' ? 'random weights' : 'checkpoint'})`,
    engineForwardGflops: +dense.gflops.toFixed(2),
    engineForwardGflopsPerCpuSecond: +dense.gflopsCpu.toFixed(2),
    note: 'wall-clock figures depend on the load of the shared machine; *PerCpuSecond divides by the process CPU time',
    engineExamplesPerSecond: +dense.examplesPerSecond.toFixed(1),
    unprunedSeconds: +dense.seconds.toFixed(3),
    unprunedCpuSeconds: +dense.cpuSeconds.toFixed(3),
    prunedCpuSeconds: +pruned.cpuSeconds.toFixed(3),
    prunedSeconds: +pruned.seconds.toFixed(3),
    prunedSetting: 'tokenKeep 0.3, headKeep 0.75',
    prunedGflop: +pruned.gflop.toFixed(3),
    unprunedGflop: +dense.gflop.toFixed(3),
    pruningSpeedup: +(dense.seconds / pruned.seconds).toFixed(2),
    denseBatchedTfForwardGflops: +(denseFlops / median(times) / 1e9).toFixed(2),
    lmGeneratedTokensPerSecond: {
      unpruned: +genDense.generatedTokensPerSecond.toFixed(1),
      kvPruned25: +genPruned.generatedTokensPerSecond.toFixed(1),
      kvPruned25ProgressiveQuant6plus4: +genPrunedPq.generatedTokensPerSecond.toFixed(1),
    },
  };
}
