/**
 * One paper figure or table that `spatten-dse reproduce <name>` can print: our prediction next to
 * the paper's number (or "withheld" where the spec keeps it back). `run` returns the rows (the
 * `--json` output) and the text table.
 */
export interface PaperFigure {
  name: string;
  describe: string;
  run(opts: { fidelity?: string }): { rows: unknown; text: string };
}

/** Hardware model a figure runs on: the analytical model unless `fidelity` names the cycle model. */
export function modelOf(opts: { fidelity?: string }): 'analytical' | 'cycle' {
  if (opts.fidelity === undefined || opts.fidelity === 'analytical') return 'analytical';
  if (opts.fidelity === 'cycle') return 'cycle';
  throw new Error(`unknown fidelity "${opts.fidelity}" (analytical | cycle)`);
}

export const relErr = (ours: number, paper: number): number => ours / paper - 1;
export const pct = (e: number): string => `${e >= 0 ? '+' : ''}${(100 * e).toFixed(0)}%`;
export const mark = (e: number, tol: number): string => (Math.abs(e) <= tol ? 'ok' : 'MISS');

/** A number with 3 significant digits (×-factors, TFLOPS, ms). */
export const sig = (x: number, d = 3): string => (Number.isFinite(x) ? Number(x.toPrecision(d)).toString() : String(x));
