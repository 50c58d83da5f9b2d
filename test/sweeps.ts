/**
 * Space files several tests share.
 *
 * - `cycleSweep`: a cycle-model sweep long enough to be signalled, killed or hung up on while it
 *   runs: by default 120 points, each a GPT-2-Medium generation (992 + 32; ~30 ms on one core of
 *   the dev machine). The GPT-2-Small 256 + 4 workload used before ran at ~5 ms a point once the
 *   simulator got faster, and a run could finish before the signal arrived. test/faults.test.ts,
 *   test/worker-hangup.test.ts; test/pty-hangup.test.ts runs a longer one (64 generated tokens,
 *   four head-keep values: 240 points).
 * - `smallSweep`: three points of a GPT-2-Small generation (128 + 4), for the tests of `serve` and
 *   of a start that fails (test/serve-hangup, serve-disk-full, run-start-failures, pty-hangup).
 * - `denseSpace`: spam-bert accuracy under a constraint relative to the dense model, which `serve`
 *   runs at start-up and journals (test/serve-disk-full, serve-start-signal).
 * - `rungSpace`: sotu-char perplexity and GPT-2-Small latency over 8 algorithm configurations × 2
 *   designs, with a 16-window accuracy rung before the 32-window one (test/paired-run, and
 *   test/distributed's queue runs of it).
 */
export const CYCLE_SWEEP_POINTS = 120;

/** The cycle sweep's space file, named `name`. */
export const cycleSweep = (name: string, o: { genTokens?: number; headKeep?: string } = {}) => `name: ${name}
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: ${o.genTokens ?? 32} }
fidelity: cycle
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
  hw.dramChannels: [4, 8, 16]
  hw.topkParallelism: [2, 4, 8, 16, 32]
  algo.tokenKeep: [0.3, 0.5, 0.7, 1.0]
  algo.headKeep: [${o.headKeep ?? '0.5, 1.0'}]
search: { driver: grid }
`;

/** The three-point space file, named `name`. */
export const smallSweep = (name: string) => `name: ${name}
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
parameters:
  hw.dramChannels: [4, 8, 16]
search: { driver: grid }
`;

/** The dense-relative space file, named `name`: spam-bert on `examples` emails, the given tokenKeep values. */
export const denseSpace = (name: string, examples: number, tokenKeep: string) => `name: ${name}
workload: { model: bert-base, stage: summarization, seqLen: 128 }
accuracy: { model: spam-bert, maxExamples: ${examples} }
objectives:
  - { metric: accuracy }
  - { metric: latency_s }
constraints: ["accuracy >= dense - 0.05"]
parameters:
  algo.tokenKeep: [${tokenKeep}]
search: { driver: grid }
`;

/** The rung space's file text, named `name`: without `subset`, every configuration on all 32 windows. */
export const rungSpace = (name: string, subset = true) => `name: ${name}
workload: { model: gpt2-small, stage: generation, seqLen: 992, genTokens: 32 }
algo: { lsbBits: 0 }
accuracy: { model: sotu-char, maxExamples: 32${subset ? ', subsetExamples: 16' : ''} }
objectives:
  - { metric: perplexity, goal: min }
  - { metric: latency_s, goal: min }
parameters:
  hw.qkMultipliers: [256, 512]
  algo.tokenKeep: [1.0, 0.25]
  algo.valueKeep: [1.0, 0.5]
  algo.msbBits: [4, 8]
search: { driver: grid }
`;
