/**
 * `spatten-dse simulate`: one design point through a hardware model (a generated workload, one of
 * the paper's benchmarks, or an official trace file), its metrics and breakdowns as text or JSON.
 */
import { Option, type Command } from 'commander';
import { HARDWARE_PRESETS, MODEL_NAMES, STAGES, WorkloadSchema, type DesignPoint } from '../../sim/schema.ts';
import { MODEL_SHAPES } from '../../sim/workload/models.ts';
import { resolveWorkload } from '../../sim/index.ts';
import type { HwResult } from '../../sim/hw/types.ts';
import { areaWithSram } from '../../sim/hw/area.ts';
import { InputError } from '../errors.ts';
import { checkTextFile } from '../text-file.ts';
import { FAST_FIDELITY, type FidelityName } from '../../sim/fidelities.ts';
import { addFidelityOptions, chosenFidelity } from '../fidelity-option.ts';
import { fmtSig, HW_METRICS, metricDef, pickMetrics } from '../../sim/metrics.ts';
import { ciColumn } from '../../core/metric-columns.ts';
import { BENCHMARK_NAMES, isBenchmark } from '../../sim/workload/benchmarks.ts';
import { compareWithBaseline, type BaselineComparison } from '../../sim/baselines/compare.ts';
import { isPlatform, PLATFORM_NAMES } from '../../sim/baselines/platforms.ts';
import { collect, intArg, seedArg } from '../cli-util.ts';
import { didYouMean } from '../../core/suggest.ts';
import { type AccuracyOutcome } from '../accuracy-runs.ts';
import { checkCycleBuffers, checkEncoderStage, checkWordBits, isEncoder, lastSet, maxOf, TRACE_ALGO, TRACE_FIXES } from '../point-checks.ts';
import { asInputError, modelDirInput } from '../model-input.ts';
import { checkSetsApply, setNotes } from '../set-applies.ts';
import { designPoint, runHardware, traceInputError } from '../simulate-point.ts';
import { shippedModels } from '../../sim/nn/paths.ts';
import { breakdownsWithFc, fcPart } from '../e2e-parts.ts';
import { algoText, measuredPruning, measuredText } from '../simulate-text.ts';
import { boundsText } from '../../core/latency-bounds.ts';

const fmt = (x: number) => fmtSig(x);

/** The values of workload.scope (attention, e2e). */
const SCOPES = WorkloadSchema.shape.scope.unwrap().options;

/** The options of `simulate`, as commander parses them. */
interface SimulateOptions {
  workload: string;
  stage?: string;
  seqLen?: number;
  genTokens?: number;
  preset: string;
  set: string[];
  fidelity?: FidelityName;
  model?: FidelityName;
  trace?: string;
  scope?: 'attention' | 'e2e';
  json?: boolean;
  baseline?: string;
  accuracy?: string;
  accuracyExamples?: number;
  /** The cycle model's seed (a space's `cycle: { seed }`). */
  seed?: number;
  /** --workload given on the command line (not its default). */
  workloadGiven?: boolean;
}

/** The workload the options name: a model or a benchmark, its stage and sequence length. */
interface WorkloadChoice {
  name: string;
  bench: boolean;
  stage: string;
  seqLen: number;
}

/** What one simulation gives: the hardware model's result, and the accuracy and baseline comparison when asked for. */
interface Simulated {
  r: HwResult;
  acc?: AccuracyOutcome;
  cmp?: BaselineComparison;
}

/** `--set` keys of the workload's shape: a benchmark or a trace fixes them. */
const SHAPE_KEYS = ['workload.model', 'workload.stage', 'workload.seqLen', 'workload.genTokens'];

/** `--set workload.*` values that would be ignored or half applied: a workload source, or the shape of a fixed workload. */
function checkWorkloadSets(o: SimulateOptions, fixedBy: string | undefined): void {
  for (const s of o.set) {
    const key = s.slice(0, Math.max(0, s.indexOf('='))).trim();
    const value = s.slice(s.indexOf('=') + 1).trim();
    if (key === 'workload.benchmark') throw new InputError(`--set ${s}: give a benchmark as --workload ${value} (it also supplies the benchmark's algo settings)`);
    if (key === 'workload.trace') throw new InputError(`--set ${s}: give a trace as --trace ${value}`);
    if (fixedBy && SHAPE_KEYS.includes(key)) throw new InputError(`--set ${s}: ${fixedBy} fixes the model, stage and lengths`);
    if (o.trace && key.startsWith('algo.') && !TRACE_ALGO.has(key.slice('algo.'.length))) throw new InputError(`--set ${s}: --trace ${o.trace} ${TRACE_FIXES}, so ${key} would be ignored; drop it`);
  }
  if (o.trace && o.accuracy !== undefined) throw new InputError(`--accuracy ${o.accuracy}: --trace ${o.trace} fixes the pruning, so the accuracy engine's measured pruning cannot drive it (its accuracy would be another configuration's); drop one`);
}

/** Options a benchmark or a trace fixes (they would be ignored), refused by name. */
function checkFixedWorkload(o: SimulateOptions, bench: boolean): void {
  const shape = [o.stage && '--stage', o.seqLen && '--seq-len', o.genTokens && '--gen-tokens'].filter((x) => !!x);
  if (bench && (shape.length > 0 || o.trace)) {
    throw new InputError(`--workload ${o.workload}: a benchmark fixes the stage and lengths; use --workload <model> with --stage/--seq-len/--gen-tokens instead`);
  }
  const given = [o.workloadGiven && '--workload', ...shape].filter((x) => !!x);
  if (o.trace && given.length > 0) throw new InputError(`--trace ${o.trace}: the trace fixes the model, stage and lengths; drop ${given.join(', ')}`);
  checkWorkloadSets(o, bench ? `--workload ${o.workload}` : o.trace ? `--trace ${o.trace}` : undefined);
}

/** The workload options checked against each other (and the trace file read), with the stage and length defaults filled in. */
function workloadOptions(o: SimulateOptions): WorkloadChoice {
  const name = String(o.workload);
  const bench = isBenchmark(name);
  if (!bench && !(MODEL_NAMES as readonly string[]).includes(name)) {
    throw new InputError(`--workload: unknown model or benchmark "${name}"${didYouMean(name, [...MODEL_NAMES, ...BENCHMARK_NAMES]) || ` (models: ${MODEL_NAMES.join(', ')}; benchmarks: ${BENCHMARK_NAMES.join(', ')})`}`);
  }
  checkFixedWorkload(o, bench);
  const encoder = bench ? name.startsWith('bert') : MODEL_SHAPES[name as keyof typeof MODEL_SHAPES].kind === 'encoder';
  const stage = o.stage ?? (encoder ? 'summarization' : 'generation');
  if (o.trace) checkTextFile(o.trace, '--trace');
  const seqLen = o.seqLen ?? (stage === 'generation' ? 992 : encoder ? 128 : 992);
  return { name, bench, stage, seqLen };
}

/** `--gen-tokens` (or `--set workload.genTokens`) where nothing is generated: refused, as a space file refuses it. */
function checkGenTokens(o: SimulateOptions, w: DesignPoint['workload']): void {
  const cause = lastSet(o.set, 'workload.genTokens') ?? (o.genTokens !== undefined ? `--gen-tokens ${o.genTokens}` : undefined);
  if (cause === undefined || w.trace || w.stage === 'generation') return;
  throw new InputError(`${cause}: does not apply, ${w.model} runs the summarization stage (no tokens are generated); drop it${isEncoder(w) ? '' : ' or give --stage generation'}`);
}

/** Options that do not apply: --seed without the cycle model, --accuracy-examples without --accuracy, tokens to generate without a generation stage. */
function checkApplies(o: SimulateOptions, point: DesignPoint, fid: FidelityName): void {
  if (o.seed !== undefined && fid !== 'cycle') {
    throw new InputError(`--seed ${o.seed}: seeds the cycle model's refetch draws and quick-select pivots; only with --fidelity cycle (the ${fid} model takes no seed)`);
  }
  if (o.accuracyExamples !== undefined && o.accuracy === undefined) {
    throw new InputError(`--accuracy-examples ${o.accuracyExamples}: only with --accuracy MODEL; add --accuracy or drop --accuracy-examples`);
  }
  checkGenTokens(o, point.workload);
}

/** An encoder in the generation stage, once `--set` is applied: named by the option that chose the stage, else the model. */
function checkStage(o: SimulateOptions, point: DesignPoint): void {
  const stageCause = lastSet(o.set, 'workload.stage') ?? (o.stage ? `--stage ${o.stage}` : undefined);
  const modelCause = lastSet(o.set, 'workload.model') ?? `--workload ${o.workload}`;
  checkEncoderStage(point.workload, stageCause ?? modelCause, stageCause ? '' : ' (add --stage summarization)');
}

/** Checks the options (bad ones throw InputError before any model runs): the design point and the hardware model to run. */
async function resolveOptions(o: SimulateOptions): Promise<{ point: DesignPoint; fid: FidelityName }> {
  const workload = workloadOptions(o);
  const fid = chosenFidelity(o, FAST_FIDELITY);
  if (o.baseline !== undefined && !isPlatform(o.baseline)) throw new InputError(`--baseline: unknown platform "${o.baseline}"${didYouMean(o.baseline, PLATFORM_NAMES) || ` (known: ${PLATFORM_NAMES.join(', ')})`}`);
  const point = designPoint({ ...workload, genTokens: o.genTokens, trace: o.trace, scope: o.scope }, o.preset, o.set);
  checkStage(o, point);
  checkApplies(o, point, fid);
  const kind = o.accuracy === undefined ? undefined : (await import('../space-checks.ts')).accuracyModelKind(o.accuracy);
  const setCtx = { accuracy: o.accuracy === undefined ? undefined : { model: o.accuracy, kind: kind! }, offersAccuracy: true, offersE2e: true };
  checkSetsApply(o.set, point, setCtx);
  if (fid === 'cycle') checkCycleBuffers(point.hw, o.set);
  if (o.accuracy !== undefined) await checkAccuracyModel(o.accuracy, point);
  // a trace's rows carry its widths: reading it here fails as running it would
  try {
    checkWordBits(point, o.set);
  } catch (e) {
    throw traceInputError(point, e);
  }
  for (const n of setNotes(o.set, point, setCtx)) process.stderr.write(`note: ${n}\n`);
  return { point, fid };
}

/**
 * --accuracy's model resolves; a classifier with lsbBits > 0 is refused: BERT is quantized
 * statically and measures no LSB refetch, and its measured fraction (0) would replace the hardware's.
 */
async function checkAccuracyModel(model: string, point: DesignPoint): Promise<void> {
  const dir = await modelDirInput(model, '--accuracy');
  if (!(point.algo.lsbBits > 0)) return;
  const { accuracyModelKind } = await import('../space-checks.ts');
  if (accuracyModelKind(dir) !== 'classifier') return;
  throw new InputError(`--accuracy ${model} with algo.lsbBits ${point.algo.lsbBits}: ${model} is a classifier, quantized statically: it measures no LSB refetch, and the measured fraction (0) would replace the hardware's, so the LSB fetches would never be priced; use a language model (e.g. sotu-char), or --set algo.lsbBits=0`);
}

/** Runs the models: the accuracy engine (with `--accuracy`, its measured pruning drives the hardware model), the hardware model, the baseline (with `--baseline`). */
async function simulate(o: SimulateOptions, point: DesignPoint, fid: FidelityName): Promise<Simulated> {
  let acc: AccuracyOutcome | undefined;
  if (o.accuracy) {
    const { runAccuracy } = await import('../accuracy-runs.ts');
    const { modelShape } = await import('../../sim/workload/models.ts');
    acc = await asInputError(() => runAccuracy({ model: o.accuracy!, maxExamples: o.accuracyExamples }, point.algo, modelShape(point.workload.model).layers));
  }
  const r = runHardware(point, fid, acc, o.seed, o.set);
  const cmp: BaselineComparison | undefined = o.baseline ? compareWithBaseline(point, r, o.baseline, point.workload.trace ? resolveWorkload(point) : undefined) : undefined;
  return { r, acc, cmp };
}

/** Prints one JSON object: every metric a top-level key, then the breakdowns and the design point. */
function printJson(point: DesignPoint, { r, acc, cmp }: Simulated, accuracyModel: string | undefined): void {
  const parts = breakdownsWithFc(r, point.hw.clockGHz);
  const out = {
    ...(cmp ? { speedup: cmp.speedup, energy_saving: cmp.energy_saving, baseline: cmp } : {}),
    ...pickMetrics(r),
    ...(acc ? { [acc.metric]: acc.value, [ciColumn(acc.metric, 'low')]: acc.ci95[0], [ciColumn(acc.metric, 'high')]: acc.ci95[1], lsb_refetch_fraction: acc.lsbRefetchFraction } : {}),
    // the pruning that priced the point in place of config.algo's keep ratios (and refetch fraction)
    ...(acc ? { measured_pruning: measuredPruning(acc, accuracyModel ?? '') } : {}),
    fidelity: r.model,
    model: r.model,
    // SpAtten-e2e: the FC/FFN part as the `fc` entry, so the breakdowns add up to the totals
    stages: parts.stages,
    energy_breakdown_j: parts.energy,
    // the key and value SRAM as their own entries, as the text output and run.json's highlights
    area_breakdown_mm2: areaWithSram(point.hw, r.area),
    activity: r.activity,
    extra: r.extra ?? {},
    config: point,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

/** Prints the result as text: the workload and its settings, one line per metric, the breakdowns, the baseline comparison. */
function printText(point: DesignPoint, { r, acc, cmp }: Simulated, accuracyModel: string | undefined): void {
  const w = point.workload;
  const parts = breakdownsWithFc(r, point.hw.clockGHz);
  const fc = fcPart(r, point.hw.clockGHz);
  const lines = [
    `workload  ${w.trace ? `trace ${w.trace}` : `${w.benchmark ? `benchmark ${w.benchmark}: ` : ''}${w.model} ${w.stage} seqLen=${w.seqLen}${w.stage === 'generation' ? ` genTokens=${w.genTokens}` : ''}`}${w.scope === 'e2e' ? ' scope=e2e' : ''}   fidelity ${r.model} (at ${point.hw.clockGHz} GHz)`,
    ...(w.trace ? [] : [`algo      ${algoText(point.algo)}`]),
    ...(acc ? [measuredText(acc, point.algo, accuracyModel ?? '')] : []),
    ...HW_METRICS.map((m) => `${m.padEnd(11)} ${metricDef(m)!.format(r[m])}`),
    ...(acc ? [`${acc.metric.padEnd(11)} ${fmt(acc.value)}  (95% CI ${fmt(acc.ci95[0])} … ${fmt(acc.ci95[1])}, n=${acc.n}, ${accuracyModel})`] : []),
    `stage busy cycles: ${Object.entries(parts.stages).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    ...[boundsText(r.extra, fc !== undefined, fc ? undefined : r.stages)].filter((b): b is string => b !== undefined),
    `energy (mJ): ${Object.entries(parts.energy).map(([k, v]) => `${k} ${fmt(v * 1e3)}`).join(', ')}`,
    ...(fc ? [`fc (the FC/FFN layers, after each layer's attention): ${fmtSig(fc.cycles / (point.hw.clockGHz * 1e6), 'ms')}, ${fmtSig(fc.energy_j * 1e3, 'mJ')}, ${fmtSig(fc.dramBytes / 1e6, 'MB')} of ${r.extra?.fc_weight_bits}-bit weights from DRAM; the other entries are the attention`] : []),
    `area (mm²): ${Object.entries(areaWithSram(point.hw, r.area)).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    ...(cmp ? [`vs ${cmp.baseline} (${cmp.scope}): speedup ${fmt(cmp.speedup)}×, energy saving ${fmt(cmp.energy_saving)}×  (baseline ${fmtSig(cmp.baseline_latency_s * 1e3, 'ms')}, ${fmtSig(cmp.baseline_energy_j * 1e3, 'mJ')})`] : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const base = program
    .command('simulate')
    .description('evaluate one design point and print its metrics and breakdowns')
    .option('-w, --workload <name>', `model shape (${MODEL_NAMES.join(', ')}) or one of the paper's 30 benchmarks (e.g. bert-base-cola, gpt2-medium-wikitext2)`, 'gpt2-medium')
    .addOption(new Option('--stage <stage>', 'summarization or generation (default: generation for GPT-2, summarization for BERT)').choices(STAGES as unknown as string[]))
    .option('--seq-len <n>', 'sequence / prompt length (default 992; 128 for a BERT model summarizing, where a space file without seqLen takes 992)', intArg('--seq-len', maxOf('seqLen')))
    .option('--gen-tokens <n>', 'tokens generated', intArg('--gen-tokens', maxOf('genTokens')))
    .addOption(new Option('--preset <name>', 'hardware preset').choices(Object.keys(HARDWARE_PRESETS)).default('spatten'))
    .option('-s, --set <key=value>', 'set a parameter (repeatable), e.g. --set hw.dramChannels=32', collect, []);
  addFidelityOptions(base, FAST_FIDELITY)
    .option('--seed <n>', "the cycle model's seed: refetch draws and quick-select pivots (a space's cycle: { seed }; default 1); with --fidelity cycle", seedArg('--seed'))
    .option('--trace <file>', 'official 17-column workload CSV instead of a generated workload')
    .addOption(new Option('--scope <scope>', 'attention (default): the attention layers only; e2e: SpAtten-e2e, the FC/FFN layers too, their weights algo.fcWeightBits (8 or 12) wide').choices(SCOPES))
    .option('--json', 'print one JSON object (every metric is a top-level key; with --accuracy the measured pruning that drove the hardware model is measured_pruning)')
    .option('--baseline <name>', `compare with a CPU/GPU/edge platform running the same dense workload in PyTorch (${PLATFORM_NAMES.join(', ')}): adds speedup and energy_saving`)
    .option('--accuracy <model>', `also run the accuracy engine (${shippedModels().join(', ')}, HF folder) and drive the hardware model with its measured pruning, as a sweep with an accuracy block does`)
    .option('--accuracy-examples <n>', 'examples for --accuracy (the sweep\'s maxExamples)', intArg('--accuracy-examples'))
    .action(async (opts: SimulateOptions, cmd: Command) => {
      const o = { ...opts, workloadGiven: cmd.getOptionValueSource('workload') === 'cli' };
      const { point, fid } = await resolveOptions(o);
      const sim = await simulate(o, point, fid);
      if (o.json) printJson(point, sim, o.accuracy);
      else printText(point, sim, o.accuracy);
    });
}
