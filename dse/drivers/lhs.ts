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

/** A design's strata: per gene, a permutation of the `n` strata and one jitter in [0,1) per row. */
interface Strata {
  genes: Gene[];
  n: number;
  perms: number[][];
  us: number[][];
}

/** Random strata for `n` rows: every gene's permutation first, then every gene's jitters (the seeds' draw order). */
function drawStrata(genes: Gene[], n: number, rng: Rng): Strata {
  const perms: number[][] = genes.map(() => shuffle(rng, Array.from({ length: n }, (_, i) => i)));
  const us: number[][] = genes.map(() => Array.from({ length: n }, () => rng()));
  return { genes, n, perms, us };
}

/** Gene value of row `i` in column `j`: its stratum plus jitter, mapped onto the gene's range or values. */
function cell(s: Strata, j: number, i: number): number {
  const gene = s.genes[j];
  const t = (s.perms[j][i] + s.us[j][i]) / s.n; // in [0,1)
  if (gene.kind === 'real') return gene.low + t * (gene.high - gene.low);
  return Math.min(gene.size - 1, Math.floor(t * gene.size));
}

/** Swaps the stratum (permutation entry and jitter) of column `j` between rows `a` and `b`. */
function swapStratum(s: Strata, j: number, a: number, b: number): void {
  [s.perms[j][a], s.perms[j][b]] = [s.perms[j][b], s.perms[j][a]];
  [s.us[j][a], s.us[j][b]] = [s.us[j][b], s.us[j][a]];
}

const rowKey = (r: Genome) => r.join(',');

/** Indices of the rows equal to an earlier row. */
function duplicateRows(rows: Genome[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  rows.forEach((r, i) => {
    const k = rowKey(r);
    if (seen.has(k)) out.push(i);
    else seen.add(k);
  });
  return out;
}

/**
 * Swaps column `j`'s stratum between rows `i` and `other` and keeps the swap only when both new
 * rows differ from each other and from every other row; otherwise undoes it. `count` is the
 * multiplicity of each row key, kept up to date.
 */
function trySwap(s: Strata, rows: Genome[], count: Map<string, number>, j: number, i: number, other: number): void {
  const ki = rowKey(rows[i]);
  const ko = rowKey(rows[other]);
  swapStratum(s, j, i, other);
  const ri = rows[i].slice();
  const ro = rows[other].slice();
  ri[j] = cell(s, j, i);
  ro[j] = cell(s, j, other);
  const nki = rowKey(ri);
  const nko = rowKey(ro);
  count.set(ki, count.get(ki)! - 1);
  count.set(ko, count.get(ko)! - 1);
  const improves = nki !== nko && (count.get(nki) ?? 0) === 0 && (count.get(nko) ?? 0) === 0;
  if (improves) {
    rows[i] = ri;
    rows[other] = ro;
    count.set(nki, (count.get(nki) ?? 0) + 1);
    count.set(nko, (count.get(nko) ?? 0) + 1);
  } else {
    swapStratum(s, j, i, other);
    count.set(ki, count.get(ki)! + 1);
    count.set(ko, count.get(ko)! + 1);
  }
}

/** Duplicate repair: swap strata of one discrete column between a duplicate row and another row (at most 50·n tries). */
function repairDuplicates(s: Strata, rows: Genome[], rng: Rng): void {
  const count = new Map<string, number>();
  for (const r of rows) count.set(rowKey(r), (count.get(rowKey(r)) ?? 0) + 1);
  const maxTries = 50 * s.n;
  let tries = 0;
  for (let dups = duplicateRows(rows); dups.length > 0 && tries < maxTries; dups = duplicateRows(rows)) {
    for (const i of dups) {
      if (tries++ >= maxTries) break;
      const j = randInt(rng, s.genes.length);
      const other = randInt(rng, s.n);
      if (other === i) continue;
      trySwap(s, rows, count, j, i, other);
    }
  }
}

/** One Latin hypercube design of `n` genomes; duplicates removed where possible. */
export function latinHypercube(genes: Gene[], n: number, rng: Rng): Genome[] {
  const d = genes.length;
  const s = drawStrata(genes, n, rng);
  const rows: Genome[] = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => cell(s, j, i)));
  if (d > 0 && genes.some((g) => g.kind !== 'real')) repairDuplicates(s, rows, rng);
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
