/**
 * Figures of sim/cycle/README.md's "Known gaps" that a quick command gives: the token top-k gate on
 * DRAM-bound runs (`scripts/gate-points.ts --json`, from test/cycle-xval.test.ts's 60 points) and the
 * cost of local-V pruning in summarization (`scripts/localv-summary.ts --json`) and how the two models count
 * SRAM activity (`scripts/sram-lines.ts --json`), and the quick-select's scan per key on per8
 * (`scripts/topk-readings.ts --json`'s `scan`). Written by scripts/readme-cycle.ts,
 * checked by test/readme-cycle.test.ts like the other blocks.
 */
import { f3, r2, script } from './readme-commands.ts';
import { claim, int, reading, readings, wrap } from './readme-cycle-runs.ts';
import { BENCHMARKS } from '../sim/workload/benchmarks.ts';

interface LocalV {
  args: string[]; P: number; turnaround: number;
  latencyMs: { cycle: number; analytical: number; valueKeep1: { cycle: number; analytical: number } };
  engineBusy: { cycle: number; analytical: number; turnaround1: number; turnaround0: number };
  qk: { cycle: number; analytical: number };
  localV: { rows: number; keys: number; rounds: number; scanned: number; scanCycles: number; turnaroundCycles: number; ceilingSlack: number };
}

interface GatePoint {
  index: number; model: string; clockGHz: number; dramChannels: number; dramChannelGBps: number;
  inFlight: number; valueSramKB: number; topkModel: string; busiest: string; ratio: number;
  gateOff: { ratio: number }; boundaries: number; perBoundary: { cycle: number; analytical: number };
}
interface Gate { gated: GatePoint[]; range: number[]; within10: number; points: number }

const M = (x: number) => `${(x / 1e6).toFixed(2)} M`;

/** "Known gaps": local-V pruning in summarization, one selection per query row. */
export function localVBlock(): string[] {
  const s = script<LocalV>('localv-summary.ts');
  const { engineBusy: e, localV: v, qk } = s;
  claim(M(e.cycle) === M(e.analytical), 'local-V: the engine\'s busy cycles the same in both models');
  claim(e.turnaround0 > qk.cycle && e.cycle > qk.cycle, 'local-V: the engine above Q·K whatever the turn-around');
  const bert = BENCHMARKS.filter((b) => b.model.startsWith('bert'));
  claim(bert.length > 0 && bert.every((b) => (b.algo.valueKeep ?? 1) === 1), 'the shipped BERT benchmarks keep valueKeep = 1');
  const perRow = v.scanned / v.keys;
  return wrap(`Local-V pruning in summarization costs one selection per query row on the local-V engine (§III-C: decided from the current query's probabilities; §IV-B: its own engine; the pipeline runs query by query), and saves no DRAM there (V is resident in the value SRAM, fetched once). On BERT-base (L = 384, tokenKeep 0.2, headKeep 0.75, valueKeep 0.3, 98 KB SRAMs: \`simulate ${s.args.join(' ')}\`, counted by \`node --import tsx scripts/localv-summary.ts\`) the ${v.rows.toLocaleString('en-US')} rows (mean ${Math.round(v.keys / v.rows)} keys) need ${M(e.cycle)} engine cycles in both models against ${M(qk.cycle)} for Q·K: ${M(v.scanCycles)} of scanning (${perRow.toFixed(1)} n elements per row at ${s.P} comparators), ${M(v.turnaroundCycles)} of ${s.turnaround}-cycle turn-arounds (${(v.rounds / v.rows).toFixed(1)} rounds per row), ${M(v.ceilingSlack)} of ceiling slack. With the RTL's 1-cycle after-run state it would be ${M(e.turnaround1)}, with none ${M(e.turnaround0)}: random-pivot quick-select alone needs ≈ ${(perRow / s.P).toFixed(2)} n cycles per row at P = ${s.P} against Q·K's n/8, so local-V pruning slows compute-bound summarization whatever the turn-around (${r2(s.latencyMs.analytical)} vs ${r2(s.latencyMs.valueKeep1.analytical)} ms with valueKeep 1, analytical; cycle ${r2(s.latencyMs.cycle)} vs ${r2(s.latencyMs.valueKeep1.cycle)}); the shipped BERT benchmarks keep valueKeep = 1.`, '- ', '  ');
}

const describe = (p: GatePoint) =>
  `${p.model}, ${p.clockGHz} GHz, ${p.dramChannels} × ${p.dramChannelGBps} GB/s, inFlight ${p.inFlight}, value SRAM ${p.valueSramKB} KB, ${p.topkModel}`;

/** "Known gaps": the token top-k gate in generation (the 60-point test's gated generation points). */
export function gateBlock(): string[] {
  const g = script<Gate>('gate-points.ts');
  const pts = g.gated;
  claim(pts.length >= 4 && pts.every((p) => p.boundaries === pts[0].boundaries), 'gate: at least four gated generation points, as many gated boundaries each');
  claim(g.within10 === g.points, 'gate: all points within 10%');
  const cyc = pts.map((p) => p.perBoundary.cycle);
  const an = pts.map((p) => p.perBoundary.analytical);
  const row = (p: GatePoint) => `${describe(p)}: ${f3(p.ratio)} (gate off ${f3(p.gateOff.ratio)}), a boundary ${int(p.perBoundary.cycle)} cycles in the simulator, ${int(p.perBoundary.analytical)} analytical`;
  return wrap(`*The token top-k gate in generation (analytical).* \`gateTokenTopk\` holds admission from a gated head's admission to its token top-k's end (scheduler.ts). The analytical model prices that bubble term by term (sim/hw/finalize.ts \`gatedGeneration\`): Q·K and softmax pay all of it, the DRAM all but the V streams issued in it (the gated head's and those of the heads still between their last key and their decision: \`bubbleValueHeads\`, "The gated bubble's value streams" above), the heads-in-flight window and the serial path the top-k and what the gated layer leaves of its windows to no other head: the empty slots of its last batch and the paces by which its gated head decides after the batch's first, and where heads refetch the slot and the batch's latest decision the gate waits for ("The gated layer's last batch" above); the part all three front terms pay is added after the smooth max (\`headGranularFront\`, "The gate's common bubble" above). The ${pts.length} gated generation points of the ${g.points}-point test (test/cycle-xval.test.ts; these figures: \`node --import tsx scripts/gate-points.ts\`; ${pts[0].boundaries} gated boundaries each; cycle / analytical latency): ${pts.map(row).join('; ')}. What a boundary costs runs from ${int(Math.min(...cyc))} to ${int(Math.max(...cyc))} cycles in the simulator and from ${int(Math.min(...an))} to ${int(Math.max(...an))} in the analytical model: the value side's backlog, V streams issued before the gated head's last key and still running at it, is not modelled (one case, a value buffer of a few heads, is in "Analytical vs cycle" above). All ${g.points} points are within 10% (${g.range.map(f3).join(' … ')}).`, '- ', '  ');
}

interface SramRatios { readBits: number; writeBits: number; sramEnergy: number; energy: number; sramShare: { cycle: number; analytical: number }; dramBytes: number }
interface SramLines {
  benchmark: string; seqLen: number; meanKeys: number;
  padded: (SramRatios & { M: number; lineKeys: number })[];
  spill: SramRatios & { model: string; seqLen: number; sramKB: number };
}

const pct = (x: number) => `${Math.round(100 * x)}`;

/** "Known gaps": SRAM activity, padded lines in the simulator, every fetched element written in the analytical model. */
export function sramBlock(): string[] {
  const s = script<SramLines>('sram-lines.ts');
  const { padded: p, spill: v } = s;
  const each = (f: (x: SramLines['padded'][number]) => string) => p.map(f).join(' / ');
  claim([...p, v].every((x) => x.dramBytes === 1), 'SRAM counts: the same DRAM bytes in both models');
  claim(p.every((x, i) => x.readBits > 1 && x.energy > 1 && (i === 0 || x.readBits > p[i - 1].readBits)), 'SRAM counts: padding grows with the line, energy above the analytical');
  claim(v.readBits === 1 && Math.abs(v.writeBits - 1) < 0.001 && Math.abs(v.energy - 1) < 0.001, 'SRAM counts: a spilling point reads and writes the same bits in both models');
  return wrap(`SRAM activity is counted differently: the simulator counts whole array lines read (M × 12 b per line, padded) and writes each head's lines once, and again each spilled line a query fetches again and each MSB line a split generation head re-reads (RTL stage 7 writes a line per fetch response); the analytical model counts the elements used and every fetched element as written (these figures: \`node --import tsx scripts/sram-lines.ts\`). BERT-CoLA's rows (L = ${s.seqLen}, ${s.meanKeys.toFixed(2)} keys a row after token pruning) read ${each((x) => `${x.lineKeys}`)}-key lines on ${each((x) => int(x.M))} multipliers: the simulator counts ${each((x) => r2(x.readBits))}× the analytical bits read (${each((x) => r2(x.writeBits))}× written), and its energy is ${each((x) => r2(x.energy))}× the analytical (SRAM ${each((x) => pct(x.sramShare.cycle))}% of it, against ${each((x) => pct(x.sramShare.analytical))}%). Where heads spill (${v.model}, L = ${v.seqLen}, ${v.sramKB} KB SRAMs) both count the same bits read and written (${f3(v.writeBits)}× written; energy ${f3(v.energy)}×): until the simulator wrote the spilled lines again it counted 0.003× the analytical bits written, 0.53× its SRAM energy. DRAM bytes are the same in both models at these points, and latency does not depend on the counts.`, '- ', '  ');
}

/** "Known gaps": the top-k engine's quick-select on per8 (scripts/topk-readings.ts's readings and its `scan`). */
export function topkGapBlock(): string[] {
  const { localV, tokenHead } = readings().scan;
  const perKey = (s: typeof localV) => s.scanned / s.keys;
  const [def, rtl, none] = ['turn-around 3, first round on arrival', 'turn-around 1, first round on arrival', 'turn-around 0'].map((n) => reading(n).at16.busiest);
  claim(def === 'topk' && rtl === 'topk' && none === 'dram', 'per8 at 16: top-k-bound with 3- and 1-cycle turn-arounds, DRAM-bound with none');
  const x = perKey(localV).toFixed(1);
  claim(Math.abs(perKey(tokenHead) - perKey(localV)) < 0.1, 'quick-select scans about as much per key on both engines');
  return [
    ...wrap(`On Table I, Fig. 19a below 16 comparators and Fig. 20's token / top-k split are not reproduced: both need about one P-scaled pass per top-k where Alg. 3 with random pivots needs ≈ ${x} (evidence above; next item). The fitted configurations remain as sensitivity studies.`, '- ', '  '),
    ...wrap(`per8 at 16 comparators is top-k-bound, not DRAM-bound as §I says ("Paper figures": the readings table's default row): random-pivot quick-select scans ${perKey(localV).toFixed(2)} n elements per top-k (${int(localV.selections)} local-V selections, ${int(localV.keys)} keys; ${perKey(tokenHead).toFixed(2)} n on the ${int(tokenHead.selections)} token / head ones) and takes 3-cycle turn-arounds, which the paper does not state (\`node --import tsx scripts/topk-readings.ts\`: with the RTL's 1-cycle after-run state the engine still leads; with none the DRAM binds).`, '- ', '  '),
  ];
}

export const CYCLE_GAP_BLOCKS: [string, () => string[]][] = [['gate-gap', gateBlock], ['localv-summary', localVBlock], ['sram-gap', sramBlock], ['topk-gap', topkGapBlock]];
