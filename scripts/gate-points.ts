/**
 * The token top-k gate on DRAM-bound generation runs (sim/cycle/README.md, "Known gaps"): four
 * gated generation points of test/cycle-xval.test.ts's 60 random design points (scripts/cycle-xval-runs.ts)
 * — the two lowest cycle / analytical ratios, and the two that pay about the whole bubble in the
 * simulator too — each with the gate off, and the second lowest with the paper's engine and at
 * 4 × 256 GB/s.
 *
 *   node --import tsx scripts/gate-points.ts [--json]
 *
 * Deterministic (mulberry32(42) draws the points); a few seconds.
 */
import { pathToFileURL } from 'node:url';
import { pair, random60, type Pair } from './cycle-xval-runs.ts';

/** The points of random60() whose simulator pays about the whole gate bubble (the 14th and 55th draws). */
export const WHOLE_BUBBLE = [13, 54];

const STAGES = ['dram', 'qk', 'softmax', 'topk', 'pv'] as const;
const busiest = (p: Pair) => STAGES.reduce((a, b) => (p.cycle.stages[b] > p.cycle.stages[a] ? b : a));

function point(index: number) {
  const p = random60()[index];
  const off = pair(p.w, { ...p.h, gateTokenTopk: false });
  const boundaries = p.w.requests.filter((r) => r.topk >= 0).length;
  const { h, w } = p;
  return {
    index,
    model: w.model.name, stage: w.stage, clockGHz: h.clockGHz, dramChannels: h.dramChannels, dramChannelGBps: h.dramChannelGBps,
    qkMultipliers: h.qkMultipliers, pvMultipliers: h.pvMultipliers, inFlight: h.inFlight, topkModel: h.topkModel, gateTokenTopk: h.gateTokenTopk,
    localV: w.requests.some((r) => r.valuesPerQuery < r.keys), lsbRefetch: w.requests.some((r) => r.refetch > 0),
    busiest: busiest(p),
    localVOverDram: p.cycle.stages.topk / p.cycle.stages.dram,
    ratio: p.lat, cycles: { cycle: p.cycle.cycles, analytical: p.analytical.cycles },
    gateOff: { ratio: off.lat, cycle: off.cycle.cycles, analytical: off.analytical.cycles },
    boundaries,
    gateCost: { cycle: p.cycle.cycles - off.cycle.cycles, analytical: p.analytical.cycles - off.analytical.cycles },
  };
}

export function gatePoints() {
  const pts = random60();
  const order = pts.map((p, i) => i).sort((a, b) => pts[a].lat - pts[b].lat);
  const lowest = order.slice(0, 2).map(point);
  const second = pts[order[1]];
  return {
    lowest,
    wholeBubble: WHOLE_BUBBLE.map(point),
    secondPaperEngine: pair(second.w, { ...second.h, topkModel: 'paper' }).lat,
    secondAt256: { channels: second.h.dramChannels, ratio: pair(second.w, { ...second.h, dramChannelGBps: 256 }).lat },
    range: [pts[order[0]].lat, pts[order.at(-1)!].lat],
    within10: pts.filter((p) => Math.abs(p.lat - 1) < 0.1).length,
    points: pts.length,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = gatePoints();
  console.log(process.argv.includes('--json') ? JSON.stringify(g) : JSON.stringify(g, null, 1));
}
