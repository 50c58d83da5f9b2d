/**
 * Platform models of the paper's CPU/GPU/edge baselines (TITAN Xp, Xeon E5-2640 v4, Jetson Nano,
 * Raspberry Pi 4) running dense attention — and the FC/FFN layers — in PyTorch, batch 1, FP32.
 * Pure: no I/O; constants in platforms.json (cited) and calibrated here from the anchors listed
 * there (numbers the spec gives), never per benchmark.
 *
 * Model. Every kernel PyTorch launches (kernels.ts) costs a fixed time plus its roofline time:
 *     t_k = t_fixed + max(flops_k / F_peak, bytes_k / (η · B_peak))
 * t_fixed = t_mm for cuBLAS/MKL GEMMs, t_op for every other kernel (framework dispatch + launch:
 * at batch 1 the paper's Fig. 2 shows data movement and small kernels, not the math, dominate).
 * Energy = dynamic power × latency (the paper subtracts idle power, §4.5).
 *
 * Calibration (which number calibrates which constant):
 *  - TITAN Xp: F_peak, B_peak datasheet, η = 1. t_mm and t_op from two linear equations on the
 *    calibration workload (GPT-2-Medium, 32 generation steps after 992 tokens): total = Table IV's
 *    366.7 ms, GEMM kernels = Fig. 2's 27% (Q×K 16.4% + prob×V 10.6%).
 *  - Xeon, Jetson Nano, Raspberry Pi: F_peak, B_peak datasheet; t_op and η (the fraction of peak
 *    bandwidth PyTorch's copy kernels reach) from two equations: (1) attention on the calibration
 *    workload = Fig. 2 left (Xeon ≈ 1.5 s, Nano ≈ 5.6 s) or §I's 43 s (Raspberry Pi); (2) the
 *    geomean over the 30 benchmarks of the platform's attention latency over TITAN Xp's = the
 *    ratio of §5.1's speedups (347/162, 1095/162, 5071/162) — a ratio of two baselines, so it
 *    does not involve any SpAtten number. Nano: t_mm/t_op as TITAN Xp's (same CUDA path); CPUs:
 *    t_mm = t_op. When (2) cannot be met with η ≤ 1 the closest value is kept and reported.
 *  - Dynamic power: §5.1's energy saving / speedup = P_platform / P_SpAtten; with Table II's
 *    8.30 W for SpAtten, P_platform = 8.30 W × (saving / speedup). Checked against the TDP.
 *  - A platform the paper did not measure (an entry with `like` instead of `anchors`, checked by
 *    platform-entries.ts): its own datasheet F_peak, B_peak and cited dynamic power; t_op, t_mm
 *    and η of the `like` platform (same PyTorch stack, batch 1). Nothing is fitted: model estimates.
 */
import data from './platforms.json' with { type: 'json' };
import type { ModelName, Stage } from '../schema.ts';
import { modelShape } from '../workload/models.ts';
import { BENCHMARKS, geomean } from '../workload/benchmarks.ts';
import { checkPlatformEntries, type Anchors, type PlatformEntry } from './platform-entries.ts';
import { attentionGenerationKernels, attentionSummarizationKernels, fcKernels, type Kernel, type KernelCategory } from './kernels.ts';

export const PLATFORM_DATA = data;
export const PLATFORM_NAMES = ['titan-xp', 'xeon', 'jetson-nano', 'rpi4'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];
export type Scope = 'attention' | 'e2e';

export interface PlatformWorkload {
  model: ModelName;
  stage: Stage;
  seqLen: number;
  genTokens: number;
}

export interface PlatformConstants {
  name: string;
  peakFlops: number;
  bandwidth: number;
  /** Fraction of peak bandwidth reached by the kernels (1 for the GPUs' datasheet roof). */
  bwEff: number;
  /** Fixed cost of a non-GEMM kernel, seconds. */
  tOp: number;
  /** Fixed cost of a GEMM kernel, seconds. */
  tMatmul: number;
  dynamicPowerW: number;
}

export interface PlatformResult {
  platform: string;
  latency_s: number;
  energy_j: number;
  flops: number;
  bytes: number;
  kernels: number;
  /** Seconds per Fig. 2 category (qk, pv, softmax, movement for attention; fc, elementwise for FC). */
  byCategory: Record<KernelCategory, number>;
}

/** Each (kernel list, multiplicity) of a workload: dense, every layer alike. */
function kernelGroups(wl: PlatformWorkload, scope: Scope): { ks: Kernel[]; times: number }[] {
  const m = modelShape(wl.model);
  const out: { ks: Kernel[]; times: number }[] = [];
  const fc = scope === 'e2e';
  if (wl.stage === 'summarization') {
    out.push({ ks: attentionSummarizationKernels(m, wl.seqLen, m.kind === 'decoder'), times: m.layers });
    if (fc) out.push({ ks: fcKernels(m, wl.seqLen), times: m.layers });
  } else {
    for (let i = 0; i < wl.genTokens; i++) out.push({ ks: attentionGenerationKernels(m, wl.seqLen + 1 + i), times: m.layers });
    if (fc) out.push({ ks: fcKernels(m, 1), times: m.layers * wl.genTokens });
  }
  return out;
}

function emptyCategories(): Record<KernelCategory, number> {
  return { qk: 0, pv: 0, softmax: 0, movement: 0, fc: 0, elementwise: 0 };
}

/** Latency and energy of a workload on a platform with the given constants. */
export function runOn(c: PlatformConstants, wl: PlatformWorkload, scope: Scope = 'attention'): PlatformResult {
  const byCategory = emptyCategories();
  let flops = 0;
  let bytes = 0;
  let kernels = 0;
  for (const g of kernelGroups(wl, scope)) {
    for (const k of g.ks) {
      const t = (k.matmul ? c.tMatmul : c.tOp) + Math.max(k.flops / c.peakFlops, k.bytes / (c.bwEff * c.bandwidth));
      byCategory[k.category] += t * g.times;
      flops += k.flops * g.times;
      bytes += k.bytes * g.times;
      kernels += g.times;
    }
  }
  const latency_s = Object.values(byCategory).reduce((a, b) => a + b, 0);
  return { platform: c.name, latency_s, energy_j: latency_s * c.dynamicPowerW, flops, bytes, kernels, byCategory };
}

/** Kernel counts and roofline sums of a workload (for the closed-form calibration). */
function sums(wl: PlatformWorkload, F: number, B: number): { nMm: number; nOp: number; rMm: number; rOp: number } {
  let nMm = 0, nOp = 0, rMm = 0, rOp = 0;
  for (const g of kernelGroups(wl, 'attention')) {
    for (const k of g.ks) {
      const r = Math.max(k.flops / F, k.bytes / B) * g.times;
      if (k.matmul) { nMm += g.times; rMm += r; } else { nOp += g.times; rOp += r; }
    }
  }
  return { nMm, nOp, rMm, rOp };
}

export const CALIBRATION_WORKLOAD: PlatformWorkload = {
  model: data.calibrationWorkload.model as ModelName,
  stage: data.calibrationWorkload.stage as Stage,
  seqLen: data.calibrationWorkload.seqLen,
  genTokens: data.calibrationWorkload.genTokens,
};

/** Dense workloads of the 30 benchmarks (the platforms run unpruned attention). */
export function benchmarkWorkloads(): PlatformWorkload[] {
  return BENCHMARKS.map((b) => ({ model: b.model, stage: b.stage, seqLen: b.seqLen, genTokens: b.genTokens }));
}

export interface Calibration {
  constants: PlatformConstants;
  /** Calibration workload attention latency: ours vs the anchor (null for a platform priced from its datasheet). */
  anchorLatencyS: { ours: number; anchor: number } | null;
  /** Geomean latency ratio to TITAN Xp over the 30 benchmarks: ours vs §5.1's speedup ratio (null for TITAN Xp and datasheet platforms). */
  ratioToGpu: { ours: number; anchor: number; reached: boolean } | null;
  notes: string;
}

const ENTRIES = checkPlatformEntries(data.platforms, PLATFORM_NAMES);

/** Whether a platform is calibrated on the paper's §5.1 numbers (else it is priced from its datasheet and a `like` platform). */
export function hasPaperAnchors(name: PlatformName): boolean {
  return ENTRIES[name].anchors !== undefined;
}

function power(a: Anchors): number {
  return data.spattenPowerW.value * (a.energySavingGeomean.value / a.speedupGeomean.value);
}

function calibrateGpu(p: PlatformEntry): Calibration {
  const a = p.anchors!;
  const F = p.peakFlops.value, B = p.bandwidth.value;
  const T = a.attentionLatencyS.value, share = a.matmulShare!.value;
  const s = sums(CALIBRATION_WORKLOAD, F, B);
  const tMatmul = (share * T - s.rMm) / s.nMm;
  const tOp = ((1 - share) * T - s.rOp) / s.nOp;
  if (!(tMatmul > 0 && tOp > 0)) throw new Error('TITAN Xp calibration: negative fixed cost (the roofline alone exceeds the anchor)');
  const constants: PlatformConstants = { name: 'titan-xp', peakFlops: F, bandwidth: B, bwEff: 1, tOp, tMatmul, dynamicPowerW: power(a) };
  return { constants, anchorLatencyS: { ours: runOn(constants, CALIBRATION_WORKLOAD).latency_s, anchor: T }, ratioToGpu: null, notes: 't_mm, t_op from Table IV (366.7 ms) and Fig. 2 (GEMMs 27%); η = 1' };
}

function bisect(f: (x: number) => number, lo: number, hi: number, iters = 80): number {
  for (let i = 0; i < iters; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) > 0) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

function calibrateOther(name: string, p: PlatformEntry, gpuSpeedup: number, gpu: Calibration, gpuLat: number[]): Calibration {
  const anchors = p.anchors!;
  const F = p.peakFlops.value, B = p.bandwidth.value;
  const T = anchors.attentionLatencyS.value;
  const target = anchors.speedupGeomean.value / gpuSpeedup;
  const mmRatio = p.kind === 'gpu' ? gpu.constants.tMatmul / gpu.constants.tOp : 1;
  const wls = benchmarkWorkloads();
  const at = (eta: number): PlatformConstants => {
    const s = sums(CALIBRATION_WORKLOAD, F, eta * B);
    const tOp = (T - s.rMm - s.rOp) / (s.nOp + mmRatio * s.nMm);
    return { name, peakFlops: F, bandwidth: B, bwEff: eta, tOp, tMatmul: mmRatio * tOp, dynamicPowerW: power(anchors) };
  };
  const ratio = (c: PlatformConstants) => geomean(wls.map((w, i) => runOn(c, w).latency_s / gpuLat[i]));
  // Smallest η with a non-negative fixed cost, then the η that meets the ratio.
  const etaMin = bisect((eta) => at(eta).tOp, 1e-6, 1);
  let eta = 1;
  let reached = true;
  if (ratio(at(1)) < target) reached = false;
  else eta = bisect((e) => ratio(at(e)) - target, etaMin * 1.000001, 1);
  const constants = at(eta);
  return {
    constants,
    anchorLatencyS: { ours: runOn(constants, CALIBRATION_WORKLOAD).latency_s, anchor: T },
    ratioToGpu: { ours: ratio(constants), anchor: target, reached },
    notes: `t_op and η from the ${T} s anchor and the §5.1 ratio ${target.toFixed(2)} to TITAN Xp${reached ? '' : ' (not reachable with η ≤ 1: η = 1 kept)'}`,
  };
}

/**
 * A platform the paper did not measure: its datasheet peaks, the fixed kernel costs t_op, t_mm and
 * the reached bandwidth fraction η of the `like` platform (the same software stack), and its cited
 * dynamic power. Nothing is fitted, so everything computed for it is a model estimate.
 */
export function datasheetConstants(name: string, p: PlatformEntry, like: PlatformConstants): PlatformConstants {
  if (!p.like || !p.dynamicPowerW) throw new Error(`sim/baselines/platforms.json: platform ${name} has neither the §5.1 anchors nor "like" and "dynamicPowerW"`);
  return { name, peakFlops: p.peakFlops.value, bandwidth: p.bandwidth.value, bwEff: like.bwEff, tOp: like.tOp, tMatmul: like.tMatmul, dynamicPowerW: p.dynamicPowerW.value };
}

function calibrateDatasheet(name: string, p: PlatformEntry, like: Calibration): Calibration {
  const constants = datasheetConstants(name, p, like.constants);
  return { constants, anchorLatencyS: null, ratioToGpu: null, notes: `not in the paper: datasheet peaks; t_op, t_mm and η of ${p.like}; dynamic power ${p.dynamicPowerW!.value} W (${p.dynamicPowerW!.source}); nothing fitted` };
}

/**
 * Constants of every entry of checked platforms.json entries (checkPlatformEntries): TITAN Xp
 * first, then the other anchored platforms, then the datasheet ones from their `like`. Pure.
 */
export function calibrateAll(entries: Record<string, PlatformEntry>): Record<string, Calibration> {
  const gpuEntry = entries['titan-xp'];
  const gpu = calibrateGpu(gpuEntry);
  const gpuLat = benchmarkWorkloads().map((w) => runOn(gpu.constants, w).latency_s);
  const out: Record<string, Calibration> = { 'titan-xp': gpu };
  for (const [n, e] of Object.entries(entries)) if (n !== 'titan-xp' && e.anchors) out[n] = calibrateOther(n, e, gpuEntry.anchors!.speedupGeomean.value, gpu, gpuLat);
  for (const [n, e] of Object.entries(entries)) if (!e.anchors) out[n] = calibrateDatasheet(n, e, out[e.like!]);
  // in the entries' order (platforms.json's), as the tables list them
  return Object.fromEntries(Object.keys(entries).map((n) => [n, out[n]]));
}

let cached: Record<PlatformName, Calibration> | undefined;

/** Calibrated constants of every platform (computed once; pure). */
export function calibration(): Record<PlatformName, Calibration> {
  cached ??= calibrateAll(ENTRIES) as Record<PlatformName, Calibration>;
  return cached;
}

export function isPlatform(name: string): name is PlatformName {
  return (PLATFORM_NAMES as readonly string[]).includes(name);
}

/** A platform's calibrated constants; throws listing the known names. */
export function platform(name: string): PlatformConstants {
  if (!isPlatform(name)) throw new Error(`unknown baseline "${name}" (known: ${PLATFORM_NAMES.join(', ')})`);
  return calibration()[name].constants;
}

/** Latency/energy of a (dense) workload on a named platform. */
export function runPlatform(name: string, wl: PlatformWorkload, scope: Scope = 'attention'): PlatformResult {
  return runOn(platform(name), wl, scope);
}
