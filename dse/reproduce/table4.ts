/**
 * Table IV: FC vs attention FLOPs and latency on GPT-2-Medium (average of the 4 GPT-2-Medium
 * benchmarks, no head pruning), TITAN Xp (platform model) vs SpAtten-e2e (8- and 12-bit FC
 * weights). Target ±20% on the GPU's four numbers and SpAtten-e2e's two latencies.
 */
import type { FidelityName } from '../../sim/fidelities.ts';
import { calibration, runPlatform } from '../../sim/baselines/platforms.ts';
import { modelShape } from '../../sim/workload/models.ts';
import { BENCHMARKS } from '../../sim/workload/benchmarks.ts';
import { benchmarkConfig, evaluateBenchmark } from './fig14.ts';
import { TABLE4 } from '../../sim/paper.ts';
import { mark, pct, relErr, sig, type PaperFigure } from './types.ts';
import { hardware, hwLabel, modelOf, envelope } from './common.ts';
import type { HardwareConfig } from '../../sim/schema.ts';
import { FAST_FIDELITY } from '../../sim/fidelities.ts';

export const TABLE4_TOLERANCE = 0.2;
export const TABLE4_PAPER = TABLE4;

export interface Table4Row {
  platform: string;
  quantity: 'fcGflop' | 'attnGflop' | 'fcMs' | 'attnMs';
  ours: number;
  paper: number;
  error: number;
  /** A target row (within ±20% asked) or a check (compared only). */
  target: boolean;
  /** Target rows: within the target; checks: null. */
  ok: boolean | null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** What TITAN Xp's fcMs is made of (mean over the 4 GPT-2-Medium benchmarks): FC GEMMs, the LayerNorm/GELU/residual kernels, how many kernels and their fixed costs. */
export interface GpuFcSplit {
  gemmMs: number;
  elementwiseMs: number;
  kernels: number;
  kernelsPerLayerToken: number;
  tOpUs: number;
  tMatmulUs: number;
}

export function gpuFcSplit(): GpuFcSplit {
  const medium = BENCHMARKS.filter((b) => b.model === 'gpt2-medium');
  const gpu = medium.map((b) => ({ e2e: runPlatform('titan-xp', b, 'e2e'), attn: runPlatform('titan-xp', b, 'attention'), steps: modelShape(b.model).layers * b.genTokens }));
  const c = calibration()['titan-xp'].constants;
  return {
    gemmMs: mean(gpu.map((g) => g.e2e.byCategory.fc * 1e3)),
    elementwiseMs: mean(gpu.map((g) => g.e2e.byCategory.elementwise * 1e3)),
    kernels: mean(gpu.map((g) => g.e2e.kernels - g.attn.kernels)),
    kernelsPerLayerToken: mean(gpu.map((g) => (g.e2e.kernels - g.attn.kernels) / g.steps)),
    tOpUs: c.tOp * 1e6,
    tMatmulUs: c.tMatmul * 1e6,
  };
}

/** The FC weight widths of SpAtten-e2e in the table. */
const FC_BITS = [8, 12] as const;

/** The SpAtten configurations of the table: each GPT-2-Medium benchmark without head pruning, e2e at each FC width and attention only. */
function configs(hw: Partial<HardwareConfig>) {
  const medium = BENCHMARKS.filter((b) => b.model === 'gpt2-medium');
  return [...FC_BITS.flatMap((bits) => medium.map((b) => benchmarkConfig(b.name, { headKeep: 1, fcWeightBits: bits }, 'e2e', hw))), ...medium.map((b) => benchmarkConfig(b.name, { headKeep: 1 }, 'attention', hw))];
}

export function table4(model: FidelityName, hw: Partial<HardwareConfig> = {}): Table4Row[] {
  const medium = BENCHMARKS.filter((b) => b.model === 'gpt2-medium');
  const gpu = medium.map((b) => ({ e2e: runPlatform('titan-xp', b, 'e2e'), attn: runPlatform('titan-xp', b, 'attention') }));
  const rows: Table4Row[] = [];
  const add = (platform: string, quantity: Table4Row['quantity'], ours: number, paper: number, target: boolean) => rows.push({ platform, quantity, ours, paper, error: relErr(ours, paper), target, ok: target ? Math.abs(relErr(ours, paper)) <= TABLE4_TOLERANCE : null });
  const P = TABLE4_PAPER;
  add('TITAN Xp', 'fcGflop', mean(gpu.map((g) => (g.e2e.flops - g.attn.flops) / 1e9)), P.gpu.fcGflop, true);
  add('TITAN Xp', 'attnGflop', mean(gpu.map((g) => g.attn.flops / 1e9)), P.gpu.attnGflop, true);
  add('TITAN Xp', 'fcMs', mean(gpu.map((g) => (g.e2e.byCategory.fc + g.e2e.byCategory.elementwise) * 1e3)), P.gpu.fcMs, true);
  add('TITAN Xp', 'attnMs', mean(gpu.map((g) => g.attn.latency_s * 1e3)), P.gpu.attnMs, true);
  for (const bits of FC_BITS) {
    const rs = medium.map((b) => ({ e2e: evaluateBenchmark(b.name, model, { headKeep: 1, fcWeightBits: bits }, 'e2e', hw), attn: evaluateBenchmark(b.name, model, { headKeep: 1 }, 'attention', hw) }));
    const name = `SpAtten-e2e ${bits}-bit FC`;
    add(name, 'fcGflop', mean(rs.map((r) => r.e2e.extra!.fc_gflop)), P.spatten.fcGflop, false);
    add(name, 'attnGflop', mean(rs.map((r) => (r.attn.gops * r.attn.latency_s))), P.spatten.attnGflop, false);
    add(name, 'fcMs', mean(rs.map((r) => r.e2e.extra!.fc_latency_s * 1e3)), P.spatten.fcMs, true);
    add(name, 'attnMs', mean(rs.map((r) => r.attn.latency_s * 1e3)), P.spatten.attnMs, true);
  }
  return rows;
}

/** Bytes of FC weights Table IV's FC GFLOPs read at a width (batch 1: every weight once per token, one MAC = 2 FLOPs). */
export const fcWeightBytes = (gflop: number, bits: number) => ((gflop * 1e9) / 2) * (bits / 8);

/**
 * Why the SpAtten-e2e rows differ, from the paper's own numbers: 12-bit FC weights cannot be read in
 * Table IV's 25.75 ms at the design's peak bandwidth, and the attention row runs at the ~0.42
 * TFLOPS the paper's other GPT-2 figures share, ours faster (sim/cycle/README.md).
 */
function table4Why(rows: Table4Row[], user: Partial<HardwareConfig>): string[] {
  const h = hardware(user);
  const gbps = h.dramChannels * h.dramChannelGBps;
  const P = TABLE4_PAPER.spatten;
  const floor = (bits: number) => (fcWeightBytes(P.fcGflop, bits) / (gbps * 1e9)) * 1e3;
  const get = (platform: string, q: Table4Row['quantity']) => rows.find((r) => r.platform === platform && r.quantity === q)!.ours;
  const ours = get('SpAtten-e2e 8-bit FC', 'attnGflop') / get('SpAtten-e2e 8-bit FC', 'attnMs');
  return [
    `  FC width: the paper does not say; both are shown. ${P.fcGflop} GFLOP reads ${sig(fcWeightBytes(P.fcGflop, 1) * 8 / 1e9)} G weights (batch 1: each once per token), so at ${gbps} GB/s peak 12-bit weights need ≥ ${sig(floor(12))} ms and 8-bit ≥ ${sig(floor(8))} ms: the paper's ${P.fcMs} ms fits 8-bit only.`,
    `  attnMs: ours runs this attention at ${sig(ours)} TFLOPS (executed GFLOP / ms), the paper at ${sig(P.attnGflop / P.attnMs)} (${P.attnGflop} GFLOP in ${P.attnMs} ms), the rate its §5.4 GPT-2 throughput (0.43)`,
    '  and Fig. 20\'s 209× share; this model meets those only on a DRAM slower than Table I\'s (node --import tsx scripts/gpt2-bandwidth.ts tabulates it;',
    '  sim/cycle/README.md "Other targets on Table I"). SpAtten attention GFLOPs = executed (pruned) operations.',
  ];
}

export const figure: PaperFigure = {
  name: 'table4',
  describe: 'Table IV: FC vs attention FLOPs and latency, TITAN Xp vs SpAtten-e2e (GPT-2-Medium, no head pruning)',
  configs,
  run(opts) {
    const model = modelOf(opts.fidelity ?? FAST_FIDELITY);
    const hw = opts.hw ?? {};
    const rows = table4(model, hw);
    const out = [`Table IV — GPT-2-Medium (4 benchmarks, 992 + 32 tokens), no head pruning; SpAtten-e2e on ${hwLabel(hw)} (${model} model)`];
    out.push(`  target (this project's, the paper states none): ±${100 * TABLE4_TOLERANCE}%; ok = met, MISS = not met, (check) = compared, not a target; GFLOP and ms per generated sentence (32 tokens)`);
    out.push(`${'platform'.padEnd(24)}${'quantity'.padEnd(11)}${'ours'.padStart(10)}${'paper'.padStart(10)}${'error'.padStart(8)}`);
    for (const r of rows) out.push(`${r.platform.padEnd(24)}${r.quantity.padEnd(11)}${sig(r.ours).padStart(10)}${String(r.paper).padStart(10)}${pct(r.error).padStart(8)} ${r.target ? mark(r.error, TABLE4_TOLERANCE) : '(check)'}`);
    const s = gpuFcSplit();
    // what the GPU rows are calibrated on, and what its fcMs (the TITAN Xp miss) is made of, lead the why
    const because = [
      '  GPU: calibrated on Table IV attention latency + Fig. 2 (so attnMs is met by construction); fcMs, both GFLOPs are predictions.',
      `  TITAN Xp fcMs = FC GEMMs ${sig(s.gemmMs)} ms + LayerNorm/GELU/residual ${sig(s.elementwiseMs)} ms: ${Math.round(s.kernels)} kernels (${sig(s.kernelsPerLayerToken)} per layer and token), each with the fixed cost calibrated on attention (${sig(s.tOpUs)} µs, GEMMs ${sig(s.tMatmulUs)} µs); Table IV does not split its 388.3 ms.`,
      ...table4Why(rows, hw),
    ];
    out.push(...because);
    return { rows: envelope('table4', model, hw, { rows, gpuFc: s, paper: TABLE4_PAPER, why: because }), text: out.join('\n') };
  },
};
