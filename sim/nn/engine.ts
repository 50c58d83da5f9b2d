/**
 * The inference engine: a real forward pass of the trained model with SpAtten's algorithms
 * executed inside it (paper §III), counting what they do.
 *
 * Split of work: dense parts (QKV/output projections, LayerNorm, FFN, LM head) run in TF.js on a
 * *packed* 2-D tensor holding the alive rows of every example of a batch (the fast non-transposed
 * 2-D matMul path; token pruning shrinks it, so pruning makes inference faster). Attention runs
 * per example (attention.ts): Q·Kᵀ and P·V per alive head as 2-D TF.js matMuls (BERT and the
 * causal LM prompt); the fake quantization of Q/K/V runs in JS on the read-back projections;
 * plain JS for the single-query heads of the generation stage; the per-head decisions
 * (quantization, LSB refetch, local V pruning, importance accumulation) run in JS on the
 * read-back probabilities.
 *
 * Algorithms (Alg. 2 of the paper):
 *  - cumulative token importance s_t[j] += Σ_heads Σ_queries prob[h][q][j] over the alive heads of
 *    every layer (and, for the LM, every generation step); no rescaling; a new token starts at 0;
 *  - cascade token pruning before layer l: keep keepCount(L, tokenKeep[l]) of the still-alive
 *    tokens by s_t with top-k that keeps the original order (L = original sentence / current
 *    context length); a token pruned at layer l never returns at layer ≥ l, nor at layer l in a
 *    later generation step. Protected (documented choice, paper is silent): BERT's [CLS] (the
 *    classifier reads it) and, in generation, the current token;
 *  - cascade head pruning before layer l by s_h[head] += Σ |attention_out[head]|, keeping
 *    min(keepCount(H, headKeep[l]), alive heads of layer l−1); head identity = head index;
 *  - local V pruning per query row: keep the keepCount(visible, valueKeep) largest probabilities;
 *  - quantization: Q at queryBits, V at valueBits (0 → msbBits), K at msbBits + lsbBits with
 *    progressive refetch (LM only; BERT is static: K at msbBits, no refetch — paper §III-D).
 * Schedules come from sim/workload/schedule.ts (the single implementation).
 */
import { keepCount } from '../workload/schedule.ts';
import type { HeadRequest } from '../workload/types.ts';
import { readInto, tf } from './backend.ts';
import type { Checkpoint } from './checkpoint.ts';
import { activate, activationOf, lk, type LayerKey, type ModelConfig } from './model.ts';
import { rotateRows } from './rope.ts';
import { attnScale } from './hfconfig.ts';
import { attendAllHeads, attendHeadFast as attendHead } from './attention.ts';
import { fakeQuantRows, topkKeepOrder } from './quant.ts';
import { attendAllHeadsJs, JS_ATTENTION_BELOW } from './attn-js.ts';
import { generate } from './generate.ts';
import { attendExamplesSimd, type ExampleHeads, type HeadsResult } from './attn-simd.ts';
import { simdGemm } from './simd-kernels.ts';
import { runAlgo, Stats, type RunAlgo } from './run-algo.ts';

export { runAlgo, Stats, type RunAlgo };

/** BERT pruning state per example: lengths, alive positions and heads with their cumulative scores. */
interface BertState {
  Ls: number[];
  alive: number[][];
  tokScore: Float64Array[];
  heads: number[][];
  headScore: Float64Array[];
  lastRowOfLayer: (HeadRequest | null)[][];
}

export class Engine {
  readonly c: ModelConfig;
  readonly W = new Map<string, tf.Tensor>();
  readonly tokEmb: Float32Array;
  readonly posEmb: Float32Array;
  readonly dh: number;
  tokEmbT: tf.Tensor2D | null = null;
  /** BERT: per-layer work buffers (the projections, the context), reused across layers and batches. */
  private work = { qkv: new Float32Array(0), ctx: new Float32Array(0) };
  constructor(readonly ck: Checkpoint) {
    this.c = ck.config;
    this.dh = this.c.hidden / this.c.heads;
    if (!Number.isInteger(this.dh)) throw new Error(`hidden ${this.c.hidden} not divisible by heads ${this.c.heads}`);
    for (const [k, t] of ck.weights) this.W.set(k, tf.tensor(t.data, t.shape));
    this.tokEmb = ck.weights.get('tokEmb')!.data;
    this.posEmb = ck.weights.get('posEmb')!.data;
    if (this.c.kind === 'gpt') this.tokEmbT = tf.transpose(this.W.get(this.c.tiedHead === false ? 'lmHead' : 'tokEmb')!) as tf.Tensor2D;
  }
  dispose(): void {
    for (const t of this.W.values()) t.dispose();
    this.tokEmbT?.dispose();
  }
  private L(l: number, k: LayerKey): tf.Tensor {
    return this.W.get(lk(l, k))!;
  }
  private g(k: string): tf.Tensor {
    return this.W.get(k)!;
  }
  private ln(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(this.c.lnEps))).mul(g).add(b);
  }
  /**
   * The same LayerNorm on JS rows [n, d] in the SIMD kernels (bit-identical to `ln`; the TF.js
   * form when dh is not a multiple of 4): no upload, no ~10 TF.js ops.
   */
  private lnRows(x: Float32Array, n: number, gk: string, bk: string): Float32Array {
    const d = this.c.hidden;
    if (this.dh % 4 !== 0) return this.read(tf.tidy(() => this.ln(tf.tensor2d(x, [n, d]), this.g(gk), this.g(bk))));
    const k = simdGemm(this.dh);
    k.reserve(2 * n * d + 2 * d);
    const mem = k.view();
    mem.set(x, 0);
    mem.set(this.ck.weights.get(gk)!.data, 2 * n * d);
    mem.set(this.ck.weights.get(bk)!.data, 2 * n * d + d);
    k.ln(0, n * d, n, d, 2 * n * d, 2 * n * d + d, this.c.lnEps);
    return mem.slice(n * d, 2 * n * d);
  }
  private gelu(x: tf.Tensor): tf.Tensor {
    return activate(x, activationOf(this.c));
  }
  /** Sum of embeddings for (token, position) pairs, [n, d]. */
  embed(ids: number[], positions: number[]): Float32Array {
    const d = this.c.hidden;
    const out = new Float32Array(ids.length * d);
    ids.forEach((id, i) => {
      if (!(id >= 0 && id < this.c.vocabSize)) throw new Error(`token id ${id} out of range`);
      const p = positions[i];
      if (!(p >= 0 && p < this.c.maxPositions)) throw new Error(`position ${p} exceeds max_positions ${this.c.maxPositions}`);
      for (let j = 0; j < d; j++) out[i * d + j] = this.tokEmb[id * d + j] + this.posEmb[p * d + j];
    });
    return out;
  }
  private read(t: tf.Tensor): Float32Array {
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }
  countDense(n: number, stats: Stats): void {
    const d = this.c.hidden;
    stats.flops += 2 * n * (4 * d * d + 2 * d * this.c.intermediate);
  }
  /**
   * Per-(row, head) symmetric fake quantization of [n, d] in TF.js (see quant.ts for the scheme):
   * the definition that `fakeQuantRows` (used by `qkv`) reproduces bit for bit (test/nn-fastpath.test.ts).
   */
  fq(x: tf.Tensor, n: number, bits: number, lsb = 0): tf.Tensor[] {
    const d = this.c.hidden;
    if (bits + lsb >= 32) return lsb > 0 ? [x, x] : [x];
    const x3 = x.reshape([n, this.c.heads, this.dh]);
    const total = bits + lsb;
    const qmax = 2 ** (total - 1) - 1;
    const m = tf.max(tf.abs(x3), -1, true);
    const sc = tf.where(tf.equal(m, 0), tf.onesLike(m), m.div(qmax));
    const q = tf.clipByValue(tf.round(x3.div(sc)), -qmax, qmax);
    const full = q.mul(sc).reshape([n, d]);
    if (lsb <= 0) return [full];
    const step = 2 ** lsb;
    const msb = tf.floor(q.div(step)).add(0.5).mul(step * 1).mul(sc).reshape([n, d]);
    return [msb, full];
  }
  /**
   * Projections for packed rows (GPT applies ln_1 first), quantized: returns [n, 4d] with
   * columns [Q (queryBits) | K as MSBs | K as MSB+LSB | V (valueBits)]. RoPE models rotate Q and K
   * by the rows' `positions` (rope.ts) before the quantization.
   */
  qkv(x: Float32Array, n: number, l: number, ra: RunAlgo, dest?: Float32Array, positions?: ArrayLike<number>): Float32Array {
    const d = this.c.hidden;
    const rope = this.c.positions === 'rope' ? (y: Float32Array) => this.rope(y, n, positions) : () => {};
    // The projection on the device, the fake quantization in JS on the read-back rows
    // (fakeQuantRows: bit-identical to `fq`, without ~15 small TF.js ops per call).
    const xin = this.c.kind === 'gpt' ? this.lnRows(x, n, lk(l, 'ln1G'), lk(l, 'ln1B')) : x;
    // The attention kernels scale scores by 1/√dh; other HF scalings are folded into Q (after
    // its quantization, which is scale-invariant per vector).
    const f = attnScale(this.c, l) * Math.sqrt(this.dh);
    // Column blocks of out: [source column, bits, lsb, destination, MSB copy, factor]; the ones
    // without LSBs at widths the SIMD kernel takes run there (bit-identical), the rest in JS.
    const jobs: [number, number, number, number, number, number][] = [
      [0, ra.queryBits, 0, 0, -1, f],
      ra.lsbBits > 0 ? [d, ra.msbBits, ra.lsbBits, 2 * d, d, 1] : [d, ra.msbBits, 0, d, 2 * d, 1],
      [2 * d, ra.valueBits, 0, 3 * d, -1, 1],
    ];
    const js = (y: Float32Array, out: Float32Array, list: typeof jobs) => {
      for (const [src, bits, lsb, dst, msb, mul] of list) fakeQuantRows(y, 3 * d, src, n, d, this.dh, bits, lsb, out, 4 * d, dst, msb, mul);
      return out;
    };
    if (this.dh % 4 !== 0) {
      const y = this.read(tf.tidy(() => tf.matMul(tf.tensor2d(xin, [n, d]), this.L(l, 'wqkv') as tf.Tensor2D).add(this.L(l, 'bqkv'))));
      rope(y);
      return js(y, dest ?? new Float32Array(n * 4 * d), jobs);
    }
    // The projection on the device; its bias (one float32 add, as tf.add) and the fake
    // quantization in the SIMD kernels: memory [y: n·3d | out: n·4d | bias: 3d].
    const g = simdGemm(this.dh);
    const H = this.c.heads;
    g.reserve(7 * n * d + 3 * d);
    const mem = g.view();
    readInto(tf.tidy(() => tf.matMul(tf.tensor2d(xin, [n, d]), this.L(l, 'wqkv') as tf.Tensor2D)), mem, 0);
    mem.set(this.ck.weights.get(lk(l, 'bqkv'))!.data, 7 * n * d);
    g.addBias(0, 7 * n * d, 0, n, 3 * d);
    rope(mem);
    const simd = jobs.filter(([, bits, lsb]) => lsb === 0 && bits >= 2 && bits < 22);
    for (const [src, bits, , dst, msb, mul] of simd) {
      g.fq(src, 3 * n * d + dst, n, H, bits, 3 * d, 4 * d, mul);
      if (msb >= 0) g.mul(3 * n * d + dst, 3 * n * d + msb, n, d, 1, 4 * d, 4 * d); // a copy (× 1 is exact)
    }
    const out = dest ? (dest.set(mem.subarray(3 * n * d, 7 * n * d)), dest) : mem.slice(3 * n * d, 7 * n * d);
    const rest = jobs.filter((j) => !simd.includes(j));
    return rest.length > 0 ? js(mem.slice(0, 3 * n * d), out, rest) : out;
  }
  /** RoPE: Q and K of the n rows of y ([n, 3d]: Q | K | V) rotated by their positions. */
  private rope(y: Float32Array, n: number, positions?: ArrayLike<number>): void {
    if (positions === undefined || positions.length !== n) throw new Error(`RoPE model: qkv needs the positions of its ${n} rows`);
    rotateRows(y, 3 * this.c.hidden, 0, positions, this.c.heads, this.dh);
    rotateRows(y, 3 * this.c.hidden, this.c.hidden, positions, this.c.heads, this.dh);
  }
  /** Output projection, residual, LayerNorm(s), FFN: the rest of the block. */
  finishBlock(x: Float32Array, ctx: Float32Array, n: number, l: number): Float32Array {
    const d = this.c.hidden;
    const ffnCore = (h: tf.Tensor) =>
      tf.matMul(this.gelu(tf.matMul(h as tf.Tensor2D, this.L(l, 'w1') as tf.Tensor2D).add(this.L(l, 'b1'))) as tf.Tensor2D, this.L(l, 'w2') as tf.Tensor2D);
    const ffn = (h: tf.Tensor) => ffnCore(h).add(this.L(l, 'b2'));
    const attention = () => tf.matMul(tf.tensor2d(ctx, [n, d]), this.L(l, 'wo') as tf.Tensor2D).add(this.L(l, 'bo'));
    if (this.c.kind === 'bert' && this.dh % 4 === 0) return this.finishBertSimd(x, ctx, n, l, ffnCore);
    if (this.c.kind === 'bert') {
      // post-LN: the two LayerNorms on the read-back rows (lnRows), the matMuls on the device
      const h = this.lnRows(this.read(tf.tidy(() => tf.tensor2d(x, [n, d]).add(attention()))), n, lk(l, 'ln1G'), lk(l, 'ln1B'));
      return this.lnRows(this.read(tf.tidy(() => {
        const ht = tf.tensor2d(h, [n, d]);
        return ht.add(ffn(ht));
      })), n, lk(l, 'ln2G'), lk(l, 'ln2B'));
    }
    return this.read(tf.tidy(() => {
      const xt = tf.tensor2d(x, [n, d]);
      const att = attention();
      const h = xt.add(att);
      return h.add(ffn(this.ln(h, this.L(l, 'ln2G'), this.L(l, 'ln2B'))));
    }));
  }

  /**
   * BERT's block with the matMuls (and the FFN's bias and GELU) on the device and the rest in the
   * SIMD kernels, each step the same float32 operation as the TF.js form: s1 = x + (ctx·Wo + bo),
   * h = LN1(s1), s2 = h + (FFN(h)·W2 + b2), out = LN2(s2). Memory: [s | x | h | out, n·d each |
   * bias | gamma | beta, d each].
   */
  private finishBertSimd(x: Float32Array, ctx: Float32Array, n: number, l: number, ffnCore: (h: tf.Tensor) => tf.Tensor): Float32Array {
    const d = this.c.hidden;
    const k = simdGemm(this.dh);
    const nd = n * d;
    const w = (key: LayerKey) => this.ck.weights.get(lk(l, key))!.data;
    k.reserve(4 * nd + 3 * d);
    let mem = k.view();
    readInto(tf.tidy(() => tf.matMul(tf.tensor2d(ctx, [n, d]), this.L(l, 'wo') as tf.Tensor2D)), mem, 0);
    mem.set(x, nd);
    mem.set(w('bo'), 4 * nd);
    mem.set(w('ln1G'), 4 * nd + d);
    mem.set(w('ln1B'), 4 * nd + 2 * d);
    k.addBias(0, 4 * nd, 0, n, d, nd);
    k.ln(0, 2 * nd, n, d, 4 * nd + d, 4 * nd + 2 * d, this.c.lnEps);
    // the FFN up to its second matMul on the device (h uploaded from, and its result read back
    // into, the kernels' memory: no JS copies); + b2, + h and LN2 here
    readInto(tf.tidy(() => ffnCore(tf.tensor2d(mem.subarray(2 * nd, 3 * nd), [n, d]))), mem, 0);
    mem = k.view();
    mem.set(w('b2'), 4 * nd);
    mem.set(w('ln2G'), 4 * nd + d);
    mem.set(w('ln2B'), 4 * nd + 2 * d);
    k.addBias(0, 4 * nd, 0, n, d, 2 * nd);
    k.ln(0, 3 * nd, n, d, 4 * nd + d, 4 * nd + 2 * d, this.c.lnEps);
    return mem.slice(3 * nd, 4 * nd);
  }

  /**
   * BERT: classify a batch of token-id sequences ([CLS] … [SEP]); returns logits per example.
   * `iterBase` numbers the trace rows (iteration = iterBase + example index).
   */
  classifyBatch(batch: number[][], ra: RunAlgo, stats: Stats, iterBase = 0): Float32Array[] {
    const H = this.c.heads;
    const B = batch.length;
    const Ls = batch.map((ids) => ids.length);
    // Per example: alive original positions, token scores, alive heads, head scores.
    const st: BertState = {
      Ls,
      alive: batch.map((ids) => ids.map((_, i) => i)),
      tokScore: batch.map((ids) => new Float64Array(ids.length)),
      heads: batch.map(() => Array.from({ length: H }, (_, h) => h)),
      headScore: batch.map(() => new Float64Array(H)),
      lastRowOfLayer: batch.map(() => []),
    };
    let x = this.embedBatch(batch);
    for (let l = 0; l < this.c.layers; l++) {
      const { x: nx, n } = this.pruneBeforeLayer(x, l, ra, st);
      for (let b = 0; b < B; b++) stats.onAlive?.(iterBase + b, 0, l, st.alive[b], st.heads[b]);
      x = nx;
      const ctx = this.attendBertLayer(x, n, l, ra, stats, iterBase, st);
      this.countDense(n, stats);
      x = this.finishBlock(x, ctx, n, l);
    }
    return this.classifyCls(x, st.alive);
  }

  /** Embeddings + embedding LayerNorm of every example, packed [Σ L, d]. */
  private embedBatch(batch: number[][]): Float32Array {
    const d = this.c.hidden;
    const parts = batch.map((ids) => this.embed(ids, ids.map((_, i) => i)));
    const n = parts.reduce((a, p) => a + p.length / d, 0);
    const x = new Float32Array(n * d);
    let o = 0;
    for (const p of parts) { x.set(p, o); o += p.length; }
    return this.lnRows(x, n, 'embLnG', 'embLnB');
  }

  /**
   * Cascade token + head pruning before layer l (from scores of layers < l): updates the alive
   * tokens and heads in `st` and returns the kept rows of x, packed, with their count.
   */
  private pruneBeforeLayer(x: Float32Array, l: number, ra: RunAlgo, st: BertState): { x: Float32Array; n: number } {
    const d = this.c.hidden;
    const H = this.c.heads;
    const { Ls, alive, tokScore, heads, headScore, lastRowOfLayer } = st;
    const B = alive.length;
    const rowsOld = alive.map((a) => a.length);
    const sels: (number[] | undefined)[] = alive.map(() => undefined);
    for (let b = 0; b < B; b++) {
      const k = Math.min(keepCount(Ls[b], ra.tokenKeep[l]), alive[b].length);
      // Layer 0 too: the schedule is applied as written. Before layer 0 no score exists yet
      // (all zero), so the order-keeping top-k keeps the first k tokens ([CLS] protected).
      if (k < alive[b].length) {
        const sc = alive[b].map((p) => tokScore[b][p]);
        sels[b] = topkKeepOrder(sc, k, [0]); // position 0 of the alive list is [CLS]
        const prev = l > 0 ? lastRowOfLayer[b][l - 1] : null;
        if (prev) prev.topk = k;
      }
      const hk = Math.min(keepCount(H, ra.headKeep[l]), heads[b].length);
      if (hk < heads[b].length) {
        const sel = topkKeepOrder(heads[b].map((h) => headScore[b][h]), hk);
        heads[b] = sel.map((i) => heads[b][i]);
      }
    }
    if (sels.every((s) => s === undefined)) return { x, n: rowsOld.reduce((a, r) => a + r, 0) };
    // Gather the kept rows into a new packed x.
    const newAlive: number[][] = [];
    let n = 0;
    for (let b = 0; b < B; b++) {
      const sel = sels[b];
      newAlive.push(sel ? sel.map((i) => alive[b][i]) : alive[b]);
      n += newAlive[b].length;
    }
    const nx: Float32Array = new Float32Array(n * d);
    let o = 0;
    let base = 0;
    for (let b = 0; b < B; b++) {
      const rows = sels[b] ?? alive[b].map((_, i) => i);
      for (const r of rows) { nx.set(x.subarray((base + r) * d, (base + r + 1) * d), o); o += d; }
      base += rowsOld[b];
    }
    for (let b = 0; b < B; b++) alive[b] = newAlive[b];
    return { x: nx, n };
  }

  /** Layer l's attention over the packed alive rows: context, scores, stats and trace rows. */
  private attendBertLayer(x: Float32Array, n: number, l: number, ra: RunAlgo, stats: Stats, iterBase: number, st: BertState): Float32Array {
    const d = this.c.hidden;
    const H = this.c.heads;
    const dh = this.dh;
    const { Ls, alive, tokScore, heads, headScore, lastRowOfLayer } = st;
    // the projections and the context in reused buffers (both are dead once the layer is done)
    if (this.work.qkv.length < n * 4 * d) this.work = { qkv: new Float32Array(n * 4 * d), ctx: new Float32Array(n * d) };
    const qkv = this.qkv(x, n, l, ra, this.work.qkv.subarray(0, n * 4 * d));
    const ctx = this.work.ctx.subarray(0, n * d);
    ctx.fill(0);
    const results = this.attendBertHeads(qkv, ctx, n, ra, st);
    for (let b = 0; b < alive.length; b++) {
      const m = alive[b].length;
      const colSum = results.colSums[b];
      stats.tokAlive[l] += m;
      stats.tokTotal[l] += Ls[b];
      stats.headAlive[l] += heads[b].length;
      stats.headTotal[l] += H;
      const all = results.heads[b];
      heads[b].forEach((h, hi) => {
        headScore[b][h] += all.absSum[hi];
        stats.valKept[l] += all.valuesKept;
        stats.valVisible[l] += all.valuesVisible;
        stats.requests[l] += 1;
        stats.flops += 4 * m * m * dh;
        if (stats.recordRows) {
          const row: HeadRequest = {
            iteration: iterBase + b, layer: l, head: h, D: dh, L: Ls[b], queries: m, keys: m, valuesFetched: m,
            valuesPerQuery: Math.round(all.valuesKept / m), keyBits: ra.msbBits, lsbBits: 0, refetch: 0, lsbThreshold: -1,
            valueBits: ra.valueBits, queryBits: ra.queryBits, topk: -1, causal: false,
          };
          stats.rows.push(row);
          lastRowOfLayer[b][l] = row;
        }
      });
      alive[b].forEach((p, i) => (tokScore[b][p] += colSum[i]));
    }
    return ctx;
  }

  /**
   * Every example's alive heads of one layer (BERT: no causal mask, no refetch): in plain JS when
   * few tokens are alive (attn-js.ts), else all such examples together with the SIMD matMuls and
   * one softmax per alive-token count (attn-simd.ts; the per-head TF.js form when dh is not a
   * multiple of 4). Per example: the heads' results and the column sums of their probabilities.
   */
  private attendBertHeads(qkv: Float32Array, ctx: Float32Array, n: number, ra: RunAlgo, st: BertState): { heads: HeadsResult[]; colSums: Float64Array[] } {
    const d = this.c.hidden;
    const dh = this.dh;
    const { alive, heads } = st;
    const colSums = alive.map((a) => new Float64Array(a.length));
    const res: HeadsResult[] = new Array(alive.length);
    const wide: ExampleHeads[] = [];
    const wideIdx: number[] = [];
    let base = 0;
    for (let b = 0; b < alive.length; b++) {
      const m = alive[b].length;
      const args = { qkv, stride: 4 * d, base, m, d, dh, heads: heads[b], valueKeep: ra.valueKeep, ctx, colSum: colSums[b] };
      if (dh % 4 !== 0) res[b] = attendAllHeads(args);
      else if (m < JS_ATTENTION_BELOW) res[b] = attendAllHeadsJs(args);
      else { wide.push({ base, m, heads: heads[b], colSum: colSums[b] }); wideIdx.push(b); }
      base += m;
    }
    if (base !== n) throw new Error(`packed rows ${base} ≠ ${n}`);
    if (wide.length > 0) {
      const r = attendExamplesSimd({ qkv, stride: 4 * d, d, dh, valueKeep: ra.valueKeep, ctx }, wide);
      wideIdx.forEach((b, k) => (res[b] = r[k]));
    }
    return { heads: res, colSums };
  }

  /** [CLS] rows → pooler → classifier: logits per example. */
  private classifyCls(x: Float32Array, alive: number[][]): Float32Array[] {
    const d = this.c.hidden;
    const B = alive.length;
    const cls = new Float32Array(B * d);
    let base = 0;
    for (let b = 0; b < B; b++) { cls.set(x.subarray(base * d, (base + 1) * d), b * d); base += alive[b].length; }
    const logits = this.read(tf.tidy(() => {
      const pooled = tf.tanh(tf.matMul(tf.tensor2d(cls, [B, d]), this.g('poolW') as tf.Tensor2D).add(this.g('poolB')));
      return tf.matMul(pooled as tf.Tensor2D, this.g('clsW') as tf.Tensor2D).add(this.g('clsB'));
    }));
    const C = this.c.numLabels;
    return alive.map((_, b) => logits.slice(b * C, (b + 1) * C));
  }

  /**
   * GPT: teacher-forced generation on windows of `prompt + gen + 1` tokens (generate.ts): a dense
   * causal prompt pass, then `gen` generation iterations with the SpAtten techniques.
   * Returns per example the NLLs of the `gen` next-token predictions of the generation stage.
   */
  generateBatch(windows: number[][], prompt: number, gen: number, ra: RunAlgo, stats: Stats, iterBase = 0): number[][] {
    return generate(this, windows, prompt, gen, ra, stats, iterBase).nll;
  }
  /** Final LayerNorm + LM head + log-softmax of n packed rows: [n, V]. */
  lmLogProbs(x: Float32Array, n: number): Float32Array {
    const d = this.c.hidden;
    return this.read(tf.tidy(() => tf.logSoftmax(tf.matMul(this.ln(tf.tensor2d(x, [n, d]), this.g('lnfG'), this.g('lnfB')) as tf.Tensor2D, this.tokEmbT!))));
  }
}
