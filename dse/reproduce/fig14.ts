/**
 * Fig. 14: speedup and energy saving of SpAtten (Table I, attention only) over TITAN Xp, Xeon,
 * Jetson Nano and Raspberry Pi on the 30 benchmarks, with geomeans. The per-benchmark bars are
 * withheld from the spec (an independent check compares them); the geomeans are §5.1's.
 * Also exports the suite evaluation the headline, Fig. 18 and Table IV reuse.
 */
import type { FidelityName } from '../../sim/fidelities.ts';
import { evaluateHardware } from '../../sim/index.ts';
import { AlgoSchema, WorkloadSchema, type AlgoConfig, type DesignPoint, type HardwareConfig } from '../../sim/schema.ts';
import type { HwResult } from '../../sim/hw/types.ts';
import { BENCHMARKS, benchmark, geomean, type Benchmark } from '../../sim/workload/benchmarks.ts';
import { compareWithBaseline } from '../../sim/baselines/compare.ts';
import { PLATFORM_NAMES, type PlatformName } from '../../sim/baselines/platforms.ts';
import { sig, type FigureConfig, type PaperFigure } from './types.ts';
import { checkWord, hardware, hwLabel, modelOf, envelope } from './common.ts';
import { FAST_FIDELITY } from '../../sim/fidelities.ts';
import { HEADLINE } from '../../sim/paper.ts';

/** The design point of a benchmark on the Table I design (algo overrides on top of its settings; `hw`: the user's `--set hw.X=…`). */
export function benchmarkPoint(name: string, algo: Partial<AlgoConfig> = {}, scope: 'attention' | 'e2e' = 'attention', hw: Partial<HardwareConfig> = {}): DesignPoint {
  const b = benchmark(name);
  return {
    hw: hardware(hw),
    algo: AlgoSchema.parse({ ...b.algo, ...algo }),
    workload: WorkloadSchema.parse({ model: b.model, stage: b.stage, seqLen: b.seqLen, genTokens: b.genTokens, benchmark: b.name, ...(scope === 'e2e' ? { scope } : {}) }),
  };
}

/** A benchmark's design point (`benchmarkPoint`) with the name the figures' messages give it. */
export function benchmarkConfig(name: string, algo: Partial<AlgoConfig> = {}, scope: 'attention' | 'e2e' = 'attention', hw: Partial<HardwareConfig> = {}): FigureConfig {
  const set = Object.entries(algo).map(([k, v]) => ` algo.${k}=${v}`).join('');
  return { config: `benchmark ${name}${scope === 'e2e' ? ' (scope e2e)' : ''}${set}`, point: benchmarkPoint(name, algo, scope, hw) };
}

/** The configurations `suite` runs: each benchmark of `list` with its own settings, attention only. */
export function suiteConfigs(list: readonly Benchmark[], hw: Partial<HardwareConfig> = {}): FigureConfig[] {
  return list.map((b) => benchmarkConfig(b.name, {}, 'attention', hw));
}

const cache = new Map<string, HwResult>();
/** SpAtten's result on a benchmark (memoised per model, benchmark, overrides, scope and hardware overrides). */
export function evaluateBenchmark(name: string, model: FidelityName, algo: Partial<AlgoConfig> = {}, scope: 'attention' | 'e2e' = 'attention', hw: Partial<HardwareConfig> = {}): HwResult {
  const key = JSON.stringify([name, model, algo, scope, hw]);
  let r = cache.get(key);
  if (!r) {
    const { config, point } = benchmarkConfig(name, algo, scope, hw);
    checkWord(point, config);
    r = evaluateHardware(point, { fidelity: model });
    cache.set(key, r);
  }
  return r;
}

export interface SuiteRow {
  benchmark: string;
  task: string;
  model: string;
  seqLen: number;
  spatten: { latency_s: number; energy_j: number; power_w: number; gops: number };
  speedup: Record<PlatformName, number>;
  energy_saving: Record<PlatformName, number>;
}

/** The 30 benchmarks against every platform (SpAtten on Table I, or with the user's hardware overrides). */
export function suite(model: FidelityName, list: readonly Benchmark[] = BENCHMARKS, hw: Partial<HardwareConfig> = {}): SuiteRow[] {
  return list.map((b) => {
    const r = evaluateBenchmark(b.name, model, {}, 'attention', hw);
    const point = benchmarkPoint(b.name, {}, 'attention', hw);
    const speedup = {} as Record<PlatformName, number>;
    const energy_saving = {} as Record<PlatformName, number>;
    for (const p of PLATFORM_NAMES) {
      const c = compareWithBaseline(point, r, p);
      speedup[p] = c.speedup;
      energy_saving[p] = c.energy_saving;
    }
    return { benchmark: b.name, task: b.task, model: b.model, seqLen: b.seqLen, spatten: { latency_s: r.latency_s, energy_j: r.energy_j, power_w: r.power_w, gops: r.gops }, speedup, energy_saving };
  });
}

export interface Geomeans {
  set: string;
  speedup: Record<PlatformName, number>;
  energy_saving: Record<PlatformName, number>;
}

export function geomeans(rows: SuiteRow[], set: string, pick: (r: SuiteRow) => boolean = () => true): Geomeans {
  const sel = rows.filter(pick);
  const speedup = {} as Record<PlatformName, number>;
  const energy_saving = {} as Record<PlatformName, number>;
  for (const p of PLATFORM_NAMES) {
    speedup[p] = geomean(sel.map((r) => r.speedup[p]));
    energy_saving[p] = geomean(sel.map((r) => r.energy_saving[p]));
  }
  return { set, speedup, energy_saving };
}

function text(rows: SuiteRow[], gm: Geomeans[], model: string, hw: Partial<HardwareConfig>): string {
  const out = [`Fig. 14 — speedup / energy saving of SpAtten (${hwLabel(hw)}, attention only; ${model} model) over PyTorch baselines; per-benchmark paper bars withheld`];
  out.push(`${'benchmark'.padEnd(26)}${'L'.padStart(5)}${'SpAtten'.padStart(11)}${PLATFORM_NAMES.map((p) => p.padStart(18)).join('')}`);
  for (const r of rows) {
    out.push(`${r.benchmark.padEnd(26)}${String(r.seqLen).padStart(5)}${(sig(r.spatten.latency_s * 1e3) + ' ms').padStart(11)}${PLATFORM_NAMES.map((p) => `${sig(r.speedup[p])}× / ${sig(r.energy_saving[p])}×`.padStart(18)).join('')}`);
  }
  for (const g of gm) out.push(`${('geomean ' + g.set).padEnd(42)}${PLATFORM_NAMES.map((p) => `${sig(g.speedup[p])}× / ${sig(g.energy_saving[p])}×`.padStart(18)).join('')}`);
  const paper = PLATFORM_NAMES.map((p) => (p in HEADLINE ? `${HEADLINE[p as keyof typeof HEADLINE].speedup}× / ${HEADLINE[p as keyof typeof HEADLINE].energy_saving}×` : 'not in the paper').padStart(18)).join('');
  out.push(`${'paper geomean (§5.1)'.padEnd(42)}${paper}`);
  out.push('  cells: speedup / energy saving = platform latency / ours, platform energy / ours; per-benchmark paper values: withheld (independent check)');
  out.push('  L = tokens per sentence (BERT: derived from the dev split, sim/workload/benchmarks.json; GPT-2: 32 generated after a 992-token prompt, the generation timed as §V-A); SpAtten = our latency per sentence');
  return out.join('\n');
}

export const figure: PaperFigure = {
  name: 'fig14',
  describe: 'Fig. 14: speedup and energy saving over TITAN Xp, Xeon, Jetson Nano, Raspberry Pi on the 30 benchmarks, with geomeans',
  configs: (hw) => suiteConfigs(BENCHMARKS, hw),
  run(opts) {
    const model = modelOf(opts.fidelity ?? FAST_FIDELITY);
    const hw = opts.hw ?? {};
    const rows = suite(model, BENCHMARKS, hw);
    const gm = [geomeans(rows, 'all 30'), geomeans(rows, 'BERT (22)', (r) => r.model.startsWith('bert')), geomeans(rows, 'GPT-2 (8)', (r) => r.model.startsWith('gpt2'))];
    return { rows: envelope('fig14', model, hw, { benchmarks: rows, geomeans: gm, paper: { perBenchmark: 'withheld', geomeans: HEADLINE } }), text: text(rows, gm, model, hw) };
  },
};
