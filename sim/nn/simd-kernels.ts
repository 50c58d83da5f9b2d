/**
 * Two float32 matrix products for attention heads in WebAssembly SIMD, emitted as bytes here (no
 * toolchain, nothing downloaded; Node ≥ 16.4 runs wasm SIMD): S = Q·Kᵀ from Q [m, dh] and Kᵀ [dh, n],
 * and C = P·V from P [m, n] and V [n, dh].
 *
 * Every output is the float32 sum of its products in index order, starting from 0, with a
 * rounding after each multiply and each add (no fused multiply-add) — the order of the wasm
 * backend's XNNPACK GEMM, so the results equal `tf.matMul` bit for bit
 * (test/nn-simd.test.ts). Unlike `tf.matMul`, a call packs nothing: XNNPACK creates and
 * packs a new operator for every new second operand (an attention head's Kᵀ and V are new every
 * time), and a TF.js op costs an upload, a dispatch and a read-back.
 *
 * Kernels are generated per head dimension (dh a multiple of 4: its loop is unrolled); operands
 * live in the module's own memory (`view()`), byte offsets are passed to the calls. The module
 * also holds the column sums, scaling, transposes, fake quantization, LayerNorm and bias adds
 * below, and local V pruning (`vk`, simd-select.ts); the assembler is wasm-asm.ts.
 */
import { F, F32, F64, Fn, I32, OP, V, V128, section, str } from './wasm-asm.ts';
import { COMPACT_TABLE, vkFn } from './simd-select.ts';

/**
 * qk(q, kt, s, m, n): S[i][j] = Σ_t Q[i][t]·Kᵀ[t][j] (row strides dh, n, n; byte offsets).
 * Columns 16 at a time (four vector accumulators), then 4 at a time, then one by one.
 * The products are added as acc + q·k, acc starting at 0: 0 + x = x, then index order.
 */
function qkFn(dh: number): Fn {
  const f = new Fn(8);
  const [q, kt, s, m, n, qStride] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32), j = f.local(I32), qrow = f.local(I32), srow = f.local(I32), p = f.local(I32);
  const n16 = f.local(I32), n4 = f.local(I32), stride = f.local(I32);
  const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const fa = f.local(F32), qs = f.local(V128);
  f.get(n).i32(-16).op(OP.i32And).set(n16).get(n).i32(-4).op(OP.i32And).set(n4).get(n).i32(4).op(OP.i32Mul).set(stride);
  f.i32(0).set(i).get(q).set(qrow).get(s).set(srow);
  f.whileLt(i, m, () => {
    f.i32(0).set(j);
    const column = (width: number) => {
      // p walks down column block j of Kᵀ, one row (t) at a time
      for (let b = 0; b < width; b++) f.vZero().set(acc[b]);
      f.get(j).i32(4).op(OP.i32Mul).get(kt).op(OP.i32Add).set(p);
      for (let t = 0; t < dh; t++) {
        f.get(qrow).fLoad(4 * t).splat().set(qs);
        for (let b = 0; b < width; b++) f.get(qs).get(p).vLoad(16 * b).vMulAcc(acc[b]);
        if (t < dh - 1) f.incBy(p, stride);
      }
      for (let b = 0; b < width; b++) f.get(srow).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add).get(acc[b]).vStore(16 * b);
      f.inc(j, 4 * width);
    };
    f.whileLt(j, n16, () => column(4));
    f.whileLt(j, n4, () => column(1));
    f.whileLt(j, n, () => {
      f.op(OP.f32Const, 0, 0, 0, 0).set(fa);
      f.get(j).i32(4).op(OP.i32Mul).get(kt).op(OP.i32Add).set(p);
      for (let t = 0; t < dh; t++) {
        f.get(fa).get(qrow).fLoad(4 * t).get(p).fLoad(0).op(OP.f32Mul, OP.f32Add).set(fa);
        if (t < dh - 1) f.incBy(p, stride);
      }
      f.get(srow).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add).get(fa).fStore(0);
      f.inc(j, 1);
    });
    f.incBy(qrow, qStride).incBy(srow, stride).inc(i, 1);
  });
  return f;
}

/**
 * pv(p, v, c, m, n, vStride, cStride): C[i][t] = Σ_j P[i][j]·V[j][t] (byte offsets and strides),
 * output columns in blocks of up to 16 (four vector accumulators), j in index order. Returns
 * Σ_i Σ_t |C[i][t]| summed in float64 in that order (what a JS loop over C computes).
 */
function pvFn(dh: number): Fn {
  const f = new Fn(8);
  const [p, v, c, m, n, vStride, cStride] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local(I32), j = f.local(I32), pp = f.local(I32), vp = f.local(I32), crow = f.local(I32);
  const abs = f.local(F64);
  const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const ps = f.local(V128);
  f.i32(0).set(i).get(p).set(pp).get(c).set(crow);
  f.whileLt(i, m, () => {
    for (let cb = 0; cb < dh; cb += 16) {
      const width = Math.min(4, (dh - cb) / 4);
      for (let b = 0; b < width; b++) f.vZero().set(acc[b]);
      // pp: row i of P (restarted per column block); vp: V[j][cb]
      f.get(v).i32(4 * cb).op(OP.i32Add).set(vp).i32(0).set(j);
      f.whileLt(j, n, () => {
        f.get(pp).fLoad(0).splat().set(ps);
        for (let b = 0; b < width; b++) f.get(ps).get(vp).vLoad(16 * b).vMulAcc(acc[b]);
        f.inc(pp, 4).incBy(vp, vStride).inc(j, 1);
      });
      for (let b = 0; b < width; b++) f.get(crow).get(acc[b]).vStore(4 * cb + 16 * b);
      for (let b = 0; b < width; b++) {
        for (let lane = 0; lane < 4; lane++) f.get(abs).get(acc[b]).v(V.f32x4Extract, lane).op(F.f64PromoteF32, F.f64Abs, F.f64Add).set(abs);
      }
      // back to the row's start for the next column block
      if (cb + 16 < dh) f.get(pp).get(n).i32(-4).op(OP.i32Mul).op(OP.i32Add).set(pp);
    }
    f.incBy(crow, cStride).inc(i, 1);
  });
  f.get(abs);
  return f;
}

/** cs(p, dst, rows, cols): column sums of P [rows, cols] in float32, row by row (columnSumsF32's order). */
function csFn(): Fn {
  const f = new Fn(8);
  const [p, dst, rows, cols] = [0, 1, 2, 3];
  const j = f.local(I32), r = f.local(I32), pp = f.local(I32), stride = f.local(I32), c4 = f.local(I32);
  const acc = f.local(V128), fa = f.local(F32);
  f.get(cols).i32(4).op(OP.i32Mul).set(stride).get(cols).i32(-4).op(OP.i32And).set(c4).i32(0).set(j);
  const column = (vector: boolean) => {
    if (vector) f.vZero().set(acc); else f.op(OP.f32Const, 0, 0, 0, 0).set(fa);
    f.get(p).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add).set(pp).i32(0).set(r);
    f.whileLt(r, rows, () => {
      if (vector) f.get(acc).get(pp).vLoad(0).v(V.f32x4Add).set(acc);
      else f.get(fa).get(pp).fLoad(0).op(OP.f32Add).set(fa);
      f.incBy(pp, stride).inc(r, 1);
    });
    f.get(dst).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add);
    if (vector) f.get(acc).vStore(0); else f.get(fa).fStore(0);
    f.inc(j, vector ? 4 : 1);
  };
  f.whileLt(j, c4, () => column(true));
  f.whileLt(j, cols, () => column(false));
  return f;
}

/** mul(src, dst, n, cols, mulBits, srcStride, dstStride): dst = src × a float32 factor, rows of cols (a multiple of 4) floats. */
function mulFn(): Fn {
  const f = new Fn(8);
  const [src, dst, n, cols, mulBits, srcStride, dstStride] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local(I32), j = f.local(I32), sp = f.local(I32), dp = f.local(I32), vmul = f.local(V128);
  f.get(mulBits).op(F.reinterpretI32).splat().set(vmul).i32(0).set(i);
  f.whileLt(i, n, () => {
    f.get(src).set(sp).get(dst).set(dp).i32(0).set(j);
    f.whileLt(j, cols, () => {
      f.get(dp).get(sp).vLoad(0).get(vmul).v(V.f32x4Mul).vStore(0);
      f.inc(sp, 16).inc(dp, 16).inc(j, 4);
    });
    f.incBy(src, srcStride).incBy(dst, dstStride).inc(i, 1);
  });
  return f;
}

/** tr(src, dst, m, _, _, srcStride): Kᵀ [dh, m] from m rows of dh floats (row stride srcStride bytes). */
function trFn(dh: number): Fn {
  const f = new Fn(8);
  const [src, dst, m, , , srcStride] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32), sp = f.local(I32), dp = f.local(I32), rowBytes = f.local(I32);
  f.get(m).i32(4).op(OP.i32Mul).set(rowBytes);
  f.i32(0).set(i).get(src).set(sp).get(dst).set(dp);
  f.whileLt(i, m, () => {
    // element t of row i goes to dst + t·m + i: dp walks row i's column, offset t·m is dynamic
    for (let t = 0; t < dh; t++) {
      f.get(dp).get(sp).fLoad(4 * t).fStore(0);
      if (t < dh - 1) f.incBy(dp, rowBytes);
    }
    f.get(dp).get(rowBytes).i32(-(dh - 1)).op(OP.i32Mul).op(OP.i32Add).i32(4).op(OP.i32Add).set(dp);
    f.incBy(sp, srcStride).inc(i, 1);
  });
  return f;
}

/**
 * fq(src, dst, n, heads, qmax, mulBits, srcStride, dstStride): the engine's per-(row, head)
 * symmetric fake quantization without LSBs (quant.ts fakeQuantRowsNarrow / fakeQuantRows), four
 * values per instruction: s = max|x| / qmax (1 when the max is 0), code = nearest(x / s) + 0
 * (round half to even; the + 0 turns a −0 code into +0 as the JS path does), clamped to ±qmax
 * (never acts when s is normal), value = code · s + 0, then × the float32 factor with bits
 * mulBits when `withMul`. Each step one IEEE float32 operation, as in JS: bit-identical (an s that
 * underflows to 0 gives +0 values, as the JS path's integer codes do).
 */
function fqFn(dh: number, withMul: boolean): Fn {
  const f = new Fn(8);
  const [src, dst, n, heads, qmaxI, mulBits, srcStride, dstStride] = [0, 1, 2, 3, 4, 5, 6, 7];
  const i = f.local(I32), h = f.local(I32), sp = f.local(I32), dp = f.local(I32), sr = f.local(I32), dr = f.local(I32), h4 = f.local(I32);
  const qmax = f.local(F32), mx = f.local(F32), sc = f.local(F32);
  const vsc = f.local(V128), vq = f.local(V128), vnq = f.local(V128), vmul = f.local(V128), vm = f.local(V128), zero = f.local(V128), vdiv = f.local(V128), one = f.local(V128);
  const m4 = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const sc4 = f.local(V128), div4 = f.local(V128);
  f.get(qmaxI).op(F.convertI32S).set(qmax);
  f.get(qmax).splat().set(vq).get(qmax).op(F.neg).splat().set(vnq);
  f.get(mulBits).op(F.reinterpretI32).splat().set(vmul);
  f.vZero().set(zero);
  f.op(OP.f32Const, 0, 0, 0x80, 0x3f).splat().set(one);
  f.get(heads).i32(-4).op(OP.i32And).set(h4);
  /** vm ← the lanewise max of |x| over the head's dh values at sp + off (bytes). */
  const headMax = (off: number, vm: number) => {
    f.get(sp).vLoad(off).v(V.f32x4Abs).set(vm);
    for (let k = 1; k < dh / 4; k++) f.get(vm).get(sp).vLoad(off + 16 * k).v(V.f32x4Abs).v(V.f32x4Max).set(vm);
  };
  /** The head's dh values at sp/dp + off quantized with scale vsc (splat) and divisor vdiv (splat). */
  const quantize = (off: number, vsc: number, vdiv: number) => {
    for (let k = 0; k < dh / 4; k++) {
      f.get(dp).get(sp).vLoad(off + 16 * k).get(vdiv).v(V.f32x4Div).v(V.f32x4Nearest).get(zero).v(V.f32x4Add);
      // the clamp as pmin(code, qmax), pmax(·, −qmax): b < a ? b : a and a < b ? b : a keep a NaN
      // code (first operand) as min/max do, and the code is never −0: the same values, one
      // instruction each instead of min/max's NaN and signed-zero handling
      f.get(vq).v(V.f32x4Pmin).get(vnq).v(V.f32x4Pmax).get(vsc).v(V.f32x4Mul).get(zero).v(V.f32x4Add);
      if (withMul) f.get(vmul).v(V.f32x4Mul);
      f.vStore(off + 16 * k);
    }
  };
  f.i32(0).set(i).get(src).set(sr).get(dst).set(dr);
  f.whileLt(i, n, () => {
    f.i32(0).set(h).get(sr).set(sp).get(dr).set(dp);
    // Four heads at a time: their four maxima in the lanes of one vector (a transposed reduction;
    // max is exact, so any order gives the same value), then both scale rules lanewise (one
    // float32 division per lane, as the scalar path), each head's lane splatted by a shuffle.
    f.whileLt(h, h4, () => {
      for (let g = 0; g < 4; g++) headMax(4 * dh * g, m4[g]);
      f.get(m4[0]).get(m4[1]).shuffle32([0, 1, 4, 5]).get(m4[0]).get(m4[1]).shuffle32([2, 3, 6, 7]).v(V.f32x4Max).set(m4[0]);
      f.get(m4[2]).get(m4[3]).shuffle32([0, 1, 4, 5]).get(m4[2]).get(m4[3]).shuffle32([2, 3, 6, 7]).v(V.f32x4Max).set(m4[2]);
      f.get(m4[0]).get(m4[2]).shuffle32([0, 2, 4, 6]).get(m4[0]).get(m4[2]).shuffle32([1, 3, 5, 7]).v(V.f32x4Max).set(vm);
      // sc = mx == 0 ? 1 : mx / qmax; divisor = sc == 0 ? 1 : sc
      f.get(one).get(vm).get(vq).v(V.f32x4Div).get(vm).get(zero).v(V.f32x4Eq).v(V.bitselect).set(sc4);
      f.get(one).get(sc4).get(sc4).get(zero).v(V.f32x4Eq).v(V.bitselect).set(div4);
      for (let g = 0; g < 4; g++) {
        f.get(sc4).get(sc4).shuffle32([g, g, g, g]).set(vsc);
        f.get(div4).get(div4).shuffle32([g, g, g, g]).set(vdiv);
        quantize(4 * dh * g, vsc, vdiv);
      }
      f.inc(sp, 16 * dh).inc(dp, 16 * dh).inc(h, 4);
    });
    f.whileLt(h, heads, () => {
      headMax(0, vm);
      f.get(vm).v(V.f32x4Extract, 0).get(vm).v(V.f32x4Extract, 1).op(F.max);
      f.get(vm).v(V.f32x4Extract, 2).get(vm).v(V.f32x4Extract, 3).op(F.max).op(F.max).set(mx);
      // sc = mx == 0 ? 1 : mx / qmax
      f.op(OP.f32Const, 0, 0, 0x80, 0x3f).get(mx).get(qmax).op(F.div).get(mx).op(OP.f32Const, 0, 0, 0, 0, F.eq, F.select).set(sc);
      // a scale that underflows to 0 gives code 0 in JS (±∞ and NaN | 0 = 0): divide by 1 there, × 0 gives ±0, + 0 gives +0
      f.get(sc).splat().set(vsc);
      f.op(OP.f32Const, 0, 0, 0x80, 0x3f).get(sc).get(sc).op(OP.f32Const, 0, 0, 0, 0, F.eq, F.select).splat().set(vdiv);
      quantize(0, vsc, vdiv);
      f.inc(sp, 4 * dh).inc(dp, 4 * dh).inc(h, 1);
    });
    f.incBy(sr, srcStride).incBy(dr, dstStride).inc(i, 1);
  });
  return f;
}

/**
 * ln(src, dst, n, d, g, b, epsBits): LayerNorm of n rows of d floats (d a multiple of 4) as the
 * engine's TF.js ops compute it (Engine.ln: moments, then x − mean, × rsqrt(variance + eps), × g,
 * + b): mean = (Σ x in index order) / d, variance = (Σ (x − mean)² in index order) / d, each step
 * one float32 operation — bit-identical to the wasm backend (test/nn-simd.test.ts).
 */
function lnFn(): Fn {
  const f = new Fn(8);
  const [src, dst, n, d, g, b, epsBits] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local(I32), j = f.local(I32), dp = f.local(I32), rowBytes = f.local(I32), n4 = f.local(I32);
  const t = f.local(F32), df = f.local(F32), eps = f.local(F32);
  const vmu = f.local(V128), vr = f.local(V128);
  const R = 4;
  const sp = Array.from({ length: R }, () => f.local(I32));
  const sum = Array.from({ length: R }, () => f.local(F32)), mu = Array.from({ length: R }, () => f.local(F32)), r = Array.from({ length: R }, () => f.local(F32));
  f.get(d).op(F.convertI32S).set(df).get(epsBits).op(F.reinterpretI32).set(eps).get(d).i32(4).op(OP.i32Mul).set(rowBytes);
  f.get(n).i32(-R).op(OP.i32And).set(n4);
  /** sp[k] ← row k of the block at src. */
  const rowStarts = (rows: number) => {
    f.get(src).set(sp[0]);
    for (let k = 1; k < rows; k++) f.get(sp[k - 1]).get(rowBytes).op(OP.i32Add).set(sp[k]);
  };
  /**
   * `rows` rows from src: each row's sums in index order, the rows' sums interleaved (independent
   * chains, so they overlap in the pipeline); then each row normalized as before.
   */
  const block = (rows: number) => {
    for (let k = 0; k < rows; k++) f.op(OP.f32Const, 0, 0, 0, 0).set(sum[k]);
    rowStarts(rows);
    f.i32(0).set(j);
    f.whileLt(j, d, () => {
      for (let k = 0; k < rows; k++) f.get(sum[k]).get(sp[k]).fLoad(0).op(OP.f32Add).set(sum[k]).inc(sp[k], 4);
      f.inc(j, 1);
    });
    for (let k = 0; k < rows; k++) f.get(sum[k]).get(df).op(F.div).set(mu[k]).op(OP.f32Const, 0, 0, 0, 0).set(sum[k]);
    rowStarts(rows);
    f.i32(0).set(j);
    f.whileLt(j, d, () => {
      for (let k = 0; k < rows; k++) f.get(sp[k]).fLoad(0).get(mu[k]).op(F.sub).set(t).get(sum[k]).get(t).get(t).op(OP.f32Mul, OP.f32Add).set(sum[k]).inc(sp[k], 4);
      f.inc(j, 1);
    });
    // r = 1 / sqrt(variance + eps)
    for (let k = 0; k < rows; k++) f.op(OP.f32Const, 0, 0, 0x80, 0x3f).get(sum[k]).get(df).op(F.div).get(eps).op(OP.f32Add, F.sqrt, F.div).set(r[k]);
    rowStarts(rows);
    for (let k = 0; k < rows; k++) {
      f.get(mu[k]).splat().set(vmu).get(r[k]).splat().set(vr);
      f.get(dst).set(dp).i32(0).set(j);
      f.whileLt(j, d, () => {
        f.get(dp).get(sp[k]).vLoad(0).get(vmu).v(V.f32x4Sub).get(vr).v(V.f32x4Mul);
        f.get(g).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add).vLoad(0).v(V.f32x4Mul);
        f.get(b).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add).vLoad(0).v(V.f32x4Add).vStore(0);
        f.inc(sp[k], 16).inc(dp, 16).inc(j, 4);
      });
      f.incBy(src, rowBytes).incBy(dst, rowBytes);
    }
    f.inc(i, rows);
  };
  f.i32(0).set(i);
  f.whileLt(i, n4, () => block(R));
  f.whileLt(i, n, () => block(1));
  return f;
}

/**
 * addb(y, bias, dst, n, cols, r): dst = y + bias (bias broadcast over the n rows of cols floats,
 * cols a multiple of 4), with `residual` r + (y + bias): the TF.js bias add and residual add, one
 * float32 add each (bit-identical).
 */
function addbFn(residual: boolean): Fn {
  const f = new Fn(8);
  const [y, bias, dst, n, cols, r] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32), j = f.local(I32), bp = f.local(I32);
  f.i32(0).set(i);
  f.whileLt(i, n, () => {
    f.i32(0).set(j).get(bias).set(bp);
    f.whileLt(j, cols, () => {
      f.get(dst);
      if (residual) f.get(r).vLoad(0);
      f.get(y).vLoad(0).get(bp).vLoad(0).v(V.f32x4Add);
      if (residual) f.v(V.f32x4Add);
      f.vStore(0);
      f.inc(y, 16).inc(dst, 16).inc(bp, 16).inc(j, 4);
      if (residual) f.inc(r, 16);
    });
    f.inc(i, 1);
  });
  return f;
}

const NAMES = ['qk', 'pv', 'tr', 'fq', 'fqMul', 'cs', 'mul', 'ln', 'addb', 'addbr', 'vk'];

function moduleBytes(dh: number): Uint8Array<ArrayBuffer> {
  const params = [0x60, 8, I32, I32, I32, I32, I32, I32, I32, I32];
  // type 0: eight i32 → nothing; type 1: eight i32 → f64 (pv)
  const fns = [qkFn(dh), pvFn(dh), trFn(dh), fqFn(dh, false), fqFn(dh, true), csFn(), mulFn(), lnFn(), addbFn(false), addbFn(true), vkFn()];
  const types = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, ...params, 0, ...params, 1, F64]),
    ...section(3, [fns.length, ...types]),
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page, no max
    ...section(7, [1 + NAMES.length, ...str('memory'), 2, 0, ...NAMES.flatMap((name, k) => [...str(name), 0, k])]),
    ...section(10, [fns.length, ...fns.flatMap((fn) => fn.body())]),
  ];
  return new Uint8Array(bytes);
}

export interface SimdGemm {
  readonly dh: number;
  /** Float32 view of the whole memory (renewed after `reserve` grows it). */
  view(): Float32Array;
  /** Makes the memory at least `floats` float32 long. */
  reserve(floats: number): void;
  /** S = Q·Kᵀ: Q at float offset q [m, dh] (row stride qStride floats, default dh), Kᵀ at kt [dh, n], S at s [m, n]. */
  qk(q: number, kt: number, s: number, m: number, n: number, qStride?: number): void;
  /** C = P·V: P at p [m, n], V at v [n, dh] (row stride vStride), C at c [m, dh] (row stride cStride); returns Σ|C| (float64, row by row). */
  pv(p: number, v: number, c: number, m: number, n: number, vStride?: number, cStride?: number): number;
  /** Column sums (float32, row by row) of P [rows, cols] at p to dst. */
  cs(p: number, dst: number, rows: number, cols: number): void;
  /** LayerNorm (Engine.ln's float32 steps) of n rows of d floats at src to dst; gamma at g, beta at b (d floats each). */
  ln(src: number, dst: number, n: number, d: number, g: number, b: number, eps: number): void;
  /** dst = y + bias (bias: cols floats, broadcast over n rows of cols, a multiple of 4), or res + (y + bias) given a residual res. */
  addBias(y: number, bias: number, dst: number, n: number, cols: number, res?: number): void;
  /** dst = src × mul (float32) for n rows of cols floats (cols a multiple of 4). */
  mul(src: number, dst: number, n: number, cols: number, mul: number, srcStride: number, dstStride: number): void;
  /** Kᵀ [dh, m] at dst from m rows of dh floats at src (row stride srcStride floats). */
  tr(src: number, dst: number, m: number, srcStride: number): void;
  /**
   * Fake quantization without LSBs (bits < 22) of n rows of `heads` vectors of dh floats at src
   * (row stride srcStride floats) to dst (row stride dstStride), values × mul (float32) when mul ≠ 1.
   */
  fq(src: number, dst: number, n: number, heads: number, bits: number, srcStride: number, dstStride: number, mul?: number): void;
  /**
   * Local V pruning in place: in `rows` rows of `cols` floats at p, the values below the row's k-th
   * largest become 0 (`keepLargestPerRow`); scratch: `vkScratchFloats(cols)` floats at scr.
   */
  vk(p: number, rows: number, cols: number, k: number, scr: number): void;
}

const cache = new Map<number, SimdGemm>();

/** The kernels for head dimension dh (a multiple of 4), compiled once per thread. */
export function simdGemm(dh: number): SimdGemm {
  if (!(dh > 0 && dh % 4 === 0)) throw new Error(`simdGemm: head dimension ${dh} is not a multiple of 4`);
  const hit = cache.get(dh);
  if (hit) return hit;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(dh)));
  const mem = inst.exports.memory as WebAssembly.Memory;
  type K8 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => void;
  const [qk, pv, tr, fq, fqMul, cs, mul, ln, addb, addbr, vk] = NAMES.map((k) => inst.exports[k] as K8);
  const bits32 = new Float32Array(1);
  const bitsI32 = new Int32Array(bits32.buffer);
  let f32 = new Float32Array(mem.buffer);
  const g: SimdGemm = {
    dh,
    view: () => f32,
    reserve(floats: number) {
      const need = Math.ceil((floats * 4) / 65536) - mem.buffer.byteLength / 65536;
      if (need > 0) { mem.grow(need); f32 = new Float32Array(mem.buffer); }
    },
    qk: (q, kt, s, m, n, qStride = dh) => qk(4 * q, 4 * kt, 4 * s, m, n, 4 * qStride, 0, 0),
    pv: (p, v, c, m, n, vStride = dh, cStride = dh) => pv(4 * p, 4 * v, 4 * c, m, n, 4 * vStride, 4 * cStride, 0) as unknown as number,
    cs: (p, dst, rows, cols) => cs(4 * p, 4 * dst, rows, cols, 0, 0, 0, 0),
    addBias(y, bias, dst, n, cols, res) {
      if (cols % 4 !== 0) throw new Error(`simd addBias: ${cols} columns`);
      if (res === undefined) addb(4 * y, 4 * bias, 4 * dst, n, cols, 0, 0, 0);
      else addbr(4 * y, 4 * bias, 4 * dst, n, cols, 4 * res, 0, 0);
    },
    ln(src, dst, n, d, gOff, bOff, eps) {
      if (d % 4 !== 0) throw new Error(`simd ln: width ${d}`);
      bits32[0] = eps;
      ln(4 * src, 4 * dst, n, d, 4 * gOff, 4 * bOff, bitsI32[0], 0);
    },
    mul(src, dst, n, cols, m, srcStride, dstStride) {
      if (cols % 4 !== 0) throw new Error(`simd mul: ${cols} columns`);
      bits32[0] = m;
      mul(4 * src, 4 * dst, n, cols, bitsI32[0], 4 * srcStride, 4 * dstStride, 0);
    },
    tr: (src, dst, m, srcStride) => tr(4 * src, 4 * dst, m, 0, 0, 4 * srcStride, 0, 0),
    vk(p, rows, cols, k, scr) {
      if (!(k >= 1 && k <= cols)) throw new Error(`simd vk: k = ${k} outside 1..${cols}`);
      new Uint8Array(mem.buffer, 4 * scr, 256).set(COMPACT_TABLE);
      vk(4 * p, rows, cols, k, 4 * scr, 0, 0, 0);
    },
    fq(src, dst, n, heads, bits, srcStride, dstStride, mul = 1) {
      if (!(bits >= 2 && bits < 22)) throw new Error(`simd fq: ${bits} bits outside 2..21`);
      bits32[0] = mul;
      const k = bits32[0] === 1 ? fq : fqMul;
      k(4 * src, 4 * dst, n, heads, 2 ** (bits - 1) - 1, bitsI32[0], 4 * srcStride, 4 * dstStride);
    },
  };
  cache.set(dh, g);
  return g;
}
