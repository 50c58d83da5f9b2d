/**
 * How much the exact profile of a sparse gather (sim/cycle/dram-profile.ts, the simulator's
 * placement: salt 0) moves when the context grows by one token: L → L + 1 with the same n kept
 * tokens re-hashes every stratum, and with it the row chunks, pseudo-channels and banks the
 * tokens land in. The reason the analytical model prices the expectation over placements
 * (sim/hw/dram-expected.ts) instead of one placement (sim/cycle/README.md, "Expected DRAM cost of
 * a gather").
 *
 *   node --import tsx scripts/gather-jitter.ts [--count N] [--seed X] [--json]
 *
 * Shapes: the sparse ones (n < L) of scripts/dram-validate.ts's random sample with the same count
 * and seed (3000, 1: the validation table's). Prints the quantiles of |cycles/byte at L + 1 ÷
 * cycles/byte at L − 1| over them, and by row-chunk slots per (sub-)channel as the validation
 * splits them. A shape whose exact occupancy at L is 0 is left out.
 */
import { subChannels } from '../sim/cycle/hbm-timing.ts';
import { profileStream } from '../sim/cycle/dram-profile.ts';
import { bandName, errorStats, sampleShapes, SLOT_BANDS, slotsOf, timingOf, type ErrorStats, type Shape } from './dram-validate.ts';

/** Exact cycles/byte of one placement (salt 0) of `s` with context `L`. */
export function cyclesPerByte(s: Shape, L: number): number {
  const t = timingOf(s);
  const p = profileStream(L, s.n, s.B, s.channels, t);
  let occ = 0;
  for (let c = 0; c < p.occ.length; c++) occ += p.occ[c];
  return occ / subChannels(t, s.channels).channels / p.bytes;
}

/** cycles/byte at L + 1 over cycles/byte at L, minus 1 (NaN where the occupancy at L is 0). */
export function jitter(s: Shape): number {
  const at = cyclesPerByte(s, s.L);
  return at > 0 ? cyclesPerByte(s, s.L + 1) / at - 1 : NaN;
}

export interface Jitter {
  count: number;
  seed: number;
  sparse: ErrorStats;
  bySlots: { slots: string; change: ErrorStats }[];
}

export function gatherJitter(count: number, seed: number): Jitter {
  const rows = sampleShapes(seed, count).filter((s) => s.n < s.L).map((s) => ({ slots: slotsOf(s), change: jitter(s) }));
  return {
    count,
    seed,
    sparse: errorStats(rows.map((r) => r.change)),
    bySlots: SLOT_BANDS.map(([lo, hi]) => ({ slots: bandName([lo, hi]), change: errorStats(rows.filter((r) => r.slots >= lo && r.slots <= hi).map((r) => r.change)) })),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const arg = (k: string, d: number) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const j = gatherJitter(arg('--count', 3000), arg('--seed', 1));
  if (process.argv.includes('--json')) console.log(JSON.stringify(j, null, 1));
  else {
    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    const line = (e: ErrorStats) => `${e.shapes} | ${pct(e.median)} | ${pct(e.p90)} | ${pct(e.p99)} | ${pct(e.max)}`;
    console.log(`|cycles/byte at L + 1 / at L − 1|, one placement (salt 0), sparse shapes of ${j.count} random (seed ${j.seed})\n`);
    console.log('| row-chunk slots per (sub-)channel | shapes | median | p90 | p99 | max |\n|---|---|---|---|---|---|');
    console.log(`| all | ${line(j.sparse)} |`);
    for (const b of j.bySlots) console.log(`| ${b.slots} | ${line(b.change)} |`);
  }
}
