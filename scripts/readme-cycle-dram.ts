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
  return wrap(`The simulator profiles each stream shape exactly (dram-profile.ts): the n kept tokens of L are laid out one per stratum [⌈iL/n⌉, ⌈(i+1)L/n⌉) at a hashed offset, split into row chunks per (sub-)channel, and each channel's chunks are served on a fresh \`HbmChannel\`, then again one and two regions further; the occupancy is the mean extra time of those two runs (a region of one row chunk a channel puts the next on the other pseudo-channel, where alone it runs beside the first and adds nothing). That is O(chunks) per new shape and jumps with the hash: L → L+1 with the same n moves a sparse gather's cost/byte by ${pctRound(j.sparse.p90)} or more in one shape in ten and by ${pctRound(j.sparse.p99)} at p99, ${pctRound(many.p99)} even with ≥ 16 row-chunk slots per channel (\`node --import tsx ${JITTER}\`: the simulator's placement, on the ${j.sparse.shapes.toLocaleString('en-US')} sparse shapes of the validation below). The analytical model uses the expectation over placements instead, per channel, from the same mechanisms:`);
}

/** A percentage as the prose rounds it: one decimal below 1 %, whole above. */
const pctRound = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 1 : 0)} %`;

/** After the tables: dense exact, where the sparse error's tail lives, the p99 target. */
export function dramValidateProseBlock(): string[] {
  const v = validation();
  const dense = v.dense;
  claim(dense.cyclesPerByte.max < 1e-9 && dense.activationsPerByte.max < 1e-9 && dense.exactZero === dense.exactZeroModelZero, 'dram-validate: dense gathers exact', HERE);
  const bands = v.sparseBySlots.map((b) => b.cyclesPerByte);
  const falls = (k: 'p90' | 'p99') => bands.every((b, i) => i === 0 || b[k] < bands[i - 1][k]);
  claim(falls('p90') && falls('p99'), 'dram-validate: the sparse p90 and p99 fall with the row-chunk slots', HERE);
  const [few, mid, many] = v.sparseBySlots;
  claim(many.slots.startsWith('16') && many.cyclesPerByte.p99 > TARGET_P99, 'dram-validate: the p99 target missed with ≥ 16 slots', HERE);
  const m = many.cyclesPerByte;
  return wrap(`Dense gathers are exact. The sparse error's tail lives in short and very sparse streams (cycles/byte p99 ${pctRound(few.cyclesPerByte.p99)} with ${few.slots} row-chunk slots per channel, ${pctRound(mid.cyclesPerByte.p99)} with ${mid.slots}: few row chunks per channel, a handful of kept tokens, or tokens wider than the channels so that one token's transactions split over neighbouring chunks): there the placement's variance in chunk sizes, PCs and banks decides the overlap of the two regions and the request-window stalls, and the representative pattern averages it only in part. The target of p99 ≤ ${pctRound(TARGET_P99)} against the placement mean is not reached (p99 ${pctRound(m.p99)} even with ≥ 16 row-chunk slots per channel; median ${pctRound(m.median)}, p90 ${pctRound(m.p90)} there).`);
}

export const DRAM_VALIDATE_BLOCKS: [string, () => string[]][] = [
  ['gather-jitter', gatherJitterBlock],
  ['dram-validate', dramValidateBlock],
  ['dram-validate-prose', dramValidateProseBlock],
];
