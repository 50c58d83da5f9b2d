/**
 * What local-V pruning costs compute-bound summarization (sim/cycle/README.md, "Known gaps"): BERT-base,
 * L = 384, tokenKeep 0.2, headKeep 0.75, valueKeep 0.3, 98 KB SRAMs — the same point as
 *
 *   spatten-dse simulate -w bert-base --seq-len 384 --set algo.tokenKeep=0.2 --set algo.headKeep=0.75
 *     --set algo.valueKeep=0.3 --set hw.keySramKB=98 --set hw.valueSramKB=98 --fidelity M --json
 *
 * at both fidelities and with valueKeep 1; then the simulator's local-V engine counted selection by
 * selection (rows, keys, quick-select rounds, elements scanned) and re-run with the RTL's 1-cycle
 * turn-around and with none (scripts/topk-readings.ts's readings, on the local-V engine only).
 *
 *   node --import tsx scripts/localv-summary.ts [--json]
 *
 * Deterministic (the simulator's seeded pivots); a few seconds.
 */
import { pathToFileURL } from 'node:url';
import { simulateCycle } from '../sim/cycle/sim.ts';
import { quickSelectReading, type TopkEngine } from '../sim/cycle/topk-engine.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { ROUND, sampleTopkCost, type TopkEngineSpec } from '../sim/hw/topk.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';
import { buildWorkload } from '../sim/workload/build.ts';

export const LOCALV_ARGS = ['-w', 'bert-base', '--seq-len', '384', '--set', 'algo.tokenKeep=0.2', '--set', 'algo.headKeep=0.75', '--set', 'algo.valueKeep=0.3', '--set', 'hw.keySramKB=98', '--set', 'hw.valueSramKB=98'];
const WL = WorkloadSchema.parse({ model: 'bert-base', stage: 'summarization', seqLen: 384 });
const ALGO = { tokenKeep: 0.2, headKeep: 0.75 };
const HW = HardwareSchema.parse({ keySramKB: 98, valueSramKB: 98 });

/** The local-V engine's selections, summed. */
interface Tally { rows: number; keys: number; rounds: number; scanned: number; select: number }

/** The local-V engine has a finite input rate (softmax's scores); the token/head engine's is unbounded (sim/hw/topk.ts designEngines). */
const isLocalV = (spec: TopkEngineSpec) => Number.isFinite(spec.inputRate);

/** The design's engine (specTopkEngine's draws, the same pivots), counting its selections into `t`. */
function countingEngine(spec: TopkEngineSpec, t: Tally): TopkEngine {
  const base = quickSelectReading(spec, { turnaround: ROUND, firstRound: 'arrival' });
  return {
    ...base,
    select(n, k, rng) {
      const c = base.select(n, k, rng);
      if (c.select > 0) {
        const rounds = (c as { rounds?: number }).rounds ?? 0;
        Object.assign(t, { rows: t.rows + 1, keys: t.keys + n, rounds: t.rounds + rounds, scanned: t.scanned + c.compares - n, select: t.select + c.select });
      }
      return c;
    },
  };
}

const workload = (valueKeep: number) => buildWorkload(WL, AlgoSchema.parse({ ...ALGO, valueKeep }));

/** Engine busy cycles of the simulator with the local-V engine's turn-around at `turnaround`. */
function busyWith(turnaround: number): number {
  const topkEngine = (_hw: unknown, spec: TopkEngineSpec) =>
    isLocalV(spec) ? quickSelectReading(spec, { turnaround, firstRound: 'arrival' }) : quickSelectReading(spec, { turnaround: ROUND, firstRound: 'arrival' });
  return simulateCycle(workload(0.3), HW, { topkEngine }).stages.topk;
}

export function localVSummary() {
  const t: Tally = { rows: 0, keys: 0, rounds: 0, scanned: 0, select: 0 };
  const w = workload(0.3);
  const cycle = simulateCycle(w, HW, { topkEngine: (_hw, spec) => (isLocalV(spec) ? countingEngine(spec, t) : quickSelectReading(spec, { turnaround: ROUND, firstRound: 'arrival' })) });
  const plain = simulateCycle(w, HW);
  if (plain.cycles !== cycle.cycles) throw new Error(`localv-summary: the counting engine changed the run (${cycle.cycles} vs ${plain.cycles})`);
  const analytical = analyticalModel(w, HW);
  const dense = { cycle: simulateCycle(workload(1), HW), analytical: analyticalModel(workload(1), HW) };
  const P = HW.topkParallelism;
  return {
    args: LOCALV_ARGS,
    P,
    turnaround: ROUND,
    latencyMs: { cycle: cycle.latency_s * 1e3, analytical: analytical.latency_s * 1e3, valueKeep1: { cycle: dense.cycle.latency_s * 1e3, analytical: dense.analytical.latency_s * 1e3 } },
    engineBusy: { cycle: cycle.stages.topk, analytical: analytical.stages.topk, turnaround1: busyWith(1), turnaround0: busyWith(0) },
    qk: { cycle: cycle.stages.qk, analytical: analytical.stages.qk },
    localV: { ...t, scanCycles: t.scanned / P, turnaroundCycles: ROUND * t.rounds, ceilingSlack: t.select - ROUND * t.rounds - t.scanned / P },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = localVSummary();
  if (process.argv.includes('--json')) console.log(JSON.stringify(s));
  else console.log(s);
}
