/**
 * Bit-identity cases of the cycle simulator: full `simulateCycle` result objects on the shipped
 * traces and generated workloads, under the default design and seeded random designs over the
 * hardware schema's timing fields and switches. A speed change to sim/cycle must leave every
 * number of every case exactly as recorded (test/cycle-identity.test.ts compares with Object.is).
 *
 * Regenerate only in a commit that changes the cycle model's numbers on purpose:
 *   npx tsx test/cycle-identity-cases.ts --update
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateCycle } from '../sim/cycle/index.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { mulberry32 } from '../sim/rng.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type HardwareConfig } from '../sim/schema.ts';
import type { Workload } from '../sim/workload/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE = path.join(here, 'fixtures', 'cycle-identity.json');
const traces = path.join(here, '..', 'sim', 'workload', 'traces');

/** The workloads, by name (traces as shipped; generated ones small enough for a unit test). */
export function workloads(): Record<string, Workload> {
  const per8 = readTraceFile(path.join(traces, 'summary-gpt2-small-wikitext2-per8.csv'));
  const step1 = readTraceFile(path.join(traces, 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv'));
  const gen = (wl: object, algo: object) => buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse(algo));
  return {
    per8,
    'per8-step1-first8': { ...step1, requests: step1.requests.filter((r) => r.iteration < 8) },
    small: readTraceFile(path.join(traces, 'small.csv')),
    'bert-base-summarization-pruned': gen(
      { model: 'bert-base', stage: 'summarization', seqLen: 384 },
      { tokenKeep: 0.5, headKeep: 0.75, valueKeep: 0.6, msbBits: 6, lsbBits: 4, lsbRefetchFraction: 0.1 },
    ),
    'gpt2-small-summarization-causal': gen({ model: 'gpt2-small', stage: 'summarization', seqLen: 256 }, { tokenKeep: 0.7, valueKeep: 0.8, lsbBits: 4, msbBits: 8 }),
    'gpt2-medium-generation-pruned': gen(
      { model: 'gpt2-medium', stage: 'generation', seqLen: 200, genTokens: 4 },
      { tokenKeep: 0.4, headKeep: 0.8, valueKeep: 0.5, msbBits: 8, lsbBits: 4, lsbRefetchFraction: 0.2 },
    ),
  };
}

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** A seeded random design over the hardware fields the cycle model reads. */
function randomDesign(rng: () => number): Partial<HardwareConfig> {
  return {
    clockGHz: pick(rng, [0.5, 1, 1.5, 2]),
    qkMultipliers: pick(rng, [32, 64, 128, 256, 512, 1024]),
    pvMultipliers: pick(rng, [32, 64, 128, 256, 512, 1024]),
    topkParallelism: pick(rng, [1, 2, 4, 8, 16, 32, 64]),
    keySramKB: pick(rng, [8, 24, 48, 98, 196, 392]),
    valueSramKB: pick(rng, [8, 24, 48, 98, 196, 392]),
    dramChannels: pick(rng, [1, 2, 4, 8, 16, 32]),
    dramChannelGBps: pick(rng, [8, 16, 32, 64]),
    fetcherPorts: pick(rng, [1, 4, 16, 32, 64]),
    inFlight: pick(rng, [1, 2, 4, 8, 16]),
    topkModel: pick(rng, ['paper', 'official-rtl'] as const),
    topkFilter: pick(rng, ['comparators', 'qk'] as const),
    gateTokenTopk: pick(rng, [false, true]),
    dramRefresh: pick(rng, [true, false]),
    dramMapping: pick(rng, ['RoBaRaCoCh', 'RoBaCoRaCh'] as const),
    dramQueueDepth: pick(rng, [4, 16, 32]),
  };
}

export interface IdentityCase {
  name: string;
  workload: string;
  hw: Partial<HardwareConfig>;
  seed: number;
}

/** Every workload under the default design (seeds 1 and 7) and three random designs each. */
export function identityCases(): IdentityCase[] {
  const rng = mulberry32(20261202);
  const cases: IdentityCase[] = [];
  for (const wl of Object.keys(workloads())) {
    cases.push({ name: `${wl}/default`, workload: wl, hw: {}, seed: 1 });
    cases.push({ name: `${wl}/default-seed7`, workload: wl, hw: {}, seed: 7 });
    for (let d = 0; d < 3; d++) cases.push({ name: `${wl}/random${d}`, workload: wl, hw: randomDesign(rng), seed: 1 + d });
  }
  return cases;
}

export const designOf = (c: IdentityCase): HardwareConfig => HardwareSchema.parse(c.hw);

/** Runs every case: name → full result object (as JSON would carry it). */
export function runCases(cases: IdentityCase[]): Map<string, unknown> {
  const w = workloads();
  const out = new Map<string, unknown>();
  for (const c of cases) out.set(c.name, JSON.parse(JSON.stringify(simulateCycle(w[c.workload], designOf(c), { seed: c.seed }))));
  return out;
}

/** Differences between two result objects: every number must be the same double (Object.is), every key present in both. */
export function exactDiffs(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? [] : [`${at}: ${String(a)} → ${String(b)}`];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? [] : [`${at}: ${String(a)} → ${String(b)}`];
  if (Array.isArray(a) !== Array.isArray(b)) return [`${at}: array vs object`];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const diffs: string[] = [];
  for (const k of keys) {
    if (!(k in a) || !(k in b)) diffs.push(`${at}.${k}: missing on one side`);
    else diffs.push(...exactDiffs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return diffs;
}

export function readIdentityFixture(): { cases: IdentityCase[]; results: Record<string, unknown> } {
  return JSON.parse(readFileSync(FIXTURE, 'utf8'));
}

if (process.argv.includes('--update')) {
  const cases = identityCases();
  const results = Object.fromEntries(runCases(cases));
  writeFileSync(FIXTURE, JSON.stringify({ cases, results }, null, 1) + '\n');
  console.log(`wrote ${cases.length} cases to ${FIXTURE}`);
}
