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
 *    B − start − recent with the largest attention probability of that head in ONE decode step:
 *    the previous one, or for the first prune the prompt's last query (the official code ranks by
 *    the last forward's scores and prunes between turns, after a decode step). No accumulation
 *    across steps, queries or layers, no cascade, no front-layer exemption.
 *
 * Head pruning, local V pruning and (progressive) quantization are the same under both policies.
 */
import type { HeadRequest } from '../workload/types.ts';
import { keepCount } from '../workload/schedule.ts';
import { attendHeadFast as attendHead } from './attention.ts';
import type { Engine, RunAlgo, Stats } from './engine.ts';
import { topkKeepOrder } from './quant.ts';
import { alibiSlope } from './hfconfig.ts';
import { llmBudget } from './llm-budget.ts';

export interface GenerateOptions {
  /** Also return log p(w[i+1] | w[0..i]) for the prompt positions i = 0..prompt−1 (dense pass). */
  promptLogprobs?: boolean;
  /** Diagnostics only (lm-diag.ts), cascade policy: another ranking or a fixed count per layer. */
  keyRule?: KeyRule;
}

/**
 * A diagnostic replacement of the cascade's selection (not an `algo` option; the accuracy protocol
 * never sets it): rank the candidates by recency instead of the cumulative score, and/or keep a fixed
 * `keep` tokens in every layer ≥ `fromLayer` instead of the schedule's count. Still nested over
 * layers, the current token still protected.
 */
export interface KeyRule {
  rank?: 'score' | 'recent';
  keep?: number;
  fromLayer?: number;
}
export interface GenerateResult {
  /** Per example: NLL of the `gen` generation-stage predictions. */
  nll: number[][];
  /** Per example: 1 where the generation step's target is the most probable next token (ties count), else 0. */
  hits: number[][];
  /** Per example: log-probs of the prompt-stage predictions (when asked). */
  promptLogprob?: number[][];
}

/** Extract head h of rows (row-major [n, stride] starting at column off) into [n, dh]. */
function headSlice(src: Float32Array, rows: number[], stride: number, off: number, dh: number): Float32Array {
  const out = new Float32Array(rows.length * dh);
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i] * stride + off;
    for (let t = 0; t < dh; t++) out[i * dh + t] = src[o + t];
  }
  return out;
}

/**
 * The cascade's ranking score of position p: the attention probability it received, summed over
 * every (query, head, layer) so far (paper Alg. 2, 'sum'), or that sum over the number of rows that
 * saw it ('mean'). In a causal prompt pass token j is seen by the L0 − j later queries only, so the
 * sum ranks early tokens above recent ones whatever the attention; the paper does not say whether
 * scores are rescaled (spec §gaps: the released workloads' if_rescale_previous_importance).
 */
export function cascadeScore(mode: 'sum' | 'mean', score: Float64Array, seen: Float64Array): (p: number) => number {
  return mode === 'mean' ? (p) => score[p] / Math.max(1, seen[p]) : (p) => score[p];
}

/** The llm policy's cache budget of a run for a context of T tokens (sim/nn/llm-budget.ts). */
export function llmBudgetOf(ra: RunAlgo, T: number): number {
  return llmBudget(ra.startTokens, ra.recentTokens, ra.tokenKeepAvg, T);
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

/** Per-batch state of the LM pass. */
interface GenState {
  cache: { kMsb: Float32Array; kFull: Float32Array; v: Float32Array }[][];
  tokScore: Float64Array[];
  /** How many (query, head, layer) attention rows saw each token (for tokenScore 'mean'). */
  tokSeen: Float64Array[];
  headScore: Float64Array[];
  aliveTok: number[][][];
  aliveHead: number[][][];
  headSet: number[][][][] | null;
  lastScore: Float64Array[][][] | null;
  keyRule: KeyRule | null;
  storeKV: (b: number, l: number, pos: number, qkvRow: Float32Array) => void;
}

/** ALiBi models: head h's per-key score bias slope·position (alibiSlope) for keys at `positions`; null otherwise. */
function alibiKeyBias(c: Engine['c'], h: number, positions: readonly number[]): Float64Array | null {
  if (c.positions !== 'alibi') return null;
  const m = alibiSlope(h, c.heads);
  const out = new Float64Array(positions.length);
  for (let j = 0; j < positions.length; j++) out[j] = m * positions[j];
  return out;
}

/**
 * llm policy: head h's attention probabilities of the prompt's LAST query (row `qRow` of `qkv`) over
 * the `prompt` cached keys, into `out` — the scores a decode step at position prompt − 1 gives, which
 * the first prune ranks by. Not the column sums over the prompt's queries: token j is seen by
 * prompt − j of them, so that sum keeps the earliest tokens and drops the ones just before the recent
 * window (sotu-char, recentTokens 16: perplexity 12.0 at tokenKeep 0.5 vs 6.7 at 0.25).
 * Recomputed here with the decode path's settings; no FLOPs counted (the prompt pass computed it).
 */
function lastQueryProbs(e: Engine, ra: RunAlgo, qkv: Float32Array, qRow: number, cc: GenState['cache'][number][number], h: number, prompt: number, out: Float64Array): void {
  const d = e.c.hidden;
  const dh = e.dh;
  const keys = Array.from({ length: prompt }, (_, i) => i);
  const cs = new Float32Array(prompt);
  attendHead({
    q: qkv.slice(qRow * 4 * d + h * dh, qRow * 4 * d + (h + 1) * dh), nq: 1, kMsb: cc.kMsb, kFull: cc.kFull, v: cc.v, nk: prompt, dh, visible: null,
    valueKeep: ra.valueKeep, progressive: ra.progressive, threshold: ra.lsbThreshold, ctx: new Float32Array(dh), colSum: cs,
    kvStride: d, kvOff: h * dh, kvRows: keys, keyBias: alibiKeyBias(e.c, h, keys),
  });
  out.fill(0);
  for (let j = 0; j < prompt; j++) out[j] = cs[j];
}

/** The prompt (summarization stage): one causal dense pass that fills the KV cache and the scores. */
function promptPass(e: Engine, windows: number[][], prompt: number, ra: RunAlgo, stats: Stats, g: GenState, opts: GenerateOptions, out: GenerateResult): void {
  const c = e.c;
  const d = c.hidden;
  const H = c.heads;
  const dh = e.dh;
  const B = windows.length;
  const { cache, tokScore, tokSeen, headScore, lastScore, storeKV } = g;
  const n = B * prompt;
  let x: Float32Array = new Float32Array(n * d);
  windows.forEach((w, b) => x.set(e.embed(w.slice(0, prompt), Array.from({ length: prompt }, (_, i) => i)), b * prompt * d));
  const visible = Int32Array.from({ length: prompt }, (_, i) => i + 1);
  const rowPos = Int32Array.from({ length: n }, (_, i) => i % prompt);
  const pr = Array.from({ length: prompt }, (_, i) => i);
  for (let l = 0; l < c.layers; l++) {
    const qkv = e.qkv(x, n, l, ra, undefined, rowPos);
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
          keyBias: alibiKeyBias(c, h, pr),
        });
        for (let j = 0; j < prompt; j++) {
          tokScore[b][j] += cs[j];
          tokSeen[b][j] += prompt - j; // causal: queries j … prompt − 1 see token j
        }
        if (lastScore) lastQueryProbs(e, ra, qkv, b * prompt + prompt - 1, cc, h, prompt, lastScore[b][l][h]);
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

/**
 * Head pruning (cascade over layers, both policies), then the key positions of every alive head
 * of example b at layer l for the token at `pos`: the cascade's shared set or the llm per-head sets.
 */
function selectKeys(g: GenState, b: number, l: number, pos: number, ra: RunAlgo, H: number, budget: number, lastRow: HeadRequest | null): { hs: number[]; keysOf: number[][]; topkOf: number[] } {
  const { aliveTok, aliveHead, headScore, tokScore, headSet, lastScore } = g;
  const Lctx = pos + 1;
  let hs = aliveHead[b][l];
  if (l > 0) {
    const prev = new Set(aliveHead[b][l - 1]);
    hs = hs.filter((h) => prev.has(h));
  }
  const hk = Math.min(keepCount(H, ra.headKeep[l]), hs.length);
  if (hk < hs.length) hs = topkKeepOrder(hs.map((h) => headScore[b][h]), hk).map((i) => hs[i]);
  aliveHead[b][l] = hs;
  const keysOf: number[][] = [];
  const topkOf: number[] = [];
  if (ra.tokenPolicy !== 'llm') {
    // Cascade: candidates alive at this layer so far (+ the new token) and alive in layer l−1 now.
    let cand = [...aliveTok[b][l], pos];
    if (l > 0) {
      const prevLayer = new Set(aliveTok[b][l - 1]);
      cand = cand.filter((p) => prevLayer.has(p));
    }
    const rule = g.keyRule;
    const fixed = rule?.keep !== undefined && l >= (rule.fromLayer ?? 0) ? rule.keep : 0;
    const k = Math.min(fixed || keepCount(Lctx, ra.tokenKeep[l]), cand.length);
    const rank = rule?.rank === 'recent' ? (p: number) => p : cascadeScore(ra.tokenScore, tokScore[b], g.tokSeen[b]);
    if (k < cand.length) cand = topkKeepOrder(cand.map(rank), k, [cand.length - 1]).map((i) => cand[i]);
    if (l > 0 && lastRow && cand.length < aliveTok[b][l - 1].length) lastRow.topk = cand.length;
    aliveTok[b][l] = cand;
    for (const _h of hs) { keysOf.push(cand); topkOf.push(-1); }
  } else {
    for (const h of hs) {
      const { kept, k } = llmPrune(headSet![b][l][h], lastScore![b][l][h], budget, ra.startTokens, ra.recentTokens);
      headSet![b][l][h] = [...kept, pos];
      keysOf.push(headSet![b][l][h]);
      topkOf.push(k > 0 ? k : -1); // k = 0: the start + recent slices only, no top-k runs
    }
  }
  return { hs, keysOf, topkOf };
}

/** Empty KV cache, scores and alive sets for a batch of windows of T = prompt + gen positions. */
function initGenState(e: Engine, windows: number[][], prompt: number, T: number, llm: boolean, keyRule: KeyRule | null): GenState {
  const c = e.c;
  const d = c.hidden;
  const H = c.heads;
  // KV cache per example and layer: K (msb, full) and V for positions 0..T-1, [T, d].
  const mk = () => new Float32Array(T * d);
  const cache = windows.map(() => Array.from({ length: c.layers }, () => ({ kMsb: mk(), kFull: mk(), v: mk() })));
  const tokScore = windows.map(() => new Float64Array(T));
  const tokSeen = windows.map(() => new Float64Array(T));
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
  return { cache, tokScore, tokSeen, headScore, aliveTok, aliveHead, headSet, lastScore, keyRule, storeKV };
}

/** One generation step t (position pos) of example b in layer l; the `qkv` row is the example's. */
interface GenStep {
  e: Engine;
  g: GenState;
  ra: RunAlgo;
  stats: Stats;
  b: number;
  l: number;
  t: number;
  pos: number;
  T: number;
  gen: number;
  iterBase: number;
  budget: number;
  qkv: Float32Array;
  ctx: Float32Array;
  lastRow: (HeadRequest | null)[];
}

/** Example b's attention in layer l at generation step t: selects keys, attends the alive heads, updates scores, stats and trace rows. */
function attendGenStep(s: GenStep): void {
  const { e, g, ra, stats, b, l, t, pos, T, gen, iterBase, qkv, ctx, lastRow } = s;
  const c = e.c;
  const d = c.hidden;
  const H = c.heads;
  const dh = e.dh;
  const llm = ra.tokenPolicy === 'llm';
  const Lctx = pos + 1;
  g.storeKV(b, l, pos, qkv.subarray(b * 4 * d, (b + 1) * 4 * d));
  const { hs, keysOf, topkOf } = selectKeys(g, b, l, pos, ra, H, s.budget, lastRow[b]);
  stats.onAlive?.(iterBase / gen + b, t, l, llm ? keysOf[0] ?? [pos] : g.aliveTok[b][l], hs);
  const meanKeys = keysOf.length ? keysOf.reduce((a, ks) => a + ks.length, 0) / keysOf.length : 0;
  stats.tokAlive[l] += llm ? meanKeys : g.aliveTok[b][l].length;
  stats.tokTotal[l] += Lctx;
  stats.headAlive[l] += hs.length;
  stats.headTotal[l] += H;
  const cc = g.cache[b][l];
  const qrow = qkv.subarray(b * 4 * d, b * 4 * d + d);
  const colSum = new Float64Array(T);
  hs.forEach((h, hi) => {
    const keys = keysOf[hi];
    const m = keys.length;
    stats.onHeadKeys?.(iterBase / gen + b, t, l, h, keys);
    const hctx = new Float32Array(dh);
    const cs = new Float32Array(m);
    const st = attendHead({
      q: qrow.slice(h * dh, (h + 1) * dh), nq: 1, kMsb: cc.kMsb, kFull: cc.kFull, v: cc.v, nk: m, dh, visible: null,
      valueKeep: ra.valueKeep, progressive: ra.progressive, threshold: ra.lsbThreshold, ctx: hctx, colSum: cs,
      kvStride: d, kvOff: h * dh, kvRows: keys, // the cache rows in place (no gather)
      keyBias: alibiKeyBias(c, h, keys),
    });
    for (let j = 0; j < m; j++) {
      colSum[keys[j]] += cs[j];
      g.tokSeen[b][keys[j]] += 1;
    }
    if (g.lastScore) {
      const ls = g.lastScore[b][l][h];
      ls.fill(0);
      for (let j = 0; j < m; j++) ls[keys[j]] = cs[j];
    }
    g.headScore[b][h] += st.absSum;
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
  for (let p = 0; p < T; p++) g.tokScore[b][p] += colSum[p];
}

export function generate(e: Engine, windows: number[][], prompt: number, gen: number, ra: RunAlgo, stats: Stats, iterBase = 0, opts: GenerateOptions = {}): GenerateResult {
  const c = e.c;
  const d = c.hidden;
  const B = windows.length;
  const T = prompt + gen;
  if (prompt < 1) throw new Error(`prompt of ${prompt} tokens: need at least 1`);
  if (T > c.maxPositions) throw new Error(`prompt + gen = ${T} exceeds max_positions ${c.maxPositions}`);
  for (const w of windows) if (w.length < T + 1) throw new Error(`window of ${w.length} tokens, need ${T + 1}`);
  const llm = ra.tokenPolicy === 'llm';
  const budget = llmBudgetOf(ra, T);
  if (opts.keyRule && llm) throw new Error('keyRule: diagnostics of the cascade policy only');
  const g = initGenState(e, windows, prompt, T, llm, opts.keyRule ?? null);
  const out: GenerateResult = { nll: windows.map(() => []), hits: windows.map(() => []) };
  promptPass(e, windows, prompt, ra, stats, g, opts, out);
  // ---- generation stage ----
  for (let t = 0; t < gen; t++) {
    const pos = prompt + t;
    let x: Float32Array = new Float32Array(B * d);
    windows.forEach((w, b) => x.set(e.embed([w[pos]], [pos]), b * d));
    const lastRow: (HeadRequest | null)[] = windows.map(() => null);
    const rowPos = new Int32Array(B).fill(pos); // every window's row is at position pos (RoPE)
    for (let l = 0; l < c.layers; l++) {
      const qkv = e.qkv(x, B, l, ra, undefined, rowPos);
      const ctx = new Float32Array(B * d);
      for (let b = 0; b < B; b++) attendGenStep({ e, g, ra, stats, b, l, t, pos, T, gen, iterBase, budget, qkv, ctx, lastRow });
      e.countDense(B, stats);
      x = e.finishBlock(x, ctx, B, l);
    }
    const lp = e.lmLogProbs(x, B);
    stats.flops += 2 * B * d * c.vocabSize;
    windows.forEach((w, b) => {
      out.nll[b].push(-lp[b * c.vocabSize + w[pos + 1]]);
      out.hits[b].push(isTop1(lp, b * c.vocabSize, c.vocabSize, w[pos + 1]) ? 1 : 0);
    });
  }
  return out;
}

/** Whether `target` has the largest of the `n` log-probs at `off` (a tie with another token counts as a hit). */
export function isTop1(lp: Float32Array, off: number, n: number, target: number): boolean {
  const v = lp[off + target];
  for (let i = 0; i < n; i++) if (lp[off + i] > v) return false;
  return true;
}
