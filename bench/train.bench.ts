/**
 * Data-parallel LM training (`train --workers N`, sim/nn/train-shard.ts): wall seconds per training
 * step at the sotu-char recipe's shape (8 × 256 characters), one thread vs two shards (this thread
 * plus one pool worker, the CLI's path), dense steps, alternated A B B A after one warm-up step each.
 * Wall time (the point is using the second core): run it on an otherwise idle machine; the host's
 * load average before and after is reported.
 */
import { loadavg } from 'node:os';
import { initTraining, tf } from '../sim/nn/backend.ts';
import { initWeights, type ModelConfig } from '../sim/nn/model.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { RECIPES, shardedStep, step } from '../sim/nn/train.ts';
import { lossAndGrads, shardLoss, type ShardResult, type ShardTask } from '../sim/nn/train-shard.ts';
import { bundledPool } from '../dse/backends/local.ts';
import { writeReadmeBlock } from './readme-block.ts';
import { alternation, repeats } from './smoke.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];

/**
 * The sotu-char recipe's model with random weights as training variables, a batch of random tokens
 * and targets (seed 11), and the optimizer the steps apply.
 */
function benchModel() {
  const r = RECIPES['sotu-char'];
  const c: ModelConfig = { ...r.config, vocabSize: r.vocabSize, padId: -1, clsId: -1, sepId: -1, eosId: 0 };
  const B = r.batch;
  const S = r.seqLen;
  const vars = new Map([...initWeights(c, 3)].map(([k, t]) => [k, tf.variable(tf.tensor(t.data, t.shape), true, `bench-${k}`)]));
  const rng = mulberry32(11);
  const ids = Int32Array.from({ length: B * S }, () => Math.floor(rng() * c.vocabSize));
  const tgt = Int32Array.from({ length: B * S }, () => Math.floor(rng() * c.vocabSize));
  const opt = tf.train.adam(1e-4, 0.9, 0.98, 1e-8);
  return { c, B, S, vars, ids, tgt, opt };
}

type BenchModel = ReturnType<typeof benchModel>;
type ShardRunner = (t: ShardTask) => Promise<ShardResult>;

/** Runs a shard's loss and gradients on the pool worker. */
function poolShardRunner(pool: Awaited<ReturnType<typeof bundledPool>>): ShardRunner {
  return async (t: ShardTask): Promise<ShardResult> => {
    const res = await pool.run<ShardResult>({ task: 'trainShard', args: [t] });
    if (res.status !== 'ok') throw new Error(res.error);
    return res.value;
  };
}

/** Median wall seconds of a step on one thread (`wa`) and as two shards (`wb`): 6 each, alternated A B B A after a warm-up step each. */
async function stepMedians(m: BenchModel, shardRunner: ShardRunner): Promise<{ wa: number; wb: number }> {
  const { c, B, S, vars, ids, tgt, opt } = m;
  const one = async (sharded: boolean) => {
    const t0 = performance.now();
    if (sharded) await shardedStep({ opt, vars, config: c, fastKernels: true, B, S, workers: 2, shardRunner }, ids, tgt);
    else step(opt, vars, () => shardLoss(c, vars, true, ids, tgt, B, S));
    return (performance.now() - t0) / 1000;
  };
  await one(false);
  await one(true);
  const a: number[] = [];
  const b: number[] = [];
  for (const sh of alternation([false, true, true, false, false, true, true, false, false, true, true, false])) (sh ? b : a).push(await one(sh));
  return { wa: median(a), wb: median(b) };
}

/** Rewrites the block between the `train-bench` markers of sim/nn/README.md with these figures. */
function writeReadme(wa: number, wb: number, halves: Awaited<ReturnType<typeof halfSteps>>, load: string): void {
  writeReadmeBlock(path.join(ROOT, 'sim', 'nn', 'README.md'), 'train-bench', 'train', [
    '| dense sotu-char step (8 × 256 characters) | wall s, median of 6 | speed-up |',
    '|---|---:|---:|',
    `| one thread | ${wa.toFixed(3)} | 1 |`,
    `| two shards (\`train --workers 2\`) | ${wb.toFixed(3)} | ${(wa / wb).toFixed(2)}× |`,
    '',
    '| half a batch (4 × 256 characters), loss and gradients | alone, s | while the other half runs, s |',
    '|---|---:|---:|',
    `| on the training thread | ${halves.mainAlone.toFixed(3)} | ${halves.mainTogether.toFixed(3)} |`,
    `| on the pool worker | ${halves.workerAlone.toFixed(3)} | ${halves.workerTogether.toFixed(3)} |`,
    '',
    `(alternated A B B A after a warm-up step each; 1-minute load average ${load} on ${new Date().toISOString().slice(0, 10)}.)`,
  ]);
}

/** One thread vs two shards per training step, and the half-batch timings; writes sim/nn/README.md's block. */
export async function run(): Promise<object> {
  const loadBefore = loadavg()[0];
  await initTraining();
  const m = benchModel();
  const { c, B, S } = m;
  const pool = await bundledPool(1);
  try {
    const shardRunner = poolShardRunner(pool);
    const { wa, wb } = await stepMedians(m, shardRunner);
    const halves = await halfSteps(c, m.vars, m.ids, m.tgt, B, S, shardRunner);
    writeReadme(wa, wb, halves, `${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
    return {
      shape: `${B} × ${S} characters, ${c.layers}L d${c.hidden} h${c.heads}, vocab ${c.vocabSize}, dense step`,
      oneThreadWallSeconds: +wa.toFixed(3),
      twoShardsWallSeconds: +wb.toFixed(3),
      speedup: +(wa / wb).toFixed(2),
      halfBatchSeconds: Object.fromEntries(Object.entries(halves).map(([k, v]) => [k, +v.toFixed(3)])),
      hostLoad1min: { before: +loadBefore.toFixed(2), after: +loadavg()[0].toFixed(2) },
      method: 'median wall seconds of 6 steps each, alternated A B B A after one warm-up step each; two shards = this thread + one pool worker (train --workers 2); halfBatchSeconds: median of 5 half-batch loss+gradient computations on each thread alone and both at once',
    };
  } finally {
    await pool.close();
    for (const v of m.vars.values()) v.dispose();
    m.opt.dispose();
  }
}

/** Half-batch loss and gradients on each thread alone and on both at once (medians of 5): how much the second thread adds. */
async function halfSteps(c: ModelConfig, vars: Map<string, tf.Variable>, ids: Int32Array, tgt: Int32Array, B: number, S: number, runner: (t: ShardTask) => Promise<ShardResult>) {
  const vs = [...vars.values()];
  const h = B / 2;
  const task = (): ShardTask => ({
    config: c, fastKernels: true, names: [...vars.keys()], shapes: vs.map((v) => v.shape.slice()), weights: vs.map((v) => Float32Array.from(v.dataSync() as Float32Array)),
    ids: ids.slice(h * S), tgt: tgt.slice(h * S), nb: B - h, S,
  });
  const own = () => {
    const t0 = performance.now();
    lossAndGrads(vs, () => shardLoss(c, vars, true, ids.subarray(0, h * S), tgt.subarray(0, h * S), h, S));
    return (performance.now() - t0) / 1000;
  };
  const remote = async () => {
    const t0 = performance.now();
    await runner(task());
    return (performance.now() - t0) / 1000;
  };
  const r: Record<'mainAlone' | 'workerAlone' | 'mainTogether' | 'workerTogether', number[]> = { mainAlone: [], workerAlone: [], mainTogether: [], workerTogether: [] };
  for (let i = 0; i < repeats(5); i++) {
    r.mainAlone.push(own());
    r.workerAlone.push(await remote());
    const w = remote();
    r.mainTogether.push(own());
    r.workerTogether.push(await w);
  }
  return { mainAlone: median(r.mainAlone), workerAlone: median(r.workerAlone), mainTogether: median(r.mainTogether), workerTogether: median(r.workerTogether) };
}
