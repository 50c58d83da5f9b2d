/**
 * A paper figure reproduced by `spatten-dse reproduce <name>`: one module per figure under
 * dse/reproduce/, listed in dse/reproduce/index.ts (FIGURES).
 */
import type { HardwareConfig } from '../../sim/schema.ts';

export interface FigureOptions {
  /** Hardware model (sim/fidelities.ts): the reference fidelity by default, or the fast one. */
  fidelity?: string;
  /** Hardware overrides applied to every configuration the figure evaluates (`--set hw.X=…`). */
  hw?: Partial<HardwareConfig>;
}

export interface PaperFigure {
  name: string;
  describe: string;
  run(opts: FigureOptions): { rows: unknown; text: string };
}
