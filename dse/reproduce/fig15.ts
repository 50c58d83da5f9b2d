/**
 * Fig. 15: SpAtten-e2e (attention + FC/FFN on the reused multiplier arrays) over TITAN Xp and
 * Xeon running the whole model in PyTorch, on the 8 GPT-2 benchmarks, with 8- and 12-bit FC
 * weights. The paper's bars are withheld from the spec (an independent check compares them).
 */
import type { FidelityName } from '../../sim/fidelities.ts';
import { compareWithBaseline } from '../../sim/baselines/compare.ts';
import { BENCHMARKS, geomean } from '../../sim/workload/benchmarks.ts';
import { benchmarkConfig, benchmarkPoint, evaluateBenchmark } from './fig14.ts';
import { sig, type PaperFigure } from './types.ts';
import { hwLabel, modelOf, envelope } from './common.ts';
import type { HardwareConfig } from '../../sim/schema.ts';
import { FAST_FIDELITY } from '../../sim/fidelities.ts';

export const FIG15_BASELINES = ['titan-xp', 'xeon'] as const;
/** The FC weight widths of SpAtten-e2e the figure compares. */
const FC_BITS = [8, 12] as const;
const gpt2 = () => BENCHMARKS.filter((x) => x.model.startsWith('gpt2'));

export interface Fig15Row {
  benchmark: string;
  fcBits: 8 | 12;
  baseline: (typeof FIG15_BASELINES)[number];
  speedup: number;
  energy_saving: number;
  spatten_latency_s: number;
  baseline_latency_s: number;
  paper: 'withheld';
}

export function fig15(model: FidelityName, hw: Partial<HardwareConfig> = {}): Fig15Row[] {
  const rows: Fig15Row[] = [];
  for (const b of gpt2()) {
    for (const bits of FC_BITS) {
      const r = evaluateBenchmark(b.name, model, { fcWeightBits: bits }, 'e2e', hw);
      const point = benchmarkPoint(b.name, { fcWeightBits: bits }, 'e2e', hw);
      for (const p of FIG15_BASELINES) {
        const c = compareWithBaseline(point, r, p);
        rows.push({ benchmark: b.name, fcBits: bits, baseline: p, speedup: c.speedup, energy_saving: c.energy_saving, spatten_latency_s: r.latency_s, baseline_latency_s: c.baseline_latency_s, paper: 'withheld' });
      }
    }
  }
  return rows;
}

export const figure: PaperFigure = {
  name: 'fig15',
  describe: 'Fig. 15: SpAtten-e2e (with FFN) speedup and energy saving over TITAN Xp and Xeon, 8 GPT-2 benchmarks, 8- and 12-bit FC',
  configs: (hw) => gpt2().flatMap((b) => FC_BITS.map((bits) => benchmarkConfig(b.name, { fcWeightBits: bits }, 'e2e', hw))),
  run(opts) {
    const model = modelOf(opts.fidelity ?? FAST_FIDELITY);
    const hw = opts.hw ?? {};
    const rows = fig15(model, hw);
    const out = [`Fig. 15 — SpAtten-e2e (attention + FC, ${hwLabel(hw)}, ${model} model) over PyTorch end-to-end; paper bars withheld`];
    out.push(`${'benchmark'.padEnd(26)}${'FC'.padStart(6)}${FIG15_BASELINES.map((p) => p.padStart(22)).join('')}`);
    const key = (r: Fig15Row) => `${r.benchmark}|${r.fcBits}`;
    const groups = new Map<string, Fig15Row[]>();
    for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
    for (const g of groups.values()) out.push(`${g[0].benchmark.padEnd(26)}${(g[0].fcBits + '-bit').padStart(6)}${g.map((r) => `${sig(r.speedup)}× / ${sig(r.energy_saving)}×`.padStart(22)).join('')}`);
    const gm: Record<string, { speedup: number; energy_saving: number }> = {};
    for (const bits of [8, 12]) {
      for (const p of FIG15_BASELINES) {
        const sel = rows.filter((r) => r.fcBits === bits && r.baseline === p);
        gm[`${p} ${bits}-bit`] = { speedup: geomean(sel.map((r) => r.speedup)), energy_saving: geomean(sel.map((r) => r.energy_saving)) };
        out.push(`${('geomean ' + bits + '-bit vs ' + p).padEnd(32)}${sig(gm[`${p} ${bits}-bit`].speedup)}× / ${sig(gm[`${p} ${bits}-bit`].energy_saving)}×`);
      }
    }
    out.push('  cells: speedup / energy saving; paper: withheld. Baselines run attention + FC/FFN + LayerNorm/GELU/residual kernels (sim/baselines/kernels.ts).');
    out.push('  FC = SpAtten-e2e\'s FC/FFN weight width in DRAM (§V-B: 8 or 12 bits); GPT-2: 32 generated after a 992-token prompt, the generation timed as §V-A');
    return { rows: envelope('fig15', model, hw, { rows, geomeans: gm, paper: 'withheld' }), text: out.join('\n') };
  },
};
