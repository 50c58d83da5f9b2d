/**
 * Energy and area tables: the default design against the paper (Fig. 13(a) area, Table II
 * power on the calibration workload), the calibration being the fit of the current model,
 * pricing laws, and a citation on every constant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaOf, sramAreaMm2 } from '../sim/hw/area.ts';
import { TABLE_PROVENANCE, energyFromActivity, figure13bPower, fitEnergyConstants, leakagePowerW, tableTwoGroups } from '../sim/hw/energy.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { emptyActivity, type Activity } from '../sim/hw/types.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, defaultHardware } from '../sim/schema.ts';
import { calibrationReport, recalibratedEnergyTable } from '../sim/hw/calibrate.ts';
import energyTable from '../sim/hw/tables/energy.json' with { type: 'json' };
import areaTable from '../sim/hw/tables/area.json' with { type: 'json' };
import pipeTable from '../sim/hw/tables/pipeline.json' with { type: 'json' };

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('default area: 18.71 mm² and the Fig. 13(a) module split', () => {
  const { area_mm2, breakdown } = areaOf(defaultHardware());
  assert.ok(rel(area_mm2, 18.71) <= 0.1, `area ${area_mm2}`);
  assert.ok(rel(area_mm2, 18.71) <= 0.005, `area ${area_mm2}`);
  const fig13a = { qk: 7.12, pv: 7.22, fetcher: 2.65, softmax: 0.79, topk: 0.5, others: 0.43 };
  for (const [k, v] of Object.entries(fig13a)) assert.ok(rel(breakdown[k as keyof typeof breakdown], v) <= 0.01, `${k}: ${breakdown[k as keyof typeof breakdown]} vs ${v}`);
});

test('area scaling laws', () => {
  const base = areaOf(defaultHardware());
  // SRAM linear: 196 KB = 3.43 mm² at A³'s 0.0175 mm²/KB; doubling the key SRAM adds 3.43 mm²
  assert.ok(Math.abs(sramAreaMm2(196) - 3.43) < 1e-9, 'Math.abs(sramAreaMm2(196) - 3.43) < 1e-9');
  const k2 = areaOf(HardwareSchema.parse({ keySramKB: 392 }));
  assert.ok(Math.abs(k2.breakdown.qk - base.breakdown.qk - 3.43) < 1e-9, 'Math.abs(k2.breakdown.qk - base.breakdown.qk - 3.43) < 1e-9');
  // multipliers: Q×K logic ∝ count
  const m2 = areaOf(HardwareSchema.parse({ qkMultipliers: 1024 }));
  assert.ok(Math.abs(m2.breakdown.qk - base.breakdown.qk - (7.12 - 3.43)) < 1e-3, 'Math.abs(m2.breakdown.qk - base.breakdown.qk - (7.12 - 3.43)) < 1e-3');
  // SpAtten1/8 compute and fetcher (64+64 multipliers, 2 channels, 4 ports) with the full SRAMs:
  // 1/8 of the multiplier area, fetcher 4·1.5 KB FIFOs + 4·2 crosspoints + 4 converters. (The
  // paper's 1.55 mm² for SpAtten1/8 is only reachable with much smaller SRAMs as well.)
  const eighth = areaOf(HardwareSchema.parse({ qkMultipliers: 64, pvMultipliers: 64, dramChannels: 2, fetcherPorts: 4 }));
  assert.ok(Math.abs(eighth.breakdown.qk - 3.43 - (7.12 - 3.43) / 8) < 1e-3, 'Math.abs(eighth.breakdown.qk - 3.43 - (7.12 - 3.43) / 8) < 1e-3');
  assert.ok(Math.abs(eighth.breakdown.fetcher - 2.65 * (4 / 32) - (2.65 - 0.84) * (2 / 3) * (4 * 2 / 512 - 4 / 32)) < 1e-3, 'Math.abs(eighth.breakdown.fetcher - 2.65 * (4 / 32) - (2.65 - 0.84) * (2 / 3) * (4 * 2 / 512 - 4 …');
  // narrower words shrink the multipliers: 8-bit ≈ 0.9·(2/3)² + 0.1·(2/3) = 0.467 of the 12-bit
  const w8 = areaOf(HardwareSchema.parse({ wordBits: 8 }));
  assert.ok(Math.abs(w8.breakdown.qk - 3.43 - (7.12 - 3.43) * (0.9 * 4 / 9 + 0.1 * 2 / 3)) < 1e-3, 'Math.abs(w8.breakdown.qk - 3.43 - (7.12 - 3.43) * (0.9 * 4 / 9 + 0.1 * 2 / 3)) < 1e-3');
  // top-k ∝ P(1 + log2 P): P = 32 → 0.5 · 32·6/(16·5) = 1.2 mm²
  assert.ok(Math.abs(areaOf(HardwareSchema.parse({ topkParallelism: 32 })).breakdown.topk - 1.2) < 1e-3, 'Math.abs(areaOf(HardwareSchema.parse({ topkParallelism: 32 })).breakdown.topk - 1.2) < 1e-3');
});

function calibrationRun() {
  const c = energyTable.calibration;
  const hw = defaultHardware();
  const w = buildWorkload(WorkloadSchema.parse(c.workload), AlgoSchema.parse(c.algo));
  return { hw, r: analyticalModel(w, hw) };
}

test('calibration report: re-fitting reproduces the stored table', () => {
  const rep = calibrationReport();
  const t = recalibratedEnergyTable();
  assert.ok(rel(t.logicScale.value, energyTable.logicScale.value) < 0.01, 'rel(t.logicScale.value, energyTable.logicScale.value) < 0.01');
  assert.ok(rel(t.sram.pjPerBitAtRef.value, energyTable.sram.pjPerBitAtRef.value) < 0.01, 'rel(t.sram.pjPerBitAtRef.value, energyTable.sram.pjPerBitAtRef.value) < 0.01');
  // DRAM is not fitted (see below): the total follows it
  assert.ok(rel(rep.tableII.total, 8.3) < 0.15, `total ${rep.tableII.total}`);
  // Fig. 13(b) is not fitted (it reflects another benchmark mix): each module within 3× of the paper
  const fig13b = { qk: 1.13, pv: 0.53, fetcher: 0.24, softmax: 0.5, topk: 0.08, others: 0.12 };
  for (const [k, v] of Object.entries(fig13b)) {
    const m = rep.fig13b[k as keyof typeof fig13b];
    assert.ok(m > v / 3 && m < v * 3, `${k}: ${m} vs ${v}`);
  }
});

test('default power on the calibration workload lands on Table II (8.30 W; logic 1.36, SRAM 1.24, DRAM 5.71)', () => {
  const { hw, r } = calibrationRun();
  assert.ok(rel(r.power_w, 8.3) <= 0.15, `power ${r.power_w}`);
  const g = tableTwoGroups(r.energy, hw, r.latency_s);
  assert.ok(rel(g.logic / r.latency_s, 1.36) <= 0.01, `logic ${g.logic / r.latency_s}`);
  assert.ok(rel(g.sram / r.latency_s, 1.24) <= 0.01, `sram ${g.sram / r.latency_s}`);
  // DRAM is NOT fitted: O'Connor's per-bit energy plus his activation energy per row activation
  // counted by the shared HBM2 profiles, at the modeled traffic and speed. The calibration
  // workload runs at ~690 GOP/s (the paper's GPT-2 average is 430), so its DRAM power is above
  // Table II's 5.71 W (measured: 5.94 W, +4%)
  assert.ok(rel(g.dram / r.latency_s, 5.71) <= 0.2, `dram ${g.dram / r.latency_s}`);
  // Fig. 13(b) on-chip total = logic + SRAM = 2.60 W
  const f = figure13bPower(r.energy, hw, r.latency_s);
  const onChip = f.qk + f.pv + f.fetcher + f.softmax + f.topk + f.others;
  assert.ok(rel(onChip, 2.6) <= 0.01, `on-chip ${onChip}`);
});

test('the energy table is the calibration fit of the current model (drift < 1%)', () => {
  const { hw, r } = calibrationRun();
  const f = fitEnergyConstants(r.activity, hw);
  assert.ok(rel(energyTable.sram.pjPerBitAtRef.value, f.sramPjPerBitAtRef) < 0.01, `sram ${f.sramPjPerBitAtRef}`);
  assert.ok(rel(energyTable.logicScale.value, f.logicScale) < 0.01, `logicScale ${f.logicScale}`);
  // plausibility of the fitted values at 40 nm: SRAM 0.05–1 pJ/bit, 12-bit MAC 0.3–3 pJ
  assert.ok(f.sramPjPerBitAtRef > 0.05 && f.sramPjPerBitAtRef < 1, 'f.sramPjPerBitAtRef > 0.05 && f.sramPjPerBitAtRef < 1');
  const mac = energyTable.qk.pjPerMacAt12b.value * f.logicScale;
  assert.ok(mac > 0.3 && mac < 3, `MAC ${mac} pJ`);
});

test('pricing laws: DRAM per bit, linearity, leakage ∝ time, SRAM √capacity, activation path', () => {
  const hw = defaultHardware();
  assert.equal(energyFromActivity(emptyActivity(), hw).energy_j, 0);
  const a: Activity = {
    cycles: 1e6, dramBytes: 1e8, dramActivations: 0, keySramReadBits: 1e9, keySramWriteBits: 1e9, valueSramReadBits: 5e8,
    valueSramWriteBits: 5e8, qkMacs: 1e9, pvMacs: 5e8, softmaxElems: 1e7, topkCompares: 1e7, fetcherBytes: 1e8,
  };
  const e1 = energyFromActivity(a, hw);
  assert.ok(Math.abs(e1.breakdown.dram - 1e8 * 8 * 3.97e-12) < 1e-15, 'Math.abs(e1.breakdown.dram - 1e8 * 8 * 3.97e-12) < 1e-15');
  assert.ok(Math.abs(e1.breakdown.leakage - leakagePowerW(hw) * 1e-3) < 1e-15, 'Math.abs(e1.breakdown.leakage - leakagePowerW(hw) * 1e-3) < 1e-15');
  // doubling every count doubles every component (dynamic linear, leakage ∝ cycles)
  const a2 = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, 2 * v])) as unknown as Activity;
  const e2 = energyFromActivity(a2, hw);
  assert.ok(rel(e2.energy_j, 2 * e1.energy_j) < 1e-12, 'rel(e2.energy_j, 2 * e1.energy_j) < 1e-12');
  // SRAM energy per bit ∝ √capacity: 4× the key SRAM → 2× key SRAM energy
  const e4 = energyFromActivity(a, HardwareSchema.parse({ keySramKB: 784 }));
  assert.ok(rel(e4.breakdown.keySram, 2 * e1.breakdown.keySram) < 1e-12, 'rel(e4.breakdown.keySram, 2 * e1.breakdown.keySram) < 1e-12');
  // activations: one per 512 bits reproduces the 3.97 pJ/bit average; fewer (row hits) cost less
  const perAvg = energyFromActivity({ ...a, dramActivations: (1e8 * 8) / 512 }, hw).breakdown.dram;
  assert.ok(rel(perAvg, e1.breakdown.dram) < 1e-12, 'rel(perAvg, e1.breakdown.dram) < 1e-12');
  const rowHits = energyFromActivity({ ...a, dramActivations: (1e8 * 8) / 8192 }, hw).breakdown.dram;
  assert.ok(rowHits < 0.75 * e1.breakdown.dram, 'rowHits < 0.75 * e1.breakdown.dram');
  // leakage of the default design is a small share at 40 nm (A³ densities): 0.1–0.3 W
  const lw = leakagePowerW(hw);
  assert.ok(lw > 0.1 && lw < 0.3, `leakage ${lw}`);
});

test('every table constant carries value, unit and source', () => {
  const bad: string[] = [];
  const walk = (o: unknown, path: string) => {
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    if ('value' in r) {
      if (typeof r.value !== 'number' || !Number.isFinite(r.value)) bad.push(`${path}: value`);
      if (typeof r.unit !== 'string' || typeof r.source !== 'string' || (r.source as string).length < 5) bad.push(`${path}: unit/source`);
      return;
    }
    for (const [k, v] of Object.entries(r)) if (k !== 'workload' && k !== 'algo' && !k.startsWith('_')) walk(v, `${path}.${k}`);
  };
  walk(energyTable, 'energy');
  walk(areaTable, 'area');
  walk(pipeTable, 'pipeline');
  assert.deepEqual(bad, []);
  assert.equal(TABLE_PROVENANCE.energy.dram.pjPerBit.value, 3.97);
  assert.match(TABLE_PROVENANCE.dramEnergyChoice, /O'Connor/);
});
