/**
 * The fast path's value-buffer window (sim/hw/fast.ts generationWindow; the model: sim/hw/analytical.ts,
 * pipeline-math.ts valueHold): per class, from each DRAM group's V cycles, kept per DRAM entry.
 */
import type { HardwareConfig } from '../schema.ts';
import { L_BUF, bufferLines, classPvCycles, valueHeadsFit, valueHold, valueWindowMayBind, windowFixedPoint } from './pipeline-math.ts';
import type { Sums } from './finalize.ts';
import type { DramSums, PreparedWorkload } from './prepare.ts';

/** Value-window sums a DRAM entry keeps (by value-buffer lines and prob·V multipliers) before it starts over. */
const VALUE_WINDOW_KEYS = 256;

/**
 * Generation: the value buffer's window of the fast path (Sums.vWin; reference.ts valueWindow): Σ_c m·valueHold/n_V
 * over the classes, less one hold's fixed part; 0 when it cannot exceed the busiest stage
 * (valueWindowMayBind, from the workload's largest head), so most designs skip the class loop.
 */
export function valueWindow(s: Sums, p: PreparedWorkload, hw: HardwareConfig, dram: DramSums): number {
  if (p.requests === 0) return 0;
  const vLines = bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits);
  if (!valueWindowMayBind(s, hw, dram.lat, valueHeadsFit(hw, vLines, p.maxValues, p.D, p.requests))) return 0;
  // a kept DRAM entry keeps the sums it was asked for (a grid sweep asks for a few, many times);
  // not when split heads re-read keys (s.dramK then depends on the key buffer, not on the entry)
  const keep = dram.kept && s.dramK === dram.dramK;
  const key = vLines * 131072 + hw.pvMultipliers;
  const known = keep ? dram.vWin?.get(key) : undefined;
  if (known !== undefined) return known;
  vw.p = p;
  vw.hw = hw;
  vw.dram = dram;
  vw.vLines = vLines;
  const v = windowFixedPoint(s.dramK, p.requests, s.dramK + s.dramV, valueWindowAt);
  if (keep) {
    const m = (dram.vWin ??= new Map());
    if (m.size >= VALUE_WINDOW_KEYS) m.clear(); // bounded: a sweep over continuous value SRAM sizes
    m.set(key, v);
  }
  return v;
}

/** What `valueWindowAt` reads (set before each use). */
const vw = { p: undefined as unknown as PreparedWorkload, hw: undefined as unknown as HardwareConfig, dram: undefined as unknown as DramSums, vLines: 0 };

/** Σ_c m·valueHold/n_V less one hold's fixed part when the value side gets `share` of the DRAM (reference.ts valueWindow). */
function valueWindowAt(share: number): number {
  const { p, hw, dram, vLines } = vw;
  let v = 0;
  const classes = p.classes;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    v += (c.mult * valueHold(dram.lat, dram.vw[p.dramGroup[i]] / share, classPvCycles(c, hw.pvMultipliers))) / valueHeadsFit(hw, vLines, c.vF, c.D, p.requests);
  }
  return v - (dram.lat.val + L_BUF);
}
