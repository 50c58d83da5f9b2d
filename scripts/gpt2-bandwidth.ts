/**
 * What the paper's GPT-2 figures say about the DRAM bandwidth they were simulated with, and whether
 * any bandwidth reconciles them with this model (sim/cycle/README.md, "Fig. 20 from the GPU").
 *
 *   node --import tsx scripts/gpt2-bandwidth.ts [--json]
 *
 * 1. Implied by the paper alone (our byte counts, no timing model): the ASIC baseline of Fig. 20
 *    (dense, 12-bit K/V) is 22.1× faster than TITAN Xp on the 8 GPT-2 benchmarks; with the GPU
 *    latencies of Table IV's calibration that fixes its latency, and the dense workload's DRAM bytes
 *    over that latency is the bandwidth it got. §5.4's 0.43 TFLOPS over Fig. 18's 2.1 ops/B, and
 *    Table IV's SpAtten-e2e attention (0.9 GFLOP in 2.13 ms), say the same of the full design.
 * 2. This model (cycle) on the Table I design with the channel rate lowered from 32 GB/s: Fig. 20's
 *    cumulative steps over TITAN Xp and the benchmark suite's mean GPT-2 TFLOPS.
 * Deterministic; about 20 s.
 */
import { evaluateHardware } from '../sim/index.ts';
import { AlgoSchema, defaultHardware, WorkloadSchema } from '../sim/schema.ts';
import { runPlatform } from '../sim/baselines/platforms.ts';
import { BENCHMARKS, geomean } from '../sim/workload/benchmarks.ts';
import { FIG18_POINTS, FIG20_FROM_GPU, TABLE4 } from '../sim/paper.ts';
import { FIG20_CONFIGS, fig20Steps } from '../dse/reproduce/fig20.ts';
import { fig20gpu } from '../dse/reproduce/fig20gpu.ts';
import { benchmarkPoint } from '../dse/reproduce/fig14.ts';
import { simulateCycle } from '../sim/cycle/sim.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { FIG19A_PAPER_GOPS } from '../dse/reproduce/fig19a.ts';

const PER8 = readTraceFile('sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv');

/** Table I (16 × 32 GB/s), lower channel rates, and Ramulator-1's own `HBM-config.cfg` (8 channels × 16 GB/s). */
const CONFIGS = [
  { label: '16 × 32 GB/s (Table I)', channels: 16, gbps: 32 },
  { label: '16 × 16 GB/s', channels: 16, gbps: 16 },
  { label: '16 × 12 GB/s', channels: 16, gbps: 12 },
  { label: '16 × 8 GB/s', channels: 16, gbps: 8 },
  { label: '8 × 16 GB/s (Ramulator-1 HBM-config.cfg)', channels: 8, gbps: 16 },
];
type Dram = (typeof CONFIGS)[number];
const TABLE_I: Dram = CONFIGS[0];
const gpt = BENCHMARKS.filter((b) => b.model.startsWith('gpt2'));
const table1 = FIG20_CONFIGS.find((c) => c.name === 'table1');
if (!table1) throw new Error('fig20: no table1 configuration');
const steps = fig20Steps(table1);
const peakGBps = TABLE_I.channels * TABLE_I.gbps;

/** The cycle model on one benchmark and one Fig. 20 step (or the suite's own setting), on DRAM `d`. */
function run(b: (typeof gpt)[number], d: Dram, step?: (typeof steps)[number]) {
  const p = benchmarkPoint(b.name);
  const hw = { ...defaultHardware(), ...(step ? step.hw : p.hw), dramChannels: d.channels, dramChannelGBps: d.gbps };
  const algo = AlgoSchema.parse(step ? step.algo : p.algo);
  const workload = WorkloadSchema.parse(step ? { model: b.model, stage: b.stage, seqLen: b.seqLen, genTokens: b.genTokens } : p.workload);
  return evaluateHardware({ hw, algo, workload }, { fidelity: 'cycle' });
}

// 1. the paper's own figures
const asicPaper = FIG20_FROM_GPU.find((s) => s.step === 0)!.paper;
const implied = gpt.map((b) => {
  const dense = run(b, TABLE_I, steps[0]);
  const paperSeconds = runPlatform('titan-xp', b).latency_s / asicPaper;
  return { bytes: dense.dram_bytes, paperSeconds, ours: dense.latency_s };
});
const asicGBps = geomean(implied.map((x) => x.bytes / x.paperSeconds / 1e9));
const oursDenseGBps = geomean(implied.map((x) => x.bytes / x.ours / 1e9));
const fig18GBps = (FIG18_POINTS['SpAtten GPT-2'].tflops * 1e3) / FIG18_POINTS['SpAtten GPT-2'].opsPerByte;
const table4Tflops = TABLE4.spatten.attnGflop / TABLE4.spatten.attnMs; // GFLOP/ms = TFLOPS

// 2. this model on other DRAM: `reproduce fig20gpu`'s steps on a Table I configuration with that DRAM
const rows = CONFIGS.map((d) => {
  const cumulative = fig20gpu('cycle', { ...table1, hw: { ...table1.hw, dramChannels: d.channels, dramChannelGBps: d.gbps } }).cumulative;
  const suite = gpt.map((b) => run(b, d));
  const tflops = suite.reduce((a, r) => a + r.gops / 1e3, 0) / suite.length;
  const per8 = simulateCycle(PER8, { ...defaultHardware(), dramChannels: d.channels, dramChannelGBps: d.gbps });
  return { dram: d.label, peakGBps: d.channels * d.gbps, cumulative: FIG20_FROM_GPU.map((s) => cumulative[s.step]), suiteTflops: tflops, per8Gops: per8.gops };
});

const out = {
  peakGBps,
  paperImplied: {
    asicBaselineGBps: asicGBps,
    fig18GBps,
    table4AttentionTflops: table4Tflops,
    section54Tflops: FIG18_POINTS['SpAtten GPT-2'].tflops,
  },
  oursDenseGBps,
  paper: { cumulative: FIG20_FROM_GPU.map((s) => s.paper), suiteTflops: FIG18_POINTS['SpAtten GPT-2'].tflops, per8Gops: FIG19A_PAPER_GOPS[4] },
  rows,
};

if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
else {
  const f = (x: number) => x.toFixed(x < 10 ? 2 : 1);
  console.log(`Implied by the paper (Table I peak ${peakGBps} GB/s):`);
  console.log(`  Fig. 20 ASIC baseline ${asicPaper}× over TITAN Xp: the dense 12-bit GPT-2 benchmarks' DRAM bytes at ${f(asicGBps)} GB/s (${Math.round((100 * asicGBps) / peakGBps)}% of peak); this model: ${f(oursDenseGBps)} GB/s (${Math.round((100 * oursDenseGBps) / peakGBps)}%)`);
  console.log(`  §5.4 ${FIG18_POINTS['SpAtten GPT-2'].tflops} TFLOPS at Fig. 18's ${FIG18_POINTS['SpAtten GPT-2'].opsPerByte} ops/B: ${f(fig18GBps)} GB/s (${Math.round((100 * fig18GBps) / peakGBps)}%); Table IV SpAtten-e2e attention ${TABLE4.spatten.attnGflop} GFLOP in ${TABLE4.spatten.attnMs} ms = ${table4Tflops.toFixed(2)} TFLOPS`);
  console.log('This model (cycle) on Table I with other DRAM:');
  console.log(`  DRAM | Fig. 20 over TITAN Xp: ${FIG20_FROM_GPU.map((s) => s.name.split(' (')[0]).join(' / ')} | suite GPT-2 TFLOPS (§5.4) | per8 GOP/s at 16 comparators (Fig. 19a)`);
  for (const r of rows) console.log(`  ${r.dram} | ${r.cumulative.map(f).join(' / ')} | ${r.suiteTflops.toFixed(3)} | ${Math.round(r.per8Gops)}`);
  console.log(`  paper | ${out.paper.cumulative.map(f).join(' / ')} | ${out.paper.suiteTflops} | ${out.paper.per8Gops}`);
}
