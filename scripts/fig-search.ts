/**
 * Systematic search over the configuration the paper leaves unstated, for Fig. 19a (throughput
 * vs top-k comparators) and Fig. 20 (SpAtten-internal steps), with the cycle model.
 *
 *   node --import tsx scripts/fig-search.ts [fig19a|fig20|all] [--top N] [--json]
 *
 * Fig. 19a axes: workload (official per8 trace; generated GPT-2-Small/Medium generation with
 * token/local-V pruning and bits), multipliers M (S = M/64 scores per cycle), DRAM channels,
 * fetcher ports, in-flight requests, the top-k filter width (`topkFilter`: P comparators, or the
 * RTL's S-wide drain), `gateTokenTopk`. Score = max |relative error| over the six bars.
 * Fig. 20 axes: whether local-V pruning belongs to the token-pruning step (valueKeep), the
 * top-k filter width, `gateTokenTopk`, M and channels. Score = max |error| over the five steps.
 * Everything is deterministic (seeded); `all` takes about 1.5 minutes on one core.
 */
import { AlgoSchema, WorkloadSchema, defaultHardware, type HardwareConfig } from '../sim/schema.ts';
import { simulateCycle as simulate } from '../sim/cycle/sim.ts';

/**
 * The search's switches. They are hardware fields now (sim/schema.ts); the old filter axis maps to
 * the engine readings: 'qk' = the official RTL's dummy top-k (quick-select latency, then an S-wide
 * drain), 'comparators' = the paper's engine (filter stage of P comparators, pipelined).
 */
type CycleOptions = { topkFilter?: 'comparators' | 'qk'; gateTokenTopk?: boolean; refresh?: boolean; seed?: number };
function simulateCycle(w: Workload, hw: HardwareConfig, o: CycleOptions) {
  const sw: Partial<HardwareConfig> = {};
  if (o.topkFilter) sw.topkModel = o.topkFilter === 'qk' ? 'official-rtl' : 'paper';
  if (o.gateTokenTopk !== undefined) sw.gateTokenTopk = o.gateTokenTopk;
  if (o.refresh !== undefined) sw.dramRefresh = o.refresh;
  return simulate(w, { ...hw, ...sw }, { seed: o.seed });
}
import { buildWorkload } from '../sim/workload/build.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import type { Workload } from '../sim/workload/types.ts';
import { PER8, FIG19A_P, FIG19A_PAPER, FIG19A_CONFIGS, FIG20_WORKLOAD } from '../dse/commands/reproduce.ts';

const args = process.argv.slice(2);
const what = args.find((a) => !a.startsWith('--')) ?? 'all';
const topN = Number(args[args.indexOf('--top') + 1] ?? 0) || 12;
const json = args.includes('--json');

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(' ');
const maxErr = (ours: number[], paper: number[]) => Math.max(...ours.map((o, i) => Math.abs(o / paper[i] - 1)));

// ── Fig. 19a ────────────────────────────────────────────────────────────────────────────────
interface W19 { name: string; w: Workload }
function fig19aWorkloads(): W19[] {
  const out: W19[] = [{ name: 'per8-trace', w: readTraceFile(PER8) }];
  for (const model of ['gpt2-small', 'gpt2-medium'] as const) {
    for (const [tk, vk, bits] of [
      [0.25, 0.2, 6],
      [0.25, 0.3, 8],
      [0.5, 0.3, 8],
      [0.3, 0.3, 12],
    ] as const) {
      const algo = AlgoSchema.parse({ tokenKeep: tk, valueKeep: vk, msbBits: bits, lsbBits: bits < 12 ? 4 : 0, lsbRefetchFraction: 0.07 });
      const wl = WorkloadSchema.parse({ model, stage: 'generation', seqLen: 992, genTokens: 8 });
      out.push({ name: `${model} tk${tk} vk${vk} ${bits}b`, w: buildWorkload(wl, algo) });
    }
  }
  return out;
}

export interface Fig19aPoint { workload: string; hw: Partial<HardwareConfig>; opts: CycleOptions; relative: number[]; maxErr: number }

export function fig19aCurve(w: Workload, hw: Partial<HardwareConfig>, opts: CycleOptions): number[] {
  const base = { ...defaultHardware(), ...hw };
  const cyc = FIG19A_P.map((P) => simulateCycle(w, { ...base, topkParallelism: P }, opts).cycles);
  const c16 = cyc[FIG19A_P.indexOf(16)];
  return cyc.map((c) => c16 / c);
}

function searchFig19a(): Fig19aPoint[] {
  const res: Fig19aPoint[] = [];
  const wls = fig19aWorkloads();
  for (const { name, w } of wls) {
    const traceOnly = name === 'per8-trace';
    for (const M of [64, 128, 256, 512])
      for (const ch of [1, 2, 4, 8, 16])
        for (const topkFilter of ['comparators', 'qk'] as const)
          for (const gate of traceOnly ? [false, true] : [false]) {
            const hw: Partial<HardwareConfig> = { qkMultipliers: M, pvMultipliers: M, dramChannels: ch, fetcherPorts: Math.max(M / 16, 2 * ch) };
            const opts: CycleOptions = { topkFilter, gateTokenTopk: gate };
            const relative = fig19aCurve(w, hw, opts);
            res.push({ workload: name, hw, opts, relative, maxErr: maxErr(relative, FIG19A_PAPER) });
          }
  }
  res.sort((a, b) => a.maxErr - b.maxErr);
  return res;
}

/** Sensitivity of the best Fig. 19a point to the remaining knobs (fetcher ports, in-flight, SRAM, refresh, seed). */
function sensitivity19a(best: Fig19aPoint, w: Workload): { knob: string; relative: number[]; maxErr: number }[] {
  const variants: { knob: string; hw?: Partial<HardwareConfig>; opts?: CycleOptions }[] = [
    { knob: 'as found' },
    { knob: 'fetcherPorts ×0.5', hw: { fetcherPorts: Math.max(1, (best.hw.fetcherPorts ?? 32) / 2) } },
    { knob: 'fetcherPorts ×2', hw: { fetcherPorts: (best.hw.fetcherPorts ?? 32) * 2 } },
    { knob: 'inFlight 4', hw: { inFlight: 4 } },
    { knob: 'inFlight 16', hw: { inFlight: 16 } },
    { knob: 'SRAM 392 KB', hw: { keySramKB: 392, valueSramKB: 392 } },
    { knob: 'no refresh', opts: { refresh: false } },
    { knob: 'gateTokenTopk', opts: { gateTokenTopk: !best.opts.gateTokenTopk } },
    { knob: 'seed 2', opts: { seed: 2 } },
    { knob: 'seed 3', opts: { seed: 3 } },
    { knob: 'dramChannelGBps ×0.75', hw: { dramChannelGBps: 24 } },
    { knob: 'dramChannelGBps ×1.5', hw: { dramChannelGBps: 48 } },
  ];
  return variants.map((v) => {
    const relative = fig19aCurve(w, { ...best.hw, ...v.hw }, { ...best.opts, ...v.opts });
    return { knob: v.knob, relative, maxErr: maxErr(relative, FIG19A_PAPER) };
  });
}

// ── Fig. 20 ─────────────────────────────────────────────────────────────────────────────────
const FIG20_PAPER = [1.1, 1.1, 3, 1.6, 1.7];

export interface Fig20Setting { valueKeep: number; localVInTokenStep: boolean }
/** The six configurations of Fig. 20 (baseline + five steps) for a reading of the settings. */
export function fig20Steps(s: Fig20Setting): { algo: Record<string, number>; P: number }[] {
  const vk = s.valueKeep;
  const tokenStep: Record<string, number> = s.localVInTokenStep ? { valueKeep: vk } : {};
  const pruned = { tokenKeep: 0.13, headKeep: 0.87, ...tokenStep };
  return [
    { algo: { msbBits: 12 }, P: 1 },
    { algo: { msbBits: 12, tokenKeep: 0.13, ...tokenStep }, P: 1 },
    { algo: { msbBits: 12, ...pruned }, P: 1 },
    { algo: { msbBits: 12, ...pruned }, P: 16 },
    { algo: { msbBits: 8, ...pruned }, P: 16 },
    { algo: { msbBits: 4, lsbBits: 4, lsbRefetchFraction: 0.059, ...pruned }, P: 16 },
  ];
}

export function fig20Run(s: Fig20Setting, hw: Partial<HardwareConfig>, opts: CycleOptions, model: 'gpt2-medium' | 'gpt2-small' = 'gpt2-medium') {
  const wl = WorkloadSchema.parse({ ...FIG20_WORKLOAD, model });
  const cycles = fig20Steps(s).map((st) => simulateCycle(buildWorkload(wl, AlgoSchema.parse(st.algo)), { ...defaultHardware(), ...hw, topkParallelism: st.P }, opts).cycles);
  const steps = cycles.slice(1).map((c, i) => cycles[i] / c);
  const pruning3 = cycles[0] / cycles[3];
  const quant2 = cycles[3] / cycles[5];
  // Score: the five steps and the two combined claims (3.4×, 2.8×).
  return { cycles, steps, pruning3, quant2, maxErr: maxErr([...steps, pruning3, quant2], [...FIG20_PAPER, 3.4, 2.8]), maxStepErr: maxErr(steps, FIG20_PAPER) };
}

function searchFig20() {
  const res: { setting: Fig20Setting; model: string; hw: Partial<HardwareConfig>; opts: CycleOptions; r: ReturnType<typeof fig20Run> }[] = [];
  for (const model of ['gpt2-medium', 'gpt2-small'] as const)
    for (const setting of [
      { valueKeep: 1, localVInTokenStep: false },
      { valueKeep: 0.3, localVInTokenStep: true },
      { valueKeep: 0.2, localVInTokenStep: true },
      { valueKeep: 0.5, localVInTokenStep: true },
    ])
      for (const M of [64, 128, 512])
        for (const ch of [2, 3, 4, 6, 8, 16])
          for (const topkFilter of ['comparators', 'qk'] as const)
            for (const gate of [false, true]) {
              const hw = { qkMultipliers: M, pvMultipliers: M, dramChannels: ch, fetcherPorts: Math.max(M / 16, 2 * ch) };
              const opts: CycleOptions = { topkFilter, gateTokenTopk: gate };
              res.push({ setting, model, hw, opts, r: fig20Run(setting, hw, opts, model) });
            }
  // Refinement around the best region (M = 512, 4–7 channels): finer local-V ratios and
  // per-channel bandwidth on GPT-2-Medium.
  for (const vk of [0.6, 0.7, 0.75, 0.8, 0.9])
    for (const ch of [4, 5, 6, 7])
      for (const GBps of [28, 32, 36])
        for (const topkFilter of ['comparators', 'qk'] as const)
          for (const gate of [false, true]) {
            const setting = { valueKeep: vk, localVInTokenStep: true };
            const hw = { dramChannels: ch, dramChannelGBps: GBps };
            const opts: CycleOptions = { topkFilter, gateTokenTopk: gate };
            res.push({ setting, model: 'gpt2-medium', hw, opts, r: fig20Run(setting, hw, opts) });
          }
  res.sort((a, b) => a.r.maxErr - b.r.maxErr);
  return res;
}

// ── main ────────────────────────────────────────────────────────────────────────────────────
const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const out: Record<string, unknown> = {};
  if (what === 'fig19a' || what === 'all') {
    const t0 = Date.now();
    const r = searchFig19a();
    out.fig19a = r.slice(0, topN);
    if (!json) {
      console.log(`Fig. 19a: ${r.length} configurations in ${((Date.now() - t0) / 1000).toFixed(1)} s; paper ${fmt(FIG19A_PAPER)}`);
      for (const p of r.slice(0, topN))
        console.log(`${(100 * p.maxErr).toFixed(1).padStart(5)}%  ${fmt(p.relative)}  ${p.workload}  M=${p.hw.qkMultipliers} ch=${p.hw.dramChannels} ports=${p.hw.fetcherPorts} filter=${p.opts.topkFilter} gate=${p.opts.gateTokenTopk}`);
      const bestBy = (f: (p: Fig19aPoint) => boolean, label: string) => {
        const b = r.find(f);
        if (b) console.log(`best ${label.padEnd(26)} ${(100 * b.maxErr).toFixed(1).padStart(5)}%  ${fmt(b.relative)}  ${b.workload} M=${b.hw.qkMultipliers} ch=${b.hw.dramChannels} filter=${b.opts.topkFilter} gate=${b.opts.gateTokenTopk}`);
      };
      bestBy((p) => p.opts.topkFilter === 'comparators', 'with filter = P:');
      bestBy((p) => p.opts.topkFilter === 'qk', 'with filter = S (RTL):');
      bestBy((p) => p.workload === 'per8-trace' && p.opts.topkFilter === 'comparators', 'per8, filter = P:');
      bestBy((p) => p.workload === 'per8-trace' && p.hw.qkMultipliers === 512, 'per8, M = 512:');
      const best = r.find((p) => p.workload === 'per8-trace') ?? r[0];
      const fit = FIG19A_CONFIGS.find((c) => c.name === 'fitted')!;
      for (const pt of [best, { workload: 'per8-trace', hw: fit.hw, opts: {} as CycleOptions, relative: [], maxErr: 0 }]) {
        console.log(`sensitivity (per8, M=${pt.hw.qkMultipliers} ch=${pt.hw.dramChannels} filter=${pt.opts.topkFilter} gate=${pt.opts.gateTokenTopk}):`);
        for (const s of sensitivity19a(pt, readTraceFile(PER8))) console.log(`  ${s.knob.padEnd(24)} ${(100 * s.maxErr).toFixed(1).padStart(5)}%  ${fmt(s.relative)}`);
      }
    }
  }
  if (what === 'fig20' || what === 'all') {
    const t0 = Date.now();
    const r = searchFig20();
    out.fig20 = r.slice(0, topN);
    if (!json) {
      console.log(`Fig. 20: ${r.length} configurations in ${((Date.now() - t0) / 1000).toFixed(1)} s; paper steps ${FIG20_PAPER.join(' ')} (3 pruning 3.4, 2 quant 2.8)`);
      for (const p of r.slice(0, topN))
        console.log(`${(100 * p.r.maxErr).toFixed(1).padStart(6)}% (steps ${(100 * p.r.maxStepErr).toFixed(1).padStart(5)}%)  steps ${p.r.steps.map((x) => x.toFixed(2)).join(' ')}  (3.4→${p.r.pruning3.toFixed(2)}, 2.8→${p.r.quant2.toFixed(2)})  ${p.model} vk=${p.setting.valueKeep}${p.setting.localVInTokenStep ? ' (in token step)' : ''} M=${p.hw.qkMultipliers ?? 512} ch=${p.hw.dramChannels}×${p.hw.dramChannelGBps ?? 32}GB/s filter=${p.opts.topkFilter} gate=${p.opts.gateTokenTopk}`);
      const b = (f: (p: (typeof r)[number]) => boolean, label: string) => {
        const x = r.find(f);
        if (x) console.log(`best ${label.padEnd(34)} ${(100 * x.r.maxErr).toFixed(1)}%  steps ${x.r.steps.map((v) => v.toFixed(2)).join(' ')} (${x.r.pruning3.toFixed(2)}, ${x.r.quant2.toFixed(2)})  ${x.model} vk=${x.setting.valueKeep} M=${x.hw.qkMultipliers ?? 512} ch=${x.hw.dramChannels}×${x.hw.dramChannelGBps ?? 32} filter=${x.opts.topkFilter} gate=${x.opts.gateTokenTopk}`);
      };
      b((p) => p.opts.topkFilter === 'qk', 'with filter = S (RTL):');
      b((p) => p.opts.topkFilter === 'comparators', 'with filter = P:');
      b((p) => !p.setting.localVInTokenStep, 'without local-V pruning:');
      b((p) => p.hw.dramChannels === 16 && (p.hw.qkMultipliers ?? 512) === 512, 'Table I hardware (512 mult., 16 ch):');
    }
  }
  if (json) console.log(JSON.stringify(out, null, 2));
}
