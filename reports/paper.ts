/**
 * SpAtten paper (HPCA 2021) Fig. 21: pruning ratio vs accuracy change, both curves at 12-bit
 * quantization with progressive quantization off and the other pruning kind off. Exact points from
 * the v3 chart data (shared/spec/spatten-paper.md §5.9). Shipped here so the report needs nothing
 * outside the repo at run time. These are the paper's models, not ours: shown side by side, never fitted.
 */
export interface PaperCurve {
  label: string;
  kind: 'tokens' | 'heads';
  /** [pruning ratio (×), accuracy change (%)] */
  points: [number, number][];
}

export const PAPER_FIG21: PaperCurve[] = [
  {
    label: 'paper: GPT-2-Small PTB (tokens)',
    kind: 'tokens',
    points: [
      [1, 0],
      [2.59, 0.56],
      [3.36, -0.31],
      [4.01, -1.2],
      [4.44, -1.34],
      [5.19, -5.6],
      [6.56, -20.76],
      [7.33, -32.12],
      [8.32, -40.32],
    ],
  },
  {
    label: 'paper: BERT-Base CoLA (heads)',
    kind: 'heads',
    points: [
      [1, 0],
      [1.05, 3.08],
      [1.12, 1.05],
      [1.2, 0.54],
      [1.3, -0.21],
      [1.5, -8.43],
      [1.6, -10.93],
      [1.8, -13.97],
      [2, -16.36],
    ],
  },
];
