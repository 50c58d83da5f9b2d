/**
 * An interpolated Witten-Bell n-gram model over token ids: a reference for what an LM's perplexity
 * could be from its last k tokens alone (scripts/lm-diag.ts `ngram`; sim/nn/README.md).
 *
 * P_k(c | h) = (C(h c) + T(h) · P_{k−1}(c | h')) / (C(h) + T(h)), with h the last k tokens, h' the
 * last k − 1, C(h) the number of times h is followed by a token in the training stream, T(h) the
 * number of distinct tokens that follow it, P_{−1} uniform over the vocabulary; a context never
 * seen falls back to the lower order. Keys are the ids as UTF-16 code units (ids < 65 536).
 */
export class WittenBell {
  private readonly gram: Map<string, number>[];
  private readonly ctxCount: Map<string, number>[];
  private readonly ctxTypes: Map<string, number>[];

  constructor(readonly maxContext: number, readonly vocab: number) {
    const maps = () => Array.from({ length: maxContext + 1 }, () => new Map<string, number>());
    this.gram = maps();
    this.ctxCount = maps();
    this.ctxTypes = maps();
  }

  /** Counts every (context of k ≤ maxContext tokens, next token) pair of the stream. */
  train(stream: ArrayLike<number>): this {
    const s = toKey(stream);
    for (let k = 0; k <= this.maxContext; k++) {
      const g = this.gram[k];
      const cn = this.ctxCount[k];
      const ct = this.ctxTypes[k];
      for (let i = k; i < s.length; i++) {
        const h = s.slice(i - k, i);
        const key = h + s[i];
        const c = g.get(key);
        if (c === undefined) {
          g.set(key, 1);
          ct.set(h, (ct.get(h) ?? 0) + 1);
        } else g.set(key, c + 1);
        cn.set(h, (cn.get(h) ?? 0) + 1);
      }
    }
    return this;
  }

  /** P(next | the last k ≤ maxContext tokens of history). */
  prob(history: ArrayLike<number>, next: number, k = this.maxContext): number {
    const h = toKey(history);
    const c = String.fromCharCode(next);
    let p = 1 / this.vocab;
    for (let j = 0; j <= Math.min(k, this.maxContext, h.length); j++) {
      const ctx = h.slice(h.length - j);
      const n = this.ctxCount[j].get(ctx);
      if (!n) continue;
      const t = this.ctxTypes[j].get(ctx)!;
      p = ((this.gram[j].get(ctx + c) ?? 0) + t * p) / (n + t);
    }
    return p;
  }
}

function toKey(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i += 8192) s += String.fromCharCode(...Array.prototype.slice.call(ids, i, i + 8192));
  return s;
}

/** Experiment: every order's continuations of each context, for whole next-token distributions. */
export class WittenBellDist {
  private readonly next: Map<string, number[]>[] = [];
  constructor(readonly maxContext: number, readonly vocab: number) {}
  train(stream: ArrayLike<number>): this {
    const s = toKey(stream);
    for (let k = 0; k <= this.maxContext; k++) {
      const m = new Map<string, number[]>();
      for (let i = k; i < s.length; i++) {
        const h = s.slice(i - k, i);
        let a = m.get(h);
        if (!a) m.set(h, (a = []));
        const c = s.charCodeAt(i);
        let f = -1;
        for (let q = 0; q < a.length; q += 2) if (a[q] === c) { f = q; break; }
        if (f < 0) a.push(c, 1); else a[f + 1]++;
      }
      this.next.push(m);
    }
    return this;
  }
  /** Writes P(· | last ≤ maxContext tokens of ids[from..to)) into out[off..off+vocab). */
  dist(ids: ArrayLike<number>, from: number, to: number, out: Float32Array, off: number): void {
    const V = this.vocab;
    const p = new Float64Array(V).fill(1 / V);
    let h = '';
    for (let i = Math.max(from, to - this.maxContext); i < to; i++) h += String.fromCharCode(ids[i]);
    for (let j = 0; j <= Math.min(this.maxContext, h.length); j++) {
      const a = this.next[j].get(h.slice(h.length - j));
      if (!a) continue;
      let n = 0;
      for (let q = 1; q < a.length; q += 2) n += a[q];
      const t = a.length / 2;
      for (let c = 0; c < V; c++) p[c] = (t * p[c]) / (n + t);
      for (let q = 0; q < a.length; q += 2) p[a[q]] += a[q + 1] / (n + t);
    }
    for (let c = 0; c < V; c++) out[off + c] = p[c];
  }
}
