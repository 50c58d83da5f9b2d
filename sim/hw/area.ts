/**
 * Area model (mm², TSMC 40 nm), Fig. 13(a) grouping. Constants and their citations are in
 * tables/area.json; the default design reproduces Fig. 13(a) module by module (18.71 mm²).
 *
 * Scaling laws (stated once, here and in the table notes):
 *  - SRAM: area ∝ capacity (sramMm2PerKB from A³'s 40 nm 20 KB SRAM);
 *  - Q×K / prob×V: multipliers × per-multiplier area, width law 0.9·(w/12)² + 0.1·(w/12)
 *    (multiplier quadratic, adder-tree share linear in the word width), plus the key / value SRAM;
 *  - fetcher: FIFOs (1.5 KB per port, priced as SRAM) + crossbars ∝ ports × channels +
 *    converter/address generation ∝ ports;
 *  - softmax ∝ lanes; top-k ∝ P·(1 + log2 P) (comparators + zero-eliminator stages);
 *  - others: constant.
 */
import { softmaxLanes, type HardwareConfig } from '../schema.ts';
import type { AreaBreakdown } from './types.ts';
import t from './tables/area.json' with { type: 'json' };

export function emptyArea(): AreaBreakdown {
  return { qk: 0, pv: 0, fetcher: 0, softmax: 0, topk: 0, others: 0 };
}

/** SRAM macro area for a capacity in KB. */
export function sramAreaMm2(kb: number): number {
  const ex = t.sramAreaExponent.value;
  return t.sramMm2PerKB.value * (ex === 1 ? kb : Math.pow(kb, ex));
}

/**
 * An area breakdown with the key and value SRAM as their own entries (the model books each SRAM
 * under its array, qk and pv), as run.json's highlights, the report and `simulate` show it.
 */
export function areaWithSram(hw: Pick<HardwareConfig, 'keySramKB' | 'valueSramKB'>, area: AreaBreakdown): Record<string, number> {
  const kS = sramAreaMm2(hw.keySramKB);
  const vS = sramAreaMm2(hw.valueSramKB);
  return { ...area, qk: area.qk - kS, pv: area.pv - vS, keySram: kS, valueSram: vS };
}

/** Width law for multiplier-dominated logic (1 at 12 bits). */
export function widthFactor(wordBits: number): number {
  const r = wordBits / 12;
  const m = t.multiplierWidthShare.value;
  return m * r * r + (1 - m) * r;
}

/** Area of the fetcher FIFOs (SRAM-like part of the fetcher), in KB of 1,024 B (the SRAM knobs are the paper's KB: tables/area.json sramMm2PerKB). */
export function fetcherFifoAreaMm2(hw: HardwareConfig): number {
  return sramAreaMm2((hw.fetcherPorts * t.fetcherFifoBytesPerPort.value) / 1024);
}

/** Fill `out` with the per-module area; returns the total (no allocation). */
export function areaInto(hw: HardwareConfig, out: AreaBreakdown): number {
  const wf = widthFactor(hw.wordBits);
  out.qk = hw.qkMultipliers * t.qkMm2PerMultiplier.value * wf + sramAreaMm2(hw.keySramKB);
  out.pv = hw.pvMultipliers * t.pvMm2PerMultiplier.value * wf + sramAreaMm2(hw.valueSramKB);
  out.fetcher =
    fetcherFifoAreaMm2(hw) +
    hw.fetcherPorts * hw.dramChannels * t.fetcherMm2PerCrosspoint.value +
    hw.fetcherPorts * t.fetcherMm2PerPort.value;
  out.softmax = softmaxLanes(hw) * t.softmaxMm2PerLane.value;
  const P = hw.topkParallelism;
  out.topk = t.topkMm2PerLaneStage.value * P * (1 + Math.log2(P));
  out.others = t.othersMm2.value;
  return out.qk + out.pv + out.fetcher + out.softmax + out.topk + out.others;
}

/** Area of a design: total and Fig. 13(a) breakdown. */
export function areaOf(hw: HardwareConfig): { area_mm2: number; breakdown: AreaBreakdown } {
  const breakdown = emptyArea();
  const area_mm2 = areaInto(hw, breakdown);
  return { area_mm2, breakdown };
}
