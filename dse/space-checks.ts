/**
 * Semantic checks of a parsed space — what the schema alone cannot see, checked at parse time so
 * that a run never "succeeds" with nothing (every point failed, an empty front, a metric column
 * that cannot exist):
 * - a stage the model family does not have (an encoder in the generation stage);
 * - an objective, constraint or report axis on a metric this space cannot produce (speedup or
 *   energy_saving without a baseline, accuracy/perplexity without an accuracy block, perplexity
 *   from a classifier, accuracy from a language model);
 * - knobs that do not apply to any point, swept or written in the workload/algo block (genTokens
 *   without the generation stage, fcWeightBits without scope e2e, the token-selection knobs without
 *   a language model in the accuracy block, startTokens/recentTokens without the llm token policy,
 *   the cascade's tokenScore/tokenSpread/tokenMinKeep/tokenFrontFrac when every point is on llm),
 *   and progressive-quantization knobs swept when every model is an encoder (BERT is statically
 *   quantized), or lsbBits > 0 with a classifier measuring the refetch (it measures none);
 * - an accuracy block the engine cannot run as written: a checkpoint folder it cannot load, a
 *   classifier's maxExamples beyond its test split, a subsetExamples with no cheaper rung;
 * - workload fields a benchmark fixes (model, stage, lengths), written or swept beside it, and
 *   those a trace fixes (the same, and a benchmark) written beside it;
 * - an on-chip word (hw.wordBits) narrower than the keys, values or e2e FC weights at every point
 *   (dse/space-word-bits.ts `wordBitsIssues`; at some points only: a note, and those points fail
 *   with the reason);
 * - the size of the space: the grid's cardinality (or the samples a driver is asked for) above
 *   `maxPoints` is refused with the count and a suggestion, before anything is enumerated.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { metricDef } from '../sim/metrics.ts';
import { MODEL_NAMES, type ModelName } from '../sim/schema.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { BENCHMARK_NAMES, benchmark, benchmarkWorkload, isBenchmark } from '../sim/workload/benchmarks.ts';
import { modelDirOf } from '../sim/nn/paths.ts';
import { shippedHint } from './model-input.ts';
import { loadCheckpoint } from '../sim/nn/checkpoint.ts';
import { DEFAULT_EXAMPLES, lmPositionsProblem } from '../sim/nn/run-sizes.ts';
import { PLATFORM_NAMES } from '../sim/baselines/platforms.ts';
import type { ParamDomain } from './driver.ts';
import type { Constraint } from './params.ts';
import { DRIVER_NAMES, SEARCH_SETTINGS, driverInfo, type SearchConfig } from './drivers/index.ts';
import { LM_TOKEN_KNOBS, LSB_KNOBS, TRACE_ALGO, TRACE_FIXES } from './point-checks.ts';
import { LLM_INERT, LLM_INERT_WHY } from './llm-inert.ts';
import { didYouMean } from '../core/suggest.ts';

export type Issue = { path: (string | number)[]; message: string; atKey?: boolean };

/** Default size guard: more points than this are refused unless `--max-points` raises it. */
export const DEFAULT_MAX_POINTS = 10_000_000;

interface SpaceLike {
  workload: { model: string; stage: string; trace?: string; benchmark?: string; scope?: string };
  algo: { tokenPolicy?: string };
  objectives: { metric: string }[];
  accuracy?: { model: string; maxExamples?: number; subsetExamples?: number };
  baseline?: string;
  search: { driver: string; samples?: number; population?: number; generations?: number };
}

/** The values a workload field takes over the space: a parameter's values, or the base value. */
export function valuesOf(key: string, base: string, domains: ParamDomain[]): string[] {
  const d = domains.find((x) => x.key === key);
  return d && d.kind === 'choice' ? d.values.map(String) : [base];
}

/** The workload fields a benchmark sets (model, stage and lengths). */
const BENCHMARK_FIELDS = Object.keys(benchmarkWorkload(BENCHMARK_NAMES[0])).filter((k) => k !== 'benchmark');

/**
 * A benchmark (the workload block's, or swept) fixes the model, stage and lengths: those fields
 * written beside it or swept would be ignored (every row the same), so they are refused, as
 * `simulate --workload <benchmark>` refuses --stage and the lengths. `written`: the workload block
 * as the file gives it (the parsed one has the schema's defaults filled in).
 */
export function benchmarkIssues(written: Record<string, unknown>, keys: Set<string>): Issue[] {
  const by = written.benchmark !== undefined ? `benchmark ${written.benchmark}` : keys.has('workload.benchmark') ? 'a swept workload.benchmark' : undefined;
  if (!by) return [];
  const fixes = `${by} fixes ${BENCHMARK_FIELDS.join(', ')}`;
  const issues: Issue[] = [];
  for (const f of BENCHMARK_FIELDS) {
    if (Object.hasOwn(written, f)) issues.push({ path: ['workload', f], atKey: true, message: `${fixes}: this ${f} would be ignored; remove it, or give ${BENCHMARK_FIELDS.join('/')} instead of a benchmark` });
    if (keys.has(`workload.${f}`)) issues.push({ path: ['parameters', `workload.${f}`], atKey: true, message: `${fixes}: sweeping workload.${f} would change nothing; remove it, or sweep it on a model without a benchmark` });
  }
  return issues;
}

/**
 * A trace replaces the generated workload (its rows fix the model's shape, the stage and the
 * lengths): those fields or a benchmark written beside it would be ignored, so they are refused,
 * as `simulate --trace` refuses --workload, --stage and the lengths. `scope` still applies.
 */
export function traceIssues(written: Record<string, unknown>): Issue[] {
  if (written.trace === undefined) return [];
  return [...BENCHMARK_FIELDS, 'benchmark']
    .filter((f) => Object.hasOwn(written, f))
    .map((f) => ({ path: ['workload', f], atKey: true, message: `the trace fixes the model, stage and lengths (it replaces the generated workload): this ${f} would be ignored; remove it, or drop the trace` }));
}


/**
 * algo fields and algo.* parameters beside a trace, which it would ignore (algo.tokenKeep swept over
 * a trace gave the same numbers at every value), and an accuracy block: its measured pruning
 * cannot drive a trace, so its accuracy would be that of another configuration than the
 * hardware numbers beside it.
 */
export function traceAlgoIssues(space: Pick<SpaceLike, 'workload' | 'accuracy'>, written: Written, keys: string[]): Issue[] {
  if (!space.workload.trace) return [];
  const issues: Issue[] = Object.keys(written.algo)
    .filter((f) => !TRACE_ALGO.has(f))
    .map((f) => ({ path: ['algo', f], atKey: true, message: `the trace ${TRACE_FIXES}: this ${f} would be ignored; remove it, or drop the trace` }));
  for (const k of keys.filter((k) => k.startsWith('algo.') && !TRACE_ALGO.has(k.slice(5)))) {
    issues.push({ path: ['parameters', k], atKey: true, message: `the trace ${TRACE_FIXES}: sweeping ${k} would change nothing; remove it, or drop the trace` });
  }
  if (space.accuracy) {
    issues.push({ path: ['accuracy'], atKey: true, message: `the trace ${TRACE_FIXES}: the accuracy engine's measured pruning cannot drive it, so its accuracy would be another configuration's; remove the accuracy block, or drop the trace` });
  }
  return issues;
}

/**
 * The models and stages of the space's points: its benchmarks' (the workload's, or swept) when it
 * has any, else the workload's and the swept ones; none for a trace.
 */
function shapesOf(space: SpaceLike, domains: ParamDomain[]): { models: ModelName[]; stages: string[] } {
  if (space.workload.trace) return { models: [], stages: [] };
  const benches = valuesOf('workload.benchmark', space.workload.benchmark ?? '', domains).filter((b) => b !== '');
  if (benches.length > 0) {
    const ws = benches.map((b) => benchmarkWorkload(b));
    return { models: [...new Set(ws.map((w) => w.model))], stages: [...new Set(ws.map((w) => w.stage))] };
  }
  const models = (valuesOf('workload.model', space.workload.model, domains) as ModelName[]).filter((m) => (MODEL_NAMES as readonly string[]).includes(m));
  return { models, stages: valuesOf('workload.stage', space.workload.stage, domains) };
}

/**
 * Kind of an accuracy model: 'classifier' (BERT → accuracy) or 'lm' (GPT-2 → perplexity), from
 * its config.json (shipped name or folder, as the accuracy engine resolves it); a string = problem.
 */
export function accuracyModelKind(model: string): 'classifier' | 'lm' | string {
  const dir = modelDirOf(model);
  if (!dir) return `accuracy model "${model}": neither a shipped checkpoint nor a folder with config.json${shippedHint(model)}`;
  try {
    const type = String((JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { model_type?: unknown }).model_type ?? '');
    if (type === 'bert') return 'classifier';
    if (type === 'gpt2') return 'lm';
    return `accuracy model "${model}": unsupported model_type "${type}" in config.json (expected bert or gpt2)`;
  } catch (e) {
    return `accuracy model "${model}": cannot read its config.json: ${(e as Error).message}`;
  }
}

/**
 * Why the accuracy model's folder cannot be loaded (config.json's keys, the tokenizer, the weights'
 * names and shapes against the config) or evaluated (an LM too short for a prompt and the generated
 * tokens), or undefined. The engine would refuse it on every point, so
 * a run would evaluate them all only to fail; it is read here, before anything is written.
 */
function checkpointIssue(model: string): string | undefined {
  const dir = modelDirOf(model);
  if (!dir) return undefined;
  try {
    const { config } = loadCheckpoint(dir);
    const problem = config.kind === 'gpt' ? lmPositionsProblem(config.maxPositions, path.join(dir, 'config.json')) : undefined;
    return problem && `accuracy model "${model}": ${problem}`;
  } catch (e) {
    return `accuracy model "${model}": ${(e as Error).message}`;
  }
}

/** Evaluations the space asks for: the grid's cardinality, or the driver's samples. */
export function plannedPoints(space: SpaceLike, domains: ParamDomain[]): number {
  return driverInfo(space.search.driver).planned(space.search, domains);
}

export function fmtCount(n: number): string {
  return n >= 1e6 ? n.toExponential(2).replace('e+', '×10^') : n.toLocaleString('en-US');
}

export function sizeIssues(space: SpaceLike, domains: ParamDomain[], maxPoints = DEFAULT_MAX_POINTS): Issue[] {
  const n = plannedPoints(space, domains);
  if (n <= maxPoints) return [];
  const info = driverInfo(space.search.driver);
  if (info.exhaustive) {
    return [
      {
        path: ['parameters'],
        message:
          `the grid has ${fmtCount(n)} points (${domains.map((d) => (d.kind === 'choice' ? d.values.length : '∞')).join(' × ')}), above the limit of ${fmtCount(maxPoints)}: ` +
          `sample it instead (search: { driver: random | lhs, samples: N } or { driver: nsga2, population: P, generations: G }), or raise the limit with --max-points`,
      },
    ];
  }
  return [{ path: ['search'], message: `${info.budget} = ${fmtCount(n)} evaluations, above the limit of ${fmtCount(maxPoints)}: ask for fewer, or raise the limit with --max-points` }];
}

/** A place where the space names a metric: an objective, a constraint or a report axis. */
export interface MetricUse {
  metric: string;
  path: (string | number)[];
}

/** Why the space cannot produce `metric`, or undefined when it can; `kind`: its accuracy model's. */
function cannotProduce(space: SpaceLike, metric: string, kind: string | undefined): string | undefined {
  const source = metricDef(metric)?.source;
  if (source === 'baseline' && !space.baseline) return `"${metric}" needs a baseline, e.g. baseline: titan-xp (${PLATFORM_NAMES.join(', ')})`;
  if (source !== 'accuracy') return undefined;
  if (!space.accuracy) return `"${metric}" needs an accuracy block, e.g. accuracy: { model: ${metric === 'accuracy' ? 'spam-bert' : 'sotu-gpt'}, maxExamples: 500 }`;
  if (metric === 'perplexity' && kind === 'classifier') return `"perplexity" cannot be produced: accuracy model "${space.accuracy.model}" is a classifier (it gives "accuracy"); use a language model such as sotu-gpt`;
  if (metric === 'accuracy' && kind === 'lm') return `"accuracy" cannot be produced: accuracy model "${space.accuracy.model}" is a language model (it gives "perplexity"); use a classifier such as spam-bert`;
  return undefined;
}

/** Metrics the space names (objectives, constraints, report axes) that it cannot produce; an accuracy model that does not resolve. */
function metricIssues(space: SpaceLike, uses: MetricUse[], kind: string | undefined): Issue[] {
  const issues: Issue[] = [];
  if (kind !== undefined && kind !== 'classifier' && kind !== 'lm') issues.push({ path: ['accuracy', 'model'], message: kind });
  for (const u of uses) {
    const m = cannotProduce(space, u.metric, kind);
    if (m) issues.push({ path: u.path, message: m });
  }
  return issues;
}

/** The workload and algo blocks as the file writes them (the parsed workload has defaults filled in). */
export type Written = Record<'workload' | 'algo', Record<string, unknown>>;

/**
 * A knob that has no effect on any point of the space, swept or written in its block (a swept
 * parameter replaces the block's value, so only the parameter is named): `why` says why and what to change.
 */
function noEffect(key: string, keys: Set<string>, written: Written, why: string): Issue[] {
  const [group, field] = key.split('.');
  if (keys.has(key)) return [{ path: ['parameters', key], message: `${field} does not apply: ${why}`, atKey: true }];
  const block = group === 'workload' ? 'workload' : 'algo';
  return Object.hasOwn(written[block], field) ? [{ path: [block, field], message: `${field} does not apply: ${why}`, atKey: true }] : [];
}

/** Knobs that do not apply to any point: genTokens without generation, LSB refetch on encoders, e2e's and the llm policy's knobs without them. */
function applicabilityIssues(space: SpaceLike, domains: ParamDomain[], written: Written, kind: string | undefined): Issue[] {
  const issues: Issue[] = [];
  const keys = new Set(domains.map((d) => d.key));
  const trace = !!space.workload.trace;
  const { models, stages } = shapesOf(space, domains);
  const encoders = models.filter((m) => MODEL_SHAPES[m].kind === 'encoder');
  if (!trace && !stages.includes('generation')) {
    issues.push(...noEffect('workload.genTokens', keys, written, 'the workload has no generation stage; remove it, or use stage: generation'));
  }
  if (!trace && models.length > 0 && encoders.length === models.length && kind !== 'lm') {
    for (const k of LSB_KNOBS) {
      if (keys.has(k)) issues.push({ path: ['parameters', k], message: `${k} does not apply: ${models.join(', ')} ${models.length > 1 ? 'are encoders' : 'is an encoder'}, quantized statically (no LSB refetch)`, atKey: true });
    }
  }
  issues.push(...lsbWithClassifier(space, domains, written, kind, !trace && models.length > 0 && encoders.length === models.length));
  if (!valuesOf('workload.scope', space.workload.scope ?? 'attention', domains).includes('e2e')) {
    issues.push(...noEffect('algo.fcWeightBits', keys, written, 'the FC/FFN weight width counts only with workload.scope e2e, which no point has; add scope: e2e to the workload (or sweep workload.scope), or remove it'));
  }
  issues.push(...tokenPolicyIssues(space, domains, keys, written, kind));
  return issues;
}

/**
 * LSB refetch (lsbBits > 0) on a decoder workload with a classifier in the accuracy block: BERT is
 * quantized statically and measures no refetch, and the runner replaces the hardware's refetch
 * fraction with the measured one (0), so the LSB fetches would never be priced. (On an encoder
 * workload the knobs are refused as not applying at all.)
 */
function lsbWithClassifier(space: SpaceLike, domains: ParamDomain[], written: Written, kind: string | undefined, encodersOnly: boolean): Issue[] {
  if (kind !== 'classifier' || encodersOnly) return [];
  const why = `BERT is quantized statically and measures no LSB refetch, and the measured fraction (0) replaces the hardware's, so the LSB fetches would never be priced`;
  const d = domains.find((x) => x.key === 'algo.lsbBits');
  if (d || written.algo.lsbBits !== undefined) {
    const refetching = d ? d.kind !== 'choice' || d.values.some((v) => Number(v) > 0) : Number(written.algo.lsbBits) > 0;
    if (!refetching) return [];
    const message = `lsbBits > 0 with the classifier ${space.accuracy!.model} in the accuracy block: ${why}; use a language model (e.g. sotu-char) in the accuracy block, or lsbBits 0`;
    return [{ path: d ? ['parameters', 'algo.lsbBits'] : ['algo', 'lsbBits'], atKey: true, message }];
  }
  // a benchmark supplies the base algorithm settings (the GPT-2 ones: 6 + 4 bits)
  const bench = valuesOf('workload.benchmark', space.workload.benchmark ?? '', domains).find((b) => isBenchmark(b) && (benchmark(b).algo.lsbBits ?? 0) > 0);
  if (!bench) return [];
  const at = domains.some((x) => x.key === 'workload.benchmark') ? ['parameters', 'workload.benchmark'] : ['workload', 'benchmark'];
  return [{ path: at, atKey: true, message: `benchmark ${bench} sets lsbBits ${benchmark(bench).algo.lsbBits}, with the classifier ${space.accuracy!.model} in the accuracy block: ${why}; add algo: { lsbBits: 0 }, or use a language model (e.g. sotu-char) in the accuracy block` }];
}

/**
 * The token-selection knobs act in the accuracy engine's language model only (the hardware models
 * take the keep ratios it measures): without one they change nothing. With one, the llm policy's
 * start/recent windows still need a point on that policy, and the cascade's schedule and ranking
 * knobs (LLM_INERT) a point on cascade: with llm at every point, tokenSpread 0.3/0.5/0.9 ran the
 * same points three times.
 */
function tokenPolicyIssues(space: SpaceLike, domains: ParamDomain[], keys: Set<string>, written: Written, kind: string | undefined): Issue[] {
  if (kind === undefined || kind === 'classifier') {
    const has = space.accuracy ? `its accuracy model ${space.accuracy.model} is a classifier` : 'the space has no accuracy block';
    const why = `the token selection runs in the accuracy engine's language model only (the hardware models take the keep ratios it measures) and ${has}; add accuracy: { model: sotu-gpt } (or another language model), or remove it`;
    return LM_TOKEN_KNOBS.flatMap((k) => noEffect(k, keys, written, why));
  }
  if (kind !== 'lm') return [];
  const policies = valuesOf('algo.tokenPolicy', space.algo.tokenPolicy ?? 'cascade', domains);
  if (policies.every((p) => p === 'llm')) {
    // a sweep of algo.tokenPolicy with cascade among its values keeps them: they act at its cascade points
    const every = keys.has('algo.tokenPolicy') ? `every value of the swept algo.tokenPolicy is llm` : 'every point uses the llm token policy';
    const why = `${LLM_INERT_WHY}; ${every}, so each value would repeat the same points; remove it, or use algo.tokenPolicy cascade (or sweep it with cascade)`;
    return LLM_INERT.flatMap((k) => noEffect(`algo.${k}`, keys, written, why));
  }
  if (policies.includes('llm')) return [];
  const why = 'it belongs to the llm token policy, and every point uses cascade (the default); set algo: { tokenPolicy: llm } (or sweep algo.tokenPolicy with llm), or remove it';
  return ['algo.startTokens', 'algo.recentTokens'].flatMap((k) => noEffect(k, keys, written, why));
}

/** Objectives: no duplicates (problems go to `issues`; what a metric needs is checked with the constraints' and report axes'). */
export function checkObjectives(space: { objectives: { metric: string }[] }, issues: Issue[]): void {
  const seen = new Set<string>();
  space.objectives.forEach((o, i) => {
    if (seen.has(o.metric)) issues.push({ path: ['objectives', i, 'metric'], message: `duplicate objective "${o.metric}"` });
    seen.add(o.metric);
  });
}

/**
 * The semantic checks (see the module comment), in two parts that read different blocks (a load
 * runs each unless a block it reads had a problem: dse/space-stages.ts).
 *
 * What the accuracy block and the baseline decide: the accuracy block the engine can run, the
 * metrics named (objectives, constraints, report axes) the space can produce. Reads the
 * `accuracy` and `baseline` blocks only.
 */
export function metricSemanticIssues(space: SpaceLike, uses: MetricUse[]): Issue[] {
  // 'classifier', 'lm' or why the accuracy model does not resolve (reported by metricIssues)
  const kind = space.accuracy ? accuracyModelKind(space.accuracy.model) : undefined;
  return [...accuracyBlockIssues(space.accuracy, kind), ...metricIssues(space, uses, kind)];
}

/**
 * What the points' models and stages decide: an encoder without a summarization stage, knobs that
 * apply to no point. Reads the workload and algo blocks, their parameters and the accuracy model.
 */
export function shapeIssues(space: SpaceLike, domains: ParamDomain[], written: Written): Issue[] {
  const issues: Issue[] = [];
  const kind = space.accuracy ? accuracyModelKind(space.accuracy.model) : undefined;
  const { models, stages } = shapesOf(space, domains);
  const encoders = models.filter((m) => MODEL_SHAPES[m].kind === 'encoder');
  // An encoder has no generation stage (sim/workload/build.ts refuses it per point): refused when
  // the space gives the encoder no other stage. (A sweep over both stages and both families keeps
  // its valid combinations; the encoder × generation points fail, recorded as such.)
  if (encoders.length > 0 && !stages.includes('summarization')) {
    const at = domains.some((d) => d.key === 'workload.stage') ? ['parameters', 'workload.stage'] : ['workload', 'stage'];
    issues.push({
      path: at,
      message: `${encoders.join(', ')} ${encoders.length > 1 ? 'are encoders' : 'is an encoder'}: only the summarization stage applies (use a GPT-2 model for generation)`,
    });
  }
  issues.push(...applicabilityIssues(space, domains, written, kind));
  return issues;
}

/**
 * The accuracy block of a model that resolves (`kind`): a checkpoint the engine cannot load, a
 * classifier's maxExamples beyond its test split, a subsetExamples with no cheaper rung.
 */
function accuracyBlockIssues(acc: SpaceLike['accuracy'], kind: string | undefined): Issue[] {
  if (!acc || (kind !== 'classifier' && kind !== 'lm')) return [];
  const issues: Issue[] = [];
  const unloadable = checkpointIssue(acc.model);
  if (unloadable) issues.push({ path: ['accuracy', 'model'], message: unloadable });
  const n = acc.maxExamples;
  if (kind === 'classifier' && n !== undefined && n > DEFAULT_EXAMPLES.bert) {
    // every classifier reads the SpamAssassin test split (sim/nn/api.ts): more would run the same
    // emails, labelled a subset on the rungs below the last, and run again on the last
    issues.push({ path: ['accuracy', 'maxExamples'], message: `${n} examples, but a classifier is evaluated on the ${DEFAULT_EXAMPLES.bert.toLocaleString('en-US')} emails of the SpamAssassin test split: give at most ${DEFAULT_EXAMPLES.bert}, or omit maxExamples (all of them)` });
  }
  // no cheaper first rung: subsetExamples would be ignored (dse/fidelity.ts accuracyRungs)
  const sub = acc.subsetExamples;
  const full = n ?? (kind === 'lm' ? DEFAULT_EXAMPLES.gpt : DEFAULT_EXAMPLES.bert);
  if (sub !== undefined && sub >= full) {
    const of = n !== undefined ? `maxExamples ${full}` : `the full evaluation's ${full} ${kind === 'lm' ? 'windows' : 'emails'} (no maxExamples)`;
    issues.push({ path: ['accuracy', 'subsetExamples'], message: `${sub} is not fewer than ${of}: the first estimate would be the full evaluation, and subsetExamples would be ignored; give fewer, or remove it` });
  }
  return issues;
}

/**
 * `search:` settings its driver does not read (samples beside grid or nsga2, population or
 * generations beside another driver than nsga2): they would be ignored, so they are refused.
 */
export function searchSettingIssues(search: SearchConfig): Issue[] {
  const info = driverInfo(search.driver);
  return SEARCH_SETTINGS.filter((k) => search[k] !== undefined && !info.settings.includes(k)).map((k) => {
    const readers = DRIVER_NAMES.filter((d) => driverInfo(d).settings.includes(k));
    const budget = info.settings.length ? `its budget is ${info.budget}` : `it evaluates every one of its ${info.budget}`;
    return { path: ['search', k], atKey: true, message: `not read by driver ${search.driver} (only by ${readers.join(', ')}): ${budget}; remove it, or set maxEvals to stop earlier` };
  });
}

/**
 * algo.lsbThreshold, swept or written, where it changes no number: the hardware models price LSB
 * refetches with algo.lsbRefetchFraction, and the threshold acts only in the accuracy engine's
 * language model (which measures that fraction), and only at points with lsbBits > 0. A note (the
 * points run, repeating one design per threshold), with the path to point at; undefined when it acts.
 */
export function lsbThresholdNote(space: SpaceLike, domains: ParamDomain[], written: Written): { path: (string | number)[]; text: string } | undefined {
  const swept = domains.find((d) => d.key === 'algo.lsbThreshold');
  if ((!swept && written.algo.lsbThreshold === undefined) || space.workload.trace) return undefined;
  const path = swept ? ['parameters', 'algo.lsbThreshold'] : ['algo', 'lsbThreshold'];
  const head = `${path.join('.')}: the threshold changes no point's numbers here`;
  const { models } = shapesOf(space, domains);
  if (models.length > 0 && models.every((m) => MODEL_SHAPES[m].kind === 'encoder')) return { path, text: `${head}: ${models.join(', ')} ${models.length > 1 ? 'are' : 'is'} quantized statically (no LSB refetch)` };
  if ((space.accuracy ? accuracyModelKind(space.accuracy.model) : undefined) !== 'lm') {
    const acc = space.accuracy ? `the accuracy model ${space.accuracy.model} is a classifier` : 'the space has no accuracy block';
    const off = lsbBitsValues(space, domains, written)?.every((b) => b === 0);
    const todo = off ? ', and lsbBits is 0 at every point, so nothing refetches: set algo.lsbBits (e.g. 4), then sweep' : '. Sweep';
    return { path, text: `${head}: the hardware models price LSB refetches with algo.lsbRefetchFraction (0.059 unless set), and the threshold acts only in the accuracy engine's language model, which measures that fraction; ${acc}${todo} algo.lsbRefetchFraction, or add accuracy: { model: sotu-char }` };
  }
  const bits = lsbBitsValues(space, domains, written);
  if (bits === undefined || !bits.includes(0)) return undefined;
  const all = bits.every((b) => b === 0);
  const text = all ? `${head}: lsbBits is 0 at every point (progressive quantization off), so no point reads it` : `the points with algo.lsbBits = 0 (progressive quantization off) do not read algo.lsbThreshold: they repeat one design per threshold value`;
  return { path, text: all ? text : `${path.join('.')}: ${text}` };
}

/** The lsbBits values over the space (swept, written, a benchmark's, or the default 0); undefined for a continuous range. */
function lsbBitsValues(space: SpaceLike, domains: ParamDomain[], written: Written): number[] | undefined {
  const d = domains.find((x) => x.key === 'algo.lsbBits');
  if (d) return d.kind === 'choice' ? d.values.map(Number) : undefined;
  if (written.algo.lsbBits !== undefined) return [Number(written.algo.lsbBits)];
  const benches = valuesOf('workload.benchmark', space.workload.benchmark ?? '', domains).filter(isBenchmark);
  return benches.length ? benches.map((b) => benchmark(b).algo.lsbBits ?? 0) : [0];
}

/**
 * A bound outside 0 … 1 on `accuracy`, a fraction (points.csv and constraints; the report prints
 * it in %): "accuracy >= 96.9" would exclude every point after the accuracy runs, and
 * "accuracy <= 97" would exclude none.
 */
export function fractionBoundIssue(c: Constraint): string | undefined {
  if (c.metric !== 'accuracy' || (c.bound >= 0 && c.bound <= 1)) return undefined;
  const above = c.bound > 1;
  const never = above ? c.op !== '<=' && c.op !== '<' : c.op !== '>=' && c.op !== '>';
  const hint = above && c.bound <= 100 ? `; for ${c.bound}% write "${c.metric} ${c.op} ${Number((c.bound / 100).toPrecision(6))}"` : '';
  return `"${c.text}": accuracy is a fraction from 0 to 1 (as in points.csv; the report prints it in %), so this constraint ${never ? 'excludes every point' : 'excludes no point'}${hint}`;
}
