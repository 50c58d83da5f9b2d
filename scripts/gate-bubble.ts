/**
 * What fills a gated layer boundary's bubble on the DRAM (sim/cycle/README.md, "The gated bubble's
 * value streams"), on the cycle audit's gated generation points (scripts/monotone-audit.ts
 * `auditPoints`). Per gated boundary, from the simulator's timeline (scripts/head-timeline.ts
 * `recordHeadTimes`): the heads of the gated layer that issue their V stream between the gated
 * head's last key and the next head's admission (the bubble), and those whose V stream, issued
 * before that key, is still running at it. Beside them the analytical model's count of the first
 * (sim/hw/finalize.ts `gateBubbleValueHeads`), and the gated head's own V stream alone (1), as the
 * model had it before. Boundaries whose layer issues no V stream in or across the bubble (the gate
 * costs neither model anything there) are left out. `--cost`: instead, what the gate costs a gated
 * head in each model (the gated run's latency less the ungated one's, over the gated heads), on
 * every gated generation point, and the mean |analytical − simulator|.
 *
 *   node --import tsx scripts/gate-bubble.ts [--rounds 250] [--min-in-flight 1] [--points 12] [--cost] [--xval] [--json]
 *
 * (`--points`: how many points to list; the means are over all. Seed 1, as the audit's default.
 * `--xval`: the gated generation points of test/cycle-xval.test.ts's 60 random design points
 * instead, scripts/cycle-xval-runs.ts `random60`.)
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { simulateCycle } from '../sim/cycle/index.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { referenceSums } from '../sim/hw/reference.ts';
import { gateBubbleValueHeads } from '../sim/hw/finalize.ts';
import type { HeadRequest, Workload } from '../sim/workload/types.ts';
import type { HardwareConfig } from '../sim/schema.ts';
import { CYCLE_POINTS, auditPoints, describe } from './monotone-audit.ts';
import { recordHeadTimes, type HeadTimes } from './head-timeline.ts';
import { random60 } from './cycle-xval-runs.ts';

/** A gated generation design: where it was drawn (the audit's round and point; the 60-point test's index as `point`, round −1), its workload and hardware. */
export interface GatedPoint {
  round: number;
  point: number;
  workload: string;
  w: Workload;
  hw: HardwareConfig;
}

/** The cycle audit's gated generation points (with gated heads) of its first `rounds` rounds with at least `minInFlight` heads in flight. */
export function auditGated(rounds: number, minInFlight = 1, seed = 1): GatedPoint[] {
  const out: GatedPoint[] = [];
  for (const p of auditPoints('cycle', seed, rounds, CYCLE_POINTS)) {
    if (!p.hw.gateTokenTopk || p.c.w.reuseKV || p.hw.inFlight < minInFlight || !p.c.w.requests.some((r) => r.topk >= 0)) continue;
    out.push({ round: p.round, point: p.point, workload: `${p.c.label}: ${describe(p.c.algo, p.hw)}`, w: p.c.w, hw: p.hw });
  }
  return out;
}

/** The gated generation points (with gated heads) of test/cycle-xval.test.ts's 60 random design points. */
export function xvalGated(): GatedPoint[] {
  return random60().flatMap((p, i) => (p.h.gateTokenTopk && !p.w.reuseKV && p.w.requests.some((r) => r.topk >= 0) ? [{ round: -1, point: i, workload: p.what, w: p.w, hw: p.h }] : []));
}

export interface BubblePoint {
  round: number;
  point: number;
  workload: string;
  inFlight: number;
  /** Per gated boundary, on average: heads issuing their V stream in the bubble, and V streams issued before the gated head's last key still running at it (simulator). */
  issued: number;
  running: number;
  /** The analytical model's heads issuing their V stream in the bubble. */
  model: number;
}

/** The simulator's counts at the gated boundaries of one run (`times` from `recordHeadTimes`); undefined when the layers issue no V stream around any bubble. */
function boundaryCounts(reqs: readonly HeadRequest[], times: Map<number, HeadTimes>): { issued: number; running: number } | undefined {
  let issued = 0;
  let running = 0;
  let boundaries = 0;
  for (let i = 0; i < reqs.length; i++) {
    if (reqs[i].topk < 0) continue;
    const t = times.get(i);
    const next = times.get(i + 1)?.admit;
    if (!t || next === undefined) continue;
    const lastKey = Math.max(t.keyEnd ?? 0, t.lsbEnd ?? 0);
    boundaries++;
    for (let j = i; j >= 0 && reqs[j].layer === reqs[i].layer && reqs[j].iteration === reqs[i].iteration; j--) {
      const u = times.get(j);
      if (u?.valueIssue === undefined) continue;
      if (u.valueIssue >= lastKey && u.valueIssue <= next) issued++;
      else if (u.valueIssue < lastKey && (u.valueEnd ?? 0) > lastKey) running++;
    }
  }
  return boundaries > 0 && issued + running > 0 ? { issued: issued / boundaries, running: running / boundaries } : undefined;
}

/** Both counts on each point whose layers issue V streams around a bubble. */
export function gateBubble(pts: readonly GatedPoint[]): BubblePoint[] {
  const out: BubblePoint[] = [];
  for (const p of pts) {
    const times = recordHeadTimes(() => simulateCycle(p.w, p.hw, { seed: 1 }));
    const c = boundaryCounts(p.w.requests, times);
    if (c) out.push({ round: p.round, point: p.point, workload: p.workload, inFlight: p.hw.inFlight, ...c, model: gateBubbleValueHeads(referenceSums(p.w, p.hw), p.hw) });
  }
  return out;
}

/** What the gate costs a gated head in each model (cycles): the gated run's latency less the ungated one's, over the gated heads. */
export function gateCost(pts: readonly GatedPoint[]): Array<{ round: number; point: number; workload: string; cycle: number; analytical: number }> {
  return pts.map((p) => {
    const gates = p.w.requests.filter((r) => r.topk >= 0).length;
    const plain = { ...p.hw, gateTokenTopk: false };
    const cycle = (simulateCycle(p.w, p.hw, { seed: 1 }).cycles - simulateCycle(p.w, plain, { seed: 1 }).cycles) / gates;
    const analytical = (analyticalModel(p.w, p.hw).cycles - analyticalModel(p.w, plain).cycles) / gates;
    return { round: p.round, point: p.point, workload: p.workload, cycle, analytical };
  });
}

/** Means over the points: the simulator's counts, the model's, and the mean |simulator − model| for the model and for the own V stream alone. */
export function bubbleSummary(pts: readonly BubblePoint[]) {
  const mean = (f: (p: BubblePoint) => number) => pts.reduce((s, p) => s + f(p), 0) / pts.length;
  return {
    points: pts.length,
    issued: mean((p) => p.issued),
    running: mean((p) => p.running),
    model: mean((p) => p.model),
    errModel: mean((p) => Math.abs(p.issued - p.model)),
    errOwnV: mean((p) => Math.abs(p.issued - 1)),
  };
}

/** "round R point I" of the audit, or "the 60-point test's point I". */
const where = (p: { round: number; point: number }) => (p.round < 0 ? `the 60-point test's point ${p.point}` : `round ${p.round} point ${p.point}`);

function main(): void {
  const flag = { type: 'boolean' as const, default: false };
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '250' }, 'min-in-flight': { type: 'string', default: '1' }, points: { type: 'string', default: '12' }, cost: flag, xval: flag, json: flag }, strict: true });
  const gated = values.xval ? xvalGated() : auditGated(Number(values.rounds), Number(values['min-in-flight']));
  if (values.cost) return printCost(gateCost(gated), Number(values.points), values.json);
  const pts = gateBubble(gated);
  const sum = bubbleSummary(pts);
  if (values.json) {
    console.log(JSON.stringify({ summary: sum, points: pts }, null, 1));
    return;
  }
  for (const p of pts.slice(0, Number(values.points))) console.log(`${where(p)}, ${p.workload}\n  a gated boundary: ${p.issued.toFixed(2)} heads issue their V stream in the bubble (model ${p.model.toFixed(2)}), ${p.running.toFixed(2)} V streams still running at the gated head's last key`);
  const f = (x: number) => x.toFixed(2);
  console.log(`${sum.points} gated generation points: per boundary, heads issuing their V stream in the bubble ${f(sum.issued)} (model ${f(sum.model)}), V streams still running at the gated head's last key ${f(sum.running)}; mean |simulator − model| ${f(sum.errModel)} heads (the gated head's own V stream alone: ${f(sum.errOwnV)})`);
}

function printCost(pts: ReturnType<typeof gateCost>, list: number, json: boolean): void {
  const err = pts.reduce((s, p) => s + Math.abs(p.analytical - p.cycle), 0) / pts.length;
  if (json) {
    console.log(JSON.stringify({ points: pts.length, meanAbsError: err, rows: pts }, null, 1));
    return;
  }
  for (const p of pts.slice(0, list)) console.log(`${where(p)}, ${p.workload}\n  the gate costs a gated head ${p.cycle.toFixed(1)} cycles in the simulator, ${p.analytical.toFixed(1)} analytical`);
  console.log(`${pts.length} gated generation points: what the gate costs a gated head, mean |analytical − simulator| ${err.toFixed(1)} cycles`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
