/**
 * Fig. 20 from the GPU baseline: TITAN Xp (platform model, dense attention in PyTorch) → the
 * specialised datapath (ASIC baseline: dense, 12-bit, 1-comparator top-k) 22.1× → after cascade
 * token, head pruning and the 16-comparator top-k 74.2× → after static and progressive
 * quantization 209.0×, geomean over the 8 GPT-2 benchmarks (992-token context, 32 generated).
 * The SpAtten-internal steps are the `reproduce fig20` steps (their settings, their hardware
 * readings); only the GPU step and the workloads (the 8 benchmarks) are added here.
 */
import { AlgoSchema, WorkloadSchema, type HardwareConfig } from '../../sim/schema.ts';
import { evaluateHardware } from '../../sim/index.ts';
import { runPlatform } from '../../sim/baselines/platforms.ts';
import { BENCHMARKS, geomean, type Benchmark } from '../../sim/workload/benchmarks.ts';
import { FIG20_CONFIGS, FIG20_TOPK_STEPS, fig20Steps, type Fig20Config } from './fig20.ts';
import { mark, pct, relErr, sig, type FigureConfig, type PaperFigure } from './types.ts';
import { checkWord, hardware, hwLabel, modelOf, userNote, type ModelName, envelope } from './common.ts';
import { FAST_FIDELITY } from '../../sim/fidelities.ts';
import { suite, suiteConfigs } from './fig14.ts';
import { FIG20_FROM_GPU } from '../../sim/paper.ts';

export const FIG20GPU_TOLERANCE = 0.15;
/** Cumulative speedups over TITAN Xp after step index (0 = ASIC baseline, 3 = top-k, 5 = final). */
export const FIG20GPU_PAPER = FIG20_FROM_GPU;

export interface Fig20GpuResult {
  config: string;
  note: string;
  /** The user's `--set hw.X=…` overrides on every step; empty on the figure's own hardware. */
  hwSet: Partial<HardwareConfig>;
  /** Geomean over the 8 GPT-2 benchmarks of GPU latency / step latency, for every step. */
  cumulative: number[];
  steps: string[];
  targets: { name: string; ours: number; paper: number; error: number; ok: boolean }[];
  perModel: Record<string, { gpuMs: number; stepMs: number[] }>;
  /**
   * The ASIC baseline's DRAM rate (geomean over the 8 benchmarks of its dense bytes over a latency):
   * ours, and the one the paper's 22.1× implies (TITAN Xp's latency / 22.1).
   */
  asicBaselineGBps: { ours: number; impliedByPaper: number };
}

/** The design point of a step of a configuration on a benchmark (its shape; the step's settings), named as the figure's messages name it. */
function stepConfig(c: Fig20Config, b: Benchmark, s: ReturnType<typeof fig20Steps>[number], user: Partial<HardwareConfig>): FigureConfig {
  const workload = WorkloadSchema.parse({ model: b.model, stage: b.stage, seqLen: b.seqLen, genTokens: b.genTokens });
  return { config: `configuration ${c.name}, benchmark ${b.name}, step "${s.name}"`, point: { hw: hardware(s.hw, user), algo: AlgoSchema.parse(s.algo), workload } };
}

/** The 8 GPT-2 benchmarks. */
const gpt2 = () => BENCHMARKS.filter((b) => b.model.startsWith('gpt2'));

export function fig20gpu(model: ModelName, config: Fig20Config, user: Partial<HardwareConfig> = {}): Fig20GpuResult {
  const gpt = gpt2();
  const steps = fig20Steps(config);
  const perModel: Fig20GpuResult['perModel'] = {};
  const ratios: number[][] = steps.map(() => []);
  const rates = { ours: [] as number[], impliedByPaper: [] as number[] };
  for (const b of gpt) {
    const gpu = runPlatform('titan-xp', b).latency_s;
    const stepMs: number[] = [];
    steps.forEach((s, i) => {
      const { config: name, point: p } = stepConfig(config, b, s, user);
      checkWord(p, name);
      const r = evaluateHardware(p, { fidelity: model });
      ratios[i].push(gpu / r.latency_s);
      stepMs.push(r.latency_s * 1e3);
      if (i === 0) {
        rates.ours.push(r.dram_bytes / r.latency_s / 1e9);
        rates.impliedByPaper.push(r.dram_bytes / (gpu / FIG20_FROM_GPU[0].paper) / 1e9);
      }
    });
    perModel[b.model] = { gpuMs: gpu * 1e3, stepMs };
  }
  const cumulative = ratios.map(geomean);
  const targets = FIG20GPU_PAPER.map((t) => {
    const ours = cumulative[t.step];
    const error = relErr(ours, t.paper);
    return { name: t.name, ours, paper: t.paper, error, ok: Math.abs(error) <= FIG20GPU_TOLERANCE };
  });
  const asicBaselineGBps = { ours: geomean(rates.ours), impliedByPaper: geomean(rates.impliedByPaper) };
  return { config: config.name, note: config.note + userNote(user), hwSet: user, cumulative, steps: steps.map((s) => s.name), targets, perModel, asicBaselineGBps };
}

/** The mechanism of the datapath step's gap, which the later steps carry (sim/cycle/README.md "Other targets on Table I"). */
function why(r: Fig20GpuResult, user: Partial<HardwareConfig>): string[] {
  const { ours, impliedByPaper } = r.asicBaselineGBps;
  const h = hardware(user);
  const peak = h.dramChannels * h.dramChannelGBps;
  return [
    `why (configuration ${r.config}): the ASIC baseline fetches its dense 12-bit K/V at ${sig(ours)} GB/s here; the paper's ${FIG20_FROM_GPU[0].paper}× puts the same bytes at ${sig(impliedByPaper)} GB/s,`,
    `  ${Math.round((100 * impliedByPaper) / peak)}% of the ${peak} GB/s peak; every later step multiplies that baseline and adds its own gap (reproduce fig20), see`,
    '  node --import tsx scripts/gpt2-bandwidth.ts and sim/cycle/README.md "Other targets on Table I"',
  ];
}

/**
 * Why the suite's final and each configuration's final differ: the suite runs each benchmark's own
 * settings (sim/workload/benchmarks.json), the configurations Fig. 20's step settings.
 */
function suiteNote(): string[] {
  const suite = gpt2();
  const settings = [...new Set(suite.map((b) => Object.entries(b.algo).map(([k, v]) => `${k} ${v}`).join(', ')))];
  const what = settings.length === 1 ? `${settings[0]}; as simulate -w ${suite[0].name} runs them` : `per benchmark (${settings.length} settings)`;
  return [
    `  (the ${suite.length} benchmarks' own settings: ${what}.`,
    `  each configuration's final below runs the settings named on its step lines instead, so it is another number against the same ${FIG20_FROM_GPU[2].paper}×)`,
  ];
}

/** The Table I reading first (the headline), then the other readings of `reproduce fig20`. */
function configs(): Fig20Config[] {
  const t1 = FIG20_CONFIGS.find((c) => c.name === 'table1');
  return t1 ? [t1, ...FIG20_CONFIGS.filter((c) => c !== t1)] : [...FIG20_CONFIGS];
}

export const figure: PaperFigure = {
  name: 'fig20gpu',
  describe: 'Fig. 20 from the GPU: TITAN Xp → datapath 22.1× → pruning 74.2× → quantization 209.0× (8 GPT-2 benchmarks)',
  fixes: { topkParallelism: FIG20_TOPK_STEPS },
  // each configuration's steps on the 8 GPT-2 benchmarks, and the suite's settings on them
  configs: (hw) => [...configs().flatMap((c) => gpt2().flatMap((b) => fig20Steps(c).map((s) => stepConfig(c, b, s, hw)))), ...suiteConfigs(gpt2(), hw)],
  run(opts) {
    const model = modelOf(opts.fidelity ?? FAST_FIDELITY);
    const hw = opts.hw ?? {};
    const res = configs().map((c) => fig20gpu(model, c, hw));
    // The end point with every technique is also what Fig. 14's GPT-2 bars measure: SpAtten with
    // the benchmark suite's settings (derived from §5.3's averages) over TITAN Xp.
    const gpt = suite(model, BENCHMARKS, hw).filter((r) => r.model.startsWith('gpt2'));
    const suiteFinal = geomean(gpt.map((r) => r.speedup['titan-xp']));
    const suiteErr = relErr(suiteFinal, FIG20_FROM_GPU[2].paper);
    const out = [`Fig. 20 from TITAN Xp — geomean over the 8 GPT-2 benchmarks (${model} model)`];
    out.push(`  speedup over TITAN Xp (our PyTorch model of it, calibrated on Table IV's attention latency) after each step; target (this project's, the paper states none): ±${100 * FIG20GPU_TOLERANCE}%; ok = met, MISS = not met`);
    out.push(`final with the benchmark suite's settings (§5.3-derived, ${hwLabel(hw)}): ${sig(suiteFinal)}×  paper 209×  ${pct(suiteErr)} ${mark(suiteErr, FIG20GPU_TOLERANCE)}`);
    out.push(...suiteNote());
    for (const r of res) {
      out.push(`configuration ${r.config}: ${r.note}`);
      r.steps.forEach((s, i) => out.push(`  ${s.padEnd(60)}${(sig(r.cumulative[i]) + '×').padStart(9)}`));
      for (const t of r.targets) out.push(`  ${('→ ' + t.name).padEnd(60)}${(sig(t.ours) + '×').padStart(9)}  paper ${t.paper}×  ${pct(t.error)} ${mark(t.error, FIG20GPU_TOLERANCE)}`);
      for (const [m, v] of Object.entries(r.perModel)) out.push(`  ${m}: GPU ${sig(v.gpuMs)} ms; steps ${v.stepMs.map((x) => sig(x)).join(' / ')} ms`);
    }
    const because = why(res[0], hw);
    out.push(...because);
    return { rows: envelope('fig20gpu', model, hw, { paper: FIG20_FROM_GPU, configurations: res, suiteFinal: { ours: suiteFinal, paper: FIG20_FROM_GPU[2].paper, error: suiteErr, ok: Math.abs(suiteErr) <= FIG20GPU_TOLERANCE }, why: because }), text: out.join('\n') };
  },
};
