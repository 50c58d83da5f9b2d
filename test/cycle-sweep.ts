/**
 * A cycle-model sweep long enough to be signalled, killed or hung up on while it runs: 120 points,
 * each a GPT-2-Medium generation (992 + 32; ~30 ms on one core of the dev machine). The GPT-2-Small
 * 256 + 4 workload used before ran at ~5 ms a point once the simulator got faster, and a run could
 * finish before the signal arrived. Used by test/faults.test.ts and test/worker-hangup.test.ts.
 */
export const CYCLE_SWEEP_POINTS = 120;

/** The sweep's space file, named `name`. */
export const cycleSweep = (name: string) => `name: ${name}
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: cycle
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
  hw.dramChannels: [4, 8, 16]
  hw.topkParallelism: [2, 4, 8, 16, 32]
  algo.tokenKeep: [0.3, 0.5, 0.7, 1.0]
  algo.headKeep: [0.5, 1.0]
search: { driver: grid }
`;
