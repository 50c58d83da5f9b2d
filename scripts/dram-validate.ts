/**
 * Validation of the closed-form expected DRAM cost (sim/hw/dram-expected.ts) against the mean of the
 * exact bank-level profiles (sim/cycle/dram-profile.ts) over placements (hash salts 0 … S−1).
 *
 *   node --import tsx scripts/dram-validate.ts [--count N] [--salts S] [--seed X] [--json]
 *
 * Random shapes: 1–32 channels, channel bandwidth log-uniform over 1–1024 GB/s, request window
 * log-uniform over 1–1024 bursts, both address mappings, token vectors of every model head
 * dimension × 1–32 bits (fused head pairs as dram-cost.ts stores them), L log-uniform over
 * 16–4096, a quarter dense (n = L), the rest n uniform over 1 … L − 1. Prints the median, p90,
 * p99 and max relative error of cycles/byte, activations/byte and the busiest channel's occupancy
 * (a stream ends when its slowest channel does), dense and sparse separately; for the sparse
 * gathers also the busiest channel read as a normal's (mean + lead + z_C·σ), as the model did
 * before the binomial reading (dram-expected.ts `busiestSpread`).
 */
import { hbmTiming, subChannels, type HbmTiming } from '../sim/cycle/hbm-timing.ts';
import { profileStream } from '../sim/cycle/dram-profile.ts';
import { busiestChannelReadings, expectedGatherCost } from '../sim/hw/dram-expected.ts';
import { fuseFactor } from '../sim/hw/dram-cost.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { mulberry32 } from '../sim/rng.ts';

export interface Shape {
  L: number;
  n: number;
  /** Bytes per (fused) token vector. */
  B: number;
  channels: number;
  gbps: number;
  queueDepth: number;
  mapping: HbmTiming['mapping'];
}

/** `count` random shapes from `seed` (see the header). */
export function sampleShapes(seed: number, count: number): Shape[] {
  const rng = mulberry32(seed);
  const logU = (lo: number, hi: number) => Math.exp(Math.log(lo) + rng() * (Math.log(hi) - Math.log(lo)));
  const dims = [...new Set(Object.values(MODEL_SHAPES).map((m) => m.headDim))];
  const out: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const channels = 1 + Math.floor(rng() * 32);
    const gbps = logU(1, 1024);
    const queueDepth = Math.min(1024, Math.floor(logU(1, 1025)));
    const mapping = rng() < 0.5 ? 'RoBaRaCoCh' : 'RoBaCoRaCh';
    const bytes = (dims[Math.floor(rng() * dims.length)] * (1 + Math.floor(rng() * 32))) / 8;
    const B = bytes * fuseFactor(bytes);
    const L = Math.min(4096, Math.floor(logU(16, 4097)));
    const n = rng() < 0.25 ? L : 1 + Math.floor(rng() * (L - 1));
    out.push({ L, n, B, channels, gbps, queueDepth, mapping });
  }
  return out;
}

export const timingOf = (s: Shape): HbmTiming => hbmTiming({ clockGHz: 1, dramChannelGBps: s.gbps }, { queueDepth: s.queueDepth, mapping: s.mapping });

/** Row-chunk slots per (sub-)channel of the region: L·B / 32 B over the channels, 16 bursts each. */
export const slotsOf = (s: Shape): number => Math.ceil((s.L * s.B) / 32 / subChannels(timingOf(s), s.channels).channels / 16);

/** Mean exact cycles/byte, activations/byte and busiest channel's occupancy (cycles) over salts 0 … S−1 (one placement if dense). */
export function exactMean(s: Shape, salts: number): { cyclesPerByte: number; activationsPerByte: number; busiest: number; salt0: { cyclesPerByte: number; activationsPerByte: number } } {
  const t = timingOf(s);
  const C = subChannels(t, s.channels).channels;
  const S = s.n >= s.L ? 1 : salts;
  let cpb = 0;
  let apb = 0;
  let busiest = 0;
  const salt0 = { cyclesPerByte: 0, activationsPerByte: 0 };
  for (let k = 0; k < S; k++) {
    const p = profileStream(s.L, s.n, s.B, s.channels, t, k);
    let occ = 0;
    for (let c = 0; c < p.occ.length; c++) occ += p.occ[c];
    cpb += occ / C / p.bytes;
    apb += p.misses / p.bytes;
    busiest += p.occupancy;
    if (k === 0) Object.assign(salt0, { cyclesPerByte: cpb, activationsPerByte: apb });
  }
  return { cyclesPerByte: cpb / S, activationsPerByte: apb / S, busiest: busiest / S, salt0 };
}

export interface Row extends Shape {
  dense: boolean;
  /** Row-chunk slots per (sub-)channel of the region (L·B / 32 B over the channels, 16 bursts each). */
  slots: number;
  /** Relative error of cycles/byte (NaN where the exact mean is 0). */
  cycles: number;
  activations: number;
  /** Relative error of the busiest channel's occupancy (NaN where the exact one is 0), and of the normal's reading of it. */
  busiest: number;
  busiestNormal: number;
  /** The same errors of the exact profile of one placement (salt 0, the simulator's) against the mean. */
  cycles0: number;
  activations0: number;
  exactZero: boolean;
  modelZero: boolean;
}

export function compare(shapes: Shape[], salts: number): Row[] {
  return shapes.map((s) => {
    const e = exactMean(s, salts);
    const m = expectedGatherCost(s.L, s.n, s.B, s.channels, timingOf(s));
    const b = busiestChannelReadings(s.L, s.n, s.B, s.channels, timingOf(s));
    const off = (x: number) => (e.busiest > 0 ? x / e.busiest - 1 : NaN);
    return {
      ...s,
      dense: s.n >= s.L,
      slots: slotsOf(s),
      cycles: e.cyclesPerByte > 0 ? m.cyclesPerByte / e.cyclesPerByte - 1 : NaN,
      activations: m.activationsPerByte / e.activationsPerByte - 1,
      busiest: off(b.busiest),
      busiestNormal: off(b.mean + b.lead + b.zC * b.sd),
      cycles0: e.cyclesPerByte > 0 ? e.salt0.cyclesPerByte / e.cyclesPerByte - 1 : NaN,
      activations0: e.salt0.activationsPerByte / e.activationsPerByte - 1,
      exactZero: e.cyclesPerByte === 0,
      modelZero: m.cyclesPerByte === 0,
    };
  });
}

export interface ErrorStats {
  shapes: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
}

/** Quantiles of |x| over the finite entries (nearest rank). */
export function errorStats(xs: number[]): ErrorStats {
  const a = xs.filter(Number.isFinite).map(Math.abs).sort((x, y) => x - y);
  const q = (p: number) => (a.length === 0 ? 0 : a[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)]);
  return { shapes: a.length, median: q(0.5), p90: q(0.9), p99: q(0.99), max: a.length ? a[a.length - 1] : 0 };
}

export function summary(rows: Row[]) {
  const part = (dense: boolean) => {
    const r = rows.filter((x) => x.dense === dense);
    return {
      cyclesPerByte: errorStats(r.map((x) => x.cycles)),
      activationsPerByte: errorStats(r.map((x) => x.activations)),
      busiest: errorStats(r.map((x) => x.busiest)),
      busiestNormal: errorStats(r.map((x) => x.busiestNormal)),
      /** Shapes whose busiest channel is off by more than 30 %, and how many of them have at most 3 row-chunk slots per channel. */
      busiestTail: { over30: r.filter((x) => Math.abs(x.busiest) > 0.3).length, fewSlots: r.filter((x) => Math.abs(x.busiest) > 0.3 && x.slots <= 3).length },
      onePlacement: { cyclesPerByte: errorStats(r.map((x) => x.cycles0)), activationsPerByte: errorStats(r.map((x) => x.activations0)) },
      exactZero: r.filter((x) => x.exactZero).length,
      exactZeroModelZero: r.filter((x) => x.exactZero && x.modelZero).length,
    };
  };
  const bySlots = SLOT_BANDS.map(([lo, hi]) => {
    const r = rows.filter((x) => !x.dense && x.slots >= lo && x.slots <= hi);
    return { slots: bandName([lo, hi]), cyclesPerByte: errorStats(r.map((x) => x.cycles)), activationsPerByte: errorStats(r.map((x) => x.activations)) };
  });
  return { dense: part(true), sparse: part(false), sparseBySlots: bySlots };
}

/** The row-chunk slot bands the tables split the sparse gathers by. */
export const SLOT_BANDS: [number, number][] = [[1, 3], [4, 15], [16, Infinity]];
export const bandName = ([lo, hi]: [number, number]) => `${lo}–${hi === Infinity ? '' : hi}`;

export type Summary = ReturnType<typeof summary>;

/**
 * The validation's tables as the script prints them (and sim/cycle/README.md quotes them, block
 * `dram-validate`: scripts/readme-cycle-dram.ts): errors of the closed form against the placement
 * mean, dense and sparse, then the sparse gathers by row-chunk slots, then the shapes left out.
 */
export function validationTable(s: Summary, count: number, salts: number, seed: number): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const metric = (m: (typeof METRICS)[number]) => ({ cyclesPerByte: 'cycles/byte', activationsPerByte: 'activations/byte', busiest: 'busiest channel' })[m];
  const stats = (e: ErrorStats) => `${e.shapes} | ${pct(e.median)} | ${pct(e.p90)} | ${pct(e.p99)} | ${pct(e.max)}`;
  const lines = [
    `closed form vs mean of ${salts} exact placements, ${count} random shapes (seed ${seed})`,
    '',
    '| gathers | metric | shapes | median | p90 | p99 | max |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const k of ['dense', 'sparse'] as const)
    for (const m of METRICS) lines.push(`| ${k} | ${metric(m)} | ${stats(s[k][m])} |`);
  lines.push(`| sparse, read as a normal's (mean + lead + z_C·σ) | busiest channel | ${stats(s.sparse.busiestNormal)} |`);
  for (const m of PLACEMENT_METRICS) lines.push(`| sparse, one exact placement (salt 0) instead | ${metric(m)} | ${stats(s.sparse.onePlacement[m])} |`);
  lines.push('', '| sparse, row-chunk slots per (sub-)channel | shapes | cycles/byte median | p90 | p99 | max | activations/byte p99 |', '|---|---|---|---|---|---|---|');
  for (const b of s.sparseBySlots) lines.push(`| ${b.slots} | ${stats(b.cyclesPerByte)} | ${pct(b.activationsPerByte.p99)} |`);
  lines.push('', `exact occupancy 0 (the following regions fully overlapped): dense ${s.dense.exactZero} (model 0 in ${s.dense.exactZeroModelZero}), sparse ${s.sparse.exactZero} (model 0 in ${s.sparse.exactZeroModelZero}); not in the table`);
  return lines;
}

const METRICS = ['cyclesPerByte', 'activationsPerByte', 'busiest'] as const;
const PLACEMENT_METRICS = ['cyclesPerByte', 'activationsPerByte'] as const;

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const arg = (k: string, d: number) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const count = arg('--count', 3000);
  const salts = arg('--salts', 16);
  const seed = arg('--seed', 1);
  const rows = compare(sampleShapes(seed, count), salts);
  const s = summary(rows);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ count, salts, seed, ...s }, null, 1));
  else {
    console.log(validationTable(s, count, salts, seed).join('\n'));
    const worst = rows.filter((r) => Number.isFinite(r.cycles)).sort((a, b) => Math.abs(b.cycles) - Math.abs(a.cycles)).slice(0, 8);
    console.log('\nlargest cycles/byte errors:');
    for (const r of worst) console.log(`  ${(100 * r.cycles).toFixed(1)} %  L ${r.L} n ${r.n} B ${r.B} channels ${r.channels} ${r.gbps.toFixed(1)} GB/s window ${r.queueDepth} ${r.mapping}`);
  }
}
