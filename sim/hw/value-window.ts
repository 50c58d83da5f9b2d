/**
 * The fast path's value-buffer window (sim/hw/fast.ts generationWindow; the model: sim/hw/analytical.ts,
 * pipeline-math.ts valueHold): per class, from each DRAM group's V cycles, kept per DRAM entry.
 */
import type { HardwareConfig } from '../schema.ts';
import { L_BUF, bufferLines, portStream, valueHeadsFit, valueHold, valueWindowMayBind, windowFixedPoint } from './pipeline-math.ts';
import { classPv, classVBytes, classValueFit } from './value-classes.ts';
import type { Sums } from './finalize.ts';
import type { DramSums, PreparedWorkload } from './prepare.ts';
import type { FetchLatencies } from './pipeline-math.ts';

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
  if (!valueWindowMayBind(s, hw, dram.lat, valueHeadsFit(hw, vLines, p.maxValues, p.D, p.requests, false))) return 0;
  // a kept DRAM entry keeps the sums it was asked for (a grid sweep asks for a few, many times),
  // by the knobs beyond the entry's (value lines, prob·V multipliers, fetcher ports); not when split
  // heads re-read keys (s.dramK then depends on the key buffer, not on the entry)
  const keep = dram.kept && s.dramK === dram.dramK;
  const key = (vLines * 131072 + hw.pvMultipliers) * 2048 + hw.fetcherPorts;
  const known = keep ? dram.vWin?.get(key) : undefined;
  if (known !== undefined) return known;
  classTerms(p, hw, dram, vLines);
  const v = windowFixedPoint(s.dramK, p.requests, s.dramK + s.dramV, valueWindowAt);
  if (keep) {
    const m = (dram.vWin ??= new Map());
    if (m.size >= VALUE_WINDOW_KEYS) m.clear(); // bounded: a sweep over continuous value SRAM sizes
    m.set(key, v);
  }
  return v;
}

/**
 * What `valueWindowAt` reads: the entry's latencies and, per class, its V stream (cycles of one
 * instance on its own, pipeline-math.ts portStream), its prob·V, its multiplicity and the value
 * heads that fit (set by `classTerms` before each fixed point, so that its iterations do not
 * recompute them; the V streams and multiplicities grown, never shrunk; prob·V and the heads that
 * fit are value-classes.ts's).
 */
const none: Float64Array = new Float64Array(0);
const vw = { C: 0, lat: undefined as unknown as FetchLatencies, v: new Float64Array(0), pv: none, m: new Float64Array(0), n: none };

function classTerms(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, vLines: number): void {
  const classes = p.classes;
  const C = classes.length;
  if (vw.v.length < C) [vw.v, vw.m] = [0, 1].map(() => new Float64Array(Math.max(C, 2 * vw.v.length)));
  vw.C = C;
  vw.lat = dram.lat;
  vw.pv = classPv(p, hw.pvMultipliers);
  vw.n = classValueFit(p, hw, vLines);
  const vb = classVBytes(p);
  for (let i = 0; i < C; i++) {
    vw.v[i] = portStream(dram.vw[p.dramGroup[i]], vb[i], hw);
    vw.m[i] = classes[i].mult;
  }
}

/** Σ_c m·valueHold/n_V less one hold's fixed part when the value side gets `share` of the DRAM (reference.ts valueWindow). */
function valueWindowAt(share: number): number {
  const { C, lat, v: cV, pv, m, n } = vw;
  let v = 0;
  for (let i = 0; i < C; i++) v += (m[i] * valueHold(lat, cV[i] / share, pv[i])) / n[i];
  return v - (lat.val + L_BUF);
}
