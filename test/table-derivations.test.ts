import { test } from 'node:test';
import assert from 'node:assert/strict';
import baselines from '../sim/baselines/baselines.json' with { type: 'json' };
import platforms from '../sim/baselines/platforms.json' with { type: 'json' };
import energy from '../sim/hw/tables/energy.json' with { type: 'json' };
import area from '../sim/hw/tables/area.json' with { type: 'json' };
import pipeline from '../sim/hw/tables/pipeline.json' with { type: 'json' };

/**
 * The derived and fitted table constants reproduce from the arithmetic their source strings state,
 * with the inputs those strings name (other table entries, or the cited figures written out here
 * as they appear in shared/spec). A constant edited without its derivation, or a derivation text
 * edited without the constant, fails here.
 */
const near = (got: number, want: number, rel: number, what: string) =>
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want), `${what}: table ${got}, derivation ${want} (tolerance ${rel * 100}%)`);

test('area.json: fitted entries follow from Fig. 13(a) minus the cited parts', () => {
  const sram196 = 196 * area.sramMm2PerKB.value;
  near(area.sramMm2PerKB.value, 0.35 / 20, 1e-9, 'sramMm2PerKB = A³ 0.350 mm² / 20 KB');
  near(area.qkMm2PerMultiplier.value, (area.target.qk.value - sram196) / 512, 1e-5, 'qkMm2PerMultiplier');
  near(area.pvMm2PerMultiplier.value, (area.target.pv.value - sram196) / 512, 1e-5, 'pvMm2PerMultiplier');
  assert.equal(area.fetcherFifoBytesPerPort.value, 64 * 8 + 64 * 16, 'FIFO bytes per port = 64-deep × 8 B address + 64-deep × 16 B data');
  const fifo = ((32 * area.fetcherFifoBytesPerPort.value) / 1024) * area.sramMm2PerKB.value;
  near(fifo, 0.84, 1e-9, 'fetcher FIFOs of 32 ports');
  const rest = area.target.fetcher.value - fifo;
  near(area.fetcherMm2PerCrosspoint.value, (rest * area.fetcherCrossbarShare.value) / (32 * 16), 1e-5, 'fetcherMm2PerCrosspoint');
  near(area.fetcherMm2PerPort.value, (rest * (1 - area.fetcherCrossbarShare.value)) / 32, 1e-5, 'fetcherMm2PerPort');
  near(area.softmaxMm2PerLane.value, area.target.softmax.value / 8, 1e-9, 'softmaxMm2PerLane');
  near(area.topkMm2PerLaneStage.value, area.target.topk.value / (16 * (1 + Math.log2(16))), 1e-9, 'topkMm2PerLaneStage');
  assert.equal(area.othersMm2.value, area.target.others.value, 'othersMm2 = Fig. 13(a) others');
  const modules = ['qk', 'pv', 'fetcher', 'softmax', 'topk', 'others'] as const;
  near(modules.reduce((s, k) => s + area.target[k].value, 0), area.target.total.value, 1e-9, 'Fig. 13(a) modules sum to the total');
});

test('energy.json: priors, densities and references follow from the figures their sources cite', () => {
  // Horowitz ISSCC 2014 (45 nm): 8-bit int mult 0.2 pJ, add 0.03 pJ; FP32 mult 3.7, add 0.9 pJ.
  const mult12 = 0.2 * (12 / 8) ** 2;
  const add12 = 0.03 * (12 / 8);
  near(energy.qk.pjPerMacAt12b.value, mult12 + add12, 0.02, 'qk pJ/MAC = 0.45 + 0.045');
  near(energy.macWidthShare.value, mult12 / (mult12 + add12), 0.02, 'macWidthShare = multiplier share of a 12-bit MAC');
  assert.equal(energy.macWidthShare.value, area.multiplierWidthShare.value, 'energy macWidthShare is implemented by area multiplierWidthShare: same value');
  near(energy.softmax.pjPerElem.value, 5 * (3.7 + 0.9) + 0.9 + 4 * 3.7 + 3.7 + 1, 0.02, 'softmax pJ/element = 5 FMA + accumulate + divide + dequantize + requantize');
  near(energy.topk.pjPerCompareAt12b.value, 0.045 + 0.6 + 0.3, 0.06, 'top-k pJ/compare = compare + FIFO + zero eliminator');
  // A³ Table I, TSMC 40 nm (spec §6): logic modules and SRAMs, static mW over mm².
  near(energy.leakage.logicMwPerMm2.value, (1.265 + 0.053 + 0.07 + 5.08 + 0.147) / (0.098 + 0.016 + 0.062 + 0.277 + 0.01), 1e-3, 'logic leakage density');
  near(energy.leakage.sramMwPerMm2.value, (0.987 + 0.987 + 2.913) / (0.35 + 0.35 + 0.919), 1e-3, 'SRAM leakage density');
  near(energy.others.pjPerCycle.value, energy.calibration.targets.others.value * 1e12 / 1e9, 1e-9, 'others pJ/cycle = Fig. 13(b) 0.12 W at 1 GHz');
  assert.equal(energy.fetcher.refCrosspoints.value, 32 * 16, 'reference crossbar 32 × 16');
  assert.equal(energy.sram.refKB.value, 196, 'reference SRAM 196 KB');
  near(energy.dram.activationPjPerBit.value * energy.dram.bitsPerActivation.value, 620, 0.01, '1.21 pJ/bit × 512 bits ≈ 620 pJ per activation');
  const t = energy.calibration.targets;
  near(t.qk.value + t.pv.value + t.softmax.value + t.fetcher.value + t.others.value + t.topk.value, t.logic.value + t.sram.value, 0.01, 'Fig. 13(b) sums to Table II logic + SRAM');
  near(t.logic.value + t.sram.value + t.dram.value, t.total.value, 0.01, 'Table II parts sum to the total');
});

test('pipeline.json: latencies are the sums their notes list', () => {
  assert.equal(pipeline.dramRegisterLatency.value, 1 + 1 + 1, 'AR + DPI pending + result registers');
  assert.equal(pipeline.fetchIssueLatency.value, 3 + 2, 'score-buffer read + request split');
  assert.equal(pipeline.convertLatency.value, 1 + 1, 'realign + bit-width converter');
  assert.equal(pipeline.softmaxLatency.value, 7 + 21 + 23 + 29 + 7, 'bert.cpp softmax drain');
  assert.equal(pipeline.dotProductBaseLatency.value + Math.log2(64), 8, 'dot product = 8 cycles for M = 512, D = 64');
  near(pipeline.paperKBBytes.value, (2 * 1024 * 64 * 12) / 8 / 196, 1e-12, "paper KB = 196,608 B / 196");
  near(1 - pipeline.dramRefreshCycle.value / pipeline.dramRefreshInterval.value, 0.910, 1e-3, 'refresh derating 0.910');
});

test('baselines.json and platforms.json: derived figures follow from the numbers their sources give', () => {
  const a3 = baselines.a3;
  near(a3.approxSpeedup.value, Math.cbrt(1.39 * 2.01 * 1.85), 1e-3, 'A³ conservative geomean');
  near(a3.throughputGops.value, a3.multipliers.value * a3.clockGHz.value * a3.approxSpeedup.value, 0.005, 'A³ 128 × 1.73 GOP/s');
  near(a3.powerW.value, 0.09892 + 0.011502, 1e-9, 'A³ dynamic + static power');
  near(a3.areaEffGopsPerMm2.value, a3.throughputGops.value / a3.areaMm2.value, 0.005, 'A³ GOP/s/mm²');
  const p = platforms.platforms;
  near(p['titan-xp'].peakFlops.value, 3840 * 2 * 1.582e9, 1e-3, 'TITAN Xp peak');
  near(p['titan-xp'].bandwidth.value, (11.41e9 * 384) / 8, 1e-3, 'TITAN Xp bandwidth');
  near(p['titan-xp'].anchors.matmulShare.value, 0.164 + 0.106, 1e-9, 'Fig. 2 GEMM share');
  near(p.xeon.peakFlops.value, 10 * 2.4e9 * 32, 1e-9, 'Xeon peak');
  near(p.xeon.bandwidth.value, 4 * 8 * 2.133e9, 1e-3, 'Xeon bandwidth');
  near(p.xeon.anchors.attentionLatencyS.value, 3 * 0.5, 1e-9, 'Xeon attention = 3 s × 50%');
  near(p['jetson-nano'].peakFlops.value, 128 * 2 * 921.6e6, 1e-3, 'Nano peak');
  near(p['jetson-nano'].anchors.attentionLatencyS.value, 9.2 * 0.61, 1e-3, 'Nano attention = 9.2 s × 61%');
  near(p.rpi4.peakFlops.value, 4 * 1.5e9 * 8, 1e-9, 'Raspberry Pi peak');
  near(p.rpi4.bandwidth.value, 3.2e9 * 4, 1e-9, 'Raspberry Pi bandwidth');
});
