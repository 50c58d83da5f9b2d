/**
 * Physics-sanity audit of both hardware models by monotonicity. On random valid design points
 * (hw.wordBits drawn from what the data needs up, dse/point-checks.ts `wordBitsNeed`, as
 * bench/analytical-sweeps.ts `randomHardware` draws them) it steps one knob at a time and checks:
 *  - a resource stepped up (multipliers, channels, comparators, softmax lanes, SRAM, heads in
 *    flight, clock, GB/s, fetcher ports) never makes the latency (seconds) worse;
 *  - no such step gives more than its resource ratio in speed (2× for a doubling; the rate ratio
 *    for the arrays, whose lanes are ⌊M/64⌋): a larger gain means a cost priced wrongly;
 *    (a slow-down of at most TOL_CYCLES cycles is not counted: pipeline tree depth, whole cycles);
 *  - stronger pruning (tokenKeep, headKeep, valueKeep lower), hardware fixed, never makes the
 *    latency worse nor the DRAM bytes larger;
 *  - cycle / analytical latency within the documented 10% (sim/cycle/README.md, "Analytical vs
 *    cycle": the 60 random points), on the cycle points, which are drawn over those points' ranges.
 * Every violation beyond the tolerance is printed with the point, the two latencies and both
 * points' stage breakdowns (busiest first).
 *
 *   node --import tsx scripts/monotone-audit.ts [--model analytical|cycle|both] [--seed 1]
 *        [--points N] [--algos N] [--cycle-seconds 120] [--tol 0] [--json]   (--help: the defaults)
 *   node --import tsx scripts/monotone-audit.ts --agreement [--algos 250] [--json]
 *        (the cycle audit's 4,500 points, their cycle / analytical latency only: ~20 s)
 */
import { analyticalModel, createFastMetrics, evaluatePrepared, prepareWorkload, type PreparedWorkload } from '../sim/hw/analytical.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, softmaxLanes, type AlgoConfig, type HardwareConfig, type WorkloadConfig } from '../sim/schema.ts';
import type { StageCycles } from '../sim/hw/types.ts';
import type { Workload } from '../sim/workload/types.ts';
import { mulberry32, type Rng } from '../sim/rng.ts';
import { wordBitsNeed } from '../dse/point-checks.ts';
import { randomHardware } from '../bench/analytical-sweeps.ts';
import { parseArgs } from 'node:util';
import { bindingText, boundsOf } from '../core/latency-bounds.ts';

export type ModelName = 'analytical' | 'cycle';

/** Workloads per model: the cycle model's are short, so that one point runs in ~10–20 ms. */
export const WORKLOADS: Record<ModelName, Array<Partial<WorkloadConfig>>> = {
  analytical: [
    { model: 'bert-base', stage: 'summarization', seqLen: 384 },
    { model: 'bert-base', stage: 'summarization', seqLen: 128 },
    { model: 'gpt2-small', stage: 'generation', seqLen: 512, genTokens: 4 },
    { model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 2 },
  ],
  cycle: [
    { model: 'bert-base', stage: 'summarization', seqLen: 128 },
    { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 },
    { model: 'gpt2-medium', stage: 'generation', seqLen: 128, genTokens: 1 },
  ],
};

const pick = <T,>(rng: Rng, a: readonly T[]): T => a[Math.floor(rng() * a.length)];

/** A random algorithm point: pruning, bits (the word is drawn to hold them afterwards). */
export function randomAlgo(rng: Rng): AlgoConfig {
  return AlgoSchema.parse({
    tokenKeep: pick(rng, [0.2, 0.3, 0.5, 0.7, 1]),
    headKeep: pick(rng, [0.5, 0.7, 0.85, 1]),
    valueKeep: pick(rng, [0.3, 0.5, 0.8, 1]),
    msbBits: pick(rng, [4, 6, 8, 12]),
    lsbBits: pick(rng, [0, 0, 4]),
  });
}

/** The word width this workload and algorithm need (`wordBitsNeed`). */
export function needBits(wl: WorkloadConfig, algo: AlgoConfig): number {
  return wordBitsNeed({ hw: HardwareSchema.parse({}), algo, workload: wl }).bits;
}

/** A hardware point over the full HardwareSchema ranges (the bench's draw), word wide enough. */
export const fullHardware = (rng: Rng, need: number): HardwareConfig => randomHardware(rng, { wordBits: need });

/** A hardware point over the ranges of the cross-validation's 60 random points (scripts/cycle-xval-runs.ts), every switch drawn. */
export function practicalHardware(rng: Rng, need: number): HardwareConfig {
  return HardwareSchema.parse({
    topkParallelism: pick(rng, [1, 4, 16, 32]),
    softmaxParallelism: pick(rng, [0, 0, 4, 8, 16]),
    keySramKB: pick(rng, [24.5, 49, 98, 196, 392]),
    valueSramKB: pick(rng, [24.5, 49, 98, 196, 392]),
    qkMultipliers: pick(rng, [128, 256, 512, 1024]),
    pvMultipliers: pick(rng, [128, 256, 512, 1024]),
    dramChannels: pick(rng, [2, 4, 8, 16, 32]),
    inFlight: pick(rng, [2, 4, 8, 16]),
    clockGHz: pick(rng, [0.5, 1, 2]),
    dramChannelGBps: pick(rng, [16, 32, 64]),
    fetcherPorts: pick(rng, [8, 16, 32, 64]),
    wordBits: Math.max(need, pick(rng, [12, 16])),
    topkModel: pick(rng, ['paper', 'official-rtl']),
    topkFilter: pick(rng, ['comparators', 'qk']),
    gateTokenTopk: pick(rng, [false, true]),
    dramMapping: pick(rng, ['RoBaRaCoCh', 'RoBaCoRaCh']),
    dramQueueDepth: pick(rng, [16, 32]),
    dramRefresh: pick(rng, [true, false]),
  });
}

/** Keys (values) an M-lane array takes per cycle for 64-dim heads (fractional below 64 lanes). */
const arrayRate = (M: number): number => (M >= 64 ? Math.floor(M / 64) : 1 / Math.ceil(64 / M));

/** One hardware knob: its step up, and the largest speed-up that step can buy. */
export interface HwKnob {
  name: string;
  step(hw: HardwareConfig): HardwareConfig | undefined;
  /** The resource's own ratio after/before: a latency ratio above it is super-linear. Infinity: a capacity (no such bound). */
  gain(a: HardwareConfig, b: HardwareConfig): number;
}

const MAX = (k: keyof HardwareConfig): number => {
  const s = (HardwareSchema.shape as Record<string, { maxValue?: number | null; unwrap?: () => { maxValue?: number | null } }>)[k];
  const inner = s.unwrap ? s.unwrap() : s;
  return inner.maxValue ?? Infinity;
};

/** Doubles field k (within its schema maximum). */
function doubling(k: keyof HardwareConfig): (hw: HardwareConfig) => HardwareConfig | undefined {
  const max = MAX(k);
  return (hw) => {
    const v = (hw[k] as number) * 2;
    return v > max ? undefined : { ...hw, [k]: v };
  };
}

const two = () => 2;

export const HW_KNOBS: HwKnob[] = [
  { name: 'qkMultipliers', step: doubling('qkMultipliers'), gain: (a, b) => Math.max(arrayRate(b.qkMultipliers) / arrayRate(a.qkMultipliers), softmaxLanes(b) / softmaxLanes(a)) },
  { name: 'pvMultipliers', step: doubling('pvMultipliers'), gain: (a, b) => arrayRate(b.pvMultipliers) / arrayRate(a.pvMultipliers) },
  { name: 'dramChannels', step: doubling('dramChannels'), gain: two },
  { name: 'dramChannelGBps', step: doubling('dramChannelGBps'), gain: two },
  { name: 'fetcherPorts', step: doubling('fetcherPorts'), gain: two },
  { name: 'topkParallelism', step: doubling('topkParallelism'), gain: two },
  {
    name: 'softmaxParallelism',
    step: (hw) => (2 * softmaxLanes(hw) > MAX('softmaxParallelism') ? undefined : { ...hw, softmaxParallelism: 2 * softmaxLanes(hw) }),
    gain: two,
  },
  { name: 'keySramKB', step: doubling('keySramKB'), gain: () => Infinity },
  { name: 'valueSramKB', step: doubling('valueSramKB'), gain: () => Infinity },
  { name: 'inFlight', step: doubling('inFlight'), gain: two },
  { name: 'clockGHz', step: doubling('clockGHz'), gain: two },
];

/** One pruning knob: a stronger setting (lower keep fraction), or undefined at the floor. */
export interface PruneKnob {
  name: 'tokenKeep' | 'headKeep' | 'valueKeep';
  step(a: AlgoConfig): AlgoConfig | undefined;
}

const lower = (name: PruneKnob['name']): PruneKnob => ({
  name,
  step: (a) => (a[name] * 0.7 < 0.05 ? undefined : { ...a, [name]: Math.round(a[name] * 0.7 * 1000) / 1000 }),
});

export const PRUNE_KNOBS: PruneKnob[] = [lower('tokenKeep'), lower('headKeep'), lower('valueKeep')];

/** What the audit reads of one evaluation. */
export interface Outcome {
  latency_s: number;
  dramBytes: number;
  stages: StageCycles;
}

/** A workload with its analytical preparation, built once. */
export interface Case {
  label: string;
  wl: WorkloadConfig;
  algo: AlgoConfig;
  w: Workload;
  prepared?: PreparedWorkload;
}

export function makeCase(wl: Partial<WorkloadConfig>, algo: AlgoConfig, model: ModelName): Case {
  const full = WorkloadSchema.parse(wl);
  const w = buildWorkload(full, algo);
  const label = `${full.model} ${full.stage} L=${full.seqLen}${full.stage === 'generation' ? ` gen=${full.genTokens}` : ''}`;
  return { label, wl: full, algo, w, prepared: model === 'analytical' ? prepareWorkload(w) : undefined };
}

const fast = createFastMetrics();

/** One model on one point; undefined when the model refuses the point (e.g. a buffer below one line pair). */
export function evaluate(model: ModelName, c: Case, hw: HardwareConfig): Outcome | undefined {
  try {
    if (model === 'cycle') {
      const r = simulateCycle(c.w, hw, { seed: 1 });
      return { latency_s: r.latency_s, dramBytes: r.activity.dramBytes, stages: { ...r.stages } };
    }
    const r = evaluatePrepared(c.prepared ?? prepareWorkload(c.w), hw, fast);
    return { latency_s: r.latency_s, dramBytes: r.activity.dramBytes, stages: { ...r.stages } };
  } catch (e) {
    if (e instanceof Error && /too small|line pair/.test(e.message)) return undefined;
    throw e;
  }
}

/** The analytical reference loop on one point (to confirm a fast-path finding). */
export const reference = (c: Case, hw: HardwareConfig): number => analyticalModel(c.w, hw).latency_s;

export interface Violation {
  model: ModelName;
  check: 'slower' | 'super-linear' | 'more-bytes' | 'disagree';
  knob: string;
  workload: string;
  point: string;
  before: Outcome;
  after: Outcome;
  /** after/before latency (slower), before/after (super-linear), bytes after/before, or cycle/analytical. */
  ratio: number;
  bound: number;
  /** The point itself (workload, algorithm, hardware), to rerun it. */
  at: { wl: WorkloadConfig; algo: AlgoConfig; hw: HardwareConfig };
}

const HW_SHOWN: Array<keyof HardwareConfig> = ['qkMultipliers', 'pvMultipliers', 'dramChannels', 'dramChannelGBps', 'fetcherPorts', 'topkParallelism', 'softmaxParallelism', 'keySramKB', 'valueSramKB', 'inFlight', 'clockGHz', 'wordBits', 'topkModel', 'topkFilter', 'gateTokenTopk', 'dramRefresh', 'dramMapping', 'dramQueueDepth'];

const fmt = (v: unknown): string => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : String(v));

/** The point as one line: algorithm then hardware. */
export function describe(algo: AlgoConfig, hw: HardwareConfig): string {
  const a = `tk=${algo.tokenKeep} hk=${algo.headKeep} vk=${algo.valueKeep} msb=${algo.msbBits} lsb=${algo.lsbBits}`;
  return `${a} | ${HW_SHOWN.map((k) => `${k}=${fmt(hw[k])}`).join(' ')}`;
}

/** Stage cycles, busiest first. */
export function busiest(s: StageCycles): string {
  return (Object.entries(s) as Array<[string, number]>)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${Math.round(v)}`)
    .join(', ');
}

/**
 * Slow-downs up to this many cycles (of the slower clock) are not violations: a wider array's adder
 * or comparator tree is one level deeper per doubling (prob·V 3 + log2 S', the decision 2 + log2 S:
 * sim/hw/tables/pipeline.json), paid once per pass on the serial path, and the cycle model schedules
 * in whole cycles.
 */
export const TOL_CYCLES = 2;

/** b slower than a by more than the relative `tol` and by more than TOL_CYCLES cycles. */
function slower(a: Outcome, b: Outcome, hz: number, tol: number): boolean {
  return b.latency_s > a.latency_s * (1 + tol) && (b.latency_s - a.latency_s) * hz > TOL_CYCLES;
}

/** The checks of one hardware step: slower beyond tol, or faster than the resource's ratio beyond tol. */
export function checkHwStep(model: ModelName, c: Case, knob: HwKnob, hw: HardwareConfig, tol: number): Violation[] {
  const up = knob.step(hw);
  if (!up) return [];
  const a = evaluate(model, c, hw);
  const b = evaluate(model, c, up);
  if (!a || !b) return [];
  const base = { model, knob: knob.name, workload: c.label, point: describe(c.algo, hw), before: a, after: b, at: { wl: c.wl, algo: c.algo, hw } };
  const out: Violation[] = [];
  if (slower(a, b, Math.min(hw.clockGHz, up.clockGHz) * 1e9, tol)) out.push({ ...base, check: 'slower', ratio: b.latency_s / a.latency_s, bound: 1 + tol });
  const g = knob.gain(hw, up);
  if (a.latency_s > b.latency_s * g * (1 + tol)) out.push({ ...base, check: 'super-linear', ratio: a.latency_s / b.latency_s, bound: g });
  return out;
}

/** The checks of one pruning step (hardware fixed): latency and DRAM bytes never grow. */
export function checkPruneStep(model: ModelName, c: Case, stronger: Case, knob: string, hw: HardwareConfig, tol: number): Violation[] {
  const a = evaluate(model, c, hw);
  const b = evaluate(model, stronger, hw);
  if (!a || !b) return [];
  const base = { model, knob, workload: c.label, point: `${describe(c.algo, hw)} → ${knob}=${stronger.algo[knob as PruneKnob['name']]}`, before: a, after: b, at: { wl: c.wl, algo: c.algo, hw } };
  const out: Violation[] = [];
  if (slower(a, b, hw.clockGHz * 1e9, tol)) out.push({ ...base, check: 'slower', ratio: b.latency_s / a.latency_s, bound: 1 + tol });
  if (b.dramBytes > a.dramBytes * (1 + 1e-12)) out.push({ ...base, check: 'more-bytes', ratio: b.dramBytes / a.dramBytes, bound: 1 });
  return out;
}

/** Cycle / analytical latency on one point, outside ±band. */
export function checkAgreement(c: Case, hw: HardwareConfig, band: number): Violation[] {
  const a = evaluate('analytical', c, hw);
  const b = evaluate('cycle', c, hw);
  if (!a || !b) return [];
  const r = b.latency_s / a.latency_s;
  if (Math.abs(r - 1) < band) return [];
  return [{ model: 'cycle', check: 'disagree', knob: '-', workload: c.label, point: describe(c.algo, hw), before: a, after: b, ratio: r, bound: 1 + band, at: { wl: c.wl, algo: c.algo, hw } }];
}

/** Tally of checks made, per (model, knob). */
export type Tally = Map<string, { steps: number; worst: number }>;

function count(t: Tally, key: string, vs: Violation[]) {
  const e = t.get(key) ?? { steps: 0, worst: 1 };
  e.steps++;
  for (const v of vs) e.worst = Math.max(e.worst, v.check === 'slower' || v.check === 'more-bytes' ? v.ratio : e.worst);
  t.set(key, e);
}

export interface AuditOptions {
  model: ModelName;
  seed: number;
  /** Hardware points per (workload, algorithm). */
  points: number;
  /** Algorithm draws per workload. */
  algos: number;
  tol: number;
  /** Stop after this much CPU time (seconds). */
  budgetS: number;
}

const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** One design point of an audit's sample: its algorithm draw (`round`), its place in it (`point`), the case and the hardware. */
export interface AuditPoint {
  round: number;
  point: number;
  c: Case;
  hw: HardwareConfig;
}

/**
 * The audit's sample, in its order: per round, per workload of the model, one algorithm draw and
 * `points` hardware draws (the analytical audit half over the schema's ranges, half practical). The
 * checks draw nothing, so a point is the same whatever is checked on it. `more` is asked before
 * every round and point (the CPU budget).
 */
export function* auditPoints(model: ModelName, seed: number, algos: number, points: number, more: () => boolean = () => true): Generator<AuditPoint> {
  const rng = mulberry32(seed);
  const draw = model === 'analytical' ? (need: number) => (rng() < 0.5 ? fullHardware(rng, need) : practicalHardware(rng, need)) : (need: number) => practicalHardware(rng, need);
  for (let round = 0; round < algos && more(); round++) {
    for (const wl of WORKLOADS[model]) {
      const algo = randomAlgo(rng);
      const c = makeCase(wl, algo, model);
      const need = needBits(c.wl, algo);
      for (let i = 0; i < points && more(); i++) yield { round, point: i, c, hw: draw(need) };
    }
  }
}

/** Runs every check over the model's sample; returns violations and the tally. */
export function audit(o: AuditOptions): { violations: Violation[]; tally: Tally; points: number; agreeChecked: number } {
  const t0 = cpuS();
  const violations: Violation[] = [];
  const tally: Tally = new Map();
  let points = 0;
  let agreeChecked = 0;
  let last: { c: Case; stronger: Array<{ k: PruneKnob; c: Case | undefined }> } | undefined;
  for (const { c, hw } of auditPoints(o.model, o.seed, o.algos, o.points, () => cpuS() - t0 < o.budgetS)) {
    if (last?.c !== c) last = { c, stronger: PRUNE_KNOBS.map((k) => ({ k, a: k.step(c.algo) })).map(({ k, a }) => ({ k, c: a ? makeCase(c.wl, a, o.model) : undefined })) };
    points++;
    for (const knob of HW_KNOBS) {
      const vs = checkHwStep(o.model, c, knob, hw, o.tol);
      count(tally, `${o.model} ${knob.name}`, vs);
      violations.push(...vs);
    }
    for (const s of last.stronger) {
      if (!s.c) continue;
      const vs = checkPruneStep(o.model, c, s.c, s.k.name, hw, o.tol);
      count(tally, `${o.model} ${s.k.name}`, vs);
      violations.push(...vs);
    }
    if (o.model === 'cycle') {
      agreeChecked++;
      violations.push(...checkAgreement(c, hw, 0.1));
    }
  }
  return { violations, tally, points, agreeChecked };
}

/** One cycle audit point's agreement: cycle / analytical latency. */
export interface Agreement {
  round: number;
  point: number;
  workload: string;
  ratio: number;
  inFlight: number;
  gateTokenTopk: boolean;
  /**
   * Points outside 10% only: what sets the analytical latency (its binding bound) and where the
   * simulator's cycles went (its admission account's largest entry, with the busiest stage's bound
   * on any other relief), in core/latency-bounds.ts's words.
   */
  why?: { analytical: string; cycle: string };
}

/** What each model says sets the latency of one point (the reference analytical model: its `extra` holds the bounds). */
function whyOf(c: Case, hw: HardwareConfig): { analytical: string; cycle: string } {
  const a = analyticalModel(c.w, hw);
  const b = simulateCycle(c.w, hw, { seed: 1 });
  return { analytical: bindingText(boundsOf(a.extra)) ?? '–', cycle: bindingText(boundsOf(b.extra), b.stages) ?? '–' };
}

/**
 * The cycle audit's agreement check alone (`--agreement`): cycle / analytical latency on each of its
 * points (the same points as the full audit: seconds instead of minutes), and a summary.
 */
export function agreement(seed: number, algos: number, points: number): { rows: Agreement[]; summary: Record<string, number> } {
  const rows: Agreement[] = [];
  for (const { round, point, c, hw } of auditPoints('cycle', seed, algos, points)) {
    const a = evaluate('analytical', c, hw);
    const b = evaluate('cycle', c, hw);
    if (!a || !b) continue;
    const ratio = b.latency_s / a.latency_s;
    rows.push({ round, point, workload: c.label, ratio, inFlight: hw.inFlight, gateTokenTopk: hw.gateTokenTopk, ...(Math.abs(ratio - 1) >= 0.1 ? { why: whyOf(c, hw) } : {}) });
  }
  const r = rows.map((x) => x.ratio);
  const n = (f: (x: number) => boolean) => r.filter(f).length;
  // (outside a band as checkAgreement counts it: |ratio − 1| ≥ band; above = the analytical model slower)
  const summary = {
    points: r.length,
    above10: n((x) => 1 - x >= 0.1),
    below10: n((x) => x - 1 >= 0.1),
    above5: n((x) => 1 - x >= 0.05),
    below5: n((x) => x - 1 >= 0.05),
    meanAbsLn: r.reduce((s, x) => s + Math.abs(Math.log(x)), 0) / Math.max(1, r.length),
    worstAbove: Math.min(...r),
    worstBelow: Math.max(...r),
  };
  return { rows, summary };
}

/** One violation as two lines. */
export function formatViolation(v: Violation): string {
  const lat = (o: Outcome) => `${(o.latency_s * 1e6).toPrecision(7)} µs`;
  const head = v.check === 'disagree' ? `analytical ${lat(v.before)} cycle ${lat(v.after)}` : `${lat(v.before)} → ${lat(v.after)}`;
  const bytes = v.check === 'more-bytes' ? ` bytes ${v.before.dramBytes} → ${v.after.dramBytes}` : '';
  return `[${v.model}] ${v.check} ${v.knob} ×${v.ratio.toFixed(4)} (bound ${v.bound.toFixed(3)}) ${v.workload}: ${head}${bytes}\n    ${v.point}\n    before: ${busiest(v.before.stages)}\n    after:  ${busiest(v.after.stages)}`;
}

const USAGE = `usage: node --import tsx scripts/monotone-audit.ts [--model analytical|cycle|both] [--seed 1]
       [--points N (analytical 300, cycle 6 per workload)] [--algos N (analytical 8, cycle 1000)]
       [--cycle-seconds 120] [--tol 0] [--json]
       node --import tsx scripts/monotone-audit.ts --agreement [--seed 1] [--algos 250] [--points 6] [--json]
         (the cycle audit's points, cycle / analytical latency only: a summary and the points outside 10%,
          each with what sets the analytical latency and where the simulator's cycles went)`;

/** Points per draw of the cycle audit (and of `--agreement`) unless `--points` says otherwise; scripts/head-timeline.ts finds a point by it. */
export const CYCLE_POINTS = 6;

/** The command line's options (node:util parseArgs, strict: an unknown option or a bad model is exit 2 with the usage). */
function options() {
  const str = (d: string) => ({ type: 'string' as const, default: d });
  const flag = { type: 'boolean' as const, default: false };
  const options = { model: str('both'), seed: str('1'), points: str(''), algos: str(''), 'cycle-seconds': str('120'), tol: str('0'), json: flag, agreement: flag, help: flag };
  try {
    const { values } = parseArgs({ options, strict: true });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    if (!['analytical', 'cycle', 'both'].includes(values.model)) throw new Error(`--model ${values.model}: expected analytical, cycle or both`);
    return values;
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const opt = options();
  if (opt.agreement) {
    const { rows, summary } = agreement(Number(opt.seed), Number(opt.algos || '250'), Number(opt.points || String(CYCLE_POINTS)));
    if (opt.json) console.log(JSON.stringify({ summary, rows }, null, 1));
    else {
      console.log(Object.entries(summary).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(', '));
      for (const x of rows.filter((x) => x.why)) console.log(`round ${x.round} point ${x.point} ${x.workload}: cycle / analytical ${x.ratio.toFixed(4)}, inFlight ${x.inFlight}${x.gateTokenTopk ? ', gated' : ''}\n  analytical: ${x.why!.analytical}\n  simulator:  ${x.why!.cycle}`);
    }
    process.exit(0);
  }
  const models: ModelName[] = opt.model === 'both' ? ['analytical', 'cycle'] : [opt.model as ModelName];
  const seed = Number(opt.seed);
  const tol = Number(opt.tol);
  const all: Violation[] = [];
  for (const model of models) {
    const analytical = model === 'analytical';
    const points = Number(opt.points || (analytical ? '300' : String(CYCLE_POINTS)));
    const algos = Number(opt.algos || (analytical ? '8' : '1000'));
    const r = audit({ model, seed, tol, points, algos, budgetS: analytical ? Infinity : Number(opt['cycle-seconds']) });
    all.push(...r.violations);
    console.log(`${model}: ${r.points} base points${r.agreeChecked ? `, ${r.agreeChecked} checked for agreement` : ''}`);
    for (const [k, e] of r.tally) console.log(`  ${k.padEnd(32)} steps ${String(e.steps).padStart(6)}  worst slow-down ×${e.worst.toFixed(4)}`);
  }
  if (opt.json) console.log(JSON.stringify(all, null, 1));
  else for (const v of all.sort((x, y) => y.ratio / y.bound - x.ratio / x.bound)) console.log(formatViolation(v));
  console.log(`${all.length} violations`);
}
