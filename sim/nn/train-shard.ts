/**
 * Data-parallel LM training: one batch's sequences split into contiguous shards, each shard's loss
 * and gradients computed on its own thread (this one and pool workers, one single-threaded wasm
 * backend each: shared/spec/ecosystem.md, wasm threads do not run in Node), then combined into the
 * full batch's gradient.
 *
 * The loss is the mean over the batch's B × S predictions, so with shard i holding b_i sequences
 * the full-batch gradient is Σ_i (b_i / B) · g_i exactly; in float32 it differs from the one-thread
 * gradient by summation order only (|Δ| ~ 1e-7 relative). A run is reproducible for a given shard
 * count; `workers` is recorded in training.json.
 */
import { initTraining, tf } from './backend.ts';
import { trainForward, type ModelConfig, type TfWeights } from './model.ts';
import { nextTokenLoss, type SoftTargets } from './train-kernels.ts';

/** One shard of one training step, as sent to a worker (plain arrays: structured-clone friendly). */
export interface ShardTask {
  config: ModelConfig;
  fastKernels: boolean;
  /** Variable names, shapes and current values, in the trainer's order. */
  names: string[];
  shapes: number[][];
  weights: Float32Array[];
  /** The shard's `nb` sequences of `S` inputs and next-token targets. */
  ids: Int32Array;
  tgt: Int32Array;
  nb: number;
  S: number;
  /** Per layer the additive key mask of the shard's sequences (nb × S × S), or null: dense layer. */
  masks?: (Float32Array | null)[];
}

export interface ShardResult {
  loss: number;
  /** Gradients in `names` order. */
  grads: Float32Array[];
}

/** Loss and gradients of `lossFn` over `vars` (in their order), as plain arrays; tensors disposed. */
export function lossAndGrads(vars: tf.Variable[], lossFn: () => tf.Scalar): ShardResult {
  const { value, grads } = tf.variableGrads(lossFn, vars);
  const loss = value.dataSync()[0];
  value.dispose();
  const out = vars.map((v) => {
    const g = grads[v.name];
    const data = g.dataSync() as Float32Array;
    g.dispose();
    return data;
  });
  return { loss, grads: out };
}

/** The next-token loss of `nb` sequences with optional per-layer key masks (the trainer's lossOf). */
export function shardLoss(config: ModelConfig, W: Map<string, tf.Variable>, fast: boolean, ids: Int32Array, tgt: Int32Array, nb: number, S: number, masks?: (tf.Tensor | null)[], soft?: SoftTargets): tf.Scalar {
  const logits = trainForward(config, W as TfWeights, ids, nb, S, [], { sliceAttention: fast, layerMasks: masks });
  return nextTokenLoss(logits, tgt, fast, soft);
}

/** Per-layer mask tensors [nb, 1, S, S] from plain arrays (null stays null). */
export function maskTensors(masks: (Float32Array | null)[] | undefined, nb: number, S: number): (tf.Tensor | null)[] | undefined {
  return masks?.map((m) => (m ? tf.tensor4d(m, [nb, 1, S, S]) : null));
}

/** Sequences [b0, b1) of a batch: ids, targets and mask rows. */
export function shardSlice(ids: Int32Array, tgt: Int32Array, masks: (Float32Array | null)[] | undefined, S: number, b0: number, b1: number) {
  return {
    ids: ids.subarray(b0 * S, b1 * S),
    tgt: tgt.subarray(b0 * S, b1 * S),
    masks: masks?.map((m) => (m ? m.subarray(b0 * S * S, b1 * S * S) : null)),
    nb: b1 - b0,
  };
}

/** Shard boundaries: B sequences into n contiguous shards as equal as possible (the first ones larger). */
export function shardBounds(B: number, n: number): number[] {
  const k = Math.min(n, B);
  const out = [0];
  for (let i = 0; i < k; i++) out.push(out[i] + Math.floor(B / k) + (i < B % k ? 1 : 0));
  return out;
}

/** Full-batch loss and gradient from the shards' (b_i / B weights, shard order, float64 sums). */
export function combineShards(parts: ShardResult[], sizes: number[]): ShardResult {
  const B = sizes.reduce((a, b) => a + b, 0);
  const w = sizes.map((b) => b / B);
  const grads = parts[0].grads.map((g0, k) => {
    const out = new Float32Array(g0.length);
    for (let j = 0; j < g0.length; j++) {
      let s = 0;
      for (let i = 0; i < parts.length; i++) s += w[i] * parts[i].grads[k][j];
      out[j] = s;
    }
    return out;
  });
  let loss = 0;
  parts.forEach((p, i) => (loss += w[i] * p.loss));
  return { loss, grads };
}

// A worker's variables (keyed by weight name; tf names left automatic, so a test can run this
// beside a trainer's own variables), created on its first task and overwritten with each task's weights.
let workerVars: { key: string; vars: Map<string, tf.Variable> } | undefined;

/** A worker's task: the shard's loss and gradients at the given weights. */
export async function trainShard(t: ShardTask): Promise<ShardResult> {
  await initTraining();
  const key = t.names.map((n, i) => `${n}:${t.shapes[i].join('x')}`).join(',');
  if (workerVars?.key !== key) {
    workerVars?.vars.forEach((v) => v.dispose());
    workerVars = { key, vars: new Map(t.names.map((n, i) => [n, tf.variable(tf.zeros(t.shapes[i]), true)])) };
  }
  const vars = workerVars.vars;
  t.names.forEach((n, i) => {
    const x = tf.tensor(t.weights[i], t.shapes[i]);
    vars.get(n)!.assign(x);
    x.dispose();
  });
  const masks = maskTensors(t.masks, t.nb, t.S);
  try {
    return lossAndGrads([...vars.values()], () => shardLoss(t.config, vars, t.fastKernels, t.ids, t.tgt, t.nb, t.S, masks));
  } finally {
    masks?.forEach((m) => m?.dispose());
  }
}
