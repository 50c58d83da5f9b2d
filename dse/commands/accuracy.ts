/**
 * `spatten-dse accuracy --model spam-bert|sotu-gpt|<hf-folder> [--set algo.tokenKeep=0.5 …]
 *  [--max-examples N] [--seed S] [--json] [--trace-out FILE.csv]`
 * Runs the trained model with SpAtten's pruning/quantization in the forward pass (sim/nn) and
 * prints the measured accuracy (95% Wilson CI) or perplexity (95% bootstrap CI), the measured LSB refetch
 * fraction and the per-layer kept fractions. --trace-out writes the measured trace in the official
 * 17-column workload CSV (sim/workload/trace.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AlgoSchema } from '../../sim/schema.ts';
import { InputError, fsInputError } from '../errors.ts';
import { asInputError, modelDirInput } from '../model-input.ts';
import { checkOutFile } from '../outputs.ts';
import { ACCURACY_SEED_MAX, parseSets } from '../space.ts';
import { DEFAULT_EXAMPLES } from '../../sim/nn/run-sizes.ts';
import { shippedModels } from '../../sim/nn/paths.ts';
import { decimal } from '../cli-util.ts';
import { LLM_INERT, LLM_INERT_WHY } from '../llm-inert.ts';
import { llmFloorNote } from '../llm-floor.ts';
import type { ENGINE_IGNORED_ALGO } from '../accuracy-runs.ts';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** `--set algo.key=value` pairs → a validated AlgoConfig (the shared --set parser; only algo.* keys apply). */
export function parseAlgoSets(sets: string[]) {
  const keys = Object.keys(AlgoSchema.shape);
  for (const s of sets) {
    const key = s.slice(0, Math.max(0, s.indexOf('='))).trim();
    if (key && !key.startsWith('algo.')) throw new InputError(`--set ${s}: unknown parameter "${key}" (accuracy takes algo.*: ${keys.map((k) => 'algo.' + k).join(', ')})`);
  }
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parseSets(sets))) raw[key.slice('algo.'.length)] = value;
  return AlgoSchema.parse(raw);
}

type AccuracyOptions = { model: string; set: string[]; maxExamples?: string; seed: string; json?: boolean; traceOut?: string; context?: string };

/** --max-examples and --seed → numbers (exit 2 on a bad value). */
function parseRunOptions(o: AccuracyOptions): { maxExamples: number | undefined; seed: number } {
  let maxExamples: number | undefined;
  if (o.maxExamples !== undefined) {
    maxExamples = decimal(o.maxExamples);
    if (!Number.isInteger(maxExamples) || maxExamples < 1) throw new InputError(`--max-examples: expected a positive integer, got "${o.maxExamples}"`);
  }
  const seed = decimal(o.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > ACCURACY_SEED_MAX) throw new InputError(`--seed: expected an integer from 0 to ${ACCURACY_SEED_MAX} (a 32-bit seed), got "${o.seed}"`);
  return { maxExamples, seed };
}

/** The note of a --max-examples above the examples there are (all of them were evaluated); undefined within them. */
export function maxExamplesNote(model: string, maxExamples: number | undefined, n: number, metric: 'accuracy' | 'perplexity'): string | undefined {
  if (maxExamples === undefined || n >= maxExamples) return undefined;
  const what = metric === 'perplexity' ? 'evaluation windows' : 'test examples';
  return `note: --max-examples ${maxExamples} is more than the ${n.toLocaleString('en-US')} ${what} of ${model}: all ${n.toLocaleString('en-US')} were evaluated\n`;
}

type ContextResult = Awaited<ReturnType<typeof import('../../sim/nn/context.ts').contextPerplexity>>;

/** The object `accuracy --context N --json` prints. */
export function contextJson(model: string, c: ContextResult) {
  return { model, metric: 'perplexity' as const, ...c };
}

/** --context N: the dense model's perplexity from only the last N tokens. */
async function runContext(o: AccuracyOptions, maxExamples: number | undefined, seed: number): Promise<void> {
  const context = o.context!;
  const N = context === 'full' ? Infinity : decimal(context);
  if (!(N === Infinity || (Number.isInteger(N) && N >= 1))) throw new InputError(`--context: expected a positive integer or 'full', got "${context}"`);
  if (o.set.length > 0 || o.traceOut) throw new InputError('--context: runs the dense model; it takes no --set / --trace-out');
  const { contextPerplexity } = await import('../../sim/nn/context.ts');
  const p = progressReporter(`${o.model} context ${context}`, 'windows');
  const c = await asInputError(() => contextPerplexity({ model: o.model, maxExamples, seed }, N, 'fresh', p.onBatch)).finally(p.end);
  const note = maxExamplesNote(o.model, maxExamples, c.n, 'perplexity');
  if (note) process.stderr.write(note);
  const line = contextJson(o.model, c);
  process.stdout.write(o.json ? JSON.stringify(line) + '\n' : `${o.model}: context ${c.context}: perplexity ${c.perplexity.toFixed(3)} (95% CI ${c.ci95[0].toFixed(3)} – ${c.ci95[1].toFixed(3)}), n=${c.n} windows\n`);
}

/** One progress line of an accuracy run: examples done of the total, elapsed seconds and the time left at the rate so far. */
export function progressLine(label: string, unit: string, done: number, total: number, seconds: number): string {
  const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
  const eta = done > 0 && done < total ? `, ETA ${Math.ceil((seconds * (total - done)) / done)} s` : '';
  return `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} (${pct}%), ${seconds.toFixed(1)} s${eta}`;
}

/**
 * Progress of a long forward pass on stderr (stdout keeps the result, --json included): on a
 * terminal one line rewritten at most every 0.5 s from the first second on and erased at the end;
 * otherwise (a log file, a pipe) a line every 10 s from the tenth second on. A run shorter than
 * that prints nothing. `now` (seconds) and `out` are injectable for the tests.
 */
export function progressReporter(label: string, unit: string, opts: { tty?: boolean; now?: () => number; out?: (s: string) => void } = {}) {
  const tty = opts.tty ?? !!process.stderr.isTTY;
  const now = opts.now ?? (() => performance.now() / 1000);
  const out = opts.out ?? ((s: string) => void process.stderr.write(s));
  const every = tty ? 0.5 : 10;
  const t0 = now();
  let next = tty ? 1 : 10;
  let shown = false;
  return {
    onBatch(done: number, total: number): void {
      const t = now() - t0;
      if (t < next || done >= total) return;
      next = t + every;
      shown = true;
      const line = progressLine(label, unit, done, total, t);
      out(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    end(): void {
      if (shown && tty) out('\r\x1b[K');
    },
  };
}

type AccuracyResult = Awaited<ReturnType<typeof import('../../sim/nn/api.ts').evaluateAccuracy>>;

/** Mean kept keys per layer over the trace rows (absolute counts; the fractions are in measured). */
function meanKeptTokens(r: AccuracyResult): number[] {
  const L = r.measured.tokenKeepPerLayer.length;
  const sum = new Array<number>(L).fill(0);
  const cnt = new Array<number>(L).fill(0);
  const seen = new Set<string>();
  for (const q of r.trace.requests) {
    const key = `${q.iteration}/${q.layer}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sum[q.layer] += q.keys;
    cnt[q.layer]++;
  }
  return sum.map((s, i) => (cnt[i] ? s / cnt[i] : 0));
}

/**
 * The fraction of KV tokens (or heads) kept over all layers: the mean of the per-layer fractions
 * (every layer counts the same tokens and heads before pruning). It is not tokenKeep: the front
 * layers the schedule leaves dense (tokenFrontFrac, headFrontFrac) and the floor (tokenMinKeep)
 * keep more, so 1 / tokenKeep overstates the reduction (sotu-char at tokenKeep 0.125: 1, 0.15,
 * 0.125, 0.1 → 0.344, 2.91×; spam-bert at headKeep 0.5: 1, 0.75, 0.5, 0.25 → 0.625, 1.6×).
 */
export function overallKeep(perLayer: readonly number[]): number {
  return perLayer.length ? perLayer.reduce((a, b) => a + b, 0) / perLayer.length : 1;
}

/**
 * The human-readable report of one accuracy run. A perplexity has 3 decimals, as `--context` prints
 * it and sim/nn/README's tables give it: with 2, sotu-char-alibi's dense 3.295 and its 2× pruning's
 * 3.297 (+0.06%) read the same.
 */
export function formatText(o: Pick<AccuracyOptions, 'model' | 'traceOut'>, r: AccuracyResult): string {
  const f = (x: number) => (r.metric === 'accuracy' ? (100 * x).toFixed(2) + '%' : x.toFixed(3));
  const pl = (a: number[]) => a.map((x) => x.toFixed(3)).join(' ');
  const all = (a: number[]) => { const k = overallKeep(a); return ` (all layers ${k.toFixed(3)}: ${(1 / k).toFixed(2)}× fewer)`; };
  return (
    `${o.model}: ${r.metric} ${f(r.value)} (95% CI ${f(r.ci95[0])} – ${f(r.ci95[1])}), n=${r.n}\n` +
    `  tokens kept per layer  ${pl(r.measured.tokenKeepPerLayer)}${all(r.measured.tokenKeepPerLayer)}\n` +
    `  heads kept per layer   ${pl(r.measured.headKeepPerLayer)}${all(r.measured.headKeepPerLayer)}\n` +
    `  values kept per layer  ${pl(r.measured.valueKeepPerLayer)}\n` +
    `  LSB refetch fraction   ${r.lsbRefetchFraction.toFixed(4)} (per layer ${pl(r.measured.refetchPerLayer)})\n` +
    `  ${r.details ? `${r.details.seconds.toFixed(1)} s, ${(r.details.gflop / r.details.seconds).toFixed(2)} GFLOP/s, ${r.details.examplesPerSecond.toFixed(1)} examples/s` : ''}\n` +
    (o.traceOut ? `  wrote ${o.traceOut} (${r.trace.requests.length} rows)\n` : '')
  );
}

/** Why the engine ignores each of ENGINE_IGNORED_ALGO's keys: a key added there without a reason here does not compile. */
const ENGINE_IGNORED_WHY: Record<(typeof ENGINE_IGNORED_ALGO)[number], string> = {
  lsbRefetchFraction: 'the engine measures the LSB refetch fraction and prints it; it takes none as input',
  fcWeightBits: "it is the FC/FFN weight width of the hardware models' e2e scope; the engine runs the checkpoint's float weights",
};

/** Why an `algo.*` key the engine does not read for this model would be ignored; undefined when it applies. */
export function inertReason(key: string, kind: 'classifier' | 'lm', algo: ReturnType<typeof parseAlgoSets>): string | undefined {
  if (Object.hasOwn(ENGINE_IGNORED_WHY, key)) return ENGINE_IGNORED_WHY[key as keyof typeof ENGINE_IGNORED_WHY];
  if (kind === 'classifier' && ((key === 'lsbBits' && algo.lsbBits > 0) || key === 'lsbThreshold')) return 'BERT is quantized statically (paper §III-D): progressive quantization (lsbBits, lsbThreshold) runs in the language models only';
  if (kind === 'classifier' && ['tokenPolicy', 'tokenScore', 'startTokens', 'recentTokens'].includes(key)) return "the KV-token selection knobs act in the language models' generation stage only";
  if (kind === 'lm' && (key === 'startTokens' || key === 'recentTokens') && algo.tokenPolicy !== 'llm') return 'it belongs to the llm token policy; add --set algo.tokenPolicy=llm';
  if (kind === 'lm' && algo.tokenPolicy === 'llm' && (LLM_INERT as readonly string[]).includes(key)) return LLM_INERT_WHY;
  if (kind === 'lm' && key === 'lsbThreshold' && algo.lsbBits === 0) return 'it decides which heads refetch their LSBs, and progressive quantization is off (algo.lsbBits 0); add --set algo.lsbBits=N';
  if (kind === 'lm' && key === 'lsbBits' && algo.lsbBits > 0 && algo.msbBits >= 32) return 'the keys are not quantized at algo.msbBits 32, so there are no LSBs to refetch; set algo.msbBits below 32';
  return undefined;
}

/**
 * `--set algo.X` pairs (`sets`, as typed) that the engine would ignore for `model` (folder `dir`)
 * under `algo` are refused (exit 2), naming the command (`accuracy`, `logits`).
 */
export async function refuseInertAlgoSets(sets: readonly string[], model: string, dir: string, algo: ReturnType<typeof parseAlgoSets>): Promise<void> {
  const { accuracyModelKind } = await import('../space-checks.ts');
  const kind = accuracyModelKind(dir);
  if (kind !== 'classifier' && kind !== 'lm') return; // the run names what is wrong with the folder
  for (const s of sets) {
    const key = s.slice('algo.'.length, Math.max(0, s.indexOf('='))).trim();
    const why = inertReason(key, kind, algo);
    if (why) throw new InputError(`--set ${s}: does not apply to ${model}, a ${kind === 'lm' ? 'language model' : 'classifier'}: ${why}`);
  }
}

/** The object `accuracy --json` prints for run `r` of `model` under `algo` (also scripts/readme-nn.ts's rows). */
export function accuracyJson(model: string, r: AccuracyResult, algo: ReturnType<typeof parseAlgoSets>, traceOut?: string) {
  return {
    model,
    metric: r.metric,
    [r.metric]: r.value,
    n: r.n,
    ci95: r.ci95,
    lsbRefetchFraction: r.lsbRefetchFraction,
    tokenKeepPerLayer: r.measured.tokenKeepPerLayer,
    tokenKeepOverall: overallKeep(r.measured.tokenKeepPerLayer),
    headKeepPerLayer: r.measured.headKeepPerLayer,
    headKeepOverall: overallKeep(r.measured.headKeepPerLayer),
    valueKeepPerLayer: r.measured.valueKeepPerLayer,
    refetchPerLayer: r.measured.refetchPerLayer,
    meanKeptTokensPerLayer: meanKeptTokens(r),
    meanKeptHeadsPerLayer: r.measured.headKeepPerLayer.map((f) => f * (r.details?.heads ?? 0)),
    traceRows: r.trace.requests.length,
    traceOut: traceOut ?? null,
    cacheKey: r.cacheKey,
    algo,
    ...r.details,
  };
}

/** The `accuracy` command's action: validate, run the model, write the trace, print. */
async function runAccuracy(o: AccuracyOptions): Promise<void> {
  const algo = parseAlgoSets(o.set);
  const { maxExamples, seed } = parseRunOptions(o);
  const dir = await modelDirInput(o.model, '--model');
  if (o.context === undefined) {
    await refuseInertAlgoSets(o.set, o.model, dir, algo);
    const floor = llmFloorNote(o.model, algo);
    if (floor) process.stderr.write(floor);
  }
  // --trace-out FILE must name a file in an existing, writable folder (checked before the model runs)
  if (o.traceOut !== undefined && o.context === undefined) checkOutFile(o.traceOut, `--trace-out ${o.traceOut}`, 'trace.csv', false);
  const { evaluateAccuracy } = await import('../../sim/nn/api.ts');
  if (o.context !== undefined) return runContext(o, maxExamples, seed);
  const { accuracyModelKind } = await import('../space-checks.ts');
  const p = progressReporter(o.model, accuracyModelKind(dir) === 'lm' ? 'windows' : 'examples');
  const r = await asInputError(() => evaluateAccuracy({ model: o.model, maxExamples, seed }, algo, p.onBatch)).finally(p.end);
  const note = maxExamplesNote(o.model, maxExamples, r.n, r.metric);
  if (note) process.stderr.write(note);
  if (o.traceOut) {
    const { formatTrace } = await import('../../sim/workload/trace.ts');
    try {
      writeFileSync(o.traceOut, formatTrace(r.trace, r.trace.provenance));
    } catch (e) {
      throw fsInputError(e, `--trace-out ${o.traceOut}`);
    }
  }
  const out = accuracyJson(o.model, r, algo, o.traceOut);
  process.stdout.write(o.json ? JSON.stringify(out) + '\n' : formatText(o, r));
}

export function register(program: Command): void {
  program
    .command('accuracy')
    .description('measure accuracy/perplexity of a trained model with SpAtten pruning + quantization in the forward pass')
    .requiredOption('-m, --model <name>', `${shippedModels().join(', ')}, or a Hugging Face BERT/GPT-2 folder (config.json + model.safetensors + tokenizer)`)
    .option('-s, --set <key=value>', 'algorithm parameter (repeatable), e.g. --set algo.tokenKeep=0.5', collect, [])
    .option('--max-examples <n>', `evaluate the first N test examples (default: all ${DEFAULT_EXAMPLES.bert} emails / ${DEFAULT_EXAMPLES.gpt} LM windows)`)
    .option('--seed <s>', 'bootstrap seed (perplexity CIs)', '1')
    .option('--json', 'print one JSON object')
    .option('--trace-out <file>', 'write the measured trace as an official 17-column workload CSV')
    .option('--context <n>', "LM only: predict the same tokens from only their last n tokens (or 'full'); dense float forward, no --set")
    .action(runAccuracy);
}
