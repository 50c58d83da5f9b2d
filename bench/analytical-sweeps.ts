/**
 * Sweep-shaped workloads for the analytical bench (bench/analytical.bench.ts): distinct random
 * hardware points over the full HardwareSchema ranges, grid-style points (every knob from a short
 * list), and algorithm points (new tokenKeep/headKeep/valueKeep/msbBits every point, so the
 * workload is rebuilt and re-prepared each time; then the same points again, warm). Each phase runs until it has done `max` points
 * or `budgetMs` of wall time, and reports the count it reached. Only valid designs are drawn: the
 * word holds the data (dse/point-checks.ts `wordBitsNeed`, the check `run` and `simulate` make),
 * so hw.wordBits is drawn from the workload's need up and msbBits up to what the word leaves the
 * LSBs.
 */
import os from 'node:os';
import { z } from 'zod';
import { createFastMetrics, evaluatePrepared, prepareWorkload } from '../sim/hw/analytical.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type AlgoConfig, type HardwareConfig, type WorkloadConfig } from '../sim/schema.ts';
import { mulberry32, type Rng } from '../sim/rng.ts';
import { wordBitsNeed } from '../dse/point-checks.ts';
import { freshChild } from './child.ts';

type Prop = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; exclusiveMinimum?: number };
const PROPS = (z.toJSONSchema(HardwareSchema) as { properties: Record<string, Prop> }).properties;

const PROP_LIST = Object.entries(PROPS);

/**
 * One hardware point drawn uniformly over every HardwareSchema field's range; `least` raises the
 * lower end of integer fields (e.g. `{ wordBits: 12 }`: a word that holds 12-bit keys). The same
 * draws of the generator either way, so the other fields are the same points.
 */
export function randomHardware(rng: Rng, least: Partial<Record<keyof HardwareConfig, number>> = {}): HardwareConfig {
  const o: Record<string, unknown> = {};
  for (const [k, p] of PROP_LIST) {
    if (p.enum) o[k] = p.enum[Math.floor(rng() * p.enum.length)];
    else if (p.type === 'boolean') o[k] = rng() < 0.5;
    else if (p.type === 'integer') {
      const lo = Math.max(p.minimum ?? 0, least[k as keyof HardwareConfig] ?? -Infinity);
      o[k] = lo + Math.floor(rng() * ((p.maximum ?? 1024) - lo + 1));
    }
    else if (p.type === 'number') {
      const lo = p.minimum ?? p.exclusiveMinimum ?? 0;
      const hi = p.maximum ?? 1024;
      o[k] = lo + (1 - rng()) * (hi - lo); // (lo, hi]
    } else throw new Error(`randomHardware: field ${k} has type ${p.type}`);
  }
  return o as HardwareConfig; // values are in range by construction (parsing every point would dominate)
}

const GRID: Partial<Record<keyof HardwareConfig, readonly unknown[]>> = {
  qkMultipliers: [128, 256, 512, 1024],
  pvMultipliers: [128, 256, 512, 1024],
  dramChannels: [4, 8, 16, 32],
  topkParallelism: [4, 8, 16, 32],
  softmaxParallelism: [0, 8, 16],
  keySramKB: [98, 196, 392],
  valueSramKB: [98, 196, 392],
  inFlight: [4, 8, 16],
  clockGHz: [0.5, 1, 2],
};

const GRID_LIST = Object.entries(GRID) as Array<[string, readonly unknown[]]>;

/** One grid-style point: every knob of GRID from its list (the others at their defaults). */
export function gridHardware(rng: Rng, base: HardwareConfig): HardwareConfig {
  const o: Record<string, unknown> = { ...base };
  for (let i = 0; i < GRID_LIST.length; i++) {
    const [k, vs] = GRID_LIST[i];
    o[k] = vs[Math.floor(rng() * vs.length)];
  }
  return o as HardwareConfig;
}

export interface PhaseResult {
  points: number;
  seconds: number;
  evals_per_s: number;
  /** Points per second of this process's CPU time (user + system): the per-core rate on a shared host. */
  evals_per_cpu_s: number;
  us_per_eval: number;
  peak_rss_mb: number;
  heap_used_mb: number;
}

function phaseResult(n: number, ms: number, cpuUs: number): PhaseResult {
  return {
    points: n,
    seconds: Number((ms / 1000).toFixed(2)),
    evals_per_s: Math.round((n / ms) * 1000),
    evals_per_cpu_s: Math.round(n / (cpuUs / 1e6)),
    us_per_eval: Number(((ms * 1000) / n).toFixed(2)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    heap_used_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
}

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/**
 * Runs `step(i)` (evaluation i of its block, returning a number to keep it from being optimised
 * away) until `max` evaluations or `budgetMs` of timed wall time, in blocks of `every`. With
 * `block`, each block's inputs are made by `block(count)` before its clock starts: wall and CPU
 * time are the evaluations' only, and the inputs' own time per point is reported beside them.
 */
function timedPhase(
  max: number,
  budgetMs: number,
  every: number,
  step: (i: number) => number,
  block?: (count: number) => void,
): PhaseResult & { checksum_positive: boolean; input_us_per_point?: number } {
  let sink = 0;
  let n = 0;
  let dt = 0;
  let cpu = 0;
  let inputMs = 0;
  while (n < max && dt < budgetMs) {
    const stop = Math.min(max, n + every);
    if (block) {
      const g0 = performance.now();
      block(stop - n);
      inputMs += performance.now() - g0;
    }
    const c0 = cpuUs();
    const t0 = performance.now();
    for (let i = 0; n < stop; n++, i++) sink += step(i);
    dt += performance.now() - t0;
    cpu += cpuUs() - c0;
  }
  const r = { ...phaseResult(n, dt, cpu), checksum_positive: sink > 0 };
  return block ? { ...r, input_us_per_point: Number(((inputMs * 1000) / n).toFixed(2)) } : r;
}

/**
 * Evaluate hardware points from `next` on one prepared workload until `max` points or `budgetMs`.
 * The points are drawn in blocks of 1 000 before each block is timed: the rates are the model's
 * (drawing a point is the search driver's work; its time is `input_us_per_point`).
 */
export function hardwarePhase(wl: object, algo: object, next: () => HardwareConfig, max: number, budgetMs: number): PhaseResult & { checksum_positive: boolean; input_us_per_point?: number } {
  const p = prepareWorkload(buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse(algo)));
  const out = createFastMetrics();
  const points: HardwareConfig[] = [];
  return timedPhase(
    max,
    budgetMs,
    1000,
    (i) => {
      evaluatePrepared(p, points[i], out);
      return out.latency_s;
    },
    (count) => {
      points.length = 0;
      for (let i = 0; i < count; i++) points.push(next());
    },
  );
}

/** The MSB widths from 4 to 12 bits (the paper's range) whose keys, MSBs + `algo`'s LSBs, fit `hw`'s word (`wordBitsNeed`). */
export function fittingMsbBits(w: WorkloadConfig, algo: AlgoConfig, hw: HardwareConfig): number[] {
  const all = Array.from({ length: 9 }, (_, i) => 4 + i);
  return all.filter((msbBits) => wordBitsNeed({ hw, algo: { ...algo, msbBits }, workload: w }).bits <= hw.wordBits);
}

/**
 * New tokenKeep/headKeep/valueKeep/msbBits every point: build + prepare + evaluate on one design.
 * The workload is built as a plan and prepared from it (its request list is never materialised);
 * the first points of a sweep also price DRAM gather shapes no earlier point had (dram-cost.ts).
 * msbBits is drawn from the widths whose keys (with the 4-bit LSBs) fit the word (4 … 8 on 12 bits).
 */
export function algoPhase(wl: object, hw: HardwareConfig, seed: number, max: number, budgetMs: number): PhaseResult & { checksum_positive: boolean } {
  const rng = mulberry32(seed);
  const w = WorkloadSchema.parse(wl);
  const base = AlgoSchema.parse({ lsbBits: 4 });
  const msb = fittingMsbBits(w, base, hw);
  const out = createFastMetrics();
  return timedPhase(max, budgetMs, 16, () => {
    const algo = { ...base, tokenKeep: 1 - rng() * 0.95, headKeep: 1 - rng() * 0.95, valueKeep: 1 - rng() * 0.95, msbBits: msb[Math.floor(rng() * msb.length)] };
    evaluatePrepared(prepareWorkload(buildWorkload(w, algo)), hw, out);
    return out.latency_s;
  });
}

const WL = {};
const ALGO = {};

/** The word the default algo's data needs (12-bit keys and values): distinct points draw hw.wordBits from it up. */
const leastWord = (base: HardwareConfig) => ({ wordBits: wordBitsNeed({ hw: base, algo: AlgoSchema.parse(ALGO), workload: WorkloadSchema.parse(WL) }).bits });

/** Each sweep phase on gpt2-medium generation (992 + 32) at `scale` × its default point count; each makes its own generator. */
export const PHASES = {
  distinct_random: (scale: number) => {
    const r = mulberry32(1);
    const least = leastWord(HardwareSchema.parse({}));
    return { distinct_random: hardwarePhase(WL, ALGO, () => randomHardware(r, least), 1_000_000 * scale, 60_000) };
  },
  grid_style: (scale: number) => {
    const r = mulberry32(2);
    const base = HardwareSchema.parse({});
    return { grid_style: hardwarePhase(WL, ALGO, () => gridHardware(r, base), 1_000_000 * scale, 20_000) };
  },
  // the same algorithm points again (seed 3) in the same process: every gather shape is priced by then, as in a long sweep's steady state
  new_algorithm: (scale: number) => {
    const base = HardwareSchema.parse({});
    const cold = algoPhase(WL, base, 3, 20_000 * scale, 20_000);
    return { new_algorithm_every_point: cold, new_algorithm_every_point_warm: algoPhase(WL, base, 3, 5_000 * scale, 10_000) };
  },
};

/**
 * The sweep phases, each in a fresh process, as a sweep runs in its own: in one shared process a
 * phase's rate could depend on the phases before it (the grid phase gave 338k and 458k points
 * per CPU-second after the distinct phase on 2026-12-07, 632k-715k alone), and its peak RSS was
 * the process's peak so far.
 */
export function sweepPhases(scale = 1) {
  const base = HardwareSchema.parse({});
  const loadBefore = os.loadavg()[0];
  const phase = <K extends keyof typeof PHASES>(name: K) =>
    freshChild<ReturnType<(typeof PHASES)[K]>>(
      `analytical bench, phase ${name}`,
      `const { PHASES } = await import(${JSON.stringify(import.meta.url)});\nconsole.log(JSON.stringify(PHASES[${JSON.stringify(name)}](${scale})));`,
    );
  const phases = { ...phase('distinct_random'), ...phase('grid_style'), ...phase('new_algorithm') };
  return {
    method: 'gpt2-medium generation (992 + 32); each phase in a fresh process (the two algorithm phases in one, the second re-running the first\'s points), until its point count or time budget; peak_rss_mb is that process\'s peak; valid designs only (the word holds the data)',
    least_word_bits: leastWord(base).wordBits,
    msb_bits: fittingMsbBits(WorkloadSchema.parse(WL), AlgoSchema.parse({ lsbBits: 4 }), base),
    // the host's 1-minute load average before and after the phases (evals_per_cpu_s is the per-core rate on a shared host)
    host_load: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0].toFixed(2))],
    ...phases,
  };
}
