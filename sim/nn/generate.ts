/**
 * The causal LM forward (GPT-2): a dense prompt pass (summarization stage) then teacher-forced
 * generation iterations with a KV cache, where SpAtten's techniques act. Two KV-token selection
 * policies (`algo.tokenPolicy`):
 *
 *  - `cascade` (the paper, Alg. 2; default): cumulative importance s_t[j] += Σ_heads Σ_queries
 *    prob[h][q][j] over layers, the prompt pass and every step; before layer l keep
 *    keepCount(L, tokenKeep[l]) of the tokens alive at layer l−1 (one set per layer, shared by its
 *    heads; front layers unpruned; a pruned token never returns). The current token is protected.
 *  - `llm` (the official SpAtten-LLM KV cache, mit-han-lab/spatten spatten_llm/
 *    kv_cache_token_pruning.py): one key set PER HEAD of every layer; a fixed cache budget
 *    B = max(startTokens + recentTokens, keepCount(prompt + gen, tokenKeep)); when the cache
 *    would overflow (|set| + 1 > B) it keeps the first `startTokens` and the most recent
 *    `recentTokens − 1` cached tokens (+ the incoming one) and, of the tokens in between, the
 *    B − start − recent with the largest attention probability of that head in the PREVIOUS
 *    forward only (the prompt pass: summed over its queries; afterwards one decode step). No
 *    accumulation across steps or layers, no cascade, no front-layer exemption.
 *
 * Head pruning, local V pruning and (progressive) quantization are the same under both policies.
 */
import type { HeadRequest } from '../workload/types.ts';
import { keepCount } from '../workload/schedule.ts';
import { attendHeadFast as attendHead } from './attention.ts';
import type { Engine, RunAlgo, Stats } from './engine.ts';
import { topkKeepOrder } from './quant.ts';

export interface GenerateOptions {
  /** Also return log p(w[i+1] | w[0..i]) for the prompt positions i = 0..prompt−1 (dense pass). */
  promptLogprobs?: boolean;
}
export interface GenerateResult {
  /** Per example: NLL of the `gen` generation-stage predictions. */
  nll: number[][];
  /** Per example: log-probs of the prompt-stage predictions (when asked). */
  promptLogprob?: number[][];
}

/** Extract head h of rows (row-major [n, stride] starting at column off) into [n, dh]. */
function headSlice(src: Float32Array, rows: number[], stride: number, off: number, dh: number): Float32Array {
  const out = new Float32Array(rows.length * dh);
  rows.forEach((r, i) => out.set(src.subarray(r * stride + off, r * stride + off + dh), i * dh));
  return out;
}

/** The llm policy's cache budget for a context of T tokens. */
export function llmBudget(ra: RunAlgo, T: number): number {
  return Math.max(ra.startTokens + ra.recentTokens, keepCount(T, ra.tokenKeepAvg));
}

/**
 * llm policy: the cached positions of one head after making room for one incoming token.
 * `set` is sorted; `score[p]` is the head's probability of position p in the previous forward.
 * Returns the kept positions (sorted) and the top-k size used (−1 when nothing was pruned; 0 when
 * the budget holds only the protected windows).
 */
export function llmPrune(set: number[], score: Float64Array, budget: number, start: number, recent: number): { kept: number[]; k: number } {
  if (set.length + 1 <= budget) return { kept: set, k: -1 };
  const s = Math.min(start, set.length);
  const r = Math.min(Math.max(0, recent - 1), set.length - s);
  const middle = set.slice(s, set.length - r);
  const k = Math.max(0, Math.min(middle.length, budget - start - recent));
  const sel = topkKeepOrder(middle.map((p) => score[p]), k).map((i) => middle[i]);
  return { kept: [...set.slice(0, s), ...sel, ...set.slice(set.length - r)], k };
}

export function generate(e: Engine, windows: number[][], prompt: number, gen: number, ra: RunAlgo, stats: Stats, iterBase = 0, opts: GenerateOptions = {}): GenerateResult {
  const c = e.c;
  const d = c.hidden;
  const H = c.heads;
  const dh = e.dh;
  const B = windows.length;
  const T = prompt + gen;
  if (prompt < 1) throw new Error(`prompt of ${prompt} tokens: need at least 1`);
  if (T > c.maxPositions) throw new Error(`prompt + gen = ${T} exceeds max_positions ${c.maxPositions}`);
  for (const w of windows) if (w.length < T + 1) throw new Error(`window of ${w.length} tokens, need ${T + 1}`);
  const llm = ra.tokenPolicy === 'llm';
  const budget = llmBudget(ra, T);
  // KV cache per example and layer: K (msb, full) and V for positions 0..T-1, [T, d].
  const mk = () => new Float32Array(T * d);
  const cache = windows.map(() => Array.from({ length: c.layers }, () => ({ kMsb: mk(), kFull: mk(), v: mk() })));
  const tokScore = windows.map(() => new Float64Array(T));
  const headScore = windows.map(() => new Float64Array(H));
  const aliveTok = windows.map(() => Array.from({ length: c.layers }, () => Array.from({ length: prompt }, (_, i) => i)));
  const aliveHead = windows.map(() => Array.from({ length: c.layers }, () => Array.from({ length: H }, (_, h) => h)));
  // llm policy: per (example, layer, head) key set and last-forward probabilities.
  const headSet = llm ? windows.map(() => Array.from({ length: c.layers }, () => Array.from({ length: H }, () => Array.from({ length: prompt }, (_, i) => i)))) : null;
  const lastScore = llm ? windows.map(() => Array.from({ length: c.layers }, () => Array.from({ length: H }, () => new Float64Array(T)))) : null;
  const storeKV = (b: number, l: number, pos: number, qkvRow: Float32Array) => {
    const cc = cache[b][l];
    cc.kMsb.set(qkvRow.subarray(d, 2 * d), pos * d);
    cc.kFull.set(qkvRow.subarray(2 * d, 3 * d), pos * d);
    cc.v.set(qkvRow.subarray(3 * d, 4 * d), pos * d);
  };
  const out: GenerateResult = { nll: windows.map(() => []) };
  // ---- prompt (summarization stage, causal, dense) ----
  {
    const n = B * prompt;
    let x: Float32Array = new Float32Array(n * d);
    windows.forEach((w, b) => x.set(e.embed(w.slice(0, prompt), Array.from({ length: prompt }, (_, i) => i)), b * prompt * d));
    const visible = Int32Array.from({ length: prompt }, (_, i) => i + 1);
    const pr = Array.from({ length: prompt }, (_, i) => i);
    for (let l = 0; l < c.layers; l++) {
      const qkv = e.qkv(x, n, l, ra);
      const ctx = new Float32Array(n * d);
      for (let b = 0; b < B; b++) {
        const rows = Array.from({ length: prompt }, (_, i) => b * prompt + i);
        for (let i = 0; i < prompt; i++) storeKV(b, l, i, qkv.subarray((b * prompt + i) * 4 * d, (b * prompt + i + 1) * 4 * d));
        const cc = cache[b][l];
        for (let h = 0; h < H; h++) {
          const hctx = new Float32Array(prompt * dh);
          const cs = new Float32Array(prompt);
          const st = attendHead({
            q: headSlice(qkv, rows, 4 * d, h * dh, dh), nq: prompt, kMsb: headSlice(cc.kMsb, pr, d, h * dh, dh),
            kFull: headSlice(cc.kFull, pr, d, h * dh, dh), v: headSlice(cc.v, pr, d, h * dh, dh), nk: prompt, dh, visible,
            valueKeep: ra.valueKeep, progressive: ra.progressive, threshold: ra.lsbThreshold, ctx: hctx, colSum: cs,
          });
          for (let j = 0; j < prompt; j++) tokScore[b][j] += cs[j];
          if (lastScore) for (let j = 0; j < prompt; j++) lastScore[b][l][h][j] = cs[j];
          headScore[b][h] += st.absSum;
          for (let i = 0; i < prompt; i++) ctx.set(hctx.subarray(i * dh, (i + 1) * dh), (b * prompt + i) * d + h * dh);
          stats.flops += 2 * prompt * prompt * dh;
        }
      }
      e.countDense(n, stats);
      x = e.finishBlock(x, ctx, n, l);
    }
    if (opts.promptLogprobs) {
      const lp = e.lmLogProbs(x, n);
      const V = c.vocabSize;
      out.promptLogprob = windows.map((w, b) => pr.map((i) => lp[(b * prompt + i) * V + w[i + 1]]));
    }
  }
  // ---- generation stage ----
  for (let t = 0; t < gen; t++) {
    const pos = prompt + t;
    const Lctx = pos + 1;
    let x: Float32Array = new Float32Array(B * d);
    windows.forEach((w, b) => x.set(e.embed([w[pos]], [pos]), b * d));
    const lastRow: (HeadRequest | null)[] = windows.map(() => null);
    for (let l = 0; l < c.layers; l++) {
      const qkv = e.qkv(x, B, l, ra);
      const ctx = new Float32Array(B * d);
      for (let b = 0; b < B; b++) {
        storeKV(b, l, pos, qkv.subarray(b * 4 * d, (b + 1) * 4 * d));
        // Head pruning (cascade over layers, both policies).
        let hs = aliveHead[b][l];
        if (l > 0) {
          const prev = new Set(aliveHead[b][l - 1]);
          hs = hs.filter((h) => prev.has(h));
        }
        const hk = Math.min(keepCount(H, ra.headKeep[l]), hs.length);
        if (hk < hs.length) hs = topkKeepOrder(hs.map((h) => headScore[b][h]), hk).map((i) => hs[i]);
        aliveHead[b][l] = hs;
        // Key positions per alive head.
        const keysOf: number[][] = [];
        const topkOf: number[] = [];
        if (!llm) {
          // Cascade: candidates alive at this layer so far (+ the new token) and alive in layer l−1 now.
          let cand = [...aliveTok[b][l], pos];
          if (l > 0) {
            const prevLayer = new Set(aliveTok[b][l - 1]);
            cand = cand.filter((p) => prevLayer.has(p));
          }
          const k = Math.min(keepCount(Lctx, ra.tokenKeep[l]), cand.length);
          if (k < cand.length) cand = topkKeepOrder(cand.map((p) => tokScore[b][p]), k, [cand.length - 1]).map((i) => cand[i]);
          if (l > 0 && lastRow[b] && cand.length < aliveTok[b][l - 1].length) lastRow[b]!.topk = cand.length;
          aliveTok[b][l] = cand;
          for (const _h of hs) { keysOf.push(cand); topkOf.push(-1); }
          stats.onAlive?.(iterBase / gen + b, t, l, cand, hs);
        } else {
          for (const h of hs) {
            const { kept, k } = llmPrune(headSet![b][l][h], lastScore![b][l][h], budget, ra.startTokens, ra.recentTokens);
            headSet![b][l][h] = [...kept, pos];
            keysOf.push(headSet![b][l][h]);
            topkOf.push(k > 0 ? k : -1); // k = 0: the start + recent slices only, no top-k runs
          }
          stats.onAlive?.(iterBase / gen + b, t, l, keysOf[0] ?? [pos], hs);
        }
        const meanKeys = keysOf.length ? keysOf.reduce((a, ks) => a + ks.length, 0) / keysOf.length : 0;
        stats.tokAlive[l] += llm ? meanKeys : aliveTok[b][l].length;
        stats.tokTotal[l] += Lctx;
        stats.headAlive[l] += hs.length;
        stats.headTotal[l] += H;
        const cc = cache[b][l];
        const qrow = qkv.subarray(b * 4 * d, b * 4 * d + d);
        const colSum = new Float64Array(T);
        let gathered: { keys: number[]; kM: Float32Array; kF: Float32Array; vv: Float32Array } | null = null;
        hs.forEach((h, hi) => {
          const keys = keysOf[hi];
          const m = keys.length;
          stats.onHeadKeys?.(iterBase / gen + b, t, l, h, keys);
          if (!gathered || gathered.keys !== keys) {
            // Rows of the cache for this key set, [m, d] (heads read with a stride); shared by heads with the same set.
            const kM = new Float32Array(m * d);
            const kF = new Float32Array(m * d);
            const vv = new Float32Array(m * d);
            for (let i = 0; i < m; i++) {
              const o = keys[i] * d;
              kM.set(cc.kMsb.subarray(o, o + d), i * d);
              kF.set(cc.kFull.subarray(o, o + d), i * d);
              vv.set(cc.v.subarray(o, o + d), i * d);
            }
            gathered = { keys, kM, kF, vv };
          }
          const hctx = new Float32Array(dh);
          const cs = new Float32Array(m);
          const st = attendHead({
            q: qrow.slice(h * dh, (h + 1) * dh), nq: 1, kMsb: gathered.kM, kFull: gathered.kF, v: gathered.vv, nk: m, dh, visible: null,
            valueKeep: ra.valueKeep, progressive: ra.progressive, threshold: ra.lsbThreshold, ctx: hctx, colSum: cs, kvStride: d, kvOff: h * dh,
          });
          for (let j = 0; j < m; j++) colSum[keys[j]] += cs[j];
          if (lastScore) {
            const ls = lastScore[b][l][h];
            ls.fill(0);
            for (let j = 0; j < m; j++) ls[keys[j]] = cs[j];
          }
          headScore[b][h] += st.absSum;
          ctx.set(hctx, b * d + h * dh);
          stats.valKept[l] += st.valuesKept;
          stats.valVisible[l] += st.valuesVisible;
          stats.requests[l] += 1;
          stats.refetch[l] += st.refetchedRows > 0 ? 1 : 0;
          stats.flops += 4 * m * dh;
          if (stats.recordRows) {
            const row: HeadRequest = {
              iteration: iterBase + b * gen + t, layer: l, head: h, D: dh, L: Lctx, queries: 1, keys: m,
              valuesFetched: st.valuesKept, valuesPerQuery: st.valuesKept, keyBits: ra.msbBits,
              lsbBits: ra.progressive ? ra.lsbBits : 0, refetch: st.refetchedRows > 0 ? 1 : 0,
              lsbThreshold: ra.progressive ? ra.lsbThreshold : -1, valueBits: ra.valueBits, queryBits: ra.queryBits,
              topk: topkOf[hi], causal: false,
            };
            stats.rows.push(row);
            lastRow[b] = row;
          }
        });
        for (let p = 0; p < T; p++) tokScore[b][p] += colSum[p];
      }
      e.countDense(B, stats);
      x = e.finishBlock(x, ctx, B, l);
    }
    const lp = e.lmLogProbs(x, B);
    stats.flops += 2 * B * d * c.vocabSize;
    windows.forEach((w, b) => out.nll[b].push(-lp[b * c.vocabSize + w[pos + 1]]));
  }
  return out;
}
