/**
 * The top-k engine's open cycle costs, read several ways (sim/cycle/README.md, "Readings of the
 * engine's open costs"): per8 at 16 comparators and Fig. 19a (1…32 comparators) through the cycle
 * simulator with each reading's engine plugged in (CycleOptions.topkEngine), then the shapes the
 * paper's Fig. 19a bars admit.
 *
 *   node --import tsx scripts/topk-readings.ts [--json]
 *
 * Readings of one quick-select round (Alg. 3; spec §1.9 of the official hardware):
 * - turn-around per round: 3 cycles (the released latency model, TopKLatencyModel: the default),
 *   1 (the RTL engine's one after-run cycle) or 0 (a lower bound);
 * - first round: on the scores as they arrive (the default: it overlaps the arrival only while the
 *   engine is idle, which shortens latency, not occupancy) or a full re-stream of the buffered scores after the fill (the RTL engine: "Fill: rows go into
 *   buffer 0 … Each round: stream the current buffer").
 * The token/head engine's first round is always a full round (its scores are accumulated).
 * Also the elements quick-select scans per key on per8 at 16 comparators (`scan`).
 * Deterministic (the simulator's seeded pivots); a few seconds.
 */
import { simulateCycle } from '../sim/cycle/sim.ts';
import { quickSelectReading, type QuickSelectReading } from '../sim/cycle/topk-engine.ts';
import { HardwareSchema } from '../sim/schema.ts';
import { readTraceFile } from '../sim/workload/trace.ts';

const TRACE = 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv';
const COMPARATORS = [1, 2, 4, 8, 16, 32];
/** Fig. 19a, relative to 16 comparators (spec §5.9: 168 / 299 / 485 / 653 / 776 / 771 GFLOPS). */
const PAPER = [168.4, 298.77, 485.42, 652.79, 776.24, 770.87].map((g) => g / 776.24);

type Reading = QuickSelectReading & { name: string };

const READINGS: Reading[] = [
  { name: 'turn-around 3, first round on arrival (default)', turnaround: 3, firstRound: 'arrival' },
  { name: 'turn-around 1, first round on arrival', turnaround: 1, firstRound: 'arrival' },
  { name: 'turn-around 0, first round on arrival', turnaround: 0, firstRound: 'arrival' },
  { name: 'turn-around 1, first round re-streamed (RTL)', turnaround: 1, firstRound: 'restream' },
  { name: 'turn-around 3, first round re-streamed', turnaround: 3, firstRound: 'restream' },
];

const w = readTraceFile(TRACE);

function runReading(r: Reading | undefined, P: number) {
  const hw = HardwareSchema.parse({ topkParallelism: P });
  const res = simulateCycle(w, hw, r ? { topkEngine: (_hw, spec) => quickSelectReading(spec, r) } : {});
  const stages = Object.entries(res.stages).filter(([k]) => k !== 'overhead') as [string, number][];
  const busiest = stages.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { cycles: res.cycles, gops: res.gops, topk: res.stages.topk, dram: res.stages.dram, busiest: busiest[0] };
}

/** Least-squares fits of the paper's relative bars: T(c)/T(16) as a + b/c, max(1, a + b/c), max(d, b/c). */
function shapeFits() {
  const rel = PAPER;
  const rms = (f: (c: number) => number) => Math.sqrt(COMPARATORS.reduce((s, c, i) => s + (1 / f(c) - rel[i]) ** 2, 0) / rel.length);
  let best = { additive: { a: 0, b: 0, rms: Infinity }, capped: { a: 0, b: 0, rms: Infinity }, pipelined: { d: 0, b: 0, rms: Infinity } };
  for (let a = 0; a <= 1.5; a += 0.005) {
    for (let b = 0; b <= 6; b += 0.005) {
      const add = rms((c) => (a + b / c) / (a + b / 16));
      if (add < best.additive.rms) best.additive = { a, b, rms: add };
      const cap = rms((c) => Math.max(1, a + b / c));
      if (cap < best.capped.rms) best.capped = { a, b, rms: cap };
      const pip = rms((c) => Math.max(a, b / c) / Math.max(a, b / 16));
      if (pip < best.pipelined.rms) best.pipelined = { d: a, b, rms: pip };
    }
  }
  const r3 = (x: number) => Number(x.toFixed(3));
  return {
    'T = a + b/c': { ...best.additive, relative: COMPARATORS.map((c) => r3((best.additive.a + best.additive.b / 16) / (best.additive.a + best.additive.b / c))) },
    'T = max(1, a + b/c)': { ...best.capped, relative: COMPARATORS.map((c) => r3(1 / Math.max(1, best.capped.a + best.capped.b / c))) },
    'T = max(d, b/c) (pipelined)': { ...best.pipelined, relative: COMPARATORS.map((c) => r3(Math.max(best.pipelined.d, best.pipelined.b / 16) / Math.max(best.pipelined.d, best.pipelined.b / c))) },
  };
}

const rows = READINGS.map((r, i) => {
  const runs = COMPARATORS.map((P) => runReading(i === 0 ? undefined : r, P));
  const t16 = runs[COMPARATORS.indexOf(16)];
  return {
    reading: r.name,
    relative: runs.map((x) => Number((t16.cycles / x.cycles).toFixed(3))),
    at16: { cycles: t16.cycles, topk: t16.topk, dram: Math.round(t16.dram), busiest: t16.busiest, gops: Math.round(t16.gops) },
  };
});
const fits = shapeFits();

/**
 * The elements quick-select scans per key at 16 comparators on Table I (the default engine's seeded
 * pivots; the filter's pass over the n scores left out), local-V selections and token/head ones.
 */
function quickSelectScan() {
  const t = { localV: { selections: 0, keys: 0, scanned: 0 }, tokenHead: { selections: 0, keys: 0, scanned: 0 } };
  simulateCycle(w, HardwareSchema.parse({ topkParallelism: 16 }), {
    topkEngine: (_hw, spec) => {
      const base = quickSelectReading(spec, READINGS[0]);
      const into = Number.isFinite(spec.inputRate) ? t.localV : t.tokenHead; // the local-V engine's input rate is softmax's
      return { ...base, select(n, k, rng) {
        const c = base.select(n, k, rng);
        if (c.select > 0) Object.assign(into, { selections: into.selections + 1, keys: into.keys + n, scanned: into.scanned + c.compares - n });
        return c;
      } };
    },
  });
  return t;
}
const scan = quickSelectScan();

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ trace: TRACE, comparators: COMPARATORS, paper: PAPER.map((x) => Number(x.toFixed(3))), readings: rows, fits, scan }, null, 2));
} else {
  console.log(`per8 (${TRACE}), Table I hardware; relative throughput at ${COMPARATORS.join(' / ')} comparators`);
  console.log(`${'paper Fig. 19a'.padEnd(50)} ${PAPER.map((x) => x.toFixed(3)).join(' / ')}`);
  for (const r of rows) {
    console.log(`${r.reading.padEnd(50)} ${r.relative.map((x) => x.toFixed(3)).join(' / ')}   @16: top-k ${r.at16.topk}, DRAM ${r.at16.dram}, busiest ${r.at16.busiest}, ${r.at16.gops} GOP/s`);
  }
  console.log('\nShapes the paper\'s bars admit (least squares on the relative figures):');
  for (const [name, f] of Object.entries(fits)) console.log(`${name.padEnd(30)} ${JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(3)) : v])))}`);
}
