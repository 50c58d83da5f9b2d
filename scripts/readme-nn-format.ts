/**
 * How sim/nn/README.md's generated Results blocks (scripts/readme-nn.ts) write the figures of
 * `accuracy --json`: percentages, CIs, kept counts per layer, changes against a reference run.
 */
import { claim as readmeClaim, row, wrap } from './readme-cycle-runs.ts';

export { row, wrap };

/** A qualitative word of a sentence that the figures no longer bear out stops the generator. */
export const claim = (holds: boolean, what: string): void => readmeClaim(holds, what, 'scripts/readme-nn-prose.ts', 'sim/nn/README.md');

/** A count with a space between thousands, as the README writes example counts (1 209). */
export const count = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');

/** An accuracy (a fraction) as a percent with 2 decimals. */
export const acc = (x: number) => `${(100 * x).toFixed(2)}%`;

/** A CI as "lo – hi" with `d` decimals (× 100 for an accuracy). */
export const ci = ([lo, hi]: readonly number[], d: number, scale = 1) => `${(scale * lo).toFixed(d)} – ${(scale * hi).toFixed(d)}`;

/** Per-layer (or per-head) figures with `d` decimals (or as `d` writes the figure of layer i), joined by `sep`; equal ones as "x ×L". */
export function perLayer(xs: readonly number[], d: number | ((x: number, i: number) => string) = 1, sep = ' '): string {
  const s = xs.map((x, i) => (typeof d === 'number' ? x.toFixed(d) : d(x, i)));
  return s.every((x) => x === s[0]) ? `${s[0]} ×${s.length}` : s.join(sep);
}

/** x against `base` as a signed percent: `small` decimals below 1% (2 unless asked), 1 below 100%, none above (+0.38%, +7.8%, +256%). */
export function vs(x: number, base: number, small = 2): string {
  const d = (x / base - 1) * 100;
  const a = Math.abs(d);
  const digits = a < 1 ? small : a < 100 ? 1 : 0;
  return `${Number(d.toFixed(digits)) < 0 ? '−' : '+'}${a.toFixed(digits)}%`;
}

/** A reduction 1 / keep as the README labels it: 2×, 2.59×. */
export const reduction = (keep: number) => `${Number((1 / keep).toFixed(2))}×`;
