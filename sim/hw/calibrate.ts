/**
 * Energy-table calibration (pure; no I/O). Runs the analytical model of the default hardware on
 * the calibration workload recorded in tables/energy.json and fits the SRAM per-bit energy and
 * the logic scale to Table II (see sim/hw/energy.ts). After a model change, regenerate the table:
 *
 *   node --import tsx -e "import('./sim/hw/calibrate.ts').then((m) => process.stdout.write(
 *     JSON.stringify(m.recalibratedEnergyTable(), null, 2) + '\n'))" > /tmp/energy.json
 *   mv /tmp/energy.json sim/hw/tables/energy.json
 *
 * (test/hw-energy-area.test.ts fails when the stored table drifts more than 1% from this fit.)
 */
import { AlgoSchema, WorkloadSchema, defaultHardware } from '../schema.ts';
import { buildWorkload } from '../workload/build.ts';
import type { HwResult } from './types.ts';
import { analyticalModel } from './analytical.ts';
import { fitEnergyConstants, figure13bPower, tableTwoGroups } from './energy.ts';
import e from './tables/energy.json' with { type: 'json' };

export interface CalibrationReport {
  result: HwResult;
  fitted: { sramPjPerBitAtRef: number; logicScale: number };
  /** Table II grouping (W) with the current table. */
  tableII: { logic: number; sram: number; dram: number; total: number };
  /** Fig. 13(b) grouping (W) with the current table (a check, not fitted). */
  fig13b: ReturnType<typeof figure13bPower>;
}

/** The calibration run with the current tables, and the fit of the current model. */
export function calibrationReport(): CalibrationReport {
  const hw = defaultHardware();
  const c = e.calibration;
  const w = buildWorkload(WorkloadSchema.parse(c.workload), AlgoSchema.parse(c.algo));
  const result = analyticalModel(w, hw);
  const g = tableTwoGroups(result.energy, hw, result.latency_s);
  const T = result.latency_s;
  return {
    result,
    fitted: fitEnergyConstants(result.activity, hw),
    tableII: { logic: g.logic / T, sram: g.sram / T, dram: g.dram / T, total: result.power_w },
    fig13b: figure13bPower(result.energy, hw, T),
  };
}

/** tables/energy.json with the fitted entries replaced by the fit of the current model. */
export function recalibratedEnergyTable(): typeof e {
  const { fitted } = calibrationReport();
  const t = structuredClone(e);
  const r6 = (x: number) => Number(x.toPrecision(6));
  t.sram.pjPerBitAtRef.value = r6(fitted.sramPjPerBitAtRef);
  t.logicScale.value = r6(fitted.logicScale);
  return t;
}
