/**
 * The runs of the cross-validation (analytical model against the cycle-level simulator, both with
 * DRAM refresh, the simulator's default): the shipped traces, the generated grid, the Fig. 20 and
 * Table III workloads, 60 random design points and the accuracy engine's LM traces.
 * test/cycle-xval.test.ts asserts on them and sim/cycle/README.md's "Analytical vs cycle" table is
 * printed from them (scripts/readme-cycle-xval.ts), so both quote one computation. Each run set is
 * computed once per process (about 2.5 s in all).
 */
import path from 'node:path';
import { simulateCycle } from '../sim/cycle/index.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import type { ModelResult } from '../sim/hw/types.ts';
import { mulberry32, readTraceFile } from '../sim/workload/trace.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, HARDWARE_PRESETS, WorkloadSchema, defaultHardware, type HardwareConfig } from '../sim/schema.ts';
import type { Workload } from '../sim/workload/types.ts';
import { FIG20_CONFIGS, FIG20_WORKLOAD, fig20Steps } from '../dse/reproduce/fig20.ts';
import { COMPARE_ALGO } from '../dse/commands/compare.ts';
import { ROOT } from './readme-commands.ts';

export const TRACES = path.join(ROOT, 'sim', 'workload', 'traces');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const PER8 = 'summary-gpt2-small-wikitext2-per8.csv';
export const PER8_DENSE = 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv';

/** Both models on one point, and cycle / analytical latency and energy. */
export interface Pair { w: Workload; h: HardwareConfig; cycle: ModelResult; analytical: ModelResult; lat: number; energy: number }

export function pair(w: Workload, h: HardwareConfig): Pair {
  const cycle = simulateCycle(w, h);
  const analytical = analyticalModel(w, h);
  return { w, h, cycle, analytical, lat: cycle.cycles / analytical.cycles, energy: cycle.energy_j / analytical.energy_j };
}

function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

const trace = (file: string) => readTraceFile(path.join(TRACES, file));
const hw = defaultHardware();

/** per8 on the default hardware. */
export const per8 = once(() => pair(trace(PER8), hw));
/** The dense two-pass reference trace at 196 KB (two heads in flight) and 392 KB (four). */
export const dense = once(() => {
  const w = trace(PER8_DENSE);
  return { kb196: pair(w, hw), kb392: pair(w, { ...hw, keySramKB: 392, valueSramKB: 392 }) };
});
/** small.csv (one head) at 1 GHz with refresh, and without refresh at 0.5 and 2 GHz. */
export const small = once(() => {
  const w = trace('small.csv');
  const clocks = [0.5, 2].map((clockGHz) => ({ clockGHz, ...pair(w, { ...hw, clockGHz, dramRefresh: false }) }));
  return { at1: pair(w, hw), clocks };
});

/** The generated grid: bert/gpt2 × stages × pruning × bits (24 points). */
export const grid = once(() => {
  const wls = [
    { model: 'gpt2-small', stage: 'generation', seqLen: 256, genTokens: 2 },
    { model: 'gpt2-medium', stage: 'generation', seqLen: 384, genTokens: 1 },
    { model: 'bert-base', stage: 'summarization', seqLen: 128 },
    { model: 'gpt2-small', stage: 'summarization', seqLen: 192 },
  ];
  const prunes = [{}, { tokenKeep: 0.5, headKeep: 0.8, valueKeep: 0.5 }];
  const bits = [{ msbBits: 12 }, { msbBits: 8 }, { msbBits: 4, lsbBits: 4 }];
  return wls.flatMap((wl) => prunes.flatMap((p) => bits.map((b) => ({
    what: `${wl.model} ${wl.stage} ${JSON.stringify(p)} ${JSON.stringify(b)}`,
    refetches: 'lsbBits' in b,
    ...pair(buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse({ ...p, ...b })), hw),
  }))));
});

/** Fig. 20's steps on each non-sensitivity configuration (the Table I readings). */
export const fig20 = once(() => {
  const wl = WorkloadSchema.parse(FIG20_WORKLOAD);
  return FIG20_CONFIGS.filter((c) => c.role !== 'sensitivity').map((cfg) => ({
    config: cfg.name,
    steps: fig20Steps(cfg).map((s) => ({ step: s.name, ...pair(buildWorkload(wl, AlgoSchema.parse(s.algo)), HardwareSchema.parse(s.hw)) })),
  }));
});

/** Table III: SpAtten1/8 on BERT-base, L = 320, the compare command's pruning. */
export const table3 = once(() =>
  pair(buildWorkload(WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 320 }), AlgoSchema.parse(COMPARE_ALGO)), HardwareSchema.parse(HARDWARE_PRESETS['spatten-1/8'])),
);

/** One random design point of mulberry32(42): models, stages, pruning, bits, hardware knobs and every timing switch. */
function randomPoint(rng: () => number) {
  const pick = <T,>(a: T[]) => a[Math.floor(rng() * a.length)];
  const wl = pick([
    { model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 2 },
    { model: 'gpt2-small', stage: 'generation', seqLen: 512, genTokens: 4 },
    { model: 'bert-base', stage: 'summarization', seqLen: pick([64, 128, 384]) },
    { model: 'bert-large', stage: 'summarization', seqLen: 256 },
    { model: 'gpt2-small', stage: 'summarization', seqLen: 256 },
  ]);
  const algo = { tokenKeep: pick([0.2, 0.4, 0.6, 1]), headKeep: pick([0.6, 0.8, 1]), valueKeep: pick([0.3, 0.5, 1]), msbBits: pick([4, 6, 8, 12]), lsbBits: pick([0, 4]) };
  const h = HardwareSchema.parse({
    topkParallelism: pick([1, 4, 16, 32]),
    keySramKB: pick([98, 196, 392]),
    valueSramKB: pick([98, 196, 392]),
    qkMultipliers: pick([128, 256, 512, 1024]),
    pvMultipliers: pick([128, 256, 512, 1024]),
    dramChannels: pick([4, 8, 16, 32]),
    inFlight: pick([4, 8, 16]),
    clockGHz: pick([0.5, 1, 2]),
    dramChannelGBps: pick([16, 32, 64]),
    topkModel: pick(['paper', 'official-rtl']),
    gateTokenTopk: pick([false, true]),
    dramMapping: pick(['RoBaRaCoCh', 'RoBaCoRaCh']),
    dramQueueDepth: pick([16, 32]),
    dramRefresh: pick([true, false]),
  });
  return { what: `${JSON.stringify(wl)} ${JSON.stringify(algo)} ${JSON.stringify(h)}`, ...pair(buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse(algo)), h) };
}

/** The 60 random design points, in draw order. */
export const random60 = once(() => {
  const rng = mulberry32(42);
  return Array.from({ length: 60 }, () => randomPoint(rng));
});

/**
 * LM traces the accuracy engine measures (sotu-gpt, tokenKeep 0.125, with and without the llm
 * token policy; test/fixtures, 4 windows each), with the cost of refresh to each model.
 */
export const lmTraces = once(() =>
  ['lm-sotu-gpt-keep0.125.csv', 'lm-sotu-gpt-keep0.125-llm.csv'].map((file) => {
    const w = readTraceFile(path.join(FIXTURES, file));
    const off = { ...hw, dramRefresh: false };
    return { file, ...pair(w, hw), noRefresh: pair(w, off) };
  }),
);
