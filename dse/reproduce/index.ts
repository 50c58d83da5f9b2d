/** Every paper figure `spatten-dse reproduce <name>` knows, one module per figure (same interface). */
import type { PaperFigure } from './types.ts';
import { figure as fig19a } from './fig19a.ts';
import { figure as fig20 } from './fig20.ts';
import { figure as sram } from './sram.ts';
import { figure as fig14 } from './fig14.ts';
import { figure as fig15 } from './fig15.ts';
import { figure as fig18 } from './fig18.ts';
import { figure as fig20gpu } from './fig20gpu.ts';
import { figure as table4 } from './table4.ts';
import { figure as headline } from './headline.ts';

export type { PaperFigure } from './types.ts';

export const FIGURES: PaperFigure[] = [fig19a, fig20, sram, headline, fig14, fig15, fig18, fig20gpu, table4];

export function findFigure(name: string): PaperFigure | undefined {
  return FIGURES.find((f) => f.name === name);
}
