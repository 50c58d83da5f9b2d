/**
 * How the two models count SRAM activity (sim/cycle/README.md, "Known gaps"): the simulator counts
 * whole array lines (M × 12 b, padded) read and written (each head's lines, and again each line
 * fetched again); the analytical model the elements used and every fetched element as written. Two kinds of point, both models:
 *  - bert-base-cola (the benchmark's settings, Table I otherwise) at M = 512, 1,024 and 2,048
 *    multipliers (Q·K and prob·V alike): short rows in longer lines;
 *  - BERT-base, L = 384, 12 KB key and value SRAMs (default settings): spilled keys and values
 *    fetched again per query, written again in both counts.
 * The same points as `spatten-dse simulate -w bert-base-cola --set hw.qkMultipliers=M --set
 * hw.pvMultipliers=M --fidelity F --json` and `simulate -w bert-base --seq-len 384 --set
 * hw.keySramKB=12 --set hw.valueSramKB=12 --fidelity F --json`.
 *
 *   node --import tsx scripts/sram-lines.ts [--json]
 *
 * Deterministic; a few seconds.
 */
import { pathToFileURL } from 'node:url';
import { simulateCycle } from '../sim/cycle/sim.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type HardwareConfig } from '../sim/schema.ts';
import { benchmark } from '../sim/workload/benchmarks.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import type { Workload } from '../sim/workload/types.ts';

export const PADDED_BENCHMARK = 'bert-base-cola';
export const PADDED_MULTIPLIERS = [512, 1024, 2048];
export const SPILL = { model: 'bert-base', seqLen: 384, sramKB: 12 } as const;

/** Cycle over analytical: SRAM bits read and written, SRAM energy, energy, DRAM bytes and latency. */
function compare(w: Workload, hw: HardwareConfig) {
  const [c, a] = [simulateCycle(w, hw), analyticalModel(w, hw)];
  const sram = (r: typeof c) => r.energy.keySram + r.energy.valueSram;
  const read = (r: typeof c) => r.activity.keySramReadBits + r.activity.valueSramReadBits;
  const written = (r: typeof c) => r.activity.keySramWriteBits + r.activity.valueSramWriteBits;
  return {
    readBits: read(c) / read(a),
    writeBits: written(c) / written(a),
    sramEnergy: sram(c) / sram(a),
    energy: c.energy_j / a.energy_j,
    sramShare: { cycle: sram(c) / c.energy_j, analytical: sram(a) / a.energy_j },
    dramBytes: c.dram_bytes / a.dram_bytes,
    latency: c.latency_s / a.latency_s,
  };
}

export function sramLines() {
  const b = benchmark(PADDED_BENCHMARK);
  const w = buildWorkload(WorkloadSchema.parse({ model: b.model, stage: b.stage, seqLen: b.seqLen }), AlgoSchema.parse(b.algo));
  const rows = w.requests.reduce((s, r) => s + r.queries, 0);
  const keys = w.requests.reduce((s, r) => s + r.queries * r.keys, 0);
  const padded = PADDED_MULTIPLIERS.map((M) => ({
    M,
    lineKeys: M / w.model.headDim,
    ...compare(w, HardwareSchema.parse({ qkMultipliers: M, pvMultipliers: M })),
  }));
  const sw = buildWorkload(WorkloadSchema.parse({ model: SPILL.model, stage: 'summarization', seqLen: SPILL.seqLen }), AlgoSchema.parse({}));
  const spill = compare(sw, HardwareSchema.parse({ keySramKB: SPILL.sramKB, valueSramKB: SPILL.sramKB }));
  return { benchmark: PADDED_BENCHMARK, seqLen: b.seqLen, meanKeys: keys / rows, padded, spill: { ...SPILL, ...spill } };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = sramLines();
  if (process.argv.includes('--json')) console.log(JSON.stringify(s));
  else console.dir(s, { depth: 4 });
}
