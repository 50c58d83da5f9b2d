/**
 * The SpAtten paper's (HPCA 2021) reference numbers, in one module: what `reproduce`, `compare`
 * and the report put next to our predictions. Shipped here so nothing outside the repo is needed
 * at run time. These are the paper's results, never fitted into the models.
 */
import baselines from './baselines/baselines.json' with { type: 'json' };

/** Fig. 19a: throughput vs top-k comparators P, relative to P = 16 (paper chart data). */
export const FIG19A = { P: [1, 2, 4, 8, 16, 32], relative: [0.217, 0.385, 0.625, 0.841, 1, 0.993] };

/**
 * Fig. 20: SpAtten-internal speedup of each step over the previous one (baseline, token pruning,
 * head pruning, 16-comparator top-k, static quantization, progressive quantization), and the
 * combined claims (the three pruning steps 3.4×, the two quantization steps 2.8×).
 */
export const FIG20 = {
  steps: [1, 1.1, 1.1, 3, 1.6, 1.7],
  combined: [
    { name: 'three pruning steps (token, head, top-k)', from: 0, to: 3, paper: 3.4 },
    { name: 'two quantization steps', from: 3, to: 5, paper: 2.8 },
  ],
};

/** Table III: the cited A³, MNNFast and GPU figures (sim/baselines/baselines.json, with sources). */
export const TABLE3_BASELINES = baselines;

/**
 * Table III's SpAtten1/8 column as far as the spec gives it (§2.9, §5.6): 40 nm, 1 GHz, 128
 * multipliers, 64 GB/s and 1.55 mm². Its GOP/s, GOP/J and GOP/s/mm² are withheld (predicted).
 */
export const TABLE3_SPATTEN_1_8 = { areaMm2: 1.55, clockGHz: 1, multipliers: 128, bandwidthGBps: 64 } as const;

/**
 * Fig. 21: pruning ratio vs accuracy change, both curves at 12-bit quantization with progressive
 * quantization off and the other pruning kind off. Exact points from the v3 chart data
 * (shared/spec/spatten-paper.md §5.9).
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

/**
 * §5.1's headline (geomeans over the 30 benchmarks) against the CPU/GPU/edge baselines — the same
 * numbers sim/baselines/platforms.json holds as the platforms' calibration anchors, with sources
 * (test/reproduce-datasheet-platforms.test.ts keeps them equal). A platform priced from its
 * datasheet (`like` in platforms.json) is not here: the paper did not measure it.
 */
export const HEADLINE = {
  'titan-xp': { speedup: 162, energy_saving: 1193 },
  xeon: { speedup: 347, energy_saving: 4059 },
  'jetson-nano': { speedup: 1095, energy_saving: 406 },
  rpi4: { speedup: 5071, energy_saving: 1910 },
} as const;

/** Table IV: GPT-2-Medium, average of 4 benchmarks, no head pruning. */
export const TABLE4 = {
  gpu: { fcGflop: 19.3, attnGflop: 3.3, fcMs: 388.3, attnMs: 366.7 },
  spatten: { fcGflop: 19.3, attnGflop: 0.9, fcMs: 25.75, attnMs: 2.13 },
};

/** Fig. 18 roofline points [fig-read] (ops/byte) and §5.4's measured TFLOPS. */
export const FIG18_POINTS = {
  'TITAN Xp BERT': { opsPerByte: 14, tflops: 0.02 },
  'TITAN Xp GPT-2': { opsPerByte: 0.5, tflops: 0.01 },
  'SpAtten BERT': { opsPerByte: 83, tflops: 1.61 },
  'SpAtten GPT-2': { opsPerByte: 2.1, tflops: 0.43 },
} as const;

/** Fig. 20 over TITAN Xp on the 8 GPT-2 benchmarks: cumulative speedup after step 0 (datapath), 3 (pruning + top-k), 5 (quantization). */
export const FIG20_FROM_GPU = [
  { step: 0, name: 'specialised datapath (ASIC baseline)', paper: 22.1 },
  { step: 3, name: '+ token, head pruning, 16-comparator top-k', paper: 74.2 },
  { step: 5, name: '+ static and progressive quantization (final)', paper: 209.0 },
];
