/**
 * Fig. 18: roofline points. Operational intensity counts only the memory access for the input
 * Q, K, V and the attention outputs (§V-C): FP32 tensors for TITAN Xp (dense), SpAtten's DRAM
 * bytes (pruned, quantized Q/K/V fetched) plus its 12-bit attention outputs. Throughput: dense
 * FLOPs / latency for the GPU, executed operations / latency for SpAtten (§5.4's 1.61 / 0.43
 * TFLOPS). Each point is the mean over the benchmark set (22 BERT, 8 GPT-2).
 */
import type { FidelityName } from '../../sim/fidelities.ts';
import { runPlatform, PLATFORM_DATA } from '../../sim/baselines/platforms.ts';
import { modelShape } from '../../sim/workload/models.ts';
import { resolveWorkload } from '../../sim/index.ts';
import { BENCHMARKS, type Benchmark } from '../../sim/workload/benchmarks.ts';
import { dramBytesPerCycle } from '../../sim/hw/analytical.ts';
import { benchmarkPoint, evaluateBenchmark, suiteConfigs } from './fig14.ts';
import { pct, relErr, sig, type PaperFigure } from './types.ts';
import { hardware, hwLabel, modelOf, envelope } from './common.ts';
import type { HardwareConfig } from '../../sim/schema.ts';
import { FAST_FIDELITY } from '../../sim/fidelities.ts';
import { FIG18_POINTS } from '../../sim/paper.ts';

export const FIG18_PAPER = FIG18_POINTS;
/** The roofs Fig. 18 draws (§5.4): SpAtten 2 TFLOPS and 512 GB/s, TITAN Xp "12" TFLOPS (its label; no bandwidth given). */
export const FIG18_ROOFS = { SpAtten: '2 TFLOPS, 512 GB/s (§V-C)', 'TITAN Xp': '≈12 TFLOPS (Fig. 18 label), bandwidth not given' } as const;
type PointName = keyof typeof FIG18_PAPER;

/** FP32 bytes of the attention inputs (Q, K, V) and outputs of a dense benchmark. */
export function gpuIoBytes(b: Benchmark): number {
  const m = modelShape(b.model);
  const d = m.dModel;
  if (b.stage === 'summarization') return m.layers * 4 * b.seqLen * d * 4;
  let s = 0;
  for (let i = 0; i < b.genTokens; i++) s += (2 * (b.seqLen + 1 + i) * d + 2 * d) * 4;
  return m.layers * s;
}

export interface Fig18Point {
  point: PointName;
  opsPerByte: number;
  tflops: number;
  paper: { opsPerByte: number; tflops: number };
  error: { opsPerByte: number; tflops: number };
  /**
   * BERT points: the same means without the SQuAD benchmarks (dataset-derived L = 213, the only
   * BERT lengths above §V-C's "less than 100"; sim/workload/benchmarks.json), and SQuAD's share of
   * the mean TFLOPS — why a mean can sit far from the paper's point.
   */
  withoutSquad?: { n: number; squad: number; squadLen: number[]; opsPerByte: number; tflops: number; squadShareOfTflops: number };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The benchmark sets of the figure's points. */
const benchmarkSets = () => ({ BERT: BENCHMARKS.filter((b) => b.model.startsWith('bert')), 'GPT-2': BENCHMARKS.filter((b) => b.model.startsWith('gpt2')) });

export function fig18(model: FidelityName, user: Partial<HardwareConfig> = {}): { points: Fig18Point[]; roofs: Record<string, { tflops: number; gbps: number }> } {
  const sets = benchmarkSets();
  const points: Fig18Point[] = [];
  for (const [set, list] of Object.entries(sets)) {
    const gpu = list.map((b) => {
      const r = runPlatform('titan-xp', b);
      return { squad: /squad/i.test(b.task), L: b.seqLen, oi: r.flops / gpuIoBytes(b), tf: r.flops / r.latency_s / 1e12 };
    });
    const sp = list.map((b) => {
      const r = evaluateBenchmark(b.name, model, {}, 'attention', user);
      const w = resolveWorkload(benchmarkPoint(b.name, {}, 'attention', user));
      const outBytes = w.requests.reduce((s, q) => s + (q.queries * q.D * 12) / 8, 0);
      const ops = r.gops * 1e9 * r.latency_s;
      return { squad: /squad/i.test(b.task), L: b.seqLen, oi: ops / (r.dram_bytes + outBytes), tf: r.gops / 1e3 };
    });
    for (const [who, xs] of [['TITAN Xp', gpu], ['SpAtten', sp]] as const) {
      const name = `${who} ${set}` as PointName;
      const oi = mean(xs.map((x) => x.oi));
      const tf = mean(xs.map((x) => x.tf));
      const paper = FIG18_PAPER[name];
      const rest = xs.filter((x) => !x.squad);
      const withoutSquad =
        rest.length < xs.length
          ? { n: rest.length, squad: xs.length - rest.length, squadLen: [...new Set(xs.filter((x) => x.squad).map((x) => x.L))], opsPerByte: mean(rest.map((x) => x.oi)), tflops: mean(rest.map((x) => x.tf)), squadShareOfTflops: 1 - rest.reduce((s, x) => s + x.tf, 0) / xs.reduce((s, x) => s + x.tf, 0) }
          : undefined;
      points.push({ point: name, opsPerByte: oi, tflops: tf, paper: { ...paper }, error: { opsPerByte: relErr(oi, paper.opsPerByte), tflops: relErr(tf, paper.tflops) }, ...(withoutSquad ? { withoutSquad } : {}) });
    }
  }
  const hw = hardware(user);
  const g = PLATFORM_DATA.platforms['titan-xp'];
  return {
    points,
    roofs: {
      SpAtten: { tflops: (2 * (hw.qkMultipliers + hw.pvMultipliers) * hw.clockGHz) / 1e3, gbps: dramBytesPerCycle(hw) * hw.clockGHz },
      'TITAN Xp': { tflops: g.peakFlops.value / 1e12, gbps: g.bandwidth.value / 1e9 },
    },
  };
}

/** What the gaps of the SpAtten points come from, as far as it is known (sim/cycle/README.md "Other targets on Table I"). */
function why(points: Fig18Point[]): string[] {
  const p = (n: PointName) => points.find((x) => x.point === n)!;
  const gpt = p('SpAtten GPT-2');
  const rate = (x: { opsPerByte: number; tflops: number }) => (x.tflops * 1e3) / x.opsPerByte;
  const ratio = (x: { opsPerByte: number }, y: { opsPerByte: number }) => x.opsPerByte / y.opsPerByte;
  const gain = (a: number, b: number) => pct(a / b - 1);
  const sp = p('SpAtten BERT');
  const gpu = p('TITAN Xp BERT');
  return [
    `  why SpAtten GPT-2: TFLOPS = ops/B × GB/s; ours ${sig(gpt.opsPerByte)} ops/B × ${sig(rate(gpt))} GB/s, the paper's point ${gpt.paper.opsPerByte} × ${sig(rate(gpt.paper))} GB/s:`,
    `    ${gain(gpt.opsPerByte, gpt.paper.opsPerByte)} from the intensity (the suite's §5.3-derived GPT-2 setting fetches fewer bytes per operation), ${gain(rate(gpt), rate(gpt.paper))} from the rate.`,
    `  why SpAtten BERT ops/B: both intensities grow in proportion to the sentence length, so their ratio does not depend on it: SpAtten / TITAN Xp`,
    `    = ${sig(ratio(sp, gpu))} here, ${sig(ratio(sp.paper, gpu.paper))} in the paper (${sp.paper.opsPerByte} / ${gpu.paper.opsPerByte}); the paper does not give the bytes per element it counts, and no mechanism is identified.`,
  ];
}

export const figure: PaperFigure = {
  name: 'fig18',
  describe: 'Fig. 18: roofline points (operational intensity, throughput) of TITAN Xp and SpAtten on BERT and GPT-2',
  configs: (hw) => suiteConfigs(Object.values(benchmarkSets()).flat(), hw),
  run(opts) {
    const model = modelOf(opts.fidelity ?? FAST_FIDELITY);
    const hw = opts.hw ?? {};
    const f = fig18(model, hw);
    const out = [`Fig. 18 — roofline points, mean over each benchmark set (SpAtten ${hwLabel(hw)}, ${model} model)`];
    out.push("  paper: ops/B read off Fig. 18 (approximate, ≈), TFLOPS from §5.4's text; ops/B = operations per byte of Q, K, V in and attention out (§V-C); TFLOPS = executed for SpAtten, dense for the GPU");
    out.push(`${'point'.padEnd(16)}${'ops/B'.padStart(9)}${'paper'.padStart(8)}${'err'.padStart(7)}${'TFLOPS'.padStart(10)}${'paper'.padStart(8)}${'err'.padStart(7)}`);
    for (const p of f.points) out.push(`${p.point.padEnd(16)}${sig(p.opsPerByte).padStart(9)}${`≈${p.paper.opsPerByte}`.padStart(8)}${pct(p.error.opsPerByte).padStart(7)}${sig(p.tflops).padStart(10)}${String(p.paper.tflops).padStart(8)}${pct(p.error.tflops).padStart(7)}`);
    const source: Record<string, string> = { SpAtten: `${hwLabel(hw)} multipliers; HBM derated by refresh`, 'TITAN Xp': 'datasheet peaks' };
    // the BERT means without SQuAD (the TITAN Xp BERT TFLOPS gap: 4 long benchmarks dominate the mean) are part of the why
    const squad = f.points.flatMap((p) => {
      const w = p.withoutSquad;
      return w ? [`  ${p.point} without the ${w.squad} SQuAD benchmarks (L ${w.squadLen.join('/')}; they are ${(100 * w.squadShareOfTflops).toFixed(0)}% of the TFLOPS sum): ${sig(w.opsPerByte)} ops/B (${pct(relErr(w.opsPerByte, p.paper.opsPerByte))}), ${sig(w.tflops)} TFLOPS (${pct(relErr(w.tflops, p.paper.tflops))}) over the other ${w.n}`] : [];
    });
    const because = [...squad, ...why(f.points)];
    out.push(...because);
    for (const [k, r] of Object.entries(f.roofs)) out.push(`  roof ${k}: ${sig(r.tflops)} TFLOPS, ${sig(r.gbps)} GB/s (${source[k] ?? ''}); paper ${FIG18_ROOFS[k as keyof typeof FIG18_ROOFS]}`);
    return { rows: envelope('fig18', model, hw, { ...f, why: because }), text: out.join('\n') };
  },
};
