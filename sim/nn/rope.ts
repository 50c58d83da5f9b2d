/**
 * Rotary position embedding (RoPE: Su et al., "RoFormer", 2021; the rotate-half layout of GPT-NeoX
 * and Llama), this project's GPT-2 extension `position_embedding_type: "rope"`.
 *
 * Each head's query and key vectors are rotated by their token's position before the dot product:
 * dimensions i and i + dh/2 of a head form a pair rotated by the angle p·θ_i, θ_i = BASE^(−2i/dh).
 * A score then depends on the query's and key's positions only through their difference, so a
 * pruned key set keeps every kept key's true distance (like ALiBi) without ALiBi's built-in
 * penalty on distance. Keys are rotated when they are computed, before their quantization (what a
 * KV cache of a RoPE model holds).
 */

/** RoPE's base (RoFormer, GPT-NeoX and Llama use 10 000). */
export const ROPE_BASE = 10000;

/** cos and sin of position p's angles, p·θ_i for i < dh/2 (float64). */
export function ropeAngles(p: number, dh: number): { cos: Float64Array; sin: Float64Array } {
  const half = dh / 2;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    const a = p * Math.pow(ROPE_BASE, (-2 * i) / dh);
    cos[i] = Math.cos(a);
    sin[i] = Math.sin(a);
  }
  return { cos, sin };
}

/** Per head size: ropeAngles of positions 0 … n − 1, row p at p·dh/2 (grown on demand, never recomputed). */
const tables = new Map<number, { n: number; cos: Float64Array; sin: Float64Array }>();

/** The angle table of head size dh covering positions 0 … upTo. */
function angleTable(dh: number, upTo: number): { cos: Float64Array; sin: Float64Array } {
  const half = dh / 2;
  const t = tables.get(dh);
  if (t && t.n > upTo) return t;
  const n = Math.max(upTo + 1, 2 * (t?.n ?? 128));
  const cos = new Float64Array(n * half);
  const sin = new Float64Array(n * half);
  for (let p = 0; p < n; p++) {
    const a = ropeAngles(p, dh);
    cos.set(a.cos, p * half);
    sin.set(a.sin, p * half);
  }
  const grown = { n, cos, sin };
  tables.set(dh, grown);
  return grown;
}

/** The angle table of head size dh covering every position of `positions` (non-negative integers). */
function tableFor(positions: ArrayLike<number>, dh: number): { cos: Float64Array; sin: Float64Array } {
  let max = 0;
  for (let r = 0; r < positions.length; r++) max = Math.max(max, positions[r]);
  return angleTable(dh, max);
}

/**
 * Rotates, in place, the H heads of dh values that start at column `col` of each row of `y`
 * (row r at r·stride, at position positions[r]): (x_i, x_{i+dh/2}) → (x_i·cos − x_{i+dh/2}·sin,
 * x_{i+dh/2}·cos + x_i·sin).
 */
export function rotateRows(y: Float32Array | Float64Array, stride: number, col: number, positions: ArrayLike<number>, H: number, dh: number): void {
  if (dh % 2 !== 0) throw new Error(`RoPE needs an even head size, got ${dh}`);
  const half = dh / 2;
  const { cos, sin } = tableFor(positions, dh);
  for (let r = 0; r < positions.length; r++) {
    const a0 = positions[r] * half;
    for (let h = 0; h < H; h++) {
      const o = r * stride + col + h * dh;
      for (let i = 0; i < half; i++) {
        const a = y[o + i];
        const b = y[o + i + half];
        y[o + i] = a * cos[a0 + i] - b * sin[a0 + i];
        y[o + i + half] = b * cos[a0 + i] + a * sin[a0 + i];
      }
    }
  }
}

/**
 * The tables of the training forward (model.ts), for rows at `positions`: cos and sin repeated
 * over both halves, [n·dh], and the signed half swap as a [dh, dh] matrix `swap` (x·swap =
 * (−x_{dh/2…}, x_{…dh/2})), so that rotate(x) = x·cos + (x·swap)·sin.
 */
export function ropeTables(positions: ArrayLike<number>, dh: number): { cos: Float32Array; sin: Float32Array; swap: Float32Array } {
  const half = dh / 2;
  const n = positions.length;
  const t = tableFor(positions, dh);
  const cos = new Float32Array(n * dh);
  const sin = new Float32Array(n * dh);
  for (let r = 0; r < n; r++) {
    const a0 = positions[r] * half;
    for (let i = 0; i < half; i++) {
      cos[r * dh + i] = cos[r * dh + i + half] = t.cos[a0 + i];
      sin[r * dh + i] = sin[r * dh + i + half] = t.sin[a0 + i];
    }
  }
  const swap = new Float32Array(dh * dh);
  for (let i = 0; i < half; i++) {
    swap[(i + half) * dh + i] = -1; // out_i = −x_{i+half}
    swap[i * dh + i + half] = 1; // out_{i+half} = x_i
  }
  return { cos, sin, swap };
}
