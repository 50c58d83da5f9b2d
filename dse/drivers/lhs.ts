/**
 * Latin hypercube sampling over mixed spaces.
 *
 * For `n` samples every parameter's unit range is cut into `n` equal strata and each stratum is
 * used exactly once (a random permutation per parameter):
 * - real intervals: one uniform draw inside each stratum;
 * - ordinal/categorical genes (choice lists, integer intervals) with m values: stratum s maps to
 *   index ⌊(s + u)·m / n⌋, so every value appears ⌊n/m⌋ or ⌈n/m⌉ times (balanced), and when
 *   m ≥ n no value is drawn twice.
 * Duplicate rows (possible on small discrete spaces) are removed by swapping one column's strata
 * between rows, which keeps the Latin property. `candidates` > 1 draws several designs and keeps the
 * one with the largest minimum pairwise distance (maximin). Reproducible from `seed`.
 */
import type { Driver, DriverContext, Trial, TrialResult } from '../driver.ts';
import { createRng, deriveSeed, randInt, shuffle, type Rng } from '../../sim/rng.ts';
import { decode, encodeSpace, paramsKey, spaceSize, type Gene, type Genome } from './genes.ts';

export interface LhsOptions {
  /** Number of points (default 100, capped at the size of a finite space). */
  samples?: number;
  /** Designs drawn for the maximin criterion (default 5 when samples ≤ 1000, else 1). */
  candidates?: number;
}

/** Unit-cube coordinate in [0,1) of gene value `g` (for distances). */
function unit(gene: Gene, v: number): number {
  return gene.kind === 'real' ? (gene.high > gene.low ? (v - gene.low) / (gene.high - gene.low) : 0) : (v + 0.5) / gene.size;
}

/** One Latin hypercube design of `n` genomes; duplicates removed where possible. */
export function latinHypercube(genes: Gene[], n: number, rng: Rng): Genome[] {
  const d = genes.length;
  const perms: number[][] = genes.map(() => shuffle(rng, Array.from({ length: n }, (_, i) => i)));
  const us: number[][] = genes.map(() => Array.from({ length: n }, () => rng()));
  const cell = (j: number, i: number): number => {
    const gene = genes[j];
    const t = (perms[j][i] + us[j][i]) / n; // in [0,1)
    if (gene.kind === 'real') return gene.low + t * (gene.high - gene.low);
    return Math.min(gene.size - 1, Math.floor(t * gene.size));
  };
  const rows: Genome[] = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => cell(j, i)));
  // Duplicate repair: swap strata of one discrete column between a duplicate row and another row.
  if (d > 0 && genes.some((g) => g.kind !== 'real')) {
    const key = (r: Genome) => r.join(',');
    const count = new Map<string, number>();
    for (const r of rows) count.set(key(r), (count.get(key(r)) ?? 0) + 1);
    const dupRows = (): number[] => {
      const seen = new Set<string>();
      const out: number[] = [];
      rows.forEach((r, i) => {
        const k = key(r);
        if (seen.has(k)) out.push(i);
        else seen.add(k);
      });
      return out;
    };
    const maxTries = 50 * n;
    let tries = 0;
    for (let dups = dupRows(); dups.length > 0 && tries < maxTries; dups = dupRows()) {
      for (const i of dups) {
        if (tries++ >= maxTries) break;
        const j = randInt(rng, d);
        const other = randInt(rng, n);
        if (other === i) continue;
        const ki = key(rows[i]);
        const ko = key(rows[other]);
        // swap the stratum (permutation entry and jitter) of column j
        [perms[j][i], perms[j][other]] = [perms[j][other], perms[j][i]];
        [us[j][i], us[j][other]] = [us[j][other], us[j][i]];
        const ri = rows[i].slice();
        const ro = rows[other].slice();
        ri[j] = cell(j, i);
        ro[j] = cell(j, other);
        const nki = key(ri);
        const nko = key(ro);
        count.set(ki, count.get(ki)! - 1);
        count.set(ko, count.get(ko)! - 1);
        const improves = nki !== nko && (count.get(nki) ?? 0) === 0 && (count.get(nko) ?? 0) === 0;
        if (improves) {
          rows[i] = ri;
          rows[other] = ro;
          count.set(nki, (count.get(nki) ?? 0) + 1);
          count.set(nko, (count.get(nko) ?? 0) + 1);
        } else {
          [perms[j][i], perms[j][other]] = [perms[j][other], perms[j][i]];
          [us[j][i], us[j][other]] = [us[j][other], us[j][i]];
          count.set(ki, count.get(ki)! + 1);
          count.set(ko, count.get(ko)! + 1);
        }
      }
    }
  }
  return rows;
}

function minDistance(genes: Gene[], rows: Genome[]): number {
  let best = Infinity;
  const u = rows.map((r) => r.map((v, j) => unit(genes[j], v)));
  for (let a = 0; a < u.length; a++) {
    for (let b = a + 1; b < u.length; b++) {
      let s = 0;
      for (let j = 0; j < genes.length; j++) {
        const t = u[a][j] - u[b][j];
        s += t * t;
      }
      if (s < best) best = s;
    }
  }
  return best;
}

/** Builds the whole design up front; `ask` hands it out in order. */
export class LhsDriver implements Driver {
  readonly name = 'lhs';
  readonly total: number;
  private readonly trials: Trial[];
  private next = 0;

  constructor(ctx: DriverContext, opts: LhsOptions = {}) {
    const genes = encodeSpace(ctx.space);
    const requested = opts.samples ?? 100;
    if (!Number.isInteger(requested) || requested < 1) throw new Error(`lhs: samples must be a positive integer, got ${requested}`);
    const n = Math.min(requested, spaceSize(genes));
    const candidates = Math.max(1, opts.candidates ?? (n <= 1000 ? 5 : 1));
    let best: Genome[] = [];
    let bestScore = -Infinity;
    for (let c = 0; c < candidates; c++) {
      const rows = latinHypercube(genes, n, createRng(deriveSeed(ctx.seed, 'lhs', c)));
      const uniq = new Set(rows.map((r) => r.join(','))).size;
      // prefer fewer duplicates first, then maximin distance
      const score = candidates === 1 ? 0 : uniq * 1e6 + minDistance(genes, rows);
      if (score > bestScore) {
        bestScore = score;
        best = rows;
      }
    }
    const seen = new Set<string>();
    this.trials = [];
    for (const r of best) {
      const params = decode(genes, r);
      const k = paramsKey(genes, params);
      if (seen.has(k)) continue; // never propose the same vector twice
      seen.add(k);
      this.trials.push({ id: this.trials.length, params });
    }
    this.total = this.trials.length;
  }

  ask(n: number): Trial[] {
    const out = this.trials.slice(this.next, this.next + Math.max(0, n));
    this.next += out.length;
    return out.map((t) => ({ id: t.id, params: { ...t.params } }));
  }

  tell(_results: TrialResult[]): void {
    /* non-adaptive */
  }

  done(): boolean {
    return this.next >= this.trials.length;
  }
}
