/**
 * A paper figure reproduced by `spatten-dse reproduce <name>`: one module per figure under
 * dse/reproduce/, listed in dse/reproduce/index.ts (FIGURES). `run` returns the `--json` output
 * (FigureJson) and the text table: our prediction next to the paper's number, or "withheld" where the
 * spec keeps it back.
 */
import type { DesignPoint, HardwareConfig } from '../../sim/schema.ts';

export interface FigureOptions {
  /** Hardware model (a fidelity name); each figure states its default. */
  fidelity?: string;
  /** Hardware overrides applied to every configuration the figure evaluates (`--set hw.X=…`). */
  hw?: Partial<HardwareConfig>;
}

export interface PaperFigure {
  name: string;
  describe: string;
  /**
   * Hardware knobs the figure sets itself on every configuration (its x axis, or what its steps
   * are), each with what it is there: a `--set hw.X=…` of one would be overridden by the figure or
   * would override the figure's own definition, under labels that no longer hold, so
   * `reproduce` refuses it.
   */
  fixes?: Partial<Record<keyof HardwareConfig, string>>;
  /**
   * Every configuration the figure runs with the user's overrides `hw`, as a design point named as
   * the figure's messages name it: `reproduce` checks hw.wordBits against all of them before any
   * runs, so that a refusal gives the figure's minimum word and every configuration below it.
   */
  configs(hw: Partial<HardwareConfig>): FigureConfig[];
  /** `rows`: the figure's `--json`, a FigureJson made by `envelope` (common.ts); `text`: its tables. */
  run(opts: FigureOptions): FigureRun;
}

/**
 * What `reproduce <name> --json` prints for every figure (`reproduce all --json`: one under each
 * name), made by `envelope` (common.ts): the figure's name, the hardware model, the user's
 * `--set hw.X=…` overrides (only when given), then the figure's own keys — its main list
 * (`rows`, `configurations`, `benchmarks`, `points` or `headline`), `paper` (the paper's values or
 * "withheld") where the paper's values are not on the rows, `workload` where one workload is
 * shared by every row, and `why` (the lines the text prints on what the gaps come from).
 */
export interface FigureJson {
  figure: string;
  model: string;
  hw?: Partial<HardwareConfig>;
  why?: string[];
  [key: string]: unknown;
}

/** What a figure's `run` returns: the `--json` envelope (under the historical name `rows`) and the text. */
export interface FigureRun {
  rows: FigureJson;
  text: string;
}

/**
 * The names a figure's main list may take (README "Reproducing the paper", the envelope table):
 * `envelope` puts it right after figure, model and hw, then `paper`, `workload` and `why`, then
 * the figure's other keys.
 */
export const MAIN_LISTS = ['configurations', 'rows', 'benchmarks', 'points', 'headline'] as const;
/** The envelope's keys in the order it prints them, before the figure's other keys. */
export const ENVELOPE_ORDER = ['figure', 'model', 'hw', ...MAIN_LISTS, 'paper', 'workload', 'why'] as const;

/** One configuration of a figure: its name in the figure's messages and its design point. */
export interface FigureConfig {
  config: string;
  point: DesignPoint;
}

export { relErr, pct, mark } from './common.ts';

/** A number with 3 significant digits (×-factors, TFLOPS, ms). */
export const sig = (x: number, d = 3): string => (Number.isFinite(x) ? Number(x.toPrecision(d)).toString() : String(x));
