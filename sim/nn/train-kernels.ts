/**
 * Training-only kernels of the `fastKernels` recipes (train.ts): the attention's batched matMul
 * slice by slice through the backend's 2-D matMul, and the next-token cross-entropy in JS, each
 * with its gradient. They sum in another order than the default kernels (model.ts fastBMM and
 * the TF.js loss), so recipes trained before them keep those.
 */
import { tf } from './backend.ts';

/** Row-major [r, c] slice of `src` at `off`, transposed into a new [c, r] array. */
function transposed(src: Float32Array, off: number, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[off + i * c + j];
  return out;
}

/**
 * Batched matMul of flat buffers, one 2-D matMul per batch slice (op(A_i) · op(B_i), op = optional
 * transpose done in JS). The wasm backend's BatchMatMul runs 1–1.2 GFLOP/s at the attention shapes
 * ([32,256,16]·[32,16,256]) while its 2-D matMul runs 5–10; its Slice and Unstack are slower still,
 * so the slices move through JS arrays.
 */
function sliceBMM(ad: Float32Array, bd: Float32Array, nb: number, m: number, k: number, n: number, tA: boolean, tB: boolean): tf.Tensor3D {
  const out = new Float32Array(nb * m * n);
  for (let i = 0; i < nb; i++) {
    const aS = tA ? transposed(ad, i * m * k, k, m) : ad.subarray(i * m * k, (i + 1) * m * k);
    const bS = tB ? transposed(bd, i * k * n, n, k) : bd.subarray(i * k * n, (i + 1) * k * n);
    const a = tf.tensor2d(aS, [m, k]);
    const b = tf.tensor2d(bS, [k, n]);
    const c = tf.matMul(a, b);
    out.set(c.dataSync() as Float32Array, i * m * n);
    a.dispose();
    b.dispose();
    c.dispose();
  }
  return tf.tensor3d(out, [nb, m, n]);
}

/**
 * fastBMM computed slice by slice (sliceBMM), forward and gradient: ≈ 3× faster at the training
 * attention shapes; sums in a different order than BatchMatMul (|Δ| ~1e-5), so it is opt-in per
 * recipe (`sliceAttention`) and the shipped checkpoints' recipes keep BatchMatMul.
 */
export const sliceBMMGrad = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  const [nb, m, k] = a.shape;
  const n = b.shape[2]!;
  return {
    value: sliceBMM(a.dataSync() as Float32Array, b.dataSync() as Float32Array, nb!, m!, k!, n, false, false),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const dyd = dy.dataSync() as Float32Array;
      const ad = saved[0].dataSync() as Float32Array;
      const bd = saved[1].dataSync() as Float32Array;
      // dA = dY · Bᵀ  [m,n]·[n,k];  dB = Aᵀ · dY  [k,m]·[m,n]
      return [sliceBMM(dyd, bd, nb!, m!, n, k!, false, true), sliceBMM(ad, dyd, nb!, k!, m!, n, true, false)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/**
 * Mean next-token cross-entropy of logits [N, V] against `tgt` (length N), computed in JS with its
 * gradient (softmax − one-hot) / N: the wasm LogSumExp + OneHot path spends ~0.1 s per training
 * step in a broadcast Equal at [2048, 257]. With `soft` (a teacher's distributions, row-major
 * [N, V], and a weight α) the gradient is that of (1 − α)·CE(one-hot) + α·CE(teacher); the value
 * stays the one-hot loss.
 */
export interface SoftTargets { dist: Float32Array; alpha: number }

export function crossEntropyJs(logits: tf.Tensor2D, tgt: Int32Array, sf?: SoftTargets): tf.Scalar {
  const f = tf.customGrad(((lg: tf.Tensor, save: tf.GradSaveFunc) => {
    void save;
    const [N, V] = lg.shape as [number, number];
    const x = lg.dataSync() as Float32Array;
    const grad = new Float32Array(N * V);
    let total = 0;
    for (let i = 0; i < N; i++) {
      const o = i * V;
      let mx = -Infinity;
      for (let j = 0; j < V; j++) if (x[o + j] > mx) mx = x[o + j];
      let z = 0;
      for (let j = 0; j < V; j++) { const e = Math.exp(x[o + j] - mx); grad[o + j] = e; z += e; }
      total += Math.log(z) + mx - x[o + tgt[i]];
      for (let j = 0; j < V; j++) grad[o + j] /= z * N;
      if (sf) {
        for (let j = 0; j < V; j++) grad[o + j] -= (sf.alpha * sf.dist[o + j]) / N;
        grad[o + tgt[i]] -= (1 - sf.alpha) / N;
      } else grad[o + tgt[i]] -= 1 / N;
    }
    return {
      value: tf.scalar(total / N),
      gradFunc: (dy: tf.Tensor) => [tf.mul(tf.tensor2d(grad, [N, V]), dy)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (lg: tf.Tensor) => tf.Scalar;
  return f(logits);
}

/**
 * Mean next-token cross-entropy of logits [N, V]: crossEntropyJs with the fast kernels, else the
 * TF.js formulation the older recipes were trained with (logSumExp − the target's logit).
 */
export function nextTokenLoss(logits: tf.Tensor2D, tgt: Int32Array, fast: boolean | undefined, soft?: SoftTargets): tf.Scalar {
  if (fast) return crossEntropyJs(logits, tgt, soft);
  if (soft) throw new Error('soft targets need the fast kernels (TrainRecipe.fastKernels)');
  const lse = tf.logSumExp(logits, 1);
  const picked = tf.sum(tf.mul(logits, tf.oneHot(tf.tensor1d(tgt, 'int32'), logits.shape[1])), 1);
  return tf.mean(tf.sub(lse, picked)) as tf.Scalar;
}
