/**
 * Accuracy-engine speed: forward GFLOP/s and examples/s of the pruned-forward engine on spam-bert
 * (FLOPs counted per executed matMul/attention, 2 per MAC), wall time of an unpruned vs a pruned
 * pass (pruning must make inference faster), LM generation tokens/s, and the dense batched TF.js
 * forward used for training as a reference point. Uses the shipped checkpoints when present,
 * otherwise random weights of the same shapes.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlgoSchema } from '../sim/schema.ts';
import { initBackend, initTraining, tf } from '../sim/nn/backend.ts';
import { loadCheckpoint, type Checkpoint } from '../sim/nn/checkpoint.ts';
import { evalInputs } from '../sim/nn/api.ts';
import { Engine, runAlgo, Stats, type RunAlgo } from '../sim/nn/engine.ts';
import { initWeights, trainForward, type ModelConfig } from '../sim/nn/model.ts';
import { nextTokenLoss } from '../sim/nn/train-kernels.ts';
import { CHECKPOINT_ROOT } from '../sim/nn/paths.ts';
import { RECIPES } from '../sim/nn/train.ts';
import { WordPieceTokenizer } from '../sim/nn/tokenizer.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { writeReadmeBlock } from './readme-block.ts';
import { alternation, repeats } from './smoke.ts';

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

/** One layer of one batch as the engine ran it: packed rows and, per example, alive tokens × alive heads. */
export interface LayerShape { n: number; heads: { m: number; h: number }[] }

/**
 * The backend's own 2-D matMul rate at the shapes a pass executed (recorded with Stats.onAlive):
 * per layer the four dense projections [n, d]·[d, 3d | d | F] and [n, F]·[F, d] against the
 * resident weights, and per alive head Q·Kᵀ [m, dh]·[dh, m] and P·V [m, m]·[m, dh] with both
 * operands already on the device (B reused, so the backend's packed-B cache is warm): the matMuls
 * alone, nothing else. Returns the useful FLOPs, a function timing one pass (CPU seconds) and the
 * disposal of its tensors.
 */
export function matMulReference(shapes: LayerShape[], d: number, F: number, dh: number): { flops: number; timedPass: () => number; lastWall: () => number; dispose: () => void } {
  const W = [tf.randomNormal([d, 3 * d]), tf.randomNormal([d, d]), tf.randomNormal([d, F]), tf.randomNormal([F, d])] as tf.Tensor2D[];
  const rows = new Map<number, tf.Tensor2D[]>();
  const att = new Map<number, tf.Tensor2D[]>();
  for (const s of shapes) {
    if (!rows.has(s.n)) rows.set(s.n, [tf.randomNormal([s.n, d]), tf.randomNormal([s.n, F])] as tf.Tensor2D[]);
    for (const { m } of s.heads) if (!att.has(m)) att.set(m, [tf.randomNormal([m, dh]), tf.randomNormal([dh, m]), tf.randomNormal([m, m]), tf.randomNormal([m, dh])] as tf.Tensor2D[]);
  }
  let flops = 0;
  const pass = () => {
    flops = 0;
    for (const s of shapes) {
      const [x, h] = rows.get(s.n)!;
      for (const w of [W[0], W[1], W[2]]) tf.matMul(x, w).dispose();
      tf.matMul(h, W[3]).dispose();
      flops += 2 * s.n * (4 * d * d + 2 * d * F);
      for (const { m, h: hA } of s.heads) {
        const [q, kt, p, v] = att.get(m)!;
        for (let k = 0; k < hA; k++) { tf.matMul(q, kt).dispose(); tf.matMul(p, v).dispose(); }
        flops += hA * 4 * m * m * dh;
      }
    }
  };
  pass();
  let wall = 0;
  const timedPass = () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    pass();
    wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    return (cu.user + cu.system) / 1e6;
  };
  const dispose = () => { for (const t of [...W, ...[...rows.values()].flat(), ...[...att.values()].flat()]) t.dispose(); };
  return { flops, timedPass, lastWall: () => wall, dispose };
}

/**
 * CPU-seconds of one LM optimizer step at the sotu-char recipe's shape (batch 8 × 256 tokens,
 * random weights and tokens), with the default training kernels and with `fastKernels` (attention
 * matMuls slice by slice, cross-entropy in JS), alternated A B B A twice after a warm-up of each.
 */
export function trainStepTiming(): { defaultCpuSeconds: number; fastCpuSeconds: number; speedup: number; shape: string } {
  const r = RECIPES['sotu-char'];
  const c: ModelConfig = { ...r.config, vocabSize: r.vocabSize, padId: -1, clsId: -1, sepId: -1, eosId: 0 };
  const B = r.batch;
  const S = r.seqLen;
  const vars = new Map([...initWeights(c, 3)].map(([k, t]) => [k, tf.variable(tf.tensor(t.data, t.shape), true, k)]));
  const rng = mulberry32(11);
  const ids = Int32Array.from({ length: B * S }, () => Math.floor(rng() * c.vocabSize));
  const tgt = Int32Array.from({ length: B * S }, () => Math.floor(rng() * c.vocabSize));
  const opt = tf.train.adam(1e-4);
  const one = (fast: boolean): number => {
    const c0 = process.cpuUsage();
    const loss = () => nextTokenLoss(trainForward(c, vars, ids, B, S, [], { sliceAttention: fast }), tgt, fast);
    const { value, grads } = tf.variableGrads(loss, [...vars.values()]);
    opt.applyGradients(grads as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
    value.dataSync();
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    const cu = process.cpuUsage(c0);
    return (cu.user + cu.system) / 1e6;
  };
  one(false);
  one(true);
  const a: number[] = [];
  const b: number[] = [];
  for (const fast of alternation([false, true, true, false, false, true, true, false])) (fast ? b : a).push(one(fast));
  for (const v of vars.values()) v.dispose();
  opt.dispose();
  const da = median(a);
  const db = median(b);
  return { defaultCpuSeconds: +da.toFixed(3), fastCpuSeconds: +db.toFixed(3), speedup: +(da / db).toFixed(2), shape: `${B} × ${S} tokens, ${c.layers}L d${c.hidden} h${c.heads}, vocab ${c.vocabSize}` };
}

/** Emails per engine pass (the first 64 test emails, what `accuracy` runs). */
const N = 64;

/** A random full-length sequence: [CLS], S − 2 random non-special tokens, [SEP]. */
function randomSequence(c: ModelConfig, S: number, rng: () => number): number[] {
  return [c.clsId, ...Array.from({ length: S - 2 }, () => 4 + Math.floor(rng() * (c.vocabSize - 4))), c.sepId];
}

/** The first 64 test emails (what `accuracy` runs), or random full-length sequences without a checkpoint, in batches of 32. */
function emailBatches(bert: Engine, real: boolean, rng: () => number): number[][][] {
  const c = bert.c;
  const inputs = real ? evalInputs(bert, N) : null;
  const emails = inputs?.kind === 'bert' ? inputs.items.map((x) => x.ids) : Array.from({ length: N }, () => randomSequence(c, c.maxPositions, rng));
  const batches: number[][][] = [];
  for (let i = 0; i < N; i += 32) batches.push(emails.slice(i, i + 32));
  return batches;
}

/** One timed engine pass over the batches: wall and CPU seconds and the FLOPs counted; with `shapes`, records the shapes it executed. */
function enginePass(bert: Engine, batches: number[][][], ra: RunAlgo, shapes?: LayerShape[]): { wall: number; cpu: number; flops: number } {
  const st = new Stats(bert.c.layers, false);
  if (shapes) {
    st.onAlive = (ex, _step, layer, alive, heads) => {
      if (ex % 32 === 0) shapes.push({ n: 0, heads: [] });
      const s = shapes[shapes.length - 1];
      s.n += alive.length;
      s.heads.push({ m: alive.length, h: heads.length });
      void layer;
    };
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  batches.forEach((b, i) => bert.classifyBatch(b, ra, st, 32 * i));
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  return { wall, cpu: (cu.user + cu.system) / 1e6, flops: st.flops };
}

/** What `passes` measured: the last pass's FLOPs, every engine pass's seconds, the reference's CPU seconds and the per-pair ratios. */
interface PassTimes {
  flops: number;
  times: number[];
  cpu: number[];
  refCpu: number[];
  ratios: number[];
  ratiosWall: number[];
}

/**
 * `reps` rounds, each an engine pass and (with `ref`) a reference pass, alternated A B B A (engine,
 * reference, reference, engine, …); per round, the ratio engine rate ÷ reference rate per CPU
 * second and per wall second.
 */
function alternatePasses(pass: () => { wall: number; cpu: number; flops: number }, ref: ReturnType<typeof matMulReference> | null, reps: number, t: PassTimes): void {
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? ['engine', 'ref'] : ['ref', 'engine'];
    let e = 0;
    let m = 0;
    let ew = 0;
    let mw = 0;
    for (const which of order) {
      if (which === 'engine') {
        const p = pass();
        t.flops = p.flops;
        t.times.push(p.wall);
        t.cpu.push(p.cpu);
        e = p.cpu;
        ew = p.wall;
      } else if (ref) {
        m = ref.timedPass();
        mw = ref.lastWall();
        t.refCpu.push(m);
      }
    }
    if (ref) {
      t.ratios.push((t.flops / e) / (ref.flops / m));
      t.ratiosWall.push((t.flops / ew) / (ref.flops / mw));
    }
  }
}

/** Medians and rates of one setting's passes. */
interface PassSummary {
  seconds: number;
  cpuSeconds: number;
  gflops: number;
  gflopsCpu: number;
  gflop: number;
  examplesPerSecond: number;
  matMulGflops: number;
  fractionOfMatMul: number;
  fractionRange: number[];
  fractionWall: number;
}

/** Median seconds, GFLOP/s per wall and CPU second, and the fraction of the matMul reference's rate (median and range). */
function passSummary(t: PassTimes, ref: { flops: number } | null): PassSummary {
  const s = median(t.times);
  const sc = median(t.cpu);
  const gflopsCpu = t.flops / sc / 1e9;
  const refGflops = ref ? ref.flops / median(t.refCpu) / 1e9 : NaN;
  return {
    seconds: s, cpuSeconds: sc, gflops: t.flops / s / 1e9, gflopsCpu, gflop: t.flops / 1e9, examplesPerSecond: N / s,
    matMulGflops: refGflops, fractionOfMatMul: median(t.ratios),
    fractionRange: t.ratios.length ? [Math.min(...t.ratios), Math.max(...t.ratios)] : [],
    fractionWall: t.ratiosWall.length ? median(t.ratiosWall) : NaN,
  };
}

/**
 * Engine passes over the 64 emails; with `reference`, each engine pass is paired with a pass of
 * the matMul reference at the shapes it executed, alternated A B B A (engine, reference,
 * reference, engine, …), and the fraction is the median (and the range) of the per-pair ratios
 * engine rate ÷ reference rate — both per CPU-second, measured seconds apart, so the host's
 * load drifts cancel out as far as they can on a shared machine.
 */
async function passes(bert: Engine, batches: number[][][], algo: object, reps: number, reference = true): Promise<PassSummary> {
  const c = bert.c;
  const ra = runAlgo(AlgoSchema.parse(algo), c);
  const shapes: LayerShape[] = [];
  const first = enginePass(bert, batches, ra, shapes);
  const t: PassTimes = { flops: first.flops, times: [first.wall], cpu: [first.cpu], refCpu: [], ratios: [], ratiosWall: [] };
  const ref = reference ? matMulReference(shapes, c.hidden, c.intermediate, c.hidden / c.heads) : null;
  if (ref && Math.abs(ref.flops - t.flops) > 1e-9 * t.flops) throw new Error(`reference FLOPs ${ref.flops} ≠ engine FLOPs ${t.flops}`);
  alternatePasses(() => enginePass(bert, batches, ra), ref, reps, t);
  ref?.dispose();
  return passSummary(t, ref);
}

/** GFLOP/s of the dense batched TF.js forward (the training path), B=32, S=128 (random full-length sequences); median of 3 after a warm-up. */
function denseTfForwardGflops(bert: Engine, rng: () => number): number {
  const c = bert.c;
  const S = c.maxPositions;
  const W = new Map([...bert.ck.weights].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
  const ids = Int32Array.from(Array.from({ length: 32 }, () => randomSequence(c, S, rng)).flat());
  const times: number[] = [];
  for (let r = 0; r < 1 + repeats(3); r++) {
    const t0 = performance.now();
    const y = tf.tidy(() => trainForward(c, W, ids, 32, S, new Array(32).fill(S)));
    y.dataSync();
    y.dispose();
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  const d = c.hidden;
  const denseFlops = c.layers * (2 * 32 * S * (4 * d * d + 2 * d * c.intermediate) + 4 * 32 * S * S * d);
  for (const t of W.values()) t.dispose();
  return denseFlops / median(times) / 1e9;
}

/** LM generation of 32 tokens after each of the 16 windows with `algo`: median seconds of 3 runs, GFLOP/s and generated tokens/s. */
async function generation(gpt: Engine, wins: number[][], algo: object): Promise<{ seconds: number; gflops: number; generatedTokensPerSecond: number }> {
  const gc = gpt.c;
  const ts: number[] = [];
  let flops = 0;
  for (let r = 0; r < repeats(3); r++) {
    const st = new Stats(gc.layers, false);
    const t0 = performance.now();
    gpt.generateBatch(wins, gc.maxPositions - 32, 32, runAlgo(AlgoSchema.parse(algo), gc), st);
    ts.push((performance.now() - t0) / 1000);
    flops = st.flops;
  }
  const s = median(ts);
  return { seconds: s, gflops: flops / s / 1e9, generatedTokensPerSecond: (16 * 32) / s };
}

/** LM generation: tokens/s unpruned vs KV-pruned (and KV-pruned with progressive quantisation), after a warm-up. */
async function lmGeneration(gpt: Engine, rng: () => number): Promise<{ unpruned: number; kvPruned25: number; kvPruned25ProgressiveQuant6plus4: number }> {
  const gc = gpt.c;
  const wins = Array.from({ length: 16 }, () => Array.from({ length: gc.maxPositions + 1 }, () => 1 + Math.floor(rng() * (gc.vocabSize - 1))));
  await generation(gpt, wins, {});
  const genDense = await generation(gpt, wins, {});
  const genPruned = await generation(gpt, wins, { tokenKeep: 0.25 });
  const genPrunedPq = await generation(gpt, wins, { tokenKeep: 0.25, lsbBits: 4, msbBits: 6 });
  return {
    unpruned: +genDense.generatedTokensPerSecond.toFixed(1),
    kvPruned25: +genPruned.generatedTokensPerSecond.toFixed(1),
    kvPruned25ProgressiveQuant6plus4: +genPrunedPq.generatedTokensPerSecond.toFixed(1),
  };
}

/** The `engine` entry of one setting, rounded: rates per CPU second, fraction of the matMul reference, GFLOP and seconds. */
function engineFigures(p: PassSummary): Record<string, unknown> {
  return { gflopsPerCpuSecond: +p.gflopsCpu.toFixed(2), matMulGflopsPerCpuSecond: +p.matMulGflops.toFixed(2), fractionOfMatMul: +p.fractionOfMatMul.toFixed(3), fractionRange: p.fractionRange.map((x) => +x.toFixed(3)), fractionOfMatMulWall: +p.fractionWall.toFixed(3), gflop: +p.gflop.toFixed(3), cpuSeconds: +p.cpuSeconds.toFixed(3), wallSeconds: +p.seconds.toFixed(3) };
}

/** Everything `run` measured, for the result. */
interface Measured {
  loadBefore: number;
  lmTrainStep: ReturnType<typeof trainStepTiming>;
  backend: string;
  c: ModelConfig;
  real: boolean;
  dense: PassSummary;
  half: PassSummary;
  pruned: PassSummary;
  denseTfGflops: number;
  generated: Awaited<ReturnType<typeof lmGeneration>>;
}

/** The README's engine-speed table (block `nn-bench`): the figures of this run, next to the target. */
function writeNnBlock(m: Measured): void {
  const f = (p: PassSummary) => `${p.fractionOfMatMul.toFixed(3)} (${p.fractionRange.map((x) => x.toFixed(2)).join('–')})`;
  writeReadmeBlock(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'nn-bench', 'nn', [
    `| ${m.real ? 'spam-bert on the first 64 test emails' : 'spam-bert\'s shapes, random weights and tokens'} | engine ÷ the backend's matMul rate, per CPU-second: median (range of 6 pairs) | engine GFLOP/s per CPU-second | CPU s |`,
    '|---|---:|---:|---:|',
    `| dense | ${f(m.dense)} | ${m.dense.gflopsCpu.toFixed(2)} | ${m.dense.cpuSeconds.toFixed(3)} |`,
    `| tokenKeep 0.5 | ${f(m.half)} | ${m.half.gflopsCpu.toFixed(2)} | ${m.half.cpuSeconds.toFixed(3)} |`,
    `| tokenKeep 0.3, headKeep 0.75 | – | ${m.pruned.gflopsCpu.toFixed(2)} | ${m.pruned.cpuSeconds.toFixed(3)} (${(m.dense.cpuSeconds / m.pruned.cpuSeconds).toFixed(2)}× less than dense) |`,
    '',
    `(Target: ≥ 0.5 of the matMul rate. Backend ${m.backend}; 1-minute load average ${m.loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}.)`,
  ]);
}

/** The bench's result object (the host's load average read again now, as the run's last step). */
function result(m: Measured): object {
  const { c, dense, half, pruned } = m;
  return {
    hostLoad1min: { before: +m.loadBefore.toFixed(2), after: +loadavg()[0].toFixed(2) },
    lmTrainStep: m.lmTrainStep,
    backend: m.backend,
    model: `spam-bert ${c.layers}L d${c.hidden} h${c.heads} seq≤${c.maxPositions} (${m.real ? 'checkpoint, the first 64 test emails' : 'random weights and tokens'})`,
    method: 'FLOPs = the model\'s useful FLOPs (2 per MAC of the projections, FFN, and Q·Kᵀ / P·V of the alive heads over the alive tokens); rates per CPU-second (process.cpuUsage); matMul reference = the same matMuls alone on the same backend, operands resident (matMulReference); fractionOfMatMul = median of 6 per-pair ratios engine ÷ reference, passes alternated A B B A (fractionRange: smallest and largest ratio); fractionOfMatMulWall: the same pairs per wall second (process.cpuUsage also counts the process\'s other threads — V8\'s garbage collector and compiler — so the two differ when those work)',
    engine: {
      dense: engineFigures(dense),
      tokenKeep05: engineFigures(half),
      target: 'fractionOfMatMul ≥ 0.5',
    },
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
    pruningSpeedupCpu: +(dense.cpuSeconds / pruned.cpuSeconds).toFixed(2),
    tokenKeep05SpeedupCpu: +(dense.cpuSeconds / half.cpuSeconds).toFixed(2),
    denseBatchedTfForwardGflops: +m.denseTfGflops.toFixed(2),
    lmGeneratedTokensPerSecond: m.generated,
  };
}

/** The accuracy engine's speed on spam-bert (dense, tokenKeep 0.5, pruned), the dense TF.js forward, LM generation and one LM training step. */
export async function run(): Promise<object> {
  const loadBefore = loadavg()[0];
  const backend = await initBackend();
  const bert = new Engine(checkpoint('spam-bert'));
  const c = bert.c;
  const rng = mulberry32(5);
  const real = bert.ck.dir !== 'random';
  const batches = emailBatches(bert, real, rng);
  await passes(bert, batches, {}, 1, false); // warm-up
  const dense = await passes(bert, batches, {}, repeats(6));
  const half = await passes(bert, batches, { tokenKeep: 0.5 }, repeats(6));
  const pruned = await passes(bert, batches, { tokenKeep: 0.3, headKeep: 0.75 }, repeats(4), false);
  const denseTfGflops = denseTfForwardGflops(bert, rng);
  const gpt = new Engine(checkpoint('sotu-gpt'));
  const generated = await lmGeneration(gpt, rng);
  bert.dispose();
  gpt.dispose();
  await initTraining(); // the gradient functions (inference above runs on tfjs-core without them)
  const lmTrainStep = trainStepTiming();
  const m = { loadBefore, lmTrainStep, backend, c, real, dense, half, pruned, denseTfGflops, generated };
  writeNnBlock(m);
  return result(m);
}
