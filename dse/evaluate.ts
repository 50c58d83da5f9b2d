/**
 * The evaluator: a trial's parameters → a design point → (accuracy run → measured pruning
 * behaviour →) hardware model → metrics, feasibility and constraint violation.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as z from '../core/zod.ts';
import { ciColumn, rescoreColumn } from '../core/metric-columns.ts';
import type { FirstRungValue } from '../core/sensitivity.ts';
import { boundsOf } from '../core/latency-bounds.ts';
import { AlgoSchema, HARDWARE_PRESETS, HardwareSchema, type AlgoConfig, type DesignPoint, type HardwareConfig, type WorkloadConfig } from '../sim/schema.ts';
import { evaluateHardware, evaluateMetrics, resolveWorkload } from '../sim/index.ts';
import type { Workload } from '../sim/workload/types.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';
import { fidelity, fidelityPlan, SPACE_FIDELITIES, type ModelOptions, type SpaceFidelity } from '../sim/fidelities.ts';
import type { WorkloadOverrides } from '../sim/workload/build.ts';
import { modelShape } from '../sim/workload/models.ts';
import { benchmark, benchmarkWorkload } from '../sim/workload/benchmarks.ts';
import { compareWithBaseline } from '../sim/baselines/compare.ts';
import { BASELINE_METRICS, pickMetrics } from '../sim/metrics.ts';
import type { ParamValue, Params, TrialResult } from './driver.ts';
import { InputError } from './errors.ts';
import { fieldSchema, totalViolation, valueMessage, type Constraint } from './params.ts';
import type { Space } from './space.ts';
import { breakdownsWithFc, fcPart } from './e2e-parts.ts';
import { wordBitsProblem } from './point-checks.ts';
import { pointRelief, type Relief } from './relief.ts';
import { accuracyKey, exactPrefix, prefixKey, runAccuracy, scoresKey, type AccuracyOutcome } from './accuracy-runs.ts';

export interface EvaluatedPoint extends TrialResult {
  feasible: boolean;
  error: string;
  fidelity: string;
  /**
   * The accuracy run this evaluation used (runs with accuracy only), so the executor can hand it to
   * later tasks of the same configuration on other workers (`known`); dropped before the point is
   * recorded.
   */
  accuracyOutcome?: AccuracyOutcome;
  /**
   * With accuracy rungs: the point's accuracy or perplexity on the first rung, whose examples every
   * configuration ran, kept when a later rung replaces the metric (dse/fidelity.ts labelFirstRung,
   * refineAccuracy). The quality sensitivity is computed from it (core/sensitivity.ts); not a
   * points.csv column.
   */
  firstRung?: FirstRung;
}

/** A point's quality metric on the first accuracy rung (`EvaluatedPoint.firstRung`): the value the sensitivity accumulator reads. */
export interface FirstRung extends FirstRungValue {
  metric: 'accuracy' | 'perplexity';
}

/** The base design point of a space: preset + hardware overrides, algo, workload. */
export function basePoint(space: Pick<Space, 'hardware' | 'algo' | 'workload'>, spaceFile?: string): DesignPoint {
  const { preset, ...hwOver } = space.hardware;
  const hw = HardwareSchema.parse({ ...HARDWARE_PRESETS[preset ?? 'spatten'], ...hwOver });
  let algo = AlgoSchema.parse(space.algo);
  let workload = { ...space.workload };
  if (workload.trace) workload.trace = resolveTracePath(workload.trace, spaceFile);
  // A named benchmark fixes the workload shape and supplies the base algorithm settings (the
  // space's own algo block overrides them field by field).
  const bench = workload.benchmark;
  if (bench) {
    workload = { ...workload, ...benchmarkWorkload(bench) };
    algo = AlgoSchema.parse({ ...benchmark(bench).algo, ...space.algo });
  }
  return { hw, algo, workload };
}

/** A trace path as written in a space: relative to the working directory, else to the YAML file. */
export function resolveTracePath(p: string, spaceFile?: string): string {
  if (path.isAbsolute(p) || existsSync(p)) return p;
  if (spaceFile) {
    const alt = path.join(path.dirname(spaceFile), p);
    if (existsSync(alt)) return alt;
  }
  throw new InputError(`${spaceFile ?? ''}${spaceFile ? ': ' : ''}workload.trace: no such file "${p}"`);
}

/** A value's zod issues as the space and --set name them: the bad value, the allowed ones, a did-you-mean. */
function describeZod(err: z.ZodError, where: string, value: unknown): string {
  return err.issues.map((i) => `${[where, ...i.path].join('.')}: ${valueMessage(i, value)}`).join('; ');
}

// Values already validated per parameter key, with the value their field parses them to. The
// config schemas have per-field rules only (no cross-field refinements), so validating each (key,
// value) once is the same as validating every assembled object — and keeps zod out of the
// per-point hot path of big sweeps.
const validated = new Map<string, Map<ParamValue, unknown>>();

/**
 * The value a parameter gives its config field, validated: the field's parse of it, so a switch
 * given as "false" (`--set hw.dramRefresh=false`, a YAML list of strings) is the boolean false,
 * not a truthy string.
 */
function fieldValue(key: string, value: ParamValue): unknown {
  let seen = validated.get(key);
  if (seen?.has(value)) return seen.get(value);
  const fs = fieldSchema(key);
  if (!fs) throw new Error(`unknown parameter "${key}"`);
  const r = fs.safeParse(value);
  if (!r.success) throw new Error(describeZod(r.error, key, value));
  if (!seen) validated.set(key, (seen = new Map()));
  if (seen.size < 4096) seen.set(value, r.data);
  return r.data;
}

/**
 * Apply canonical parameter keys (hw.X, algo.X, workload.X) onto a (valid) base point, validated.
 * A swept `workload.benchmark` does what one in the workload block does (basePoint): it fixes the
 * shape and supplies the base algo settings, under the fields the space's algo block wrote
 * (`algoWritten`) and the point's own algo parameters.
 */
export function applyParams(base: DesignPoint, params: Params, algoWritten?: Record<string, unknown>): DesignPoint {
  const hw: Record<string, unknown> = { ...base.hw };
  let algo: Record<string, unknown> = { ...base.algo };
  const workload: Record<string, unknown> = { ...base.workload };
  const bench = params['workload.benchmark'];
  if (typeof bench === 'string') {
    Object.assign(workload, benchmarkWorkload(bench));
    algo = AlgoSchema.parse({ ...benchmark(bench).algo, ...algoWritten });
  }
  for (const key in params) {
    const value = fieldValue(key, params[key]);
    const [group, field] = keyParts(key);
    if (group === 'hw') hw[field] = value;
    else if (group === 'algo') algo[field] = value;
    else workload[field] = value;
  }
  return { hw: hw as HardwareConfig, algo: algo as AlgoConfig, workload: workload as WorkloadConfig };
}

const partsOfKey = new Map<string, [string, string]>();

/** A parameter key's group and field ('hw.clockGHz' → hw, clockGHz), split once per key (fieldValue has checked the key). */
function keyParts(key: string): [string, string] {
  let parts = partsOfKey.get(key);
  if (parts === undefined) {
    const dot = key.indexOf('.');
    parts = [key.slice(0, dot), key.slice(dot + 1)];
    if (partsOfKey.size < 4096) partsOfKey.set(key, parts);
  }
  return parts;
}

export interface EvalContext {
  base: DesignPoint;
  /** The space's fidelity (sim/fidelities.ts SPACE_FIDELITIES): which model scores, which re-scores. */
  fidelity: SpaceFidelity;
  constraints: Constraint[];
  accuracy?: Space['accuracy'];
  /** Model options from the space's `cycle:` block (each model takes those it honours). */
  modelOptions?: ModelOptions;
  /** Metric columns the run records. */
  metrics: string[];
  /** Baseline platform of the space (adds speedup and energy_saving). */
  baseline?: string;
  /** The algo fields the space's algo block wrote, when it sweeps workload.benchmark (applyParams). */
  algoWritten?: Record<string, unknown>;
}

/** The model that scores every point of a run (the space fidelity's primary). */
export function primaryModel(ctx: EvalContext) {
  return fidelityPlan(ctx.fidelity).primary;
}

/** The primary evaluation is CPU-bound (a costly model, or the accuracy engine): pool workers take it. */
export function isCpuBound(ctx: EvalContext): boolean {
  return fidelity(primaryModel(ctx)).cpuBound || !!ctx.accuracy;
}

/**
 * True when a point of `ctx` costs microseconds once its configuration's accuracy outcome is known:
 * accuracy is on and the hardware model the task runs (`evaluate`: the primary, `rescore`: the
 * re-scoring one) is not CPU-bound. The executor then sends such points to a worker in chunks.
 */
export function cheapOnceAccuracyKnown(ctx: EvalContext, task: 'evaluate' | 'rescore'): boolean {
  const model = task === 'rescore' ? (fidelityPlan(ctx.fidelity).rescore ?? primaryModel(ctx)) : primaryModel(ctx);
  return !!ctx.accuracy && !fidelity(model).cpuBound;
}

/** The fidelity label of a primary evaluation, e.g. "analytical" or "cycle+accuracy". */
export function primaryFidelity(ctx: EvalContext): string {
  return primaryModel(ctx) + (ctx.accuracy ? '+accuracy' : '');
}

// Params that set only hardware knobs leave the base workload as it is: it is resolved once per
// base point instead of per point (resolving looks it up by a JSON key of workload + algorithm).
const baseWorkloads = new WeakMap<DesignPoint, Workload>();

function sharedWorkload(ctx: EvalContext, params: Params, overrides: WorkloadOverrides | undefined): Workload | undefined {
  if (overrides) return undefined;
  // a scan of the keys, allocating nothing (a string of them was built and looked up per point)
  for (const k in params) if (!k.startsWith('hw.')) return undefined;
  let w = baseWorkloads.get(ctx.base);
  if (!w) baseWorkloads.set(ctx.base, (w = resolveWorkload(ctx.base)));
  return w;
}

/** The accuracy engine's measured pruning for a point (undefined without an accuracy block). */
async function measuredOverrides(ctx: EvalContext, point: DesignPoint, known?: AccuracyOutcome): Promise<WorkloadOverrides | undefined> {
  if (!ctx.accuracy) return undefined;
  return (await runAccuracy(ctx.accuracy, point.algo, modelShape(point.workload.model).layers, known)).overrides;
}

/**
 * What identifies a point's accuracy run: its accuracy spec and algorithm configuration (and the
 * target model's depth). Points with the same key share one run; undefined without accuracy.
 */
export function accuracyKeyOf(ctx: EvalContext, params: Params): string | undefined {
  if (!ctx.accuracy) return undefined;
  const point = applyParams(ctx.base, params, ctx.algoWritten);
  return accuracyKey(ctx.accuracy, point.algo, modelShape(point.workload.model).layers);
}

/** The key of a point's configuration's accuracy runs whatever their example count and seed (prefixes; see `runAccuracy`). */
export function accuracyPrefixKeyOf(ctx: EvalContext, params: Params): string | undefined {
  return ctx.accuracy ? prefixKey(ctx.accuracy, applyParams(ctx.base, params, ctx.algoWritten).algo) : undefined;
}

/** The key of a point's configuration's scores under the context's example count (`scoresKey`). */
export function accuracyScoresKeyOf(ctx: EvalContext, params: Params): string | undefined {
  return ctx.accuracy ? scoresKey(ctx.accuracy, applyParams(ctx.base, params, ctx.algoWritten).algo) : undefined;
}

/**
 * The metrics a model computed beyond the doubles, as `latency_s Infinity, power_w NaN` ('' when
 * every one is finite): an extreme knob (hw.clockGHz 1e-320, hw.dramChannelGBps 1e-300) overflows
 * the latency; such a point fails instead of being `ok` with empty cells (and feasible).
 */
export function nonFiniteMetrics(m: Record<string, number>): string {
  // every evaluation asks: nothing is allocated unless a value is out of range
  let out = '';
  for (const k in m) if (!Number.isFinite(m[k])) out += `${out ? ', ' : ''}${k} ${m[k]}`;
  return out;
}

/**
 * Evaluate one design point with the primary model of the run. `known`: the point's accuracy
 * outcome when an earlier evaluation (on any worker) computed it — it is used instead of a run.
 * `from`: a smaller run's prefix of the configuration (an earlier rung's), continued by a run. The
 * point carries its outcome back, with the prefix only when the task did not carry the outcome.
 */
export async function evaluatePoint(ctx: EvalContext, id: number, params: Params, known?: AccuracyOutcome, from?: AccuracyPrefix): Promise<EvaluatedPoint> {
  const metrics: Record<string, number> = {};
  for (const m of ctx.metrics) metrics[m] = Number.NaN;
  try {
    const point = applyParams(ctx.base, params, ctx.algoWritten);
    // data wider than the on-chip word: the models would price a buffer that cannot hold it
    const narrow = wordBitsProblem(point);
    if (narrow) throw new Error(narrow);
    let overrides: WorkloadOverrides | undefined;
    let fidelity: string = primaryModel(ctx);
    let acc: AccuracyOutcome | undefined;
    if (ctx.accuracy) {
      const layers = modelShape(point.workload.model).layers;
      acc = await runAccuracy(ctx.accuracy, point.algo, layers, known, from);
      const prefix = known ? undefined : exactPrefix(ctx.accuracy, point.algo, acc.n);
      if (prefix) acc = { ...acc, prefix };
      metrics[acc.metric] = acc.value;
      metrics[ciColumn(acc.metric, 'low')] = acc.ci95[0];
      metrics[ciColumn(acc.metric, 'high')] = acc.ci95[1];
      metrics.lsb_refetch_fraction = acc.lsbRefetchFraction;
      overrides = acc.overrides;
      fidelity += '+accuracy';
    }
    const hw = evaluateMetrics(point, { fidelity: primaryModel(ctx), overrides, options: ctx.modelOptions, workload: sharedWorkload(ctx, params, overrides) });
    const beyond = nonFiniteMetrics(hw);
    if (beyond) throw new Error(`the hardware model computed ${beyond}: a knob of this point is beyond the range the model computes in doubles`);
    Object.assign(metrics, hw);
    if (ctx.baseline) storeBaselineMetrics(metrics, ctx.baseline, point, overrides);
    const viol = totalViolation(ctx.constraints, metrics);
    return { id, params, metrics, status: 'ok', violation: viol, feasible: viol === 0, error: '', fidelity, ...(acc ? { accuracyOutcome: acc } : {}) };
  } catch (e) {
    return { id, params, metrics, status: 'failed', violation: Infinity, feasible: false, error: (e as Error).message ?? String(e), fidelity: '' };
  }
}

/**
 * Stores the space's baseline metrics (BASELINE_METRICS: speedup, energy_saving) of the latency and
 * energy in `m`, whichever model measured them: the primary model's in `evaluatePoint`, the
 * re-scoring model's in `rescorePoint`.
 */
function storeBaselineMetrics(m: Record<string, number>, baseline: string, point: DesignPoint, overrides: WorkloadOverrides | undefined): void {
  const cmp = compareWithBaseline(point, { latency_s: m.latency_s, energy_j: m.energy_j }, baseline, point.workload.trace ? resolveWorkload(point, overrides) : undefined);
  m.speedup = cmp.speedup;
  m.energy_saving = cmp.energy_saving;
}

/** Where one point's latency, energy and area go (report highlights), with the run's hardware model. */
export interface Breakdown {
  stages: Record<string, number>;
  energy: Record<string, number>;
  area: Record<string, number>;
  /** DRAM bytes by tensor (Q, K MSB, K LSB, V), when the hardware model reports them. */
  dram?: Record<string, number>;
  /** The point with each hardware resource doubled, one at a time (dse/relief.ts). */
  relief?: Relief[];
  /** The latency bounds, when the hardware model reports them (analytical: core/latency-bounds.ts). */
  bounds?: Record<string, number>;
}

/**
 * The breakdown of one point as the run evaluated it: the run's hardware model, and with accuracy
 * on, the pruning the accuracy run measured. Runs on a pool worker in parallel runs, where the
 * models are warm and the accuracy runs cached.
 */
export async function pointBreakdown(ctx: EvalContext, params: Params, known?: AccuracyOutcome): Promise<Breakdown> {
  const point = applyParams(ctx.base, params, ctx.algoWritten);
  const model = { fidelity: primaryModel(ctx), overrides: await measuredOverrides(ctx, point, known), options: ctx.modelOptions };
  const hw = evaluateHardware(point, model);
  // The report shows SRAM as its own area category (the model books key/value SRAM under qk/pv)
  // and the DRAM traffic by tensor when the model reports it (analytical: extra.dram_bytes_*).
  const { areaWithSram } = await import('../sim/hw/area.ts');
  const area = areaWithSram(point.hw, hw.area);
  const x = hw.extra ?? {};
  // SpAtten-e2e: the FC/FFN layers as their own entry (stage, energy, DRAM weights), so the
  // breakdowns add up to the e2e totals (dse/e2e-parts.ts)
  const fc = fcPart(hw, point.hw.clockGHz);
  const dram = ['q', 'k_msb', 'k_lsb', 'v'].every((t) => typeof x[`dram_bytes_${t}`] === 'number')
    ? { Q: x.dram_bytes_q, 'K MSB': x.dram_bytes_k_msb, 'K LSB': x.dram_bytes_k_lsb, V: x.dram_bytes_v, ...(fc ? { 'FC weights': fc.dramBytes } : {}) }
    : undefined;
  const relief = pointRelief(point, hw, { ...model, constraints: ctx.constraints });
  // (SpAtten-e2e: the bounds are the attention's, and the FC/FFN layers' time comes on top of them)
  const bounds = fc ? undefined : boundsOf(hw.extra);
  return { ...breakdownsWithFc(hw, point.hw.clockGHz), area, ...(dram ? { dram } : {}), relief, ...(bounds ? { bounds } : {}) };
}

/**
 * Metrics the re-scoring model records, as `<fidelity>_<metric>` columns: hardware metrics it
 * measures, and with a space's baseline the baseline metrics of its latency and energy.
 */
export const RESCORED_METRICS = ['latency_s', 'energy_j', 'cycles', 'dram_bytes', 'power_w', ...BASELINE_METRICS] as const;


/**
 * Every re-scored column a run can write: RESCORED_METRICS under the re-scoring model of each
 * space fidelity that has one (`fidelity: both`: cycle_latency_s, …, cycle_power_w, and with a
 * baseline cycle_speedup, cycle_energy_saving).
 */
export const RESCORED_COLUMNS: readonly string[] = [
  ...new Set(Object.values(SPACE_FIDELITIES).flatMap((plan) => ('rescore' in plan ? RESCORED_METRICS.map((m) => rescoreColumn(plan.rescore, m)) : []))),
];

/**
 * Re-score of a point with the space's re-scoring model (`fidelity: both`: the cycle model on the
 * analytical front); runs in a pool worker or in-process.
 */
export async function rescorePoint(ctx: EvalContext, id: number, params: Params, known?: AccuracyOutcome): Promise<EvaluatedPoint> {
  const model = fidelityPlan(ctx.fidelity).rescore ?? primaryModel(ctx);
  try {
    const point = applyParams(ctx.base, params, ctx.algoWritten);
    const overrides = await measuredOverrides(ctx, point, known);
    const c = evaluateHardware(point, { fidelity: model, overrides, options: ctx.modelOptions });
    // the metrics the primary model's evaluation writes (evaluatePoint), re-scored under the model's prefix
    const scored: Record<string, number> = pickMetrics(c);
    if (ctx.baseline) storeBaselineMetrics(scored, ctx.baseline, point, overrides);
    const metrics: Record<string, number> = {};
    for (const m of RESCORED_METRICS) if (m in scored) metrics[rescoreColumn(model, m)] = scored[m];
    return { id, params, metrics, status: 'ok', violation: 0, feasible: true, error: '', fidelity: model };
  } catch (e) {
    return { id, params, metrics: {}, status: 'failed', violation: Infinity, feasible: false, error: (e as Error).message ?? String(e), fidelity: model };
  }
}
