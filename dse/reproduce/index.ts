/** The paper figures `spatten-dse reproduce` knows (one module each, same interface). */
import type { PaperFigure } from './types.ts';
import { figure as fig19a } from './fig19a.ts';
import { figure as fig20 } from './fig20.ts';
import { figure as sram } from './sram.ts';

export const FIGURES: PaperFigure[] = [fig19a, fig20, sram];
