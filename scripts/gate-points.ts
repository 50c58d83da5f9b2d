/**
 * The token top-k gate in generation (sim/cycle/README.md, "Known gaps"): the gated generation
 * points of test/cycle-xval.test.ts's 60 random design points (scripts/cycle-xval-runs.ts) that
 * have gated boundaries, each with the gate off too, and what a gated boundary costs each model.
 *
 *   node --import tsx scripts/gate-points.ts [--json]
 *
 * Deterministic (mulberry32(42) draws the points); a few seconds.
 */
import { pathToFileURL } from 'node:url';
import { pair, random60, type Pair } from './cycle-xval-runs.ts';

const STAGES = ['dram', 'qk', 'softmax', 'topk', 'pv'] as const;
const busiest = (p: Pair) => STAGES.reduce((a, b) => (p.cycle.stages[b] > p.cycle.stages[a] ? b : a));

function point(p: Pair, index: number) {
  const off = pair(p.w, { ...p.h, gateTokenTopk: false });
  const boundaries = p.w.requests.filter((r) => r.topk >= 0).length;
  const { h, w } = p;
  return {
    index,
    model: w.model.name, clockGHz: h.clockGHz, dramChannels: h.dramChannels, dramChannelGBps: h.dramChannelGBps,
    inFlight: h.inFlight, valueSramKB: h.valueSramKB, topkModel: h.topkModel,
    busiest: busiest(p),
    ratio: p.lat,
    gateOff: { ratio: off.lat },
    boundaries,
    perBoundary: { cycle: (p.cycle.cycles - off.cycle.cycles) / boundaries, analytical: (p.analytical.cycles - off.analytical.cycles) / boundaries },
  };
}

export function gatePoints() {
  const pts = random60();
  const gated = pts.flatMap((p, i) => (p.h.gateTokenTopk && p.w.stage === 'generation' && p.w.requests.some((r) => r.topk >= 0) ? [point(p, i)] : []));
  const lats = pts.map((p) => p.lat);
  return { gated, range: [Math.min(...lats), Math.max(...lats)], within10: pts.filter((p) => Math.abs(p.lat - 1) < 0.1).length, points: pts.length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = gatePoints();
  console.log(process.argv.includes('--json') ? JSON.stringify(g) : JSON.stringify(g, null, 1));
}
