/**
 * sim/cycle/README.md's validation of the expected DRAM cost (sim/hw/dram-expected.ts) against the
 * mean of exact profiles: block `dram-validate` is what `node --import tsx scripts/dram-validate.ts
 * --count 3000 --salts 16` prints (rendered by the script's own `validationTable` from its --json
 * output; about 8 s), block `dram-validate-prose` the sentences that quote it, each qualitative
 * word checked against the figures (`claim`); block `gather-jitter`, the paragraph before them, quotes
 * `node --import tsx scripts/gather-jitter.ts` (how far L → L + 1 moves one exact placement's cost,
 * about 1 s). Written by scripts/readme-cycle.ts, checked by test/readme-cycle.test.ts like the
 * other blocks.
 */
import path from 'node:path';
import { nodeJson, ROOT } from './readme-commands.ts';
import { claim, wrap } from './readme-cycle-runs.ts';
import { validationTable, type Summary } from './dram-validate.ts';
import type { Jitter } from './gather-jitter.ts';
import { QUANTILES, windowTables, type WindowReport } from './dram-window.ts';
import { isUsedRule, rulesTable, type compareRules } from './profile-regions.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';

/** The documented run: 3000 random shapes, 16 placements each (the seed is the script's default, 1). */
export const DRAM_VALIDATE_ARGS = ['--count', '3000', '--salts', '16'];
const SCRIPT = 'scripts/dram-validate.ts';
const HERE = 'scripts/readme-cycle-dram.ts';
/** The target the closed form was written for: p99 of the sparse cycles/byte error ≤ 5 %. */
const TARGET_P99 = 0.05;

type Validation = Summary & { count: number; salts: number; seed: number };

/** `node --import tsx scripts/dram-validate.ts --count 3000 --salts 16 --json`, parsed (run once per process). */
export const validation = () => nodeJson<Validation>(['--import', 'tsx', path.join(ROOT, SCRIPT), ...DRAM_VALIDATE_ARGS, '--json']);

/** The command's sentence and its tables, as the script prints them. */
export function dramValidateBlock(): string[] {
  const v = validation();
  const dims = [...new Set(Object.values(MODEL_SHAPES).map((m) => m.headDim))].join('/');
  return [
    ...wrap(`Validation against the mean of exact profiles over placements (\`keptIndex\`/\`profileStream\` take a salt; salt 0 is the simulator's placement): \`node --import tsx ${SCRIPT} ${DRAM_VALIDATE_ARGS.join(' ')}\` (random shapes: 1–32 channels, 1–1024 GB/s, windows 1–1024, both mappings, ${dims}-dim heads × 1–32 bits incl. fused pairs, L 16–4096, a quarter dense) prints the relative error:`),
    '',
    ...validationTable(v, v.count, v.salts, v.seed),
  ];
}

const JITTER = 'scripts/gather-jitter.ts';
/** `node --import tsx scripts/gather-jitter.ts --json` (its defaults: the validation's 3000 shapes, seed 1), parsed. */
export const jitter = () => nodeJson<Jitter>(['--import', 'tsx', path.join(ROOT, JITTER), '--json']);

/** Before the mechanism table: how the exact profile is made, and how much one token of context moves it. */
export function gatherJitterBlock(): string[] {
  const j = jitter();
  const many = j.bySlots.find((b) => b.slots.startsWith('16'))!.change;
  claim(j.sparse.p90 > 0.01 && many.p99 > TARGET_P99, 'gather-jitter: L → L+1 moves a sparse gather\'s cost by more than the closed form\'s target', HERE);
  return wrap(`The simulator profiles each stream shape exactly (dram-profile.ts): the n kept tokens of L are laid out one per stratum [⌈iL/n⌉, ⌈(i+1)L/n⌉) at a hashed offset, split into row chunks per (sub-)channel, and each channel's chunks are served on a fresh \`HbmChannel\`, then again in the regions that follow it in memory, enough of them to span tFAW and the request window six times (2–32 regions, \`followingRegions\`); the occupancy is their mean extra time (a region of one row chunk a channel puts the next on the other pseudo-channel, where alone it runs beside the first and adds nothing). That is O(chunks) per new shape and jumps with the hash: L → L+1 with the same n moves a sparse gather's cost/byte by ${pctRound(j.sparse.p90)} or more in one shape in ten and by ${pctRound(j.sparse.p99)} at p99, ${pctRound(many.p99)} even with ≥ 16 row-chunk slots per channel (\`node --import tsx ${JITTER}\`: the simulator's placement, on the ${j.sparse.shapes.toLocaleString('en-US')} sparse shapes of the validation below). The analytical model uses the expectation over placements instead, per channel, from the same mechanisms:`);
}

/** A percentage as the prose rounds it: one decimal below 1 %, whole above. */
const pctRound = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 1 : 0)} %`;

/** After the tables: dense exact, where the sparse error's tail lives, the p99 target. */
export function dramValidateProseBlock(): string[] {
  const v = validation();
  const dense = v.dense;
  claim(dense.cyclesPerByte.max < 1e-4 && dense.activationsPerByte.max < 1e-9 && dense.exactZero === dense.exactZeroModelZero, 'dram-validate: dense gathers exact to 1e-4', HERE);
  const denseOff = dense.cyclesPerByte.max < 1e-9 ? 'exact' : 'exact to 10⁻⁴ (a chunk spread out by the request window can leave a start-up longer than the closed form\'s prefix of 24 chunks)';
  const bands = v.sparseBySlots.map((b) => b.cyclesPerByte);
  const falls = (k: 'p90' | 'p99') => bands.every((b, i) => i === 0 || b[k] < bands[i - 1][k]);
  claim(falls('p90') && falls('p99'), 'dram-validate: the sparse p90 and p99 fall with the row-chunk slots', HERE);
  const [few, mid, many] = v.sparseBySlots;
  claim(many.slots.startsWith('16') && many.cyclesPerByte.p99 > TARGET_P99, 'dram-validate: the p99 target missed with ≥ 16 slots', HERE);
  const m = many.cyclesPerByte;
  const b = v.sparse.busiest;
  const bn = v.sparse.busiestNormal;
  const tail = v.sparse.busiestTail;
  claim(b.median < bn.median && b.p90 < bn.p90, 'dram-validate: the binomial reading of the busiest channel beats the normal one at the median and p90', HERE);
  claim(tail.fewSlots > tail.over30 / 2, 'dram-validate: most of the busiest channel\'s tail has at most 3 row-chunk slots per channel', HERE);
  return wrap(`Dense gathers are ${denseOff}. A sparse stream's busiest channel (the stream ends when it does) is off by ${pctRound(b.median)} at the median and ${pctRound(b.p90)} at p90, where reading the channels' loads as normal (mean + lead + z_C·σ) gave ${pctRound(bn.median)} and ${pctRound(bn.p90)}; at p99 both are far off (${pctRound(b.p99)} and ${pctRound(bn.p99)}): ${tail.fewSlots} of the ${tail.over30} shapes off by more than 30 % have at most 3 row-chunk slots per channel, a few bursts a channel whose occupancy is not proportional to their count, as both readings take it. The cycles/byte error's tail lives in short and very sparse streams (cycles/byte p99 ${pctRound(few.cyclesPerByte.p99)} with ${few.slots} row-chunk slots per channel, ${pctRound(mid.cyclesPerByte.p99)} with ${mid.slots}: few row chunks per channel, a handful of kept tokens, or tokens wider than the channels so that one token's transactions split over neighbouring chunks): there the placement's variance in chunk sizes, PCs and banks decides the overlap of the regions and the request-window stalls, and the representative pattern averages it only in part. The target of p99 ≤ ${pctRound(TARGET_P99)} against the placement mean is not reached (p99 ${pctRound(m.p99)} even with ≥ 16 row-chunk slots per channel; median ${pctRound(m.median)}, p90 ${pctRound(m.p90)} there).`);
}

const WINDOW = 'scripts/dram-window.ts';
type WindowRun = WindowReport & { count: number; seed: number };
/** `node --import tsx scripts/dram-window.ts --json` (600 shapes, seed 1: its defaults, about 2 s), parsed. */
export const windowRun = () => nodeJson<WindowRun>(['--import', 'tsx', path.join(ROOT, WINDOW), '--json']);

/** How the request window is read, and the chunk model against the window applied burst by burst. */
export function dramWindowBlock(): string[] {
  const r = windowRun();
  const cost = (name: string) => r.named.find((x) => x.name === name)!.cost;
  const dense = cost('dense 993 × 96 B');
  const most = cost('95% of 993 × 96 B');
  claim(dense.model >= most.model && dense.before < most.before, 'dram-window: dense ≥ 95% now, < before', HERE);
  claim(r.named.every((x) => x.cost['in-order'] >= x.cost.count - 1e-9), 'dram-window: in order never cheaper than count', HERE);
  const q = (xs: number[], p: number) => xs[QUANTILES.indexOf(p)];
  const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}%`;
  claim(q(r.vsCount.before, 0.1) < -0.1, 'dram-window: the rule before underpriced a tenth of the shapes by more than 10%', HERE);
  return [
    ...wrap(`The official shim allows 16 outstanding requests per channel (spec §1.6). Both models read that as a window released in request order — a burst enters when the burst \`queueDepth\` before it and every earlier one have returned (responses leave through the AXI side's ID FIFO in order) — checked at a chunk's first burst and at the last of its first \`queueDepth\`, the chunk's bursts spread out to meet it (sim/cycle/dram.ts). \`node --import tsx ${WINDOW}\` serves the same streams burst by burst under that reading ("in order"), under the other one — a slot freed by whichever burst returns ("count", the queueDepth-th latest completion) — and under the rule used before ("before": a chunk entered when the burst \`queueDepth\` before its first had returned, whatever the order, and nothing held its later bursts, so with 16-burst chunks on alternating PCs twice the window was in flight). In order is the stricter reading: on the default window it costs ${pct(dense['in-order'] / dense.count - 1)} over count on the dense stream below, ${pct(cost('dense 8192 × 64 B, 1 channel')['in-order'] / cost('dense 8192 × 64 B, 1 channel').count - 1)} on one channel; the rule before was cheaper than both there and ${pct(q(r.vsCount.before, 0.1))} at the 10th percentile of the random shapes, and priced the dense stream below ${pct(dense.before / most.before - 1)} against the one keeping 95% of its tokens.`),
    '',
    ...windowTables(r, r.count, r.seed),
  ];
}

const REGIONS = 'scripts/profile-regions.ts';
type RegionsRun = ReturnType<typeof compareRules> & { count: number; seed: number };
/** `node --import tsx scripts/profile-regions.ts --json` (3000 shapes, seed 1: its defaults, about 5 s), parsed. */
export const regionsRun = () => nodeJson<RegionsRun>(['--import', 'tsx', path.join(ROOT, REGIONS), '--json']);

/** How many following regions a stream profile serves: each rule against a 200-region mean. */
export function profileRegionsBlock(): string[] {
  const r = regionsRun();
  const before = r.rows[0];
  const used = r.rows.find((x) => x.name === 'tFAW 6 times, window twice')!;
  const both = r.rows.find((x) => x.name === 'tFAW and window 6 times')!;
  const warm = r.rows.find((x) => x.name.includes('warm-up'))!;
  claim(isUsedRule(used.rule), 'profile-regions: the rule the sentence names (tFAW 6 times, window twice) is followingRegions\'s', HERE);
  claim(used.p99 < before.p99 && used.slower < before.slower && both.p99 < used.p99, 'profile-regions: the rule used beats the one before; both windows covered do better still', HERE);
  claim(warm.p99 > used.p99 && warm.cost > used.cost, 'profile-regions: warm-up regions do worse than covering the windows more often', HERE);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return [
    ...wrap(`A stream's occupancy is the mean extra time of the regions after a fresh first one. The steady state of a stream of regions is often periodic over several regions (tFAW groups and the window's landing positions advance by a region's chunks and bursts, banks by its span), so a mean over too few regions depends on where the period is cut. Both models serve enough following regions to span tFAW (4 activations a pseudo-channel) six times and the request window twice, 2–32 regions (\`followingRegions\`); tFAW twice, as before, left a p99 error of ${pct(before.p99)} against a 200-region mean where six times leaves ${pct(used.p99)}, for ${used.cost.toFixed(2)}× the chunks served on these shapes, and ${before.slower} of ${r.streams / 2} doublings of the channel GB/s came out slower against ${used.slower}. Covering the request window six times too leaves ${pct(both.p99)} and ${both.slower}, but a design with a deep window (\`hw.dramQueueDepth\` up to 1,024) then serves up to 32 regions of every stream (sim/cycle/dram-profile.ts gives the cost). Measuring after warm-up regions instead (the start-up of a fresh channel was first blamed) leaves ${pct(warm.p99)} for ${warm.cost.toFixed(2)}× (\`node --import tsx ${REGIONS}\`):`),
    '',
    ...rulesTable(r, r.count, r.seed),
  ];
}

export const DRAM_VALIDATE_BLOCKS: [string, () => string[]][] = [
  ['dram-window', dramWindowBlock],
  ['profile-regions', profileRegionsBlock],
  ['gather-jitter', gatherJitterBlock],
  ['dram-validate', dramValidateBlock],
  ['dram-validate-prose', dramValidateProseBlock],
];
