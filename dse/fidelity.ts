/**
 * Multi-fidelity: one promotion rule for every "cheap first, expensive for the contenders" scheme.
 *
 * Each evaluated point has, per objective, an interval [optimistic, pessimistic] in minimisation
 * form: zero width for a model number (analytical), the 95% CI for a subset accuracy estimate. A
 * point is PROMOTED to the next fidelity when it can still reach the Pareto front: no other point's
 * pessimistic vector dominates its optimistic vector (and it is feasible, or its violation could
 * vanish). With zero-width intervals this is exactly the current front (fidelity: both → the
 * analytical front is re-scored with the cycle model); with CIs it is successive halving driven by
 * the confidence intervals (accuracy on a small subset first, the full set only for contenders).
 */
import type { Objective, Params } from './driver.ts';
import { type EvalContext, type EvaluatedPoint } from './evaluate.ts';
import { ENGINE_IGNORED_ALGO } from './accuracy-runs.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { couldHold, type Constraint } from './params.ts';
import { dominates } from '../core/pareto.ts';
import { ciColumn } from '../core/metric-columns.ts';
import { exampleValues, noWorse } from '../core/paired.ts';
import { isQuality, subsetOf } from '../core/rung-examples.ts';
import { driverInfo } from './drivers/index.ts';
import { BATCH, DEFAULT_EXAMPLES, GEN_TOKENS, lmPromptTokens } from '../sim/nn/run-sizes.ts';
import { loadCheckpoint } from '../sim/nn/checkpoint.ts';
import { lmTestWindows } from '../sim/nn/data.ts';
import { modelDirOf } from '../sim/nn/paths.ts';
import { accuracyModelKind as configKind } from './space-checks.ts';

export interface Interval {
  /** Optimistic (lowest) minimisation-form value. */
  lo: number;
  /** Pessimistic (highest). */
  hi: number;
}

/** Minimisation-form intervals of a point's objectives; CI columns `<metric>_ci_low/high` widen them */
export function objectiveIntervals(metrics: Record<string, number>, objectives: Objective[]): Interval[] {
  return objectives.map((o) => {
    const v = metrics[o.metric];
    let lo = v;
    let hi = v;
    const cl = metrics[ciColumn(o.metric, 'low')];
    const ch = metrics[ciColumn(o.metric, 'high')];
    if (Number.isFinite(cl) && Number.isFinite(ch)) {
      lo = Math.min(v, cl);
      hi = Math.max(v, ch);
    }
    return o.goal === 'max' ? { lo: -hi, hi: -lo } : { lo, hi };
  });
}

/**
 * The paired rule of `promotable`: on the quality objective `objective` (an index into the
 * objectives), `noWorse(a, b)` says that point b is, with 95% confidence, no worse than point a
 * (indices into the points) — a comparison of their configurations' per-example scores on the
 * same examples (core/paired.ts), much tighter than two separate CIs. False when it cannot tell.
 */
export interface PairedRule {
  objective: number;
  noWorse(a: number, b: number): boolean;
}

/**
 * Indices (into `points`) that can still reach the front. `feasible[i]` false excludes a point;
 * failed points are excluded. O(n²) over the feasible points, pruned by a first pass against the
 * pessimistic non-dominated set. With `paired`, a point b also excludes a point a when b's other
 * objectives dominate a's as before and the paired rule says b's quality is no worse than a's
 * (then the nominal front can exclude too, not only the pessimistic one).
 */
export function promotable(points: { metrics: Record<string, number>; status: string }[], objectives: Objective[], feasible: boolean[], paired?: PairedRule): number[] {
  const idx: number[] = [];
  const iv: Interval[][] = [];
  points.forEach((p, i) => {
    if (p.status !== 'ok' || !feasible[i]) return;
    const v = objectiveIntervals(p.metrics, objectives);
    if (v.every((x) => Number.isFinite(x.lo) && Number.isFinite(x.hi))) {
      idx.push(i);
      iv.push(v);
    }
  });
  // Only pessimistic vectors that are themselves non-dominated (pessimistically) can exclude anyone.
  const pess = iv.map((v) => v.map((x) => x.hi));
  const blockers = nonDominated(pess);
  // the points' own values: with `paired`, a point is dropped only for one that dominates it by
  // these too, so that it cannot be on the front the run reports from them (its subset estimate
  // against the other's full one)
  const nom = paired ? iv.map((v, a) => v.map((x, o) => minForm(points[idx[a]].metrics[objectives[o].metric], objectives[o].goal) ?? x.lo)) : [];
  if (paired) {
    // the nominal front: a point whose quality beats a neighbour's in the paired comparison need not be pessimistically non-dominated
    const kept = new Set(blockers);
    for (const b of nonDominated(nom)) if (!kept.has(b)) blockers.push(b);
  }
  const out: number[] = [];
  const q = paired?.objective ?? -1;
  for (let a = 0; a < iv.length; a++) {
    const opt = iv[a].map((x) => x.lo);
    let excluded = false;
    for (const b of blockers) {
      if (b === a) continue;
      let by = pess[b];
      // b no worse than a on quality (paired): b's quality counts as a's optimistic one, or better
      if (q >= 0 && by[q] > opt[q] && dominates(nom[b], nom[a]) && paired!.noWorse(idx[a], idx[b])) (by = by.slice())[q] = opt[q];
      if (dominates(by, opt)) {
        excluded = true;
        break;
      }
    }
    if (!excluded) out.push(idx[a]);
  }
  return out;
}

/** Indices of the vectors no other vector dominates (minimisation). */
function nonDominated(vs: number[][]): number[] {
  const out: number[] = [];
  for (let a = 0; a < vs.length; a++) {
    let dominated = false;
    for (let b = 0; b < vs.length && !dominated; b++) if (b !== a && dominates(vs[b], vs[a])) dominated = true;
    if (!dominated) out.push(a);
  }
  return out;
}

/** A metric's value in minimisation form (undefined when not finite). */
function minForm(v: number, goal: 'min' | 'max'): number | undefined {
  return Number.isFinite(v) ? (goal === 'max' ? -v : v) : undefined;
}

/**
 * The paired rule over `points` (core/paired.ts): their configurations' per-example values from
 * `values` (undefined when not known: the rule then says nothing), grouped by `group` (one
 * accuracy run per group), compared once per pair of groups and example counts (`memo` may be
 * shared by the rules of one run). Undefined without a quality objective.
 * A point at a subset rung (fidelity "…:subset(n=16)") is compared on that rung's examples only:
 * `values` gives the largest state known of its configuration, which a resumed run reads from the
 * journal (the 32 windows of a configuration the first run promoted later) and a run on several
 * lanes may hold for a configuration evaluated ahead of its promotion (`fillLanes`); the first
 * examples of it are the rung's (a rung's examples are a prefix of the next one's), so the
 * promotions are the same whatever is known beyond the rows.
 */
export function pairedRule(
  points: { params: Params; fidelity?: string }[],
  objectives: Objective[],
  values: (params: Params) => readonly number[] | undefined,
  group: (params: Params) => string,
  memo = new Map<string, boolean>(),
): PairedRule | undefined {
  const objective = objectives.findIndex((o) => isQuality(o.metric));
  if (objective < 0) return undefined;
  const goal = objectives[objective].goal;
  const groups: string[] = [];
  const groupOf = (i: number) => (groups[i] ??= group(points[i].params));
  // each group's values, asked once per rule (a rule serves one promotion round)
  const byGroup = new Map<string, readonly number[] | undefined>();
  const valuesOf = (g: string, i: number) => {
    if (!byGroup.has(g)) {
      const v = values(points[i].params);
      const n = subsetOf({ fidelity: points[i].fidelity ?? '' });
      byGroup.set(g, v && n !== undefined && v.length > n ? v.slice(0, n) : v);
    }
    return byGroup.get(g);
  };
  return {
    objective,
    noWorse(a, b) {
      const ga = groupOf(a);
      const gb = groupOf(b);
      if (ga === gb) return true; // one configuration: one measurement
      const va = valuesOf(ga, a);
      const vb = valuesOf(gb, b);
      if (!va || !vb) return false;
      const k = `${ga}\n${gb}\n${va.length}\n${vb.length}`;
      let v = memo.get(k);
      if (v === undefined) memo.set(k, (v = noWorse(va, vb, goal)));
      return v;
    },
  };
}

const IGNORED = new Set<string>(ENGINE_IGNORED_ALGO.map((k) => `algo.${k}`));

/** The algorithm part of a point's parameters that the accuracy engine sees (one model run per rung): its configuration. */
export function algoKey(params: Params): string {
  return JSON.stringify(Object.entries(params).filter(([k]) => k.startsWith('algo.') && !IGNORED.has(k)));
}

/** Per-example values (core/paired.ts exampleValues) of a point's configuration from the largest run state the executor knows of it. */
export function configValues(executor: { knownPrefix(ctx: EvalContext, params: Params): AccuracyPrefix | undefined }, ctx: EvalContext): (params: Params) => number[] | undefined {
  const values = new WeakMap<AccuracyPrefix, number[]>();
  return (params) => {
    const p = executor.knownPrefix(ctx, params);
    if (!p) return undefined;
    let v = values.get(p);
    if (!v) values.set(p, (v = exampleValues(p.scores)));
    return v;
  };
}

/**
 * Dominated feasible points of `points` that could be on the front: by the CIs, or with `paired`
 * by the paired rule as well (the report's note, and run.json `separability`).
 */
export function inseparableCount(points: { metrics: Record<string, number>; status: string; feasible: boolean; pareto: boolean }[], objectives: Objective[], paired?: PairedRule): number {
  return promotable(points, objectives, points.map((p) => p.feasible), paired).filter((i) => !points[i].pareto).length;
}

/**
 * run.json `separability` of the report's points (dse/sink.ts reportRows): the paired count when
 * the quality objective has CIs and every configuration among the points has known scores;
 * undefined otherwise (the report then compares the CIs).
 */
export function pairedSeparability(points: PointRow[], objectives: Objective[], values: (params: Params) => readonly number[] | undefined): RunJson['separability'] {
  const rule = pairedRule(points, objectives, values, algoKey);
  if (!rule) return undefined;
  const metric = objectives[rule.objective].metric;
  if (!points.some((p) => Number.isFinite(p.metrics[ciColumn(metric, 'low')]))) return undefined;
  const seen = new Set<string>();
  for (const p of points) {
    if (p.status !== 'ok') continue;
    const g = algoKey(p.params);
    if (seen.has(g)) continue;
    seen.add(g);
    if (!values(p.params)) return undefined;
  }
  return { metric, inseparable: inseparableCount(points, objectives, rule), method: 'paired' };
}

// --- accuracy: successive halving on example subsets ---------------------------------------------

export type AccuracySpec = NonNullable<EvalContext['accuracy']> & { subsetExamples?: number };

/** Rung growth factor: each rung evaluates η× more examples than the previous one. */
export const ETA = 4;

/**
 * Example counts of the accuracy rungs, smallest first; the last is the full evaluation
 * (`undefined` = the engine's default, all examples). Undefined when one fidelity suffices
 * (the subset would not be smaller than the full set).
 * Default subset: ⌈full/8⌉ (min 16) when `maxExamples` is given; else 16 for GPT-style models
 * (64 windows by default) and 128 for classifiers (1,209 examples) — rounded down to whole engine
 * batches (32 classifier examples, 16 LM windows; at least one), so that every rung's run
 * continues the previous rung's (a run continues only whole batches: sim/nn/api.ts). A given
 * `subsetExamples` is used as written.
 * On by default for the search drivers (random, lhs, nsga2: the goal is the front); off for the
 * grid driver (an exhaustive sweep, e.g. a figure, wants the full number for every point) unless
 * `subsetExamples` is given.
 */
export function accuracyRungs(spec: AccuracySpec | undefined, driver?: string): (number | undefined)[] | undefined {
  if (!spec) return undefined;
  if (driver !== undefined && driverInfo(driver).exhaustive && spec.subsetExamples === undefined) return undefined;
  const full = spec.maxExamples;
  const isGpt = accuracyModelKind(spec.model) === 'gpt';
  const fullKnown = full ?? (isGpt ? DEFAULT_EXAMPLES.gpt : DEFAULT_EXAMPLES.bert);
  const batch = isGpt ? BATCH.gpt : BATCH.bert;
  const subset = spec.subsetExamples ?? wholeBatches(full !== undefined ? Math.max(16, Math.ceil(full / 8)) : isGpt ? 16 : 128, batch);
  if (subset >= fullKnown) return undefined;
  const rungs: (number | undefined)[] = [];
  for (let n = subset; n < fullKnown; n *= ETA) rungs.push(n);
  rungs.push(full);
  return rungs;
}

/**
 * An LM accuracy block's maxExamples capped at the evaluation windows of the model's test split
 * (sotu-char 3,750, sotu-gpt 1,661; a classifier's is refused by dse/space-checks.ts, whose count
 * is fixed): the engine evaluates at most those, and rungs sized for more would label the full set
 * a subset and evaluate it again. Counting tokenizes the test split (0.3-0.8 s on two shared
 * cores with loading it), so it runs once per run (dse/run.ts prepareRun), not among the space
 * checks, and only above the default 64 windows, which every LM's split holds (fewer would take
 * over 15 bytes a token). `where` (file:line:col) starts the note that says so.
 */
export function capLmExamples<S extends AccuracySpec>(spec: S, where: string): { spec: S; note?: string } {
  const n = spec.maxExamples;
  if (n === undefined || n <= DEFAULT_EXAMPLES.gpt || accuracyModelKind(spec.model) !== 'gpt') return { spec };
  const dir = modelDirOf(spec.model);
  if (!dir) return { spec };
  const ck = loadCheckpoint(dir);
  const windows = lmTestWindows((t) => ck.tokenizer.encode(t), lmPromptTokens(ck.config.maxPositions) + GEN_TOKENS + 1).length;
  if (n <= windows) return { spec };
  const sub = spec.subsetExamples !== undefined && spec.subsetExamples >= windows ? `; subsetExamples ${spec.subsetExamples} is not fewer, so there is no cheaper rung` : '';
  return {
    spec: { ...spec, maxExamples: windows },
    note: `${where}: accuracy.maxExamples ${n} is more than the ${windows.toLocaleString('en-US')} evaluation windows of ${spec.model}'s test split: capped at ${windows} (all of them)${sub}`,
  };
}

/** The accuracy engine's seed when a block gives none (sim/nn/api.ts: `spec.seed ?? 1`). */
const ENGINE_SEED = 1;

/**
 * The accuracy block without its seed where the seed changes no number: a classifier's (its 95% CI
 * is Wilson's, which takes none; its examples are the test split's first N, cut with the data's
 * own seed), or the engine's default. The seed reaches one number only, a language model's
 * bootstrap CI of the perplexity (sim/nn/api.ts scoreLm), not its value nor the measured pruning.
 * The run's context carries the block so: it keys the journal, the dense reference and the
 * accuracy caches, so a classifier run differing only in its seed reuses them.
 */
export function withActingSeed<S extends { model: string; seed?: number }>(spec: S): S {
  if (spec.seed === undefined || (spec.seed !== ENGINE_SEED && accuracyModelKind(spec.model) === 'gpt')) return spec;
  const { seed: _inert, ...rest } = spec;
  return rest as S;
}

/** A note when the block's seed is a classifier's (`where`: file:line:col of it), which changes no number. */
export function inertSeedNote(spec: { model: string; seed?: number }, where: string): string | undefined {
  if (spec.seed === undefined || accuracyModelKind(spec.model) !== 'bert') return undefined;
  return `${where}: accuracy.seed ${spec.seed} changes no number: ${spec.model} is a classifier, whose accuracy CI (Wilson's) takes no seed (it seeds a language model's bootstrap CI of the perplexity)`;
}

const kinds = new Map<string, 'bert' | 'gpt'>();

/**
 * Whether an accuracy model is a classifier (`bert`) or a language model (`gpt`), from its
 * config.json's `model_type` (space-checks' reading, as the engine resolves the model); by its name
 * (`gpt` in it) when no config can be read — the run then stops on the model anyway.
 */
export function accuracyModelKind(model: string): 'bert' | 'gpt' {
  const hit = kinds.get(model);
  if (hit) return hit;
  const k = configKind(model);
  const kind: 'bert' | 'gpt' = k === 'lm' ? 'gpt' : k === 'classifier' ? 'bert' : /gpt/i.test(model) ? 'gpt' : 'bert';
  kinds.set(model, kind);
  return kind;
}

/** n rounded down to a multiple of `batch`, at least one batch. */
function wholeBatches(n: number, batch: number): number {
  return Math.max(batch, Math.floor(n / batch) * batch);
}

/** The context with the accuracy evaluated on `n` examples (undefined = full). */
export function withExamples(ctx: EvalContext, n: number | undefined): EvalContext {
  if (!ctx.accuracy) return ctx;
  const { subsetExamples: _s, ...acc } = ctx.accuracy as AccuracySpec;
  void _s;
  return { ...ctx, accuracy: n === undefined ? { ...acc, maxExamples: (ctx.accuracy as AccuracySpec).maxExamples } : { ...acc, maxExamples: n } };
}

export function rungLabel(fidelity: string, n: number | undefined, last: boolean): string {
  return last ? fidelity : `${fidelity}:subset(n=${n})`;
}

/**
 * Whether a point could satisfy every constraint within its metrics' 95% CIs: a constraint on a
 * metric with `<metric>_ci_low/high` columns (a subset accuracy) is checked at the CI's end that
 * favours it, so a configuration at 62/64 = 0.96875 under "accuracy >= 0.969" (CI up to 0.991)
 * is still promoted; the others as `feasible` says.
 */
export function couldBeFeasible(p: EvaluatedPoint, constraints: Constraint[]): boolean {
  return p.status === 'ok' && constraints.every((c) => couldHold(c, p.metrics));
}

export type Evaluate = (points: { id: number; params: Params }[], ctx: EvalContext) => Promise<EvaluatedPoint[]>;

/** How a round of `refineAccuracy` fills the evaluation lanes (optional). */
export interface RefineLanes {
  /** Configurations that can run at once (the worker count), or how to read it when each round starts. */
  lanes: number | (() => number);
  /** The configuration of a point (points of one configuration cost one model run together). */
  group: (params: Params) => string;
  /** The space's constraints (a contender must be able to satisfy them within its CIs). */
  constraints: Constraint[];
}

/**
 * Marks the rows' accuracy as the first (subset) rung's estimate, `…:subset(n=…)`, as every row is
 * before any promotion, and keeps that estimate as the row's `firstRung` (a later rung replaces
 * the metric; the quality sensitivity uses the first rung's, on the same examples for every
 * configuration).
 */
export function labelFirstRung(rows: EvaluatedPoint[], rungs: (number | undefined)[]): void {
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    r.fidelity = rungLabel(r.fidelity, rungs[0], false);
    const metric = (['accuracy', 'perplexity'] as const).find((m) => Number.isFinite(r.metrics[m]));
    if (metric && rungs[0] !== undefined) r.firstRung = { metric, examples: rungs[0], value: r.metrics[metric] };
  }
}

/**
 * Successive halving with confidence intervals: every point was evaluated at rung 0 (`rows`,
 * updated in place). For each higher rung, the points that can still reach the front are
 * evaluated at that rung, repeatedly until no contender is left at a lower rung; after the last
 * rung every point that could be on the front has the full evaluation. Returns evaluations per rung.
 * With `fill`, a round whose contenders span fewer configurations than there are lanes also takes
 * the next likeliest ones (`fillLanes`), so the lanes are not idle while one configuration runs.
 * Those extra evaluations are held aside and enter the rows only when a later round promotes
 * their configuration: the rows end as with one lane (points.csv does not depend on --jobs), in
 * fewer rounds.
 */
export async function refineAccuracy(
  rows: EvaluatedPoint[],
  objectives: Objective[],
  ctx: EvalContext,
  rungs: (number | undefined)[],
  evaluate: Evaluate,
  stop: () => boolean = () => false,
  fill?: RefineLanes,
  pairing?: (points: EvaluatedPoint[]) => PairedRule | undefined,
): Promise<number[]> {
  const level = new Map<number, number>(rows.map((r) => [r.id, 0]));
  const index = new Map<number, number>(rows.map((r, i) => [r.id, i]));
  const counts = [rows.length];
  labelFirstRung(rows, rungs);
  for (let k = 1; k < rungs.length; k++) {
    counts.push(0);
    const rctx = withExamples(ctx, rungs[k]);
    const last = k === rungs.length - 1;
    const take = (p: EvaluatedPoint) => {
      const first = rows[index.get(p.id)!].firstRung;
      rows[index.get(p.id)!] = { ...p, fidelity: p.status === 'ok' ? rungLabel(p.fidelity, rungs[k], last) : p.fidelity, ...(first ? { firstRung: first } : {}) };
      level.set(p.id, k);
      counts[k]++;
    };
    // this rung's evaluations of configurations no round has promoted yet (fill's)
    const aside = new Map<number, EvaluatedPoint>();
    for (let round = 0; round < 100 && !stop(); round++) {
      const below = (i: number) => level.get(rows[i].id)! < k;
      // a point already on the full set is feasible or not: its CI no longer makes it a contender
      // (nor a blocker of the points behind it, which then could never be promoted)
      const open = rows.map((r, i) => (last && !below(i) ? r.feasible : couldBeFeasible(r, ctx.constraints ?? [])));
      const cand = promotable(rows, objectives, open, pairing?.(rows)).filter(below);
      if (cand.length === 0) break;
      // a promoted point promotes its configuration (the evaluator runs its other points with it)
      const promoted = fill ? new Set(cand.map((i) => fill.group(rows[i].params))) : undefined;
      const isPromoted = (p: EvaluatedPoint) => !promoted || promoted.has(fill!.group(p.params));
      const batch = cand.filter((i) => !aside.has(rows[i].id));
      if (fill && batch.length > 0) {
        const lanes = typeof fill.lanes === 'function' ? fill.lanes() : fill.lanes;
        fillLanes(batch, rows, objectives, (i) => below(i) && !aside.has(rows[i].id), { ...fill, lanes }, pairing);
      }
      const res = batch.length > 0 ? await evaluate(batch.map((i) => ({ id: rows[i].id, params: rows[i].params })), rctx) : [];
      if (batch.length > 0 && res.length === 0) break;
      for (const p of res) aside.set(p.id, p);
      for (const [id, p] of aside) {
        if (!isPromoted(p)) continue;
        aside.delete(id);
        take(p);
      }
    }
  }
  return counts;
}

/**
 * Adds to `cand` the points of the likeliest next contenders' configurations, up to `fill.lanes`
 * configurations: the points that could reach the front if the points already promoted were
 * absent (the front of the rest, under the same CI rule), then the front of what remains, ….
 */
function fillLanes(cand: number[], rows: EvaluatedPoint[], objectives: Objective[], below: (i: number) => boolean, fill: RefineLanes & { lanes: number }, pairing?: (points: EvaluatedPoint[]) => PairedRule | undefined): void {
  const groups = new Set(cand.map((i) => fill.group(rows[i].params)));
  const taken = new Set(cand);
  for (let layer = 0; layer < 4 && groups.size < fill.lanes; layer++) {
    const rest = rows.map((_, i) => i).filter((i) => below(i) && !taken.has(i));
    if (rest.length === 0) return;
    const pts = rest.map((i) => rows[i]);
    const next = promotable(pts, objectives, rest.map((i) => couldBeFeasible(rows[i], fill.constraints)), pairing?.(pts)).map((j) => rest[j]);
    if (next.length === 0) return;
    for (const i of next) {
      const g = fill.group(rows[i].params);
      if (!groups.has(g)) {
        if (groups.size >= fill.lanes) continue;
        groups.add(g);
      }
      taken.add(i);
      cand.push(i);
    }
  }
}
