/**
 * Gene encoding shared by the sampling/evolutionary drivers (lhs, nsga2).
 *
 * Every parameter becomes one gene:
 * - `ordinal`  — a numeric choice list (ordered by value) or an integer interval: the gene is an
 *   integer index 0..m-1; operators work on the index, so values never leave the list and integer
 *   steps are exact (no rounding artefacts, no out-of-domain values).
 * - `categorical` — a choice list with a string in it: unordered; only uniform crossover and
 *   random-reset mutation apply.
 * - `real` — a continuous interval [low, high].
 */
import type { ParamDomain, Params, ParamValue } from '../driver.ts';

export type Gene =
  | { key: string; kind: 'ordinal'; size: number; value(i: number): ParamValue; index(v: ParamValue): number }
  | { key: string; kind: 'categorical'; size: number; value(i: number): ParamValue; index(v: ParamValue): number }
  | { key: string; kind: 'real'; low: number; high: number };

/** Above this many integer steps an integer interval is still an ordinal gene (index = v - low). */
export function encodeSpace(space: ParamDomain[]): Gene[] {
  const seen = new Set<string>();
  return space.map((d): Gene => {
    if (seen.has(d.key)) throw new Error(`space: duplicate parameter "${d.key}"`);
    seen.add(d.key);
    if (d.kind === 'choice') {
      if (d.values.length === 0) throw new Error(`space: parameter "${d.key}" has no values`);
      const uniq = [...new Set(d.values)];
      const numeric = uniq.every((v) => typeof v === 'number');
      const values = numeric ? [...(uniq as number[])].sort((a, b) => a - b) : uniq;
      const pos = new Map<ParamValue, number>(values.map((v, i) => [v, i]));
      const index = (v: ParamValue): number => {
        const i = pos.get(v);
        if (i === undefined) throw new Error(`space: value ${JSON.stringify(v)} is not in "${d.key}"`);
        return i;
      };
      return { key: d.key, kind: numeric ? 'ordinal' : 'categorical', size: values.length, value: (i) => values[i], index };
    }
    if (!(Number.isFinite(d.low) && Number.isFinite(d.high)) || d.high < d.low) {
      throw new Error(`space: parameter "${d.key}" needs finite low ≤ high, got [${d.low}, ${d.high}]`);
    }
    if (d.integer) {
      const low = Math.ceil(d.low);
      const high = Math.floor(d.high);
      if (high < low) throw new Error(`space: integer parameter "${d.key}" has no integer in [${d.low}, ${d.high}]`);
      return {
        key: d.key,
        kind: 'ordinal',
        size: high - low + 1,
        value: (i) => low + i,
        index: (v) => {
          if (typeof v !== 'number' || !Number.isInteger(v) || v < low || v > high) throw new Error(`space: ${v} not an integer in "${d.key}"`);
          return v - low;
        },
      };
    }
    return { key: d.key, kind: 'real', low: d.low, high: d.high };
  });
}

/** A genotype: one number per gene (an integer index for ordinal/categorical, the value for real). */
export type Genome = number[];

export function decode(genes: Gene[], g: Genome): Params {
  const p: Params = {};
  genes.forEach((gene, i) => {
    p[gene.key] = gene.kind === 'real' ? g[i] : gene.value(g[i]);
  });
  return p;
}

export function encode(genes: Gene[], p: Params): Genome {
  return genes.map((gene) => {
    const v = p[gene.key];
    if (v === undefined) throw new Error(`params lack "${gene.key}"`);
    if (gene.kind === 'real') {
      if (typeof v !== 'number') throw new Error(`"${gene.key}" must be a number`);
      return v;
    }
    return gene.index(v);
  });
}

/** Canonical identity of a params vector over the space's keys (for duplicate elimination). */
export function paramsKey(genes: Gene[], p: Params): string {
  return JSON.stringify(genes.map((g) => p[g.key]));
}

/** Number of distinct points, or Infinity when a real gene is present. */
export function spaceSize(genes: Gene[]): number {
  let n = 1;
  for (const g of genes) n *= g.kind === 'real' ? Infinity : g.size;
  return n;
}
